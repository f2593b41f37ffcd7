import type { MipBackend } from './api.js';
import type { Assignment, CompiledRequest, Model, Placement } from './model/types.js';
import type { Random } from './random.js';
import { buildSubproblem, candidatesFor, chosenPlacements, type Candidate } from './subproblem.js';
import { cloneUsage, fits, place, placementValue, type Usage } from './usage.js';

// Window widths (slots) and how many related lanes join the seed lane; measured on generated clinics.
const WINDOWS = [12, 18, 24, 36, 48];
const GROUP_EXTRA = [0, 1, 2];
// A neighbourhood around a waiting request is seeded from the one of this many random draws that has
// failed least so far (measured on the 40-provider days, 60 s: 3 draws gave +0.04% / +0.4-0.5% score over
// a uniform draw; 2 and 5 draws gained less).
const SEED_DRAWS = 3;
// Share of those neighbourhoods centred on free time of one of its providers (or rooms) rather than at
// one of its starts (40-provider day, 60 s, three search seeds: 885.7 against 884 requests placed).
const FREE_SLOT_SHARE = 0.5;

/** The lane that names a neighbourhood: the provider, or the room for services without one. */
const keyLane = (model: Model, i: number, mode: number) => {
  const m = model.requests[i]!.modes[mode]!;
  return m.provider >= 0 ? m.provider : m.room;
};

