import type { Appointment } from '../../src/contract/appointment.js';
import type { Instance } from '../../src/contract/instance.js';
import type { BillingFlag, Change, ReplanResult, Slot } from '../../src/contract/replan.js';
import { formatInZone, localTime, MINUTE_MS, toMs } from '../../src/domain/time.js';
import type { DisruptedDay } from './disruptedDay.js';

const slotOf = (a: Appointment): Slot => ({ providerId: a.providerId, roomId: a.roomId, start: a.start, end: a.end });
const minutesBetween = (a: string, b: string) => Math.round((toMs(b) - toMs(a)) / MINUTE_MS);

/** One entry per touched appointment: moved, reassigned, bumped, added, cancelled. */
export function listChanges(day: DisruptedDay, placed: Map<string, Appointment>): Change[] {
  const changes: Change[] = [];
  for (const c of day.cancelled)
    changes.push({ kind: 'cancelled', ...ref(c.appt), from: slotOf(c.appt), to: null, delayMinutes: 0 });
  for (const l of day.live) {
    const now = placed.get(l.appt.requestId);
    if (!now) {
      changes.push({ kind: 'bumped', ...ref(l.appt), from: slotOf(l.appt), to: null, delayMinutes: 0 });
      continue;
    }
    const reassigned = now.providerId !== l.appt.providerId;
    const roomChanged = now.roomId !== l.appt.roomId;
    const delay = minutesBetween(l.appt.start, now.start);
    if (!reassigned && !roomChanged && delay === 0) continue;
    changes.push({ kind: reassigned ? 'reassigned' : 'moved', ...ref(l.appt), from: slotOf(l.appt), to: slotOf(now), delayMinutes: delay, roomChanged });
  }
  for (const r of day.newRequests) {
    const now = placed.get(r.id);
    if (now) changes.push({ kind: 'added', requestId: r.id, patientId: r.patientId, from: null, to: slotOf(now), delayMinutes: Math.max(0, Math.round((toMs(now.start) - day.now) / MINUTE_MS)) });
  }
  return changes;
}

function ref(a: Appointment) {
  return { ...(a.id ? { appointmentId: a.id } : {}), requestId: a.requestId, patientId: a.patientId };
}

/** Patients moved by 15 minutes or more, bumped or added; providers and staff whose rest of the day changed. */
export function notificationsFor(
  inst: Instance,
  day: DisruptedDay,
  before: readonly Appointment[],
  after: readonly Appointment[],
  changes: Change[],
): ReplanResult['notifications'] {
  const zone = inst.clinic.timezone;
  const services = new Map(inst.services.map((s) => [s.id, s.name ?? s.id]));
  const people = new Map([...inst.providers, ...inst.staff].map((p) => [p.id, p.name ?? p.id]));
  const rooms = new Map(inst.rooms.map((r) => [r.id, r.name ?? r.id]));
  const at = (iso: string) => localTime(toMs(iso), zone);
  const patients: ReplanResult['notifications']['patients'] = [];
  const serviceOf = new Map([...after, ...before].map((a) => [a.requestId, a.serviceId]));
  const service = (id: string) => services.get(id) ?? id;
  for (const c of changes) {
    const serviceId = serviceOf.get(c.requestId) ?? '';
    if (c.kind === 'bumped')
      patients.push({ patientId: c.patientId, requestId: c.requestId, kind: 'bumped', message: `Your ${at(c.from!.start)} ${service(serviceId)} cannot take place today; we will offer you a new time.` });
    else if (c.kind === 'added' && c.to)
      patients.push({ patientId: c.patientId, requestId: c.requestId, kind: 'added', message: `You will be seen at ${at(c.to.start)} in ${rooms.get(c.to.roomId) ?? c.to.roomId}.` });
    else if ((c.kind === 'moved' || c.kind === 'reassigned') && c.to && Math.abs(c.delayMinutes) >= 15) {
      const who = c.to.providerId ? ` with ${people.get(c.to.providerId) ?? c.to.providerId}` : '';
      patients.push({ patientId: c.patientId, requestId: c.requestId, kind: 'moved', message: `Your ${at(c.from!.start)} ${service(serviceId)} is now at ${at(c.to.start)}${who} in ${rooms.get(c.to.roomId) ?? c.to.roomId}.` });
    }
  }

  // An agenda is what a person does from now on; compare it before and after.
  const agendas = (list: readonly Appointment[]) => {
    const map = new Map<string, { kind: 'provider' | 'staff'; items: { requestId: string; start: string; end: string; roomId: string }[] }>();
    const add = (kind: 'provider' | 'staff', id: string, item: { requestId: string; start: string; end: string; roomId: string }) =>
      (map.get(id) ?? map.set(id, { kind, items: [] }).get(id)!).items.push(item);
    for (const a of list) {
      if (a.status === 'cancelled' || a.status === 'noshow' || a.status === 'fulfilled' || toMs(a.end) <= day.now) continue;
      if (a.providerId) add('provider', a.providerId, { requestId: a.requestId, start: a.start, end: a.end, roomId: a.roomId });
      for (const s of a.staff) add('staff', s.staffId, { requestId: a.requestId, start: s.start, end: s.end, roomId: a.roomId });
    }
    for (const v of map.values()) v.items.sort((x, y) => toMs(x.start) - toMs(y.start));
    return map;
  };
  const was = agendas(before);
  const is = agendas(after);
  const staff: ReplanResult['notifications']['staff'] = [];
  for (const id of new Set([...was.keys(), ...is.keys()])) {
    const a = JSON.stringify(was.get(id)?.items ?? []);
    const b = JSON.stringify(is.get(id)?.items ?? []);
    if (a === b) continue;
    const kind = (is.get(id) ?? was.get(id))!.kind;
    const agenda = is.get(id)?.items ?? [];
    const name = people.get(id) ?? id;
    const next = agenda[0] ? `next: ${at(agenda[0].start)} in ${rooms.get(agenda[0].roomId) ?? agenda[0].roomId}` : 'nothing left today';
    staff.push({ kind, id, name, agenda, message: `${name}: your day changed (${agenda.length} left, ${next})` });
  }
  return { patients, staff };
}

/** Cancellations (and no-shows) inside the late-cancellation window of the service, else of the clinic. */
export function lateCancellations(inst: Instance, day: DisruptedDay): BillingFlag[] {
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const flags: BillingFlag[] = [];
  for (const c of day.cancelled) {
    const service = services.get(c.appt.serviceId);
    const window = service?.lateCancelHours ?? inst.clinic.lateCancelHours;
    if (window === undefined) continue;
    const hoursBefore = (toMs(c.appt.start) - c.at) / 3_600_000;
    if (hoursBefore >= window) continue;
    flags.push({
      ...(c.appt.id ? { appointmentId: c.appt.id } : {}),
      requestId: c.appt.requestId,
      patientId: c.appt.patientId,
      serviceId: c.appt.serviceId,
      cancelledAt: formatInZone(c.at, inst.clinic.timezone),
      start: c.appt.start,
      hoursBefore: Math.round(hoursBefore * 100) / 100,
      windowHours: window,
      fee: service?.lateCancelFee ?? inst.clinic.lateCancelFee ?? null,
      reason:
        c.kind === 'noshow'
          ? 'no-show'
          : `cancelled ${Math.max(0, Math.round(hoursBefore * 10) / 10)} h before the appointment, inside the ${window} h late-cancellation window`,
    });
  }
  return flags;
}
