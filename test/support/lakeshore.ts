// The example clinic (examples/lakeshore-clinic.json: 8 providers, 86 requests on 2026-11-24) put into
// the store the way the service keeps it: its set-up, and its requests waiting to be scheduled.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Appointment, AppointmentStatus } from '../../src/contract/appointment.js';
import type { ClinicSetup } from '../../src/contract/clinicSetup.js';
import type { Request } from '../../src/contract/instance.js';
import type { ReplanEvent } from '../../src/contract/replan.js';
import { book, changeStatus, putRequest, putSetup } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { repoRoot } from './paths.js';

export const LAKESHORE_DATE = '2026-11-24';

export function lakeshoreInstance(): { setup: ClinicSetup; requests: Request[] } {
  const { version: _v, horizon: _h, requests, bookings: _b, ...setup } = JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'lakeshore-clinic.json'), 'utf8'));
  return { setup: setup as ClinicSetup, requests: requests as Request[] };
}

/** Stores the clinic under `clinicId` with its requests; `requests` limits how many. */
export async function seedLakeshore(store: Store, clinicId: string, requests = Infinity): Promise<void> {
  const { setup, requests: all } = lakeshoreInstance();
  const put = await putSetup(store, clinicId, { ...setup, clinic: { ...setup.clinic, id: clinicId } }, null);
  if (!put.ok) throw new Error(`seeding the clinic failed: ${JSON.stringify(put)}`);
  for (const r of all.slice(0, requests)) {
    const stored = await putRequest(store, clinicId, r);
    if (!stored.ok) throw new Error(`seeding request ${r.id} failed: ${JSON.stringify(stored)}`);
  }
}

const PATHS: Record<string, AppointmentStatus[]> = {
  booked: [],
  'checked-in': ['checked-in'],
  'in-progress': ['checked-in', 'in-progress'],
  fulfilled: ['checked-in', 'in-progress', 'fulfilled'],
};

/**
 * The example day at 10:05 (examples/lakeshore-day.json) on the schedule: every appointment booked, then
 * taken through the statuses it has in the file. The store names appointments itself: `ids` maps the
 * file's ids to the store's, and `events` are the example's disruptions naming the store's ids.
 */
export async function seedLakeshoreDay(store: Store, clinicId: string): Promise<{ ids: Map<string, string>; events: ReplanEvent[]; now: string }> {
  await seedLakeshore(store, clinicId);
  const day = JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'lakeshore-day.json'), 'utf8')).appointments as Appointment[];
  const ids = new Map<string, string>();
  for (const a of day) {
    const { id, status, ...placement } = a;
    const booked = await book(store, clinicId, placement, { actor: 'seed' });
    if (!booked.ok) throw new Error(`seeding appointment ${id} failed: ${JSON.stringify(booked)}`);
    let current = booked.appointment;
    for (const to of PATHS[status ?? 'booked']!) {
      const changed = await changeStatus(store, clinicId, current.id, current.version, { to, actor: 'seed' });
      if (!changed.ok) throw new Error(`seeding appointment ${id} (${to}) failed: ${JSON.stringify(changed)}`);
      current = changed.appointment;
    }
    ids.set(id!, current.id);
  }
  const raw = JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'lakeshore-events.json'), 'utf8')) as ReplanEvent[];
  const events = raw.map((e) => ('appointmentId' in e ? { ...e, appointmentId: ids.get(e.appointmentId) ?? e.appointmentId } : e)) as ReplanEvent[];
  return { ids, events, now: '2026-11-24T10:05:00-06:00' };
}
