// Optimization jobs end to end: an API process, a worker process (sandboxed solves), a real Redis.
// A repeat request gets the same job; the job reports progress (also as an event stream), completes,
// and its plan applies once, advancing the date's version by exactly one; a stale plan is refused
// with a re-run link; bad job input fails at once without retries.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectStore, storeReady, listDay, book, getSetup, putSetup, type Store } from '../src/store/index.js';
import type { Appointment } from '../src/contract/appointment.js';
import { JOB_OPTIONS, queuePrefix } from '../src/jobs/queues.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { defaultAuthFor } from './support/auth.js';
import { until } from './support/until.js';
import { call } from './support/http.js';
import { LAKESHORE_DATE, seedLakeshore } from './support/lakeshore.js';
import { testRedis } from './support/redis.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('optimize-jobs');
let api: ApiProcess;
let worker: WorkerProcess;
let store: Store;
let queue: Queue;

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  queue = new Queue('optimize', { connection: t.redis, prefix: queuePrefix(t.prefix, 'optimize') });
  [api, worker] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix }), startWorker(t.prefix, 'w-opt', 'optimize,replan')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await queue?.close();
  store?.redis.disconnect();
  await t.cleanup();
});

const processes = () => `worker:\n${worker.output()}\napi:\n${api.output()}`;

const completed = (clinicId: string, jobId: string) =>
  until(`job ${jobId} to complete`, async () => {
    const r = await call(api.url, 'GET', `/clinics/${clinicId}/optimizations/${jobId}`);
    expect(r.status).toBe(200);
    expect(r.body.state).not.toBe('failed');
    return r.body.state === 'completed' ? r.body : undefined;
  }, { context: processes });

it('a repeat request gets the same job; the job reports progress, completes, and its plan applies once (version +1)', async () => {
  await seedLakeshore(store, 'lake-a');
  const before = await listDay(store, 'lake-a', LAKESHORE_DATE);

  const [first, second] = await Promise.all([
    call(api.url, 'POST', '/clinics/lake-a/optimizations', { date: LAKESHORE_DATE }),
    call(api.url, 'POST', '/clinics/lake-a/optimizations', { date: LAKESHORE_DATE }),
  ]);
  expect([first.status, second.status]).toEqual([202, 202]);
  expect(first.body.jobId).toBe(`optimize:lake-a:${LAKESHORE_DATE}`);
  expect(second.body.jobId).toBe(first.body.jobId);
  expect([first.body.repeat, second.body.repeat].sort()).toEqual([false, true]);
  const jobId: string = first.body.jobId;
  const third = await call(api.url, 'POST', '/clinics/lake-a/optimizations', { date: LAKESHORE_DATE });
  expect(third.status).toBe(202);
  expect(third.body).toMatchObject({ jobId, repeat: true });

  // The event stream: a state first, progress with score, bound and gap while it solves, then completed.
  const eventsPath = `/clinics/lake-a/optimizations/${jobId}/events`;
  const stream = await fetch(`${api.url}${eventsPath}`, { headers: { authorization: defaultAuthFor(eventsPath) } });
  expect(stream.status).toBe(200);
  expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await stream.text(); // the stream ends when the job completes
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => ({ event: /^event: (.+)$/m.exec(block)![1], data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) }));
  expect(events[0]!.event).toBe('state');
  expect(events.at(-1)).toMatchObject({ event: 'completed', data: { jobId } });
  const solving = events.filter((e) => e.event === 'progress' && e.data.stage === 'solving');
  expect(solving.length).toBeGreaterThan(0);
  for (const e of solving) {
    expect(e.data.objective).toEqual(expect.any(Number));
    expect(e.data.bound).toBeGreaterThanOrEqual(e.data.objective - 1e-6);
    expect(e.data.gap).toBeGreaterThanOrEqual(0);
  }

  const view = await completed('lake-a', jobId);
  expect(view.plan.readVersion).toBe(before.version);
  expect(view.plan.stale).toBe(false);
  expect(view.plan.result.bound).toBeGreaterThanOrEqual(view.plan.result.objective - 1e-6);
  // Nothing was booked before: every planned visit is new, and every request is placed or unscheduled.
  expect(view.plan.diff.added.length).toBe(view.plan.appointments.length);
  expect(view.plan.diff.added.length).toBeGreaterThan(40);
  expect(view.plan.diff.moved).toEqual([]);
  expect(view.plan.diff.added.length + view.plan.diff.unscheduled.length).toBe(86);
  // A repeat request after completion, on an unchanged schedule, is answered by the same job.
  const repeat = await call(api.url, 'POST', '/clinics/lake-a/optimizations', { date: LAKESHORE_DATE });
  expect(repeat.status).toBe(200);
  expect(repeat.body).toMatchObject({ jobId, repeat: true, state: 'completed' });

  const applied = await call(api.url, 'POST', `/clinics/lake-a/optimizations/${jobId}/apply`, { planId: view.plan.planId });
  expect(applied.status).toBe(200);
  expect(applied.body.version).toBe(before.version + 1);
  const after = await listDay(store, 'lake-a', LAKESHORE_DATE);
  expect(after.version).toBe(before.version + 1);
  expect(after.appointments.filter((a) => a.status === 'booked').length).toBe(view.plan.appointments.length);
  const again = await call(api.url, 'POST', `/clinics/lake-a/optimizations/${jobId}/apply`, {});
  expect(again.status).toBe(409);
  expect(again.body.error).toBe('already-applied');
  expect((await listDay(store, 'lake-a', LAKESHORE_DATE)).version).toBe(before.version + 1);
  // Only one run ever completed.
  const job = await queue.getJob(jobId);
  expect(job?.attemptsMade).toBe(1);
}, 80_000);

