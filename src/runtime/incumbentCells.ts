// The best schedule of a run, shared between the optimizer's thread and the search beside it
// (SharedArrayBuffer): its score and, per request, the chosen mode and start (-1: not placed). A lock
// around each copy keeps a reader from seeing half of a write.
import type { SharedIncumbent } from '../../solver/api.js';
import type { Assignment } from '../../solver/model/types.js';

export type IncumbentCells = { lock: Int32Array; score: Float64Array; places: Int32Array };

/** Cells for a day of up to `requests` requests to place. */
export function createIncumbentCells(requests: number): IncumbentCells {
  const cells = {
    // [0]: the lock; [1]: how many requests the kept schedule has.
    lock: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)),
    score: new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT)),
    places: new Int32Array(new SharedArrayBuffer(2 * Math.max(1, requests) * Int32Array.BYTES_PER_ELEMENT)),
  };
  cells.score[0] = Number.NEGATIVE_INFINITY;
  return cells;
}

function locked<T>(cells: IncumbentCells, body: () => T): T {
  // Copies take microseconds: wait a millisecond at most between tries (worker threads may block).
  while (Atomics.compareExchange(cells.lock, 0, 0, 1) !== 0) Atomics.wait(cells.lock, 0, 1, 1);
  try {
    return body();
  } finally {
    Atomics.store(cells.lock, 0, 0);
    Atomics.notify(cells.lock, 0, 1);
  }
}

/** One thread's view of the cells. A day with more requests than the cells hold is not shared. */
export function incumbentOver(cells: IncumbentCells): SharedIncumbent {
  const capacity = cells.places.length / 2;
  return {
    offer(score, assignment) {
      if (assignment.length > capacity) return;
      locked(cells, () => {
        if (!(score > cells.score[0]!)) return;
        cells.score[0] = score;
        assignment.forEach((p, i) => {
          cells.places[2 * i] = p ? p.mode : -1;
          cells.places[2 * i + 1] = p ? p.start : -1;
        });
        cells.lock[1] = assignment.length;
      });
    },
    better(score) {
      return locked(cells, () => {
        if (!(cells.score[0]! > score)) return null;
        const assignment: Assignment = [];
        for (let i = 0; i < cells.lock[1]!; i++) {
          const mode = cells.places[2 * i]!;
          assignment.push(mode < 0 ? null : { mode, start: cells.places[2 * i + 1]! });
        }
        return { score: cells.score[0]!, assignment };
      });
    },
  };
}
