// Reminders follow every write to appointments: a route that books, moves, cancels or ends appointments
// declares `config.reminders` ('appointment': the one its path or answer names; 'day': every appointment
// of the date its answer names, for an applied plan). Before its handler runs, the clinic-days it may
// touch get a delayed sweep (the repair if this process dies before the end); once it has succeeded, the
// appointments it wrote are synced before the answer goes out. See src/reminders/scheduleReminders.ts.
import type { FastifyRequest } from 'fastify';
import { parseJobId } from '../jobs/jobIds.js';
import { remindersQueue } from '../reminders/reminderQueue.js';
import { dateOfInstant, sweepLater, syncAppointmentReminders, syncDayReminders, type ReminderScheduler } from '../reminders/scheduleReminders.js';
import { getAppointment } from '../store/readAppointments.js';
import { failFastClient } from '../store/redisClient.js';
import { getSetup, setupForWrite } from '../store/setup.js';
import { followStoredOffers } from '../reminders/waitlistExpiry.js';
import { datesWithAppointments } from '../store/daysOf.js';
import { localDateOf } from '../booking/dayGrid.js';
import { offsetsOf } from '../contract/reminderSettings.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ClinicId } from './params.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route writes appointments whose reminders must follow (see above); 'setup': the clinic's reminder settings may change. */
    reminders?: 'appointment' | 'day' | 'setup';
    /** The route may make or pass on waitlist offers: their expiries get timed jobs (src/reminders/waitlistExpiry.ts). */
    waitlist?: boolean;
  }
  interface FastifyInstance {
    /** Times the expiry of every live waitlist offer of the clinic; a failure is logged, never thrown. */
    followWaitlistOffers(request: FastifyRequest, clinicId: string): Promise<void>;
  }
}

/** Like the store's connection: an unreachable Redis fails within the API's 2 s, never hangs. */
const PRODUCER_TIMEOUT_MS = 2_000;
/**
 * The most a request waits for its reminders' work (the queue's node slow or gone while the clinic's is
 * fine, on a cluster): past it the answer goes out and the work goes on behind it (or the sweep does it).
 */
const REMINDER_BUDGET_MS = 1_000;

/** Runs `work`, waiting for it at most `ms`; a failure, then or later, is logged, never thrown. */
async function withinBudget(request: FastifyRequest, what: string, work: Promise<unknown>, ms = REMINDER_BUDGET_MS): Promise<void> {
  const logged = work.catch((error: unknown) => request.log.warn({ err: { message: (error as Error).message } }, what));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([logged, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function registerReminderSync(app: ZodApp, deps: RouteDeps): ReminderScheduler {
  const connection = failFastClient(deps.config.redis, PRODUCER_TIMEOUT_MS);
  connection.on('error', () => {}); // reported by the commands that fail
  const scheduler: ReminderScheduler = { store: deps.store, queue: remindersQueue(connection, deps.config.prefix), now: deps.now, sweepDelayMs: deps.config.reminders.sweepDelayMs };
  app.addHook('onClose', async () => {
    await scheduler.queue.close().catch(() => {});
    connection.disconnect();
  });

  const clinicOf = (request: FastifyRequest): string | null => {
    const id = (request.params as Record<string, unknown> | undefined)?.id;
    return typeof id === 'string' && ClinicId.safeParse(id).success ? id : null;
  };

  app.decorate('followWaitlistOffers', (request: FastifyRequest, clinicId: string) =>
    withinBudget(request, "could not time the waitlist offers' expiry (they pass on when the waitlist is next read)", followStoredOffers(deps.store, scheduler.queue, clinicId, deps.now())),
  );
  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const clinicId = clinicOf(request);
    if (request.routeOptions.config?.waitlist && clinicId && reply.statusCode < 300) await app.followWaitlistOffers(request, clinicId);
    return payload;
  });

  // A set-up write: what its reminders were before, to tell whether they changed.
  const settingsBefore = new WeakMap<FastifyRequest, string>();

  app.addHook('preHandler', async (request) => {
    const kind = request.routeOptions.config?.reminders;
    const clinicId = clinicOf(request);
    if (!kind || !clinicId) return;
    if (kind === 'setup') {
      settingsBefore.set(request, reminderSettingsKey((await getSetup(deps.store, clinicId))?.setup));
      return;
    }
    // Whatever becomes of it, the write goes on: a booking matters more than its reminder, and its own sync follows it.
    await withinBudget(
      request,
      'could not add the reminder sweep of the days this request touches',
      datesTouched(request, clinicId).then((dates) => sweepLater(scheduler, clinicId, dates)),
    );
  });

  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const kind = request.routeOptions.config?.reminders;
    const clinicId = clinicOf(request);
    if (!kind || !clinicId || reply.statusCode >= 300 || payload === null || typeof payload !== 'object') return payload;
    if (kind === 'setup') {
      const after = await getSetup(deps.store, clinicId);
      if (!after || reminderSettingsKey(after.setup) === settingsBefore.get(request)) return payload;
      // New offsets (or zone) reach every appointment still to come: a sweep of each date that has any
      // (an offset dropped needs none: its jobs stand down when they fall due).
      const today = localDateOf(deps.now(), after.setup.clinic.timezone);
      await withinBudget(
        request,
        'could not add the reminder sweeps after the reminder settings changed',
        datesWithAppointments(deps.store, clinicId, nextDates(today, SWEEP_AHEAD_DAYS)).then((dates) => sweepLater(scheduler, clinicId, dates)),
      );
      return payload;
    }
    const body = payload as { id?: unknown; date?: unknown };
    const aid = (request.params as { aid?: unknown }).aid ?? body.id;
    const work =
      kind === 'day'
        ? typeof body.date === 'string' ? syncDayReminders(scheduler, clinicId, body.date) : null
        : typeof aid === 'string' ? syncAppointmentReminders(scheduler, clinicId, aid) : null;
    // The write stands either way; the day's sweep (added above) schedules what this could not.
    if (work) await withinBudget(request, 'could not schedule the reminders of this write; the sweep will', work);
    return payload;
  });

  /** Every clinic-local date the request may change: where it books or moves to, where the appointment was, the plan's date. */
  async function datesTouched(request: FastifyRequest, clinicId: string): Promise<string[]> {
    const params = request.params as { aid?: unknown; jobId?: unknown };
    const body = (request.body ?? {}) as { start?: unknown; holdId?: unknown };
    // The reads at once: this runs before the write, on every booking.
    const dates = await Promise.all([
      typeof params.jobId === 'string' ? jobDate(params.jobId) : undefined,
      typeof body.start === 'string' ? setupForWrite(deps.store, clinicId).then((setup) => dateOfInstant(setup, body.start)) : undefined,
      ...[params.aid, body.holdId].map((id) => (typeof id === 'string' ? getAppointment(deps.store, clinicId, id).then((a) => a?.date) : undefined)),
    ]);
    return dates.filter((d): d is string => d !== undefined);
  }

  return scheduler;
}

/** How far ahead a change of reminder settings re-syncs appointments (a booking further out is synced when written). */
const SWEEP_AHEAD_DAYS = 400;

/** What decides a clinic's reminders: its offsets and its time zone. */
function reminderSettingsKey(setup: ClinicSetup | undefined): string {
  return setup ? JSON.stringify([offsetsOf(setup), setup.clinic.timezone]) : '';
}

/** `days` clinic-local dates from `first` on. */
function nextDates(first: string, days: number): string[] {
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  return Array.from({ length: days }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10));
}

function jobDate(jobId: string): string | undefined {
  const parsed = parseJobId(jobId);
  return parsed && 'date' in parsed ? parsed.date : undefined;
}