it('a plan whose schedule changed since the job read it is refused (409) with a re-run link; the re-run applies', async () => {
  await seedLakeshore(store, 'lake-b', 30);
  const started = await call(api.url, 'POST', '/clinics/lake-b/optimizations', { date: LAKESHORE_DATE });
  expect(started.status).toBe(202);
  const jobId: string = started.body.jobId;
  const early = await call(api.url, 'POST', `/clinics/lake-b/optimizations/${jobId}/apply`, {});
  expect(early.status).toBe(409);
  expect(early.body.error).toBe('not-ready');
  const view = await completed('lake-b', jobId);

  // The front desk books a visit meanwhile (one the plan proposed, so it certainly fits).
  const { id: _none, ...visit } = view.plan.appointments[0];
  const booked = await book(store, 'lake-b', visit, { actor: 'front-desk' });
  expect(booked.ok).toBe(true);
  const changed = await listDay(store, 'lake-b', LAKESHORE_DATE);
  expect(changed.version).toBe(view.plan.readVersion + 1);

  const stale = await call(api.url, 'POST', `/clinics/lake-b/optimizations/${jobId}/apply`, {});
  expect(stale.status).toBe(409);
  expect(stale.body).toMatchObject({
    error: 'stale',
    readVersion: view.plan.readVersion,
    currentVersion: changed.version,
    rerun: { method: 'POST', href: '/clinics/lake-b/optimizations', body: { date: LAKESHORE_DATE } },
  });
  expect(stale.body.message).toMatch(/changed/);
  expect((await listDay(store, 'lake-b', LAKESHORE_DATE)).version).toBe(changed.version);
  const staleView = await call(api.url, 'GET', `/clinics/lake-b/optimizations/${jobId}`);
  expect(staleView.body.plan.stale).toBe(true);
  expect(staleView.body.links.rerun.href).toBe('/clinics/lake-b/optimizations');

  // The re-run link starts a new run of the same job id on the current schedule.
  const rerun = await call(api.url, stale.body.rerun.method, stale.body.rerun.href, stale.body.rerun.body);
  expect(rerun.status).toBe(202);
  expect(rerun.body).toMatchObject({ jobId, repeat: false });
  const fresh = await completed('lake-b', jobId);
  expect(fresh.plan.readVersion).toBe(changed.version);
  expect(fresh.plan.planId).not.toBe(view.plan.planId);
  // The visit booked meanwhile stays on the schedule (it may move): it is not new in the plan.
  const kept = [...fresh.plan.diff.unchanged, ...fresh.plan.diff.moved, ...fresh.plan.diff.reassigned].map((e: { appointmentId?: string }) => e.appointmentId);
  expect(kept).toContain(booked.ok ? booked.appointment.id : 'none');
  // The plan reviewed before the re-run is not applied by mistake.
  const replaced = await call(api.url, 'POST', `/clinics/lake-b/optimizations/${jobId}/apply`, { planId: view.plan.planId });
  expect(replaced.status).toBe(409);
  expect(replaced.body.error).toBe('plan-replaced');
  const applied = await call(api.url, 'POST', `/clinics/lake-b/optimizations/${jobId}/apply`, { planId: fresh.plan.planId });
  expect(applied.status).toBe(200);
  expect(applied.body.version).toBe(changed.version + 1);
}, 80_000);

