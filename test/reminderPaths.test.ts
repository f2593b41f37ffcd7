// Every path that books schedules the appointment's reminders, beside the direct and hold bookings of
// reminders.test.ts: a bulk booking (the `bookings` worker), and an optimization's plan when it is applied
// (a new appointment for a waiting request; any appointment the plan moved has its jobs at its new start).
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { offsetKey, DEFAULT_REMINDER_OFFSETS } from '../src/contract/reminderSettings.js';
import { queuePrefix } from '../src/jobs/queues.js';
import { reminderJobId } from '../src/reminders/reminderJobs.js';
import { listDay } from '../src/store/day.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';
import { until } from './support/until.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('reminder-paths');
const C = 'rem-paths';
let api: ApiProcess;
let worker: WorkerProcess;
let queue: Queue;

beforeAll(async () => {
  [api, worker] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix }), startWorker(t.prefix, 'w-rem-paths', 'bookings,optimize')]);
  queue = new Queue('reminders', { connection: t.redis, prefix: queuePrefix(t.prefix, 'reminders') });
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop('SIGKILL')]);
  await queue?.close();
  await t.cleanup();
});

const context = () => `worker:\n${worker.output()}\napi:\n${api.output()}`;

/** Each default reminder of a booked appointment waits as a delayed job due at start - offset. */
async function expectReminders(aid: string, start: string): Promise<void> {
  for (const offset of DEFAULT_REMINDER_OFFSETS) {
    const job = await queue.getJob(reminderJobId(C, aid, offsetKey(offset), Date.parse(start)));
    expect(job, `${aid} ${offsetKey(offset)} at ${start}`).toBeDefined();
    expect(await job!.getState()).toBe('delayed');
    expect(job!.timestamp + job!.delay).toBe(Date.parse(start) - offset.minutesBefore * 60_000);
  }
}

it('a bulk booking and an applied optimization schedule the reminders of what they book or move', async () => {
  expect((await call(api.url, 'PUT', `/clinics/${C}`, serviceClinic(C, 2))).status).toBe(201);

  // Bulk: booked by the worker, item by item; each booking's reminders follow it.
  const batch = await call(api.url, 'POST', `/clinics/${C}/booking-batches`, {
    items: [{ requestId: 'bb-1', patientId: 'p-bulk', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0', start: at('09:00'), end: at('09:30') }],
  });
  expect(batch.status, batch.text).toBe(202);
  const outcomes = await until(
    'the batch to be booked',
    async () => {
      const r = await call(api.url, 'GET', batch.body.links.self);
      return r.body.state === 'completed' ? r.body.outcomes : undefined;
    },
    { timeoutMs: 20_000, context },
  );
  expect(outcomes).toMatchObject([{ index: 0, status: 'booked' }]);
  const bulkId = outcomes[0].appointmentId as string;
  await expectReminders(bulkId, at('09:00'));

  // An optimization places a waiting request; applying its plan books it, and its reminders follow.
  const waiting = await call(api.url, 'POST', `/clinics/${C}/requests`, {
    id: 'rq-opt', patientId: 'p-opt', serviceId: 'visit', urgency: 'urgent', earliestStart: at('10:00'), latestEnd: at('12:00'),
  });
  expect(waiting.status, waiting.text).toBe(201);
  const started = await call(api.url, 'POST', `/clinics/${C}/optimizations`, { date: DAY });
  expect(started.status, started.text).toBe(202);
  const view = await until(
    'the optimization to complete',
    async () => {
      const r = await call(api.url, 'GET', started.body.links.self);
      expect(r.body.state).not.toBe('failed');
      return r.body.state === 'completed' ? r.body : undefined;
    },
    { timeoutMs: 25_000, context },
  );
  const applied = await call(api.url, 'POST', `${started.body.links.self}/apply`, { planId: view.plan.planId });
  expect(applied.status, applied.text).toBe(200);

  const day = await listDay({ redis: t.redis, prefix: t.prefix }, C, DAY);
  const booked = day.appointments.filter((a) => a.status === 'booked' && a.hold === undefined);
  expect(booked.map((a) => a.requestId).sort()).toEqual(['bb-1', 'rq-opt']);
  for (const a of booked) await expectReminders(a.id, a.start);
  // Wherever the plan put the bulk booking, no job waits for a start it no longer has.
  const bulk = booked.find((a) => a.id === bulkId)!;
  if (Date.parse(bulk.start) !== Date.parse(at('09:00')))
    for (const offset of DEFAULT_REMINDER_OFFSETS) expect(await queue.getJob(reminderJobId(C, bulkId, offsetKey(offset), Date.parse(at('09:00'))))).toBeUndefined();
}, 60_000);
