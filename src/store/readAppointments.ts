import { holdsCapacity } from '../contract/appointment.js';
import { recordToAppointment } from './appointmentRecord.js';
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
 * hold): an optimization of `date` must not schedule them again. Reads every appointment of the clinic:
 * for the nightly job, not for the booking path (which the per-date request counter guards).
 */
export async function requestsScheduledElsewhere(store: Store, clinicId: string, date: string): Promise<Set<string>> {
  const raws = await store.redis.hvals(clinicKeys(store.prefix, clinicId).appointments);
  const now = Date.now() + (store.clockOffsetMs ?? 0);
  const ids = new Set<string>();
  for (const raw of raws) {
    const a = recordToAppointment(raw);
    if (a.date === date || !holdsCapacity(a.status)) continue;
    if (a.hold && Date.parse(a.hold.expiresAt) <= now) continue;
    ids.add(a.requestId);
  }
  return ids;
}
