import { recordToAppointment } from './appointmentRecord.js';
import { runAppointmentScript } from './commands.js';
import type { StoredAppointment } from './storedAppointment.js';
import type { Store } from './store.js';

export { applyDay, type ApplyDayResult } from './applyDay.js';

/**
 * A clinic-local date's schedule version (0 before anything was booked on it; every change to it
 * advances it by one; holds do not) and its appointments, sorted by start: every status, plus the
 * live holds (with `hold` set; they hold capacity too). Read in one step, so version and list agree.
 */
export async function listDay(store: Store, clinicId: string, date: string): Promise<{ version: number; appointments: StoredAppointment[] }> {
  const [version, raws] = (await runAppointmentScript(store, clinicId, 'medschedListDay', [date])) as [number, string[]];
  const appointments = raws.map(recordToAppointment).sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id, 'en', { numeric: true }));
  return { version, appointments };
}
