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
