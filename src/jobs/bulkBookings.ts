// The `bookings` queue: a batch of bookings from an integration, booked one by one through the store's
// atomic booking (each all or nothing, each with its own outcome). An item's outcome is recorded as soon
// as it is known, so a retried job goes on where it stopped; an item booked just before a crash (its
// outcome not yet recorded) is recognised on the retry by finding its appointment on the day.
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { Appointment } from '../contract/appointment.js';
import { Id, Instant } from '../contract/primitives.js';
import { parseWith, type Problem } from '../contract/parse.js';
import { toMs } from '../domain/time.js';
import { localDateOf } from '../booking/dayGrid.js';
import { authorizationRefusal } from '../booking/authorizationCheck.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { book, getRequest, getSetup, listDay } from '../store/index.js';
import type { Conflict } from '../store/results.js';
import type { Store } from '../store/store.js';
import { BookingsJobData } from './jobData.js';
import { jobKeys, RECORD_TTL_SECONDS } from './jobKeys.js';

export const MAX_BATCH_ITEMS = 500;

export const BookingBatch = z.object({
  batchId: z.string(),
  clinicId: Id,
  actor: z.string(),
  reason: z.string().optional(),
  createdAt: Instant,
  items: z.array(Appointment).min(1).max(MAX_BATCH_ITEMS),
});
export type BookingBatch = z.infer<typeof BookingBatch>;

export const BatchOutcome = z
  .object({
    index: z.number().int(),
    status: z.enum(['booked', 'refused']),
    appointmentId: z.string().optional(),
    reason: z.string().optional().describe('why it was refused: conflict, invalid, not-found, ...'),
    conflicts: z.array(z.object({ resource: z.string(), start: z.string(), end: z.string() })).optional(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'BatchOutcome' });
export type BatchOutcome = z.infer<typeof BatchOutcome>;

export const newBatchId = () => randomUUID().replace(/-/g, '');

export async function saveBatch(store: Store, batch: BookingBatch): Promise<void> {
  await store.redis.set(jobKeys(store.prefix, batch.clinicId).batch(batch.batchId), JSON.stringify(batch), 'EX', RECORD_TTL_SECONDS);
}

export async function loadBatch(store: Store, clinicId: string, batchId: string): Promise<BookingBatch | null> {
  const text = await store.redis.get(jobKeys(store.prefix, clinicId).batch(batchId));
  if (text === null) return null;
  const parsed = BookingBatch.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export async function batchOutcomes(store: Store, clinicId: string, batchId: string): Promise<BatchOutcome[]> {
  const all = await store.redis.hvals(jobKeys(store.prefix, clinicId).batchOutcomes(batchId));
  return all.map((text) => JSON.parse(text) as BatchOutcome).sort((a, b) => a.index - b.index);
}

async function record(store: Store, clinicId: string, batchId: string, outcome: BatchOutcome): Promise<void> {
  const key = jobKeys(store.prefix, clinicId).batchOutcomes(batchId);
  await store.redis.multi().hset(key, String(outcome.index), JSON.stringify(outcome)).expire(key, RECORD_TTL_SECONDS).exec();
}

const refused = (index: number, reason: string, extra: { conflicts?: Conflict[]; problems?: Problem[] } = {}): BatchOutcome => ({ index, status: 'refused', reason, ...extra });

/**
 * The job: books every item without an outcome yet; returns how many were booked and refused. `onBooked`
 * follows each booking (its reminders are scheduled there: src/reminders/bulkBookingReminders.ts).
 */
export async function processBookingsJob(store: Store, job: Job, onBooked?: (appointmentId: string) => Promise<void>): Promise<{ booked: number; refused: number }> {
  const parsed = parseWith(BookingsJobData, job.data);
  if (!parsed.ok) throw new UnrecoverableError(`the job data is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const { clinicId, batchId } = parsed.value;
  const batch = await loadBatch(store, clinicId, batchId);
  if (!batch) throw new UnrecoverableError(`booking batch ${batchId} of clinic '${clinicId}' is gone (kept for 7 days)`);
  const known = new Map((await batchOutcomes(store, clinicId, batchId)).map((o) => [o.index, o]));
  const recovered = job.attemptsStarted > 1 ? await alreadyBooked(store, clinicId, batch) : new Map<number, string>();

  const total = batch.items.length;
  const setup = (await getSetup(store, clinicId))?.setup;
  for (const [index, item] of batch.items.entries()) {
    if (known.has(index)) continue;
    const id = recovered.get(index);
    let outcome: BatchOutcome;
    const unauthorized = id === undefined && setup ? await authorizationProblem(store, clinicId, setup, item) : null;
    if (id !== undefined) outcome = { index, status: 'booked', appointmentId: id };
    else if (unauthorized) outcome = refused(index, 'authorization-required', { problems: [unauthorized] });
    else {
      const result = await book(store, clinicId, item, { actor: batch.actor, reason: batch.reason ?? `booking batch ${batchId}` });
      if (result.ok) outcome = { index, status: 'booked', appointmentId: result.appointment.id };
      else if (result.reason === 'conflict') outcome = refused(index, 'conflict', { conflicts: result.conflicts });
      else if (result.reason === 'invalid') outcome = refused(index, 'invalid', { problems: result.problems });
      else if (result.reason === 'not-found') throw new UnrecoverableError(`clinic '${clinicId}' does not exist`);
      else outcome = refused(index, result.reason);
    }
    await record(store, clinicId, batchId, outcome);
    if (outcome.status === 'booked' && onBooked) await onBooked(outcome.appointmentId!);
    known.set(index, outcome);
    if (index % 20 === 19 || index === total - 1) await job.updateProgress({ stage: 'booking', done: known.size, total });
  }
  const outcomes = [...known.values()];
  return { booked: outcomes.filter((o) => o.status === 'booked').length, refused: outcomes.filter((o) => o.status === 'refused').length };
}

/**
 * Why an item may not be booked for want of prior authorisation (a path into the item), or null: its
 * service requires one, and its stored request (by requestId) must carry it approved.
 */
async function authorizationProblem(store: Store, clinicId: string, setup: ClinicSetup, item: Appointment): Promise<Problem | null> {
  if (!setup.services.find((s) => s.id === item.serviceId)?.requiresAuthorization) return null;
  const stored = await getRequest(store, clinicId, item.requestId);
  const refusal = stored
    ? authorizationRefusal(setup, stored, toMs(item.start))
    : `service '${item.serviceId}' requires prior authorisation: store request '${item.requestId}' with its approved authorization first`;
  return refusal === null ? null : { path: '$.requestId', message: refusal };
}

/** On a retry: items whose appointment is on the schedule already (same request, provider, room and start). */
async function alreadyBooked(store: Store, clinicId: string, batch: BookingBatch): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const setup = await getSetup(store, clinicId);
  if (!setup) return found;
  const zone = setup.setup.clinic.timezone;
  const days = new Map<string, Awaited<ReturnType<typeof listDay>>>();
  for (const [index, item] of batch.items.entries()) {
    const date = localDateOf(toMs(item.start), zone);
    if (!days.has(date)) days.set(date, await listDay(store, clinicId, date));
    const match = days
      .get(date)!
      .appointments.find(
        (a) => a.hold === undefined && a.requestId === item.requestId && a.providerId === item.providerId && a.roomId === item.roomId && toMs(a.start) === toMs(item.start),
      );
    if (match) found.set(index, match.id);
  }
  return found;
}