it('bad job input fails at once, without retries; unknown clinics and foreign job ids are 404', async () => {
  const badDate = 'optimize:lake-b:2026-02-30';
  await queue.add('optimize', { clinicId: 'lake-b', date: '2026-02-30' }, { ...JOB_OPTIONS.optimize, jobId: badDate });
  const noClinic = 'optimize:nowhere:2026-11-24';
  await queue.add('optimize', { clinicId: 'nowhere', date: '2026-11-24' }, { ...JOB_OPTIONS.optimize, jobId: noClinic });
  const malformed = await queue.add('optimize', { clinic: 42 }, { ...JOB_OPTIONS.optimize });
  for (const id of [badDate, noClinic, malformed.id!]) {
    const job = await until(`job ${id} to fail`, async () => {
      const j = await queue.getJob(id);
      // Read again once failed: the copy read before may predate the failure (attemptsMade still 0).
      return j && (await j.getState()) === 'failed' ? queue.getJob(id) : undefined;
    }, { context: processes });
    expect(JOB_OPTIONS.optimize.attempts).toBeGreaterThan(1);
    expect(job.attemptsMade).toBe(1); // failed on its first attempt and was not retried
  }
  const view = await call(api.url, 'GET', `/clinics/lake-b/optimizations/${badDate}`);
  expect(view.status).toBe(200);
  expect(view.body.state).toBe('failed');
  expect(view.body.problems).toEqual([{ path: '$.date', message: expect.stringMatching(/calendar date/) }]);
  expect((await queue.getJob(noClinic))?.failedReason).toMatch(/clinic 'nowhere' does not exist/);
  expect((await queue.getJob(malformed.id!))?.failedReason).toMatch(/\$\.clinicId/);

  const unknown = await call(api.url, 'POST', '/clinics/nowhere/optimizations', { date: LAKESHORE_DATE });
  expect(unknown.status).toBe(404);
  const badBody = await call(api.url, 'POST', '/clinics/lake-b/optimizations', { date: '24.11.2026' });
  expect(badBody.status).toBe(400);
  expect(badBody.body.problems[0].path).toBe('$.body.date');
  const foreign = await call(api.url, 'GET', `/clinics/lake-a/optimizations/optimize:lake-b:${LAKESHORE_DATE}`);
  expect(foreign.status).toBe(404);
  const garbage = await call(api.url, 'GET', '/clinics/lake-a/optimizations/not-a-job');
  expect(garbage.status).toBe(404);
}, 60_000);

it('a transient error (the plan cannot be written) is retried with backoff, and the retry completes', async () => {
  await seedLakeshore(store, 'lake-t', 10);
  // The plans key of the wrong type: every write of a plan fails (WRONGTYPE) until it is removed.
  const plans = `${t.prefix}:{c:lake-t}:plans`;
  const started = await call(api.url, 'POST', '/clinics/lake-t/optimizations', { date: LAKESHORE_DATE });
  expect(started.status).toBe(202);
  await t.redis.set(plans, 'not a hash'); // long before the solve ends
  const jobId: string = started.body.jobId;
  const failedOnce = await until('the first attempt to fail', async () => {
    const job = await queue.getJob(jobId);
    return job && job.attemptsMade >= 1 ? job : undefined;
  }, { context: processes });
  expect(failedOnce.failedReason).toMatch(/WRONGTYPE/);
  expect(['delayed', 'waiting', 'active']).toContain(await failedOnce.getState()); // to be retried, not failed
  await t.redis.del(plans);
  const view = await completed('lake-t', jobId);
  expect(view.plan.readVersion).toBe(0);
  const job = (await queue.getJob(jobId))!;
  expect(job.attemptsMade).toBe(2);
  expect(job.stacktrace).toHaveLength(1); // the one failed attempt, kept with its error
  expect(job.opts.backoff).toEqual({ type: 'exponential', delay: 2_000 });
}, 80_000);

