import { holdsCapacity, type Appointment } from '../../src/contract/appointment.js';
import type { Instance } from '../../src/contract/instance.js';
import type { CostBreakdown } from '../../src/contract/replan.js';
import { MINUTE_MS, toMs } from '../../src/domain/time.js';
import type { DisruptedDay } from './disruptedDay.js';
import { subtractSpan, type Span } from './spans.js';

/**
 * The contract's re-plan cost of a finished plan, from the appointments themselves: lateness against the
 * planned start (new requests: against max(now, earliestStart)), provider and room changes, bumps (and
 * walk-ins left out), and overtime: every provider minute outside the provider's own availability.
 */
export function replanCost(inst: Instance, day: DisruptedDay, appointments: readonly Appointment[]): CostBreakdown {
  const w = inst.replan;
  const byRequest = new Map(appointments.map((a) => [a.requestId, a]));
  const out: CostBreakdown = { lateness: 0, reassignments: 0, roomChanges: 0, bumps: 0, overtime: 0 };
  for (const l of day.live) {
    const a = byRequest.get(l.appt.requestId);
    if (!a) {
      // An emergency must never be bumped; were it, it costs at least as much as the dearest bump.
      out.bumps += l.urgency === 'emergency' ? Math.max(w.bump.routine, w.bump.urgent) : w.bump[l.urgency];
      continue;
    }
    out.lateness += (w.lateness[l.urgency] * Math.max(0, toMs(a.start) - l.plannedStart)) / MINUTE_MS;
    if (a.providerId !== l.appt.providerId) out.reassignments += w.reassignProvider;
    if (a.roomId !== l.appt.roomId) out.roomChanges += w.changeRoom;
  }
  for (const r of day.newRequests) {
    const a = byRequest.get(r.id);
    const reference = Math.max(day.now, r.earliestStart ? toMs(r.earliestStart) : toMs(inst.horizon.start));
    if (a) out.lateness += (w.lateness[r.urgency] * Math.max(0, toMs(a.start) - reference)) / MINUTE_MS;
    else if (r.urgency !== 'emergency') out.bumps += w.bump[r.urgency];
  }
  out.overtime = w.overtimePerMinute * overtimeMinutes(inst, appointments);
  return out;
}

export const totalCost = (b: CostBreakdown) => b.lateness + b.reassignments + b.roomChanges + b.bumps + b.overtime;

/** Provider minutes outside the provider's own availability, over every appointment that holds capacity. */
export function overtimeMinutes(inst: Instance, appointments: readonly Appointment[]): number {
  const availability = new Map(inst.providers.map((p) => [p.id, p.availability.map((iv) => ({ start: toMs(iv.start), end: toMs(iv.end) }))]));
  let minutes = 0;
  for (const a of appointments) {
    if (!holdsCapacity(a.status) || a.providerId === null) continue;
    let outside: Span[] = [{ start: toMs(a.start), end: toMs(a.end) }];
    for (const iv of availability.get(a.providerId) ?? []) outside = outside.flatMap((s) => subtractSpan([s], iv));
    minutes += outside.reduce((s, x) => s + (x.end - x.start) / MINUTE_MS, 0);
  }
  return minutes;
}
