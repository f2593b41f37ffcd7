// What an optimization or a re-plan reads from the store for one clinic-day, in one place.
import { contractAppointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import type { Store } from '../store/store.js';
import { getSetup, listDay, listRequests, requestsScheduledElsewhere } from '../store/index.js';

export type DayInputs = {
  setup: ClinicSetup;
  /** The date's schedule version these appointments are. */
  version: number;
  appointments: StoredAppointment[];
  requests: Request[];
};

export async function readDayInputs(store: Store, clinicId: string, date: string): Promise<DayInputs | null> {
  const found = await getSetup(store, clinicId);
  if (!found) return null;
  const [day, requests] = await Promise.all([listDay(store, clinicId, date), listRequests(store, clinicId, date)]);
  const elsewhere = await requestsScheduledElsewhere(store, clinicId, date, day.appointments);
  return { setup: found.setup, version: day.version, appointments: day.appointments, requests: requests.filter((r) => !elsewhere.has(r.id)) };
}

/** A booked or checked-in appointment (not a hold): what a plan may replace. */
export const isLive = (a: StoredAppointment) => a.hold === undefined && (a.status === 'booked' || a.status === 'checked-in');

export { contractAppointment };
