import { holdsCapacity } from '../contract/appointment.js';
import { recordToAppointment } from './appointmentRecord.js';
import { listDay } from './day.js';
import { sweepHolds } from './hold.js';
import { clinicKeys } from './keys.js';
import type { StoredAppointment } from './storedAppointment.js';
import type { Store } from './store.js';

/** One appointment (or live hold) by id; null when unknown. A hold past its expiry reads as null. */
export async function getAppointment(store: Store, clinicId: string, id: string): Promise<StoredAppointment | null> {
  const raw = await store.redis.hget(clinicKeys(store.prefix, clinicId).appointments, id);
  if (raw === null) return null;
  const appointment = recordToAppointment(raw);
  if (appointment.hold && Date.parse(appointment.hold.expiresAt) <= Date.now() + (store.clockOffsetMs ?? 0)) return null;
  return appointment;
}

/**
 * Requests that hold a place on another date than `date` (booked, checked-in, under way, done, or a live
 * hold): an optimization of `date` must not schedule them again. Read off the per-request count the
 * scripts keep over all dates (after expired holds give theirs back), less the places on `date` itself
 * (`day`: that date's appointments, when the caller has them already).
 */
export async function requestsScheduledElsewhere(store: Store, clinicId: string, date: string, day?: StoredAppointment[]): Promise<Set<string>> {
  await sweepHolds(store, clinicId);
  const [held, appointments] = await Promise.all([
    store.redis.hgetall(clinicKeys(store.prefix, clinicId).requestsHeld),
    day ?? listDay(store, clinicId, date).then((d) => d.appointments),
  ]);
  const here = new Map<string, number>();
  for (const a of appointments) if (holdsCapacity(a.status)) here.set(a.requestId, (here.get(a.requestId) ?? 0) + 1);
  return new Set(Object.entries(held).filter(([id, n]) => Number(n) > (here.get(id) ?? 0)).map(([id]) => id));
}