/** Lanes that can stand in for each other: they appear as alternatives for the same request. */
export function relatedLanes(model: Model): Map<number, number[]> {
  const related = new Map<number, Set<number>>();
  for (const r of model.requests) {
    const keys = [...new Set(r.modes.map((_, m) => keyLane(model, r.index, m)))];
    for (const a of keys) for (const b of keys) if (a !== b) (related.get(a) ?? related.set(a, new Set()).get(a)!).add(b);
  }
  return new Map([...related].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
}

/**
 * How long one neighbourhood solve may run: a node count, with a time limit as a safety net; and whether
 * its ILP breaks ties toward providers with maxAppointments (subproblem.ts).
 */
export type NeighbourhoodLimits = { nodeLimit: number; timeLimitMs: number; clock: () => number; breakTies?: boolean };

export type LnsState = {
  assignment: Assignment;
  usage: Usage;
  score: number;
  /** Per request: neighbourhoods seeded from it (while it waited) that brought no gain. */
  misses?: Map<number, number>;
};

/** One step of the search (it changes `state` only to a schedule that scores no worse); true if it moved. */
export type SearchStep = (
  model: Model,
  state: LnsState,
  backend: MipBackend,
  random: Random,
  related: Map<number, number[]>,
  limits: NeighbourhoodLimits,
) => boolean;

/**
 * One large-neighbourhood step: free what a few interchangeable providers (or rooms) do in a time window,
 * add waiting requests that could go there, and re-solve that piece exactly. Never makes the score worse.
 */
export const lnsStep: SearchStep = (model, state, backend, random, related, limits) => {
  const seed = chooseSeed(model, state, random, related);
  if (!seed) return false;
  const before = state.score;
  const moved = solveAround(model, state, backend, random, seed, limits);
  if (seed.waitingRequest >= 0 && state.score <= before + 1e-9) {
    const misses = (state.misses ??= new Map());
    misses.set(seed.waitingRequest, (misses.get(seed.waitingRequest) ?? 0) + 1);
  }
  return moved;
};

type Seed = {
  /** The waiting request the neighbourhood is built around, or -1 when it is built around a placed one. */
  waitingRequest: number;
  group: Set<number>;
  center: number;
  waiting: number[];
  placed: number[];
};

/** Seed: a waiting request's possible place (to let it in), or a placed request's place (to tidy up). */
function chooseSeed(model: Model, state: LnsState, random: Random, related: Map<number, number[]>): Seed | null {
  const waiting = state.assignment.flatMap((p, i) => (p === null && model.requests[i]!.modes.length > 0 ? [i] : []));
  const placed = state.assignment.flatMap((p, i) => (p ? [i] : []));
  if (waiting.length === 0 && placed.length === 0) return null;

  let waitingRequest = -1;
  let seedLane: number;
  let center: number;
  if (waiting.length > 0 && (placed.length === 0 || random.chance(0.6))) {
    const i = (waitingRequest = pickWaiting(state, waiting, random));
    const r = model.requests[i]!;
    // Half the time where one of its providers (or rooms) has free time: that is where it can get in.
    const free = random.chance(FREE_SLOT_SHARE) ? freeSlotFor(model, state.usage, r, -1, random) : null;
    // The mode is drawn even when the free slot is used: the draws stay those the search was measured with.
    const m = random.int(0, r.modes.length - 1);
    seedLane = free ? free.lane : keyLane(model, i, m);
    center = free ? free.slot : random.pick(r.modes[m]!.starts) + Math.floor(r.length / 2);
  } else {
    const i = random.pick(placed);
    const p = state.assignment[i]!;
    seedLane = keyLane(model, i, p.mode);
    center = p.start;
  }
  return { waitingRequest, group: laneGroup(seedLane, related, random), center, waiting, placed };
}

/** The seed lane and 0-2 lanes drawn from those that can stand in for it (but `except`). */
export function laneGroup(seedLane: number, related: Map<number, number[]>, random: Random, except = -1): Set<number> {
  const group = new Set([seedLane]);
  const others = (related.get(seedLane) ?? []).filter((l) => l !== except);
  for (let k = random.pick(GROUP_EXTRA); k > 0 && others.length > 0; k--) group.add(others.splice(random.int(0, others.length - 1), 1)[0]!);
  return group;
}

/** A free slot of one of the request's key lanes (but `except`) inside its window, drawn uniformly over all such slots. */
export function freeSlotFor(model: Model, usage: Usage, r: CompiledRequest, except: number, random: Random): { lane: number; slot: number } | null {
  const lanes = [...new Set(r.modes.map((_, m) => keyLane(model, r.index, m)))].filter((l) => l !== except);
  const free: { lane: number; slot: number }[] = [];
  const last = Math.min(model.slots, r.last + r.length);
  for (const lane of lanes) {
    const cap = model.lanes[lane]!.cap;
    const used = usage.used[lane]!;
    for (let t = r.first; t < last; t++) if (used[t]! < cap[t]!) free.push({ lane, slot: t });
  }
  return free.length > 0 ? random.pick(free) : null;
}

/** Frees the seed's group in a window around its center (narrowed until the model is small enough) and re-solves it. */
export function solveAround(model: Model, state: LnsState, backend: MipBackend, random: Random, seed: Seed, limits: NeighbourhoodLimits): boolean {
  const { group, center, waiting, placed } = seed;
  let width = random.pick(WINDOWS);
  while (width >= 6) {
    const from = Math.max(0, Math.min(model.slots - width, center - Math.floor(width / 2)));
    const to = from + width;
    const inWindow = (i: number, p: Placement) => group.has(keyLane(model, i, p.mode)) && p.start >= from && p.start + model.requests[i]!.length <= to;
    const freedPlaced = placed.filter((i) => inWindow(i, state.assignment[i]!));
    const fixed = cloneUsage(state.usage);
    for (const i of freedPlaced) place(model, fixed, model.requests[i]!, state.assignment[i]!, -1);
    const roomy = roomyRooms(model, fixed, group, from, to);
    const allowed = (i: number) => {
      const keep = dominantModes(model, i, roomy);
      return { mode: (m: number) => keep[m]! && group.has(keyLane(model, i, m)), from, to: to - model.requests[i]!.length };
    };

    const candidates: Candidate[] = freedPlaced.flatMap((i) => candidatesFor(model, fixed, i, allowed(i)));
    // The seed's own waiting request comes first: the neighbourhood is built to let it in.
    const extra = waiting
      .map((i) => ({ i, order: random.int(0, 1_000_000), value: i === seed.waitingRequest ? Infinity : model.requests[i]!.base }))
      .sort((a, b) => b.value - a.value || a.order - b.order);
    const freed = [...freedPlaced];
    for (const { i } of extra) {
      const more = candidatesFor(model, fixed, i, allowed(i));
      if (more.length === 0) continue;
      if (candidates.length + more.length > backend.neighbourhoodCols) break;
      candidates.push(...more);
      freed.push(i);
    }
    if (candidates.length > backend.neighbourhoodCols) {
      width = Math.floor(width / 2);
      continue;
    }
    if (freed.length === 0) return false;
    const before = freedPlaced.reduce((s, i) => s + placementValue(model.requests[i]!, state.assignment[i]!), 0);
    const { breakTies = false, ...solveLimits } = limits;
    const mip = buildSubproblem(model, fixed, freed, candidates, state.assignment, breakTies);
    const solution = backend.solve(mip, { ...solveLimits, purpose: 'neighbourhood' });
    if (!solution.x || solution.objective < before - 1e-9) return false;
    return applyMove(model, state, fixed, freed, chosenPlacements(candidates, solution.x), before);
  }
  return false;
}

/** A waiting request to build the neighbourhood around: of a few drawn at random, the one that failed least. */
function pickWaiting(state: LnsState, waiting: number[], random: Random): number {
  let best = random.pick(waiting);
  for (let k = 1; k < SEED_DRAWS; k++) {
    const other = random.pick(waiting);
    if ((state.misses?.get(other) ?? 0) < (state.misses?.get(best) ?? 0)) best = other;
  }
  return best;
}

function applyMove(model: Model, state: LnsState, fixed: Usage, freed: number[], chosen: Map<number, Placement>, before: number): boolean {
  // Re-check every placement against the fixed usage: a solver tolerance must never leak into a schedule.
  for (const i of freed) {
    const p = chosen.get(i);
    if (!p) continue;
    if (!fits(model, fixed, model.requests[i]!, p)) return false;
    place(model, fixed, model.requests[i]!, p, 1);
  }
  let after = 0;
  for (const [i, p] of chosen) after += placementValue(model.requests[i]!, p);
  const gain = after - before;
  if (gain < -1e-9) return false;
  for (const i of freed) state.assignment[i] = chosen.get(i) ?? null;
  state.usage = fixed;
  state.score += gain;
  return gain > 1e-9;
}

/**
 * Room pools with so much room left in the window that they can never bind: every provider in the
 * group can have a patient and a turnover in them at once. A visit that could use such a pool never
 * needs another one, so modes that differ only by room collapse to it (exact, and far fewer columns).
 */
function roomyRooms(model: Model, fixed: Usage, group: Set<number>, from: number, to: number): Set<number> {
  const providers = [...group].filter((l) => model.lanes[l]!.kind === 'provider');
  if (providers.length !== group.size) return new Set(); // rooms are the subject of this neighbourhood
  // Each provider's visits at once (two when overbooking) and a turnover.
  const need = providers.reduce((n, l) => n + Math.max(1, ...model.lanes[l]!.cap) + 1, 0);
  const roomy = new Set<number>();
  const stop = Math.min(model.slots, to + 12);
  model.lanes.forEach((lane, l) => {
    if (lane.kind !== 'room') return;
    const used = fixed.used[l]!;
    for (let t = from; t < stop; t++) if (lane.cap[t]! - used[t]! < need && (t < to || lane.open?.[t])) return;
    roomy.add(l);
  });
  return roomy;
}

function dominantModes(model: Model, i: number, roomy: Set<number>): boolean[] {
  const modes = model.requests[i]!.modes;
  const chosen = new Map<string, number>();
  const key = (m: number) => `${modes[m]!.provider}/${modes[m]!.staff.map((s) => s.lane).join(',')}`;
  modes.forEach((mode, m) => {
    if (roomy.has(mode.room) && !chosen.has(key(m))) chosen.set(key(m), m);
  });
  return modes.map((_, m) => {
    const best = chosen.get(key(m));
    return best === undefined || best === m;
  });
}
