import { recordToAppointment } from './appointmentRecord.js';
import { runAppointmentScript } from './commands.js';
import { clinicKeys } from './keys.js';
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
  const keyed = raws.map((raw) => {
    const appointment = readRecord(raw);
    return { appointment, start: Date.parse(appointment.start) };
  });
  keyed.sort((a, b) => a.start - b.start || byId(a.appointment.id, b.appointment.id));
  return { version, appointments: keyed.map((k) => k.appointment) };
}

/**
 * A stamp of what holds capacity on the date: the schedule version and the hold counter (both advance on
 * every change). Equal stamps mean an unchanged day, but for holds that have expired since (by time alone).
 */
export async function dayStamp(store: Store, clinicId: string, date: string): Promise<string> {
  const k = clinicKeys(store.prefix, clinicId);
  const [version, holds] = await store.redis.mget(k.dayVersion(date), k.dayHolds(date));
  return `${version ?? 0}/${holds ?? 0}`;
}

// Slot search reads the whole day on every call, and a day's records rarely change between calls:
// parsed records are kept by their text (a changed record has another text), so each is parsed once.
// Callers share the objects and must not change them.
const PARSED_MAX = 50_000;
const parsed = new Map<string, StoredAppointment>();
function readRecord(raw: string): StoredAppointment {
  const hit = parsed.get(raw);
  if (hit) return hit;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const appointment = recordToAppointment(raw);
  parsed.set(raw, appointment);
  return appointment;
}
const byId = new Intl.Collator('en', { numeric: true }).compare;
