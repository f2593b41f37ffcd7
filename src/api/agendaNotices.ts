// After a change of the schedule (a plan applied, an appointment rescheduled, cancelled or marked no-show):
// one notification per provider and staff member whose agenda it changed, per date, in the clinic's
// notifications stream. The change itself is done by then: a notification that cannot be written is
// logged (ids only), never turned into a failed answer.
import type { FastifyBaseLogger } from 'fastify';
import type { Appointment } from '../contract/appointment.js';
import type { NotificationCause, PersonKind } from '../contract/briefing.js';
import { localDateOf } from '../booking/dayGrid.js';
import { agendaChanges } from '../briefings/agendaChanges.js';
import { toMs } from '../domain/time.js';
import type { Plan } from '../jobs/plan.js';
import { appendNotifications } from '../store/notifications.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import type { Store } from '../store/store.js';

/** An appointment; a stored one carries its clinic-local `date`. */
type Placed = Appointment & { id?: string; hold?: unknown; date?: string };

export type ScheduleChange = {
  clinicId: string;
  /** To tell the date of appointments that do not carry theirs. */
  timeZone: string;
  cause: NotificationCause;
  /** The job applied, or the appointment changed. */
  sourceId: string;
  /** The appointments the change could touch, as they were and as they are (any dates). */
  before: readonly Placed[];
  after: readonly Placed[];
  /** People the change's own report says were affected on `date` (a re-plan's notifications), notified even if the lists above show nothing for them. */
  reported?: { date: string; people: readonly { kind: PersonKind; id: string }[] };
  at: number;
};

export async function notifyAgendaChanges(store: Store, log: FastifyBaseLogger, change: ScheduleChange): Promise<number> {
  const dateOf = (a: Placed) => a.date ?? localDateOf(toMs(a.start), change.timeZone);
  const dates = new Set([...change.before.map(dateOf), ...change.after.map(dateOf), ...(change.reported ? [change.reported.date] : [])]);
  const at = new Date(change.at).toISOString();
  const notifications = [...dates].sort().flatMap((date) => {
    const found = agendaChanges(
      change.before.filter((a) => dateOf(a) === date),
      change.after.filter((a) => dateOf(a) === date),
    );
    const seen = new Set(found.map((c) => `${c.kind}:${c.personId}`));
    if (change.reported?.date === date)
      for (const p of change.reported.people) if (!seen.has(`${p.kind}:${p.id}`)) found.push({ kind: p.kind, personId: p.id, appointmentIds: [] });
    return found.map((c) => ({ personId: c.personId, kind: c.kind, date, cause: change.cause, sourceId: change.sourceId, appointmentIds: c.appointmentIds, at }));
  });
  try {
    await appendNotifications(store, change.clinicId, notifications);
  } catch (error) {
    log.error({ clinicId: change.clinicId, cause: change.cause, sourceId: change.sourceId, err: { message: (error as Error).message } }, 'agenda notifications could not be recorded');
  }
  return notifications.length;
}

/**
 * After a plan was applied: the day as it was (`before`, read at the plan's version) against the day the
 * apply wrote (`written`: the records it changed or made; a live appointment the plan left out was cancelled).
 * A re-plan's result names the providers and staff it reports as affected: they are notified too.
 */
export async function notifyPlanApplied(
  store: Store,
  log: FastifyBaseLogger,
  applied: { clinicId: string; timeZone: string; plan: Plan; before: readonly StoredAppointment[]; written: readonly StoredAppointment[]; at: number },
): Promise<number> {
  const { plan } = applied;
  const written = new Map(applied.written.map((a) => [a.id, a]));
  const kept = applied.before.map((a) => written.get(a.id) ?? (a.hold === undefined && (a.status === 'booked' || a.status === 'checked-in') ? { ...a, status: 'cancelled' as const } : a));
  const known = new Set(applied.before.map((a) => a.id));
  const after = [...kept, ...applied.written.filter((a) => !known.has(a.id))];
  const result = plan.result;
  const people = 'notifications' in result ? result.notifications.staff.map((s) => ({ kind: s.kind, id: s.id })) : [];
  return notifyAgendaChanges(store, log, {
    clinicId: applied.clinicId,
    timeZone: applied.timeZone,
    cause: plan.kind === 'replan' ? 'replan.apply' : 'optimization.apply',
    sourceId: plan.jobId,
    before: applied.before,
    after,
    ...(people.length > 0 ? { reported: { date: plan.date, people } } : {}),
    at: applied.at,
  });
}

/** After a cancellation or no-show: the visit left the agenda of everyone on it (its place is as it was). */
export function notifyStatusChange(store: Store, log: FastifyBaseLogger, clinicId: string, changed: StoredAppointment, at: number): Promise<number> {
  const cause = changed.status === 'noshow' ? 'appointment.no-show' : 'appointment.cancel';
  return notifyAgendaChanges(store, log, { clinicId, timeZone: 'UTC', cause, sourceId: changed.id, before: [{ ...changed, status: 'booked' }], after: [changed], at });
}

/** After a reschedule: whoever had it before and whoever has it now, on either date. */
export function notifyRescheduled(store: Store, log: FastifyBaseLogger, clinicId: string, before: StoredAppointment, after: StoredAppointment, at: number): Promise<number> {
  return notifyAgendaChanges(store, log, { clinicId, timeZone: 'UTC', cause: 'appointment.reschedule', sourceId: after.id, before: [before], after: [after], at });
}
