import { recordToAppointment } from './appointmentRecord.js';
import { clinicKeys } from './keys.js';
import type { StoredAppointment } from './storedAppointment.js';
import type { Store } from './store.js';

/**
 * The appointments each request was given (any status; holds left out), oldest first, read off the set
 * the store's scripts keep per request. A request that never had one maps to [].
 */
export async function appointmentsOfRequests(store: Store, clinicId: string, requestIds: readonly string[]): Promise<Map<string, StoredAppointment[]>> {
  const k = clinicKeys(store.prefix, clinicId);
  const out = new Map<string, StoredAppointment[]>();
  for (const requestId of requestIds) {
    const ids = await store.redis.smembers(k.requestAppointments(requestId));
    const raws = ids.length > 0 ? await store.redis.hmget(k.appointments, ...ids) : [];
    const appointments = raws
      .filter((raw): raw is string => raw !== null)
      .map(recordToAppointment)
      .filter((a) => a.hold === undefined)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id, 'en', { numeric: true }));
    out.set(requestId, appointments);
  }
  return out;
}