it('an overbooking clinic plans pairs with its no-show estimates; apply holds them, and nobody books a third visit onto a pair', async () => {
  await seedLakeshore(store, 'lake-ob');
  const { setup, version } = (await getSetup(store, 'lake-ob'))!;
  const put = await putSetup(store, 'lake-ob', { ...setup, overbooking: { maxExpectedLoad: 1.8 } }, version);
  expect(put.ok).toBe(true);

  const started = await call(api.url, 'POST', '/clinics/lake-ob/optimizations', { date: LAKESHORE_DATE });
  expect(started.status).toBe(202);
  const view = await completed('lake-ob', started.body.jobId);
  // No history yet: every estimate is the clinic's base rate with its prior (0.1), so two visits (0.9 + 0.9) fit 1.8.
  const estimates = Object.values(view.plan.noShowProbabilities as Record<string, number>);
  expect(estimates.length).toBe(view.plan.appointments.length);
  expect(new Set(estimates)).toEqual(new Set([0.1]));
  const appointments = view.plan.appointments as Appointment[];
  const overlapping = (a: Appointment, b: Appointment) => a !== b && a.providerId !== null && a.providerId === b.providerId && Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
  const pair = appointments.find((a) => appointments.some((b) => overlapping(a, b)));
  expect(pair, 'the plan overbooks').toBeDefined();

  const applied = await call(api.url, 'POST', `/clinics/lake-ob/optimizations/${started.body.jobId}/apply`, { planId: view.plan.planId });
  expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  const day = await listDay(store, 'lake-ob', LAKESHORE_DATE);
  const stored = day.appointments.filter((a) => a.status === 'booked');
  expect(stored.length).toBe(appointments.length);
  expect(stored.some((a) => stored.some((b) => overlapping(a, b)))).toBe(true);

  // The front desk never overbooks: a visit onto the pair's provider and time is refused for the provider.
  const third = await book(store, 'lake-ob', { ...pair!, requestId: 'walk-in-3', patientId: 'pt-walk-in-3' }, { actor: 'front-desk' });
  expect(third.ok).toBe(false);
  if (third.ok) return;
  expect(third.reason).toBe('conflict');
  if (third.reason !== 'conflict') return;
  expect(third.conflicts.map((c) => c.resource)).toContain(`provider:${pair!.providerId}`);

  // A re-plan of the overbooked day (the pair's provider starts an hour late) keeps to the same estimates and applies.
  const late = new Date(Date.parse(pair!.start) + 3_600_000).toISOString();
  const disrupted = await call(api.url, 'POST', '/clinics/lake-ob/disruptions', { now: `${LAKESHORE_DATE}T07:00:00-06:00`, events: [{ type: 'delay', providerId: pair!.providerId, availableFrom: late }] });
  expect(disrupted.status, JSON.stringify(disrupted.body)).toBe(202);
  const replan = await until('the re-plan to complete', async () => {
    const r = await call(api.url, 'GET', `/clinics/lake-ob/disruptions/${disrupted.body.jobId}`);
    expect(r.body.state).not.toBe('failed');
    return r.body.state === 'completed' ? r.body : undefined;
  }, { context: processes });
  expect(new Set(Object.values(replan.plan.noShowProbabilities as Record<string, number>))).toEqual(new Set([0.1]));
  const replanned = await call(api.url, 'POST', `/clinics/lake-ob/disruptions/${disrupted.body.jobId}/apply`, { planId: replan.plan.planId });
  expect(replanned.status, JSON.stringify(replanned.body)).toBe(200);
  const after = (await listDay(store, 'lake-ob', LAKESHORE_DATE)).appointments.filter((a) => a.status === 'booked' && a.providerId === pair!.providerId);
  expect(after.every((a) => Date.parse(a.start) >= Date.parse(late))).toBe(true);
}, 80_000);
