// Keeping an appointment's reminder jobs in step with the appointment.
//
// Where scheduling happens, and why no path is missed:
// - Every write that can book, move, cancel or end an appointment goes through an API route that declares
//   `config.reminders` (book, from a hold or directly; check-in, start, finish, cancel, no-show;
//   reschedule; a plan's apply; a patient's cancel link) or through the bulk-booking job. After each
//   successful write, the API (src/api/reminderSync.ts) or the job syncs the appointments it wrote: this
//   reads the appointment as it is now and makes its jobs match (adds the due ones, removes the rest).
//   A sync only ever looks at the stored appointment, never at what the request asked for, so syncing
//   twice, late or out of order converges on the same jobs.
// - A process can die between its write and its sync (the booking is stored, its reminders are not).
//   So before the write, the same code adds a delayed sweep job for each clinic-day the write touches
//   (`reminder-sweep:<clinic>:<date>`, one per day however many writes): a minute later a worker syncs
//   every appointment of that day, which repairs whatever a crash left behind.
// - Whatever still drifts (a job left for a moved appointment) does no harm: before it sends, a reminder
//   job reads the appointment again and does nothing unless it is still booked at the start it was made for.
//
// Concurrent syncs of one appointment: each records the jobs it scheduled beside the appointment version
// it read (one small key per appointment, in the clinic's slot), and a sync that read an older version
// than the one recorded stands down, so an old state never overwrites a newer one's jobs.
import type { Queue } from 'bullmq';
import { offsetsOf } from '../contract/reminderSettings.js';
import { localDateOf } from '../booking/dayGrid.js';
import { listDay } from '../store/day.js';
import { getAppointment } from '../store/readAppointments.js';
import { getSetup, type VersionedSetup } from '../store/setup.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import type { Store } from '../store/store.js';
import { RECORD_KEEP_MS, reminderKeys } from './reminderKeys.js';
import { SEND_JOB_OPTIONS, sweepJobId, SWEEP_JOB_OPTIONS, type SendJobData, type SweepJobData } from './reminderJobs.js';
import { plannedReminders } from './reminderPlan.js';

export type ReminderScheduler = {
  store: Store;
  /** The `reminders` queue (a producer). */
  queue: Queue;
  now: () => number;
  /** How long after a write its day's sweep runs. */
  sweepDelayMs: number;
};

/**
 * KEYS[1]: the appointment's job record. ARGV: 1 the version read, 2 the new job ids JSON, 3 expiry (epoch ms).
 * Replies the job ids recorded before (JSON), or false when a newer version's jobs are recorded.
 */
const SWAP = `#!lua
local raw = redis.call('GET', KEYS[1])
local before = '[]'
if raw then
  local rec = cjson.decode(raw)
  if tonumber(rec.v) > tonumber(ARGV[1]) then return false end
  before = rec.jobs
end
redis.call('SET', KEYS[1], cjson.encode({ v = tonumber(ARGV[1]), jobs = ARGV[2] }), 'PXAT', ARGV[3])
return before
`;

type JobRecord = { v: number; jobs: string };

async function recordedJobs(store: Store, clinicId: string, appointmentId: string): Promise<JobRecord | null> {
  const raw = await store.redis.get(reminderKeys(store.prefix, clinicId).jobs(appointmentId));
  return raw === null ? null : (JSON.parse(raw) as JobRecord);
}

export type SyncResult = { scheduled: string[]; removed: string[]; superseded: boolean };

