import { freeSlotFor, laneGroup, solveAround, type SearchStep } from './lns.js';
import type { CompiledRequest, Model, Placement } from './model/types.js';
import type { Random } from './random.js';
import { cloneUsage, fits, fitsWithOneLess, place, placementValue, type Usage } from './usage.js';

// Waiting requests tried against the capped provider's free time per step (the first that fits is taken).
const TAKERS_TRIED = 8;

/**
 * A provider at maxAppointments often has free time that only a swap can use: a waiting request takes
 * the place in the count of one of their visits, and that visit is re-placed on another provider by an
 * exact neighbourhood solve (which may shift that provider's day to open the gap). So the providers whose
 * limit is a count end up with the longer visits, and time opens up on the providers whose limit is the
 * clock. The plain neighbourhoods only find this when both places fall in one window and group.
 * The whole move is kept only when the day's score rises.
 */
export const capSwapStep: SearchStep = (model, state, backend, random, related, limits) => {
  const onLane = new Map<number, number[]>();
  state.assignment.forEach((p, i) => {
    const lane = p ? model.requests[i]!.modes[p.mode]!.provider : -1;
    if (lane >= 0) (onLane.get(lane) ?? onLane.set(lane, []).get(lane)!).push(i);
  });
  // Providers at their cap who see one patient at a time (with overbooking the plain neighbourhoods do this).
  const full = [...model.maxAppointments.keys()].filter(
    (lane) => (onLane.get(lane)?.length ?? 0) >= model.maxAppointments.get(lane)! && model.lanes[lane]!.cap.every((c) => c <= 1),
  );
  if (full.length === 0) return false;
  const lane = random.pick(full);
  const movable = (onLane.get(lane) ?? []).filter((i) => model.requests[i]!.modes.some((m) => m.provider >= 0 && m.provider !== lane));
  const takers = state.assignment.flatMap((p, i) => (p === null && model.requests[i]!.modes.some((m) => m.provider === lane) ? [i] : []));
  if (movable.length === 0 || takers.length === 0) return false;

  // A waiting request that fits the provider's free time, at its earliest there.
  let w = -1;
  let wp: Placement | null = null;
  for (let k = 0; k < TAKERS_TRIED && !wp; k++) {
    w = random.pick(takers);
    wp = earliestWithOneLess(model, state.usage, lane, model.requests[w]!);
  }
  if (!wp) return false;
  const r = model.requests[w]!;

  // The visit that makes room: the shorter of two draws, since a short visit finds a gap more easily.
  const a = random.pick(movable);
  const b = random.pick(movable);
  const out = model.requests[b]!.length < model.requests[a]!.length ? b : a;
  const outRequest = model.requests[out]!;
  const outPlacement = state.assignment[out]!;

  place(model, state.usage, outRequest, outPlacement, -1);
  if (!fits(model, state.usage, r, wp)) {
    place(model, state.usage, outRequest, outPlacement, 1);
    return false;
  }
  // The day before the swap, to go back to: its usage is the copy with the visit put back.
  const was = { assignment: [...state.assignment], usage: cloneUsage(state.usage), score: state.score };
  place(model, was.usage, outRequest, outPlacement, 1);
  state.assignment[out] = null;
  place(model, state.usage, r, wp, 1);
  state.assignment[w] = wp;
  state.score += placementValue(r, wp) - placementValue(outRequest, outPlacement);

  // Re-place the visit where another provider has free time in its window.
  const where = freeSlotFor(model, state.usage, outRequest, lane, random);
  if (where) {
    const group = laneGroup(where.lane, related, random, lane);
    const waiting = state.assignment.flatMap((p, i) => (p === null && model.requests[i]!.modes.length > 0 ? [i] : []));
    const placed = state.assignment.flatMap((p, i) => (p ? [i] : []));
    solveAround(model, state, backend, random, { waitingRequest: out, group, center: where.slot, waiting, placed }, limits);
  }
  if (state.score > was.score + 1e-9) return true;
  Object.assign(state, was);
  return false;
};

function earliestWithOneLess(model: Model, usage: Usage, lane: number, r: CompiledRequest): Placement | null {
  let best: Placement | null = null;
  r.modes.forEach((mode, m) => {
    if (mode.provider !== lane) return;
    for (const start of mode.starts) {
      if (best && start >= best.start) break;
      if (fitsWithOneLess(model, usage, lane, r, { mode: m, start })) best = { mode: m, start };
    }
  });
  return best;
}
