// Slot search runs as a patient speaks, many times over the same day: this process keeps each clinic
// day it searched, built as the search needs it (the contract instance of the day with every live
// appointment and hold as pinned bookings), and rebuilds it only when the day's stamp (schedule version,
// hold counter) or the set-up's version changed, or a hold in it has expired since.
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Instance } from '../contract/instance.js';
import { instanceForDay } from '../booking/instanceForDay.js';
import { dayStamp, listDay } from '../store/day.js';
import type { Store } from '../store/store.js';

type Entry = { stamp: string; setupVersion: number; version: number; holdsExpireAt: number; day: Instance };

const MAX_DAYS = 200;
const days = new WeakMap<Store, Map<string, Entry>>();

/** The date's instance without requests, and its schedule version; `now` for hold expiry. */
export async function cachedDay(
  store: Store,
  clinicId: string,
  date: string,
  setup: { setup: ClinicSetup; version: number },
  now: number,
): Promise<{ day: Instance; version: number }> {
  let byDay = days.get(store);
  if (!byDay) days.set(store, (byDay = new Map()));
  const key = `${clinicId}|${date}`;
  // The stamp is read first: what listDay returns is at least that new, so an entry is never older than its stamp.
  const stamp = await dayStamp(store, clinicId, date);
  const known = byDay.get(key);
  if (known && known.stamp === stamp && known.setupVersion === setup.version && now < known.holdsExpireAt) return known;
  const listed = await listDay(store, clinicId, date);
  const holdsExpireAt = Math.min(Infinity, ...listed.appointments.flatMap((a) => (a.hold ? [Date.parse(a.hold.expiresAt)] : [])));
  const entry: Entry = { stamp, setupVersion: setup.version, version: listed.version, holdsExpireAt, day: instanceForDay(setup.setup, date, listed.appointments, []) };
  if (byDay.size >= MAX_DAYS) byDay.clear();
  byDay.set(key, entry);
  return entry;
}
