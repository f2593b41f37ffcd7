// Overtime (rule 5) and the re-plan cost of the contract, with the weights of instance.replan.
import { holdsCapacity, type Appointment } from '../contract/appointment.js';
import type { Instance, ReplanSettings } from '../contract/instance.js';
import type { Urgency } from '../contract/primitives.js';
import type { CostBreakdown } from '../contract/replan.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import { spansOf } from './context.js';
import { groupBy, uncovered, union, type Span } from './intervals.js';
import type { ReplanContext } from './replanContext.js';

/** Each provider's availability as the instance gives it, before any disruption. */
export function originalAvailability(instance: Instance): Map<string, Span[]> {
  return new Map(instance.providers.map((p) => [p.id, union(spansOf(p.availability))]));
}

/** Milliseconds of the appointment outside its provider's original availability. */
export function overtimeMs(a: Appointment, availability: Map<string, Span[]>): number {
  const spans = a.providerId === null ? undefined : availability.get(a.providerId);
  const start = toMs(a.start);
  const end = toMs(a.end);
  if (!spans || !(end > start)) return 0;
  return uncovered(spans, start, end).reduce((ms, gap) => ms + gap.end - gap.start, 0);
}

/** Rule 5: per provider, the overtime of the non-history appointments is at most replan.maxOvertimeMinutes. */
export function checkOvertime(ctx: ReplanContext): void {
  const cap = ctx.instance.replan.maxOvertimeMinutes;
  const availability = originalAvailability(ctx.instance);
  const planned = ctx.result.appointments
    .map((a, index) => ({ a, index, start: toMs(a.start), ms: overtimeMs(a, availability) }))
    .filter(({ a, index }) => ctx.matching.roles[index]!.kind !== 'history' && holdsCapacity(a.status));
  for (const [providerId, list] of groupBy(planned, (p) => p.a.providerId)) {
    const total = list.reduce((ms, p) => ms + p.ms, 0) / MINUTE_MS;
    if (total <= cap) continue;
    // Blame the appointment (by start) with which the provider's overtime goes over the cap.
    let sum = 0;
    const over = [...list]
      .sort((x, y) => x.start - y.start || x.index - y.index)
      .find((p) => (sum += p.ms) > cap * MINUTE_MS)!;
    ctx.report(
      'overtime',
      ['appointments', over.index],
      `provider '${providerId}' works ${total} min outside their availability on re-planned appointments, more than the ${cap} min of overtime allowed; ${ctx.label(over.a)} goes over`,
    );
  }
}

/** bump[urgency]; an emergency is never bumped (a coverage violation), priced like the dearest bump. */
function bumpCost(w: ReplanSettings, urgency: Urgency): number {
  return urgency === 'emergency' ? Math.max(w.bump.routine, w.bump.urgent) : w.bump[urgency];
}

/**
 *   lateness[u] * minutes(max(0, newStart - plannedStart))          per kept appointment of the day
 * + lateness[u] * minutes(max(0, start - max(now, earliestStart)))  per placed new request
 * + reassignProvider per provider change + changeRoom per room change
 * + bump[u] per appointment of the day left out and per new non-emergency request left out
 * + overtimePerMinute * minutes outside the original provider availability (every appointment holding capacity)
 */
export function replanCost(ctx: ReplanContext): CostBreakdown {
  const w = ctx.instance.replan;
  const { day, matching, result } = ctx;
  const cost: CostBreakdown = { lateness: 0, reassignments: 0, roomChanges: 0, bumps: 0, overtime: 0 };

  day.live.forEach((l, entry) => {
    const i = matching.live[entry];
    if (i === undefined) {
      cost.bumps += bumpCost(w, l.urgency);
      return;
    }
    const a = result.appointments[i]!;
    cost.lateness += (w.lateness[l.urgency] * Math.max(0, toMs(a.start) - l.plannedStart)) / MINUTE_MS;
    if (a.providerId !== l.planned.providerId) cost.reassignments += w.reassignProvider;
    if (a.roomId !== l.planned.roomId) cost.roomChanges += w.changeRoom;
  });

  day.fresh.forEach((q, entry) => {
    const i = matching.fresh[entry];
    const urgency = q.request.urgency;
    if (i === undefined) {
      if (urgency !== 'emergency') cost.bumps += bumpCost(w, urgency);
      return;
    }
    const from = Math.max(day.now, q.earliestStart);
    cost.lateness += (w.lateness[urgency] * Math.max(0, toMs(result.appointments[i]!.start) - from)) / MINUTE_MS;
  });

  const availability = originalAvailability(ctx.instance);
  const overtimeTotal = result.appointments.filter((a) => holdsCapacity(a.status)).reduce((ms, a) => ms + overtimeMs(a, availability), 0);
  cost.overtime = (w.overtimePerMinute * overtimeTotal) / MINUTE_MS;
  return cost;
}
