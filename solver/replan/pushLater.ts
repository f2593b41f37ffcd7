import type { Instance } from '../../src/contract/instance.js';
import type { ReplanInput, ReplanResult } from '../../src/contract/replan.js';
import type { Assignment, Placement } from '../model/types.js';
import { emptyUsage, fits, place, type Usage } from '../usage.js';
import { assembleResult } from './assembleResult.js';
import { disruptDay, type DisruptedDay } from './disruptedDay.js';
import { emergencyStarts } from './emergencyStarts.js';
import { placementCost } from './replanIlp.js';
import { buildReplanModel, type ReplanModel } from './replanModel.js';

/**
 * The baseline a front desk falls back on: emergencies first at their earliest start (or, booked ones,
 * their first start on their provider, else on any provider), then every other appointment in its planned
 * order on the same provider (the same room when it can), at the first start at or after its planned one
 * that fits; what no longer fits today is bumped; walk-ins go last.
 */
export function pushLaterAssignment(inst: Instance, rm: ReplanModel, earliest: Map<string, number>): Assignment {
  const { model } = rm;
  const usage: Usage = emptyUsage(model);
  const assignment: Assignment = model.requests.map(() => null);
  const overtimeLeft = new Map(rm.overtimeLeft);
  // Emergencies first (new or already booked), then the day in planned order, walk-ins last.
  const rank = (i: number) => {
    const item = rm.items[i]!;
    if (item.urgency === 'emergency') return 0;
    return item.live ? 1 : 2;
  };
  const order = rm.items
    .map((item) => item.index)
    .sort((a, b) => rank(a) - rank(b) || rm.items[a]!.reference - rm.items[b]!.reference || a - b);
  for (const i of order) {
    const item = rm.items[i]!;
    const r = model.requests[i]!;
    const slotOf = (ms: number) => Math.ceil((ms - model.origin) / (model.slotMinutes * 60_000));
    const from = item.live ? Math.max(r.first, slotOf(item.live.plannedStart)) : (earliest.get(r.id) ?? r.first);
    const sameProvider = (m: number) => !item.live || r.modes[m]!.providerId === item.live.appt.providerId;
    const firstFit = (allowed: (m: number) => boolean) => {
      let best = null as { p: Placement; sameRoom: boolean; overtime: number; lane: number } | null;
      r.modes.forEach((mode, m) => {
        if (!allowed(m)) return;
        const sameRoom = !item.live || model.lanes[mode.room]!.ids.includes(item.live.appt.roomId);
        // The first start of this mode that fits; no later one can beat what another mode already found.
        for (const start of mode.starts) {
          if (start < from) continue;
          if (best && (start > best.p.start || (start === best.p.start && (best.sameRoom || !sameRoom)))) return;
          const p = { mode: m, start };
          if (!fits(model, usage, r, p)) continue;
          const { overtime } = placementCost(inst, rm, item, p);
          if (overtime > 0 && overtime > (overtimeLeft.get(mode.provider) ?? 0)) continue;
          best = { p, sameRoom, overtime, lane: mode.provider };
          return;
        }
      });
      return best;
    };
    // A booked emergency that no longer fits on its provider goes to whoever can take it: it is never bumped.
    const best = firstFit(sameProvider) ?? (item.urgency === 'emergency' ? firstFit(() => true) : null);
    if (!best) continue;
    assignment[i] = best.p;
    place(model, usage, r, best.p, 1);
    if (best.overtime > 0) overtimeLeft.set(best.lane, (overtimeLeft.get(best.lane) ?? 0) - best.overtime);
  }
  return assignment;
}

/** Push-later as a whole re-plan result, over every appointment of the day (the bench's baseline). */
export function pushLater(inst: Instance, input: ReplanInput, clock: () => number = () => 0): ReplanResult {
  const started = clock();
  const day = disruptDay(inst, input);
  return pushLaterOnDay(inst, input, day, emergencyStarts(inst, day), () => clock() - started);
}

/** Push-later on a day already disrupted (replanDay has the day and the emergencies' starts at hand). */
export function pushLaterOnDay(inst: Instance, input: ReplanInput, day: DisruptedDay, earliest: Map<string, number>, elapsed: () => number = () => 0): ReplanResult {
  const rm = buildReplanModel(inst, day, new Set(day.live.map((_, k) => k)), inst.rooms.length <= EXACT_ROOMS, true);
  const assignment = pushLaterAssignment(inst, rm, earliest);
  return assembleResult(inst, input, day, rm, assignment, { bound: 0, solveMs: elapsed(), backend: 'push-later' });
}

/** Up to this many rooms each is its own lane (room changes priced exactly); above, interchangeable rooms pool. */
export const EXACT_ROOMS = 24;
