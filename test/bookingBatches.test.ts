// Bulk bookings from an integration through the `bookings` queue: each booking of the batch is booked
// on its own (all or nothing), each gets its outcome; a worker process does it, and /ready sees it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectStore, listDay, putSetup, storeReady, type Store } from '../src/store/index.js';
import { ClinicSetup } from '../src/contract/clinicSetup.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('booking-batches');
let api: ApiProcess;
let worker: WorkerProcess;
let store: Store;

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  const put = await putSetup(store, 'batch', ClinicSetup.parse(serviceClinic('batch', 3)), null);
  expect(put.ok).toBe(true);
  [api, worker] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix }), startWorker(t.prefix, 'w-bookings', 'bookings')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  store?.redis.disconnect();
  await t.cleanup();
});

const visit = (i: number, providerId: string, start: string, end: string, roomId = `room-${i}`) => ({
  requestId: `req-${i}`,
  patientId: `pt-${i}`,
  serviceId: 'visit',
  providerId,
  roomId,
  start: at(start),
  end: at(end),
});

it('books each item of a batch on its own and reports each outcome', async () => {
  const items = [visit(0, 'dr-0', '09:00', '09:30'), visit(1, 'dr-0', '09:15', '09:45'), visit(2, 'dr-1', '09:00', '09:30'), visit(3, 'dr-2', '09:07', '09:37', 'room-2')];
  const posted = await call(api.url, 'POST', '/clinics/batch/booking-batches', { items });
  expect(posted.status).toBe(202);
  const jobId: string = posted.body.jobId;
  expect(jobId).toBe(`bookings:batch:${posted.body.batchId}`);

  const deadline = Date.now() + 30_000;
  let view;
  for (;;) {
    view = await call(api.url, 'GET', `/clinics/batch/booking-batches/${jobId}`);
    expect(view.status).toBe(200);
    if (view.body.state === 'completed') break;
    expect(view.body.state).not.toBe('failed');
    if (Date.now() > deadline) throw new Error(`the batch was not booked:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const outcomes = view.body.outcomes;
  expect(view.body.total).toBe(4);
  expect(outcomes.map((o: { status: string }) => o.status)).toEqual(['booked', 'refused', 'booked', 'refused']);
  expect(outcomes[1]).toMatchObject({ index: 1, reason: 'conflict', conflicts: [expect.objectContaining({ resource: 'provider:dr-0' })] });
  expect(outcomes[3]).toMatchObject({ index: 3, reason: 'invalid', problems: [{ path: '$.start', message: expect.stringMatching(/off the 15-minute grid/) }] });
  const day = await listDay(store, 'batch', DAY);
  expect(day.appointments.map((a) => a.id).sort()).toEqual([outcomes[0].appointmentId, outcomes[2].appointmentId].sort());

  // Malformed batches never reach the queue.
  const empty = await call(api.url, 'POST', '/clinics/batch/booking-batches', { items: [] });
  expect(empty.status).toBe(400);
  expect(empty.body.problems[0].path).toBe('$.body.items');
  const unknown = await call(api.url, 'POST', '/clinics/nowhere/booking-batches', { items });
  expect(unknown.status).toBe(404);

  // The worker's heartbeat makes the service ready.
  const ready = await call(api.url, 'GET', '/ready');
  expect(ready.body.workers).toBeGreaterThanOrEqual(1);
}, 60_000);
