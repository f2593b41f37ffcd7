import type { Instance } from '../../src/contract/instance.js';
import type { ReplanInput, ReplanResult } from '../../src/contract/replan.js';
import { MINUTE_MS } from '../../src/domain/time.js';
import type { MipBackend } from '../api.js';
import type { Assignment } from '../model/types.js';
import { assembleResult } from './assembleResult.js';
import { disruptDay } from './disruptedDay.js';
import { emergencyStarts } from './emergencyStarts.js';
import { fixedConflicts } from './fixedConflicts.js';
import { EXACT_ROOMS, pushLaterAssignment, pushLaterOnDay } from './pushLater.js';
import { reachableAppointments, WHOLE_DAY_LIVE } from './region.js';
import { overtimeMinutes } from './replanCost.js';
import { placementCost, replanCandidates, solveReplanIlp, type PricedCandidate, type Reach } from './replanIlp.js';
import { buildReplanModel, type ReplanItem, type ReplanModel } from './replanModel.js';

export type ReplanOptions = {
  backend: MipBackend;
  /** Injected clock (ms) for solveMs and the safety time limit; the solver reads no clock of its own. */
  clock: () => number;
  /**
   * Safety net for the ILP solve (default 2000 ms): the front desk is on the phone. A rare re-plan ILP
   * with a weak LP bound (measured: 844 columns, 5 s without closing its gap) then returns its best plan so
   * far, never worse than push-later, with the gap it proved.
   */
  timeLimitMs?: number;
};

// On a big day a moved appointment looks this far past its planned start: a routine visit delayed longer
// than 500 min costs more than bumping it, and a cascade that long is better cut by a reassignment.
const REACH_MIN = 240;
/** On a big day, reassignment looks at this many other providers (those with the most free time left). */
const ALTERNATE_PROVIDERS = 3;
const UNBOUNDED_ITEMS = 12;
/** The full search (UNBOUNDED_ITEMS) only on a clinic of at most this many providers (and EXACT_ROOMS rooms). */
const WHOLE_DAY_PROVIDERS = 12;
/** On a big day, each item keeps its this many cheapest placements (plus the baseline's). */
const PER_ITEM = 40;

/**
 * Re-plans the rest of the day after the events (input already checked by checkReplanInput):
 * the cheapest plan by the contract's re-plan cost, never worse than pushing everything later.
 */
