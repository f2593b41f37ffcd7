// A few numbers shared between the optimizer thread and the bound thread (SharedArrayBuffer): the best
// proven bound, the best score (the subgradient's target) and the bound thread's status. Floats travel as
// their 64-bit patterns through Atomics, so a reader never sees half of a write.
import type { ParallelBound } from '../../solver/api.js';

const BOUND = 0;
const SCORE = 1;
const STATUS = 2;

export const BOUND_STATUS = { running: 0n, failed: 1n } as const;

export type BoundCells = BigInt64Array;

const scratch = new Float64Array(1);
const bits = new BigInt64Array(scratch.buffer);
const toBits = (value: number) => ((scratch[0] = value), bits[0]!);
const fromBits = (pattern: bigint) => ((bits[0] = pattern), scratch[0]!);

export function createBoundCells(): BoundCells {
  const cells = new BigInt64Array(new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT));
  Atomics.store(cells, BOUND, toBits(Infinity));
  Atomics.store(cells, SCORE, toBits(Number.NaN));
  Atomics.store(cells, STATUS, BOUND_STATUS.running);
  return cells;
}

const readBound = (cells: BoundCells) => fromBits(Atomics.load(cells, BOUND));
export const readScore = (cells: BoundCells) => fromBits(Atomics.load(cells, SCORE));
const readStatus = (cells: BoundCells) => Atomics.load(cells, STATUS);

export function publishBound(cells: BoundCells, bound: number): void {
  Atomics.store(cells, BOUND, toBits(bound));
}

export function setStatus(cells: BoundCells, status: bigint): void {
  Atomics.store(cells, STATUS, status);
}

/** Waits (in a worker) until the optimizer has shared a score, at most timeoutMs; returns it or NaN. */
export function waitForScore(cells: BoundCells, timeoutMs: number): number {
  Atomics.wait(cells, SCORE, toBits(Number.NaN), timeoutMs);
  return readScore(cells);
}

/** The optimizer's view of the cells. */
export function parallelBoundOver(cells: BoundCells): ParallelBound {
  return {
    latest: () => (readStatus(cells) === BOUND_STATUS.failed ? null : readBound(cells)),
    shareScore(score) {
      Atomics.store(cells, SCORE, toBits(score));
      Atomics.notify(cells, SCORE);
    },
  };
}
