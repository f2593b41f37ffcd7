import type { Appointment } from '../../src/contract/appointment.js';
import type { Instance } from '../../src/contract/instance.js';
import type { Rebooking, ReplanInput, ReplanResult } from '../../src/contract/replan.js';
import { localTime } from '../../src/domain/time.js';
import { decodeAssignment } from '../decode.js';
import type { Assignment } from '../model/types.js';
import { candidatesFor } from '../subproblem.js';
import { usageOf } from '../usage.js';
import type { DisruptedDay } from './disruptedDay.js';
import { lateCancellations, listChanges, notificationsFor } from './replanChanges.js';
import { replanCost, totalCost } from './replanCost.js';
import type { ReplanModel } from './replanModel.js';
import { replanSummary } from './replanSummary.js';

export type SolveFacts = { bound: number; solveMs: number; backend: string; columns?: number; rows?: number };

/** The re-plan result from a chosen assignment: the day's appointments, changes, who to tell, bills, rebookings. */
export function assembleResult(
  inst: Instance,
  input: ReplanInput,
  day: DisruptedDay,
  rm: ReplanModel,
  assignment: Assignment,
  facts: SolveFacts,
): ReplanResult {
  const liveBy = new Map(day.live.map((l) => [l.appt.requestId, l]));
  const prefer = (requestId: string) => {
    const l = liveBy.get(requestId);
    return l ? [l.appt.roomId, ...l.appt.staff.map((s) => s.staffId)] : [];
  };
  const { appointments: decoded, unplaced } = decodeAssignment(rm.derived, rm.model, assignment, prefer);
  for (const i of unplaced) assignment[i] = null; // cannot happen (pools colour), but never report what is not placed
  const items = new Map(rm.items.map((item) => [item.requestId, item]));
  const placed = new Map<string, Appointment>();
  for (const a of decoded) {
    const item = items.get(a.requestId);
    if (!item || assignment[item.index] === null) continue;
    const old = item.live?.appt;
    placed.set(a.requestId, old ? { ...a, ...(old.id ? { id: old.id } : {}), status: old.status ?? 'booked', ...(old.earlierOk ? { earlierOk: true } : {}) } : a);
  }
  for (const f of rm.fixed) placed.set(f.appt.requestId, f.appt);

  // The day in its original order, new requests last; bumped appointments leave it.
  const historyBy = new Map(day.history.map((h) => [h.dayIndex, h.appt]));
  const appointments: Appointment[] = [];
  input.appointments.forEach((a, k) => {
    const h = historyBy.get(k);
    if (h) appointments.push(h);
    else if (placed.has(a.requestId)) appointments.push(placed.get(a.requestId)!);
  });
  for (const r of day.newRequests) if (placed.has(r.id)) appointments.push(placed.get(r.id)!);

  const changes = listChanges(day, placed);
  const breakdown = replanCost(inst, day, appointments);
  const cost = round(totalCost(breakdown));
  const bound = Math.min(cost, round(facts.bound));
  const gap = cost <= 0 ? 0 : Math.max(0, (cost - bound) / Math.max(1, Math.abs(cost)));
  return {
    status: gap <= 1e-6 ? 'optimal' : 'feasible',
    now: input.now,
    cost,
    bound,
    gap,
    solveMs: facts.solveMs,
    summary: replanSummary(inst, input, changes),
    appointments,
    changes,
    notifications: notificationsFor(inst, day, input.appointments, appointments, changes),
    billing: lateCancellations(inst, day),
    rebooking: rebookings(inst, rm, assignment, day),
    unscheduled: [
      // A booked emergency leaves the day only when it fits nowhere in its window any more (say, its only
      // eligible provider is out until after it closes): bumped, and listed here with why.
      ...rm.items
        .filter((item) => item.live && item.urgency === 'emergency' && assignment[item.index] === null)
        .map((item) => ({
          requestId: item.requestId,
          reasons: [`no eligible provider, room${staffNeeded(inst, item.live!.appt.serviceId)} and equipment are free together for it before its window closes at ${localTime(item.live!.latestEnd, inst.clinic.timezone)}`],
        })),
      ...day.newRequests
        .filter((r) => !placed.has(r.id))
        .map((r) => ({ requestId: r.id, reasons: [`no eligible provider, room${staffNeeded(inst, r.serviceId)} and equipment are free together for it before the end of the day`] })),
    ],
    costBreakdown: mapValues(breakdown, round),
    stats: { movable: rm.items.length, fixed: rm.fixed.length, backend: facts.backend, ...(facts.columns !== undefined ? { columns: facts.columns } : {}), ...(facts.rows !== undefined ? { rows: facts.rows } : {}) },
  };
}

/** For each bumped appointment: the earliest slot still free today on the new plan, any eligible provider and room. */
function rebookings(inst: Instance, rm: ReplanModel, assignment: Assignment, day: DisruptedDay): Rebooking[] {
  const { model } = rm;
  const usage = usageOf(model, assignment);
  const out: Rebooking[] = [];
  for (const item of rm.items) {
    if (!item.live || assignment[item.index]) continue;
    const options = candidatesFor(model, usage, item.index);
    const best = options.reduce<(typeof options)[number] | undefined>((b, c) => (!b || c.placement.start < b.placement.start ? c : b), undefined);
    const { appt } = item.live;
    if (!best) {
      out.push({ requestId: appt.requestId, patientId: appt.patientId, proposal: null, reason: `no provider, room and staff are free together for ${item.live.minutes} min between ${localTime(day.startFrom, inst.clinic.timezone)} and the end of the day` });
      continue;
    }
    const trial = assignment.slice();
    trial[item.index] = best.placement;
    const proposal = decodeAssignment(rm.derived, model, trial).appointments.find((a) => a.requestId === appt.requestId) ?? null;
    out.push({ requestId: appt.requestId, patientId: appt.patientId, proposal: proposal && { ...proposal, ...(appt.id ? { id: appt.id } : {}) } });
  }
  return out;
}

const staffNeeded = (inst: Instance, serviceId: string) => (inst.services.find((s) => s.id === serviceId)?.staffTasks.length ? ', staff member' : '');
const round = (x: number) => Math.round(x * 1e6) / 1e6;
function mapValues<T extends Record<string, number>>(o: T, f: (x: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}