export function replanDay(inst: Instance, input: ReplanInput, options: ReplanOptions): ReplanResult {
  const started = options.clock();
  const day = disruptDay(inst, input);
  const emergencyAt = emergencyStarts(inst, day);
  // Push-later over the whole day: where it puts a new request is reachable, and the result is never worse.
  // (What it moves is not: its knock-ons travel through shared rooms across the whole day.)
  const floor = pushLaterOnDay(inst, input, day, emergencyAt);
  const newIds = new Set(day.newRequests.map((r) => r.id));
  const movable = reachableAppointments(inst, day, emergencyAt, new Map(floor.appointments.filter((a) => newIds.has(a.requestId)).map((a) => [a.requestId, a])));
  for (const k of fixedConflicts(inst, day, movable)) movable.add(k);
  // A small day on a small clinic is searched in full: every eligible provider, every start, every room
  // priced exactly (e.g. against an exhaustive search); a bigger one within reach, keeping each item's
  // cheapest placements, with interchangeable rooms pooled above EXACT_ROOMS rooms.
  // (On a big clinic late in the day the same few items would have every provider × room × start: millions.)
  const whole =
    day.live.length <= WHOLE_DAY_LIVE &&
    movable.size + day.newRequests.length <= UNBOUNDED_ITEMS &&
    inst.providers.length <= WHOLE_DAY_PROVIDERS &&
    inst.rooms.length <= EXACT_ROOMS;
  const rm = buildReplanModel(inst, day, movable, inst.rooms.length <= EXACT_ROOMS);
  const baseline = pushLaterAssignment(inst, rm, emergencyAt);

  const slotMs = rm.model.slotMinutes * MINUTE_MS;
  const alternates = whole ? null : freestProviders(rm, day.startFrom);
  const reachOf = (pinEmergencies: boolean) => (item: ReplanItem): Reach => {
    const r = rm.model.requests[item.index]!;
    const at = emergencyAt.get(item.requestId);
    if (item.urgency === 'emergency' && !item.live && at !== undefined) return { providers: null, from: at, to: pinEmergencies ? at : r.last };
    // A booked emergency looks everywhere: it is never bumped, so no reach may leave it without a place.
    if (whole || !item.live || item.urgency === 'emergency') return { providers: null, from: r.first, to: r.last };
    const own = item.live.appt.providerId;
    const ownLane = r.modes.find((m) => m.providerId === own)?.provider;
    const lanes = new Set([...(ownLane !== undefined ? [ownLane] : []), ...(alternates?.(r.modes.map((m) => m.provider)) ?? [])]);
    const from = r.first;
    const to = Math.min(r.last, Math.ceil((item.live.plannedStart - rm.model.origin) / slotMs) + REACH_MIN / rm.model.slotMinutes);
    return { providers: own === null ? null : lanes, from, to };
  };
  const limits = { timeLimitMs: options.timeLimitMs ?? 2000, clock: options.clock };

  let candidates = withBaseline(inst, rm, replanCandidates(inst, rm, reachOf(true), whole ? Infinity : PER_ITEM), baseline);
  let solution = solveReplanIlp(rm, candidates, options.backend, limits, baseline);
  if (!solution) {
    // Several emergencies could not all start at their earliest: let them take the earliest joint places.
    candidates = withBaseline(inst, rm, replanCandidates(inst, rm, reachOf(false), whole ? Infinity : PER_ITEM), baseline);
    solution = solveReplanIlp(rm, candidates, options.backend, limits, baseline);
  }
  const constant = inst.replan.overtimePerMinute * overtimeMinutes(inst, [...day.history.map((h) => h.appt), ...rm.fixed.map((f) => f.appt)]);
  const baselineResult = assembleResult(inst, input, day, rm, baseline.slice(), { bound: 0, solveMs: 0, backend: 'push-later' });
  const result = solution
    ? assembleResult(inst, input, day, rm, solution.assignment, {
        bound: solution.bound + constant,
        solveMs: 0,
        backend: options.backend.name,
        columns: solution.columns,
        rows: solution.rows,
      })
    : null;
  // Never worse than push-later, here or over the whole day (a solve stopped by its safety limit may be).
  const bumpsEmergency = (r: ReplanResult) => r.changes.some((c) => c.kind === 'bumped' && day.live.find((l) => l.appt.requestId === c.requestId)?.urgency === 'emergency');
  const fallback = floor.cost < baselineResult.cost && !bumpsEmergency(floor) ? floor : baselineResult;
  const best = result && result.cost <= fallback.cost + 1e-9 ? result : { ...fallback, bound: Math.min(fallback.cost, result?.bound ?? 0) };
  const gap = best.cost <= 0 ? 0 : Math.max(0, (best.cost - best.bound) / Math.max(1, best.cost));
  return { ...best, gap, status: gap <= 1e-6 ? 'optimal' : 'feasible', solveMs: Math.max(0, options.clock() - started) };
}

/** Other providers able to take an item, the ones with the most free slots left today first. */
function freestProviders(rm: ReplanModel, from: number): (lanes: number[]) => number[] {
  const slot = Math.max(0, Math.ceil((from - rm.model.origin) / (rm.model.slotMinutes * MINUTE_MS)));
  const free = new Map<number, number>();
  rm.model.lanes.forEach((lane, l) => {
    if (lane.kind !== 'provider') return;
    let n = 0;
    for (let t = slot; t < rm.model.slots; t++) n += lane.cap[t]!;
    free.set(l, n);
  });
  return (lanes) =>
    [...new Set(lanes.filter((l) => l >= 0))].sort((a, b) => free.get(b)! - free.get(a)! || a - b).slice(0, ALTERNATE_PROVIDERS + 1);
}

/** The baseline's placements are always candidates, so the ILP can never do worse than it. */
function withBaseline(inst: Instance, rm: ReplanModel, candidates: PricedCandidate[], baseline: Assignment): PricedCandidate[] {
  const have = new Set(candidates.map((c) => `${c.request}/${c.placement.mode}/${c.placement.start}`));
  const extra: PricedCandidate[] = [];
  baseline.forEach((p, i) => {
    if (p && !have.has(`${i}/${p.mode}/${p.start}`)) {
      extra.push({ request: i, placement: p, ...placementCost(inst, rm, rm.items[i]!, p) });
    }
  });
  return [...candidates, ...extra];
}