/** Makes the appointment's reminder jobs what its current state asks for. */
export async function syncAppointmentReminders(
  s: ReminderScheduler,
  clinicId: string,
  appointmentId: string,
  known: { setup?: VersionedSetup | null; appointment?: StoredAppointment | null } = {},
): Promise<SyncResult> {
  const { store, queue } = s;
  // Both reads at once: this runs before a booking's answer goes out.
  const [setup, appointment] = await Promise.all([
    known.setup !== undefined ? known.setup : getSetup(store, clinicId),
    known.appointment !== undefined ? known.appointment : getAppointment(store, clinicId, appointmentId),
  ]);
  const nowMs = s.now();
  const planned =
    setup && appointment ? plannedReminders(clinicId, appointment, offsetsOf(setup.setup), setup.setup.clinic.timezone, nowMs) : [];
  const wanted = planned.map((p) => p.jobId);
  // An unknown appointment (a hold that lapsed) has no version: any recorded jobs simply go.
  const version = appointment?.hold === undefined ? (appointment?.version ?? Number.MAX_SAFE_INTEGER) : 0;
  const keepUntil = Math.max(nowMs, appointment ? Date.parse(appointment.start) : nowMs) + RECORD_KEEP_MS;
  const key = reminderKeys(store.prefix, clinicId).jobs(appointmentId);
  const before = (await store.redis.eval(SWAP, 1, key, version, JSON.stringify(wanted), keepUntil)) as string | null;
  if (before === null) return { scheduled: [], removed: [], superseded: true };

  const removed = (JSON.parse(before) as string[]).filter((id) => !wanted.includes(id));
  // A job that is running cannot be removed (0): it re-reads the appointment and stands down by itself.
  await Promise.all(removed.map((id) => queue.remove(id)));
  await Promise.all(
    planned.map((p) => {
      const data: SendJobData = { clinicId, appointmentId, offset: p.key };
      // timestamp + delay is exactly when it falls due, whatever time the add itself takes.
      return queue.add('send', data, { ...SEND_JOB_OPTIONS, jobId: p.jobId, timestamp: nowMs, delay: Math.max(0, p.dueMs - nowMs) });
    }),
  );

  // A newer version's sync that ran meanwhile recorded its own jobs: take back any of ours it does not want.
  const after = await recordedJobs(store, clinicId, appointmentId);
  if (after && after.v !== version) {
    const theirs = new Set(JSON.parse(after.jobs) as string[]);
    const stray = wanted.filter((id) => !theirs.has(id));
    await Promise.all(stray.map((id) => queue.remove(id)));
    return { scheduled: wanted.filter((id) => theirs.has(id)), removed, superseded: true };
  }
  return { scheduled: wanted, removed, superseded: false };
}

/** Syncs every appointment of a clinic-local date (the sweep). */
export async function syncDayReminders(s: ReminderScheduler, clinicId: string, date: string): Promise<{ appointments: number; scheduled: number }> {
  const setup = await getSetup(s.store, clinicId);
  if (!setup) return { appointments: 0, scheduled: 0 };
  const day = await listDay(s.store, clinicId, date);
  let scheduled = 0;
  let appointments = 0;
  for (const appointment of day.appointments) {
    if (appointment.hold !== undefined) continue;
    appointments++;
    scheduled += (await syncAppointmentReminders(s, clinicId, appointment.id, { setup, appointment })).scheduled.length;
  }
  return { appointments, scheduled };
}

/**
 * Before a write: a delayed sweep of each clinic-day it touches, so that a crash between the write and
 * its sync is repaired. One sweep per day waits at a time (same job id); a later write finds it there.
 */
export async function sweepLater(s: ReminderScheduler, clinicId: string, dates: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(dates)].map((date) => {
      const data: SweepJobData = { clinicId, date };
      return s.queue.add('sweep', data, { ...SWEEP_JOB_OPTIONS, jobId: sweepJobId(clinicId, date), delay: s.sweepDelayMs });
    }),
  );
}

/** The clinic-local date of an instant given by a request (undefined when it is none or the clinic is unknown). */
export function dateOfInstant(setup: VersionedSetup | null, instant: unknown): string | undefined {
  if (!setup || typeof instant !== 'string') return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? undefined : localDateOf(ms, setup.setup.clinic.timezone);
}
