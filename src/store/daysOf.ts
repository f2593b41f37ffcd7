import { clinicKeys } from './keys.js';
import { listDay } from './day.js';
import type { StoredAppointment } from './storedAppointment.js';
import type { Store } from './store.js';

/** Reads this many days at once: enough to overlap round trips, few enough not to crowd other callers out. */
const AT_ONCE = 16;

/** The appointments of several clinic-local dates (every status, holds included), in the dates' order. */
export async function listDays(store: Store, clinicId: string, dates: readonly string[]): Promise<StoredAppointment[]> {
  const out: StoredAppointment[] = [];
  for (let i = 0; i < dates.length; i += AT_ONCE) {
    const days = await Promise.all(dates.slice(i, i + AT_ONCE).map((date) => listDay(store, clinicId, date)));
    for (const day of days) out.push(...day.appointments);
  }
  return out;
}

/** Of `dates`, those with at least one appointment or hold (one pipelined EXISTS per date). */
export async function datesWithAppointments(store: Store, clinicId: string, dates: readonly string[]): Promise<string[]> {
  const keys = clinicKeys(store.prefix, clinicId);
  const pipeline = store.redis.pipeline();
  for (const date of dates) pipeline.exists(keys.day(date));
  const answers = (await pipeline.exec()) ?? [];
  return dates.filter((_, i) => answers[i]?.[1] === 1);
}
