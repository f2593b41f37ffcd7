// Re-plans over HTTP with real worker processes, on the example clinic's day at 10:05: events are checked
// against the day before any job (400 with JSON paths); re-plans of one clinic-day coalesce (a set posted
// while one waits replaces its events; one runs at a time, at most one waits); ?wait=true answers with
// the plan; a plan applies once (version +1), and a stale one is refused with a re-run link.
import { Queue, type Job } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReplanEvent } from '../src/contract/replan.js';
import { queuePrefix } from '../src/jobs/queues.js';
import { connectStore, listDay, storeReady, type Store } from '../src/store/index.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call } from './support/http.js';
import { LAKESHORE_DATE, seedLakeshoreDay } from './support/lakeshore.js';
import { testRedis } from './support/redis.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('replan-jobs');
let api: ApiProcess;
let worker: WorkerProcess | undefined;
let second: WorkerProcess | undefined;
let store: Store;
let queue: Queue;
let day: Awaited<ReturnType<typeof seedLakeshoreDay>>;

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  queue = new Queue('replan', { connection: t.redis, prefix: queuePrefix(t.prefix, 'replan') });
  [api, day] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix, REQUEST_DEADLINE_MS: '40000' }), seedLakeshoreDay(store, 'lake')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop(), second?.stop()]);
  await queue?.close();
  store?.redis.disconnect();
  await t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A late start of NP Reyes (the example's events delay Dr. Mensah): a distinct set per minute. */
const delay = (minute: number): ReplanEvent => ({ type: 'delay', providerId: 'np-reyes', availableFrom: `${LAKESHORE_DATE}T10:${String(minute).padStart(2, '0')}:00-06:00` });
const post = (events: ReplanEvent[], query = '') => call(api.url, 'POST', `/clinics/lake/disruptions${query}`, { now: day.now, events });

async function finished(jobId: string): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'completed' || state === 'failed') return job!;
    if (Date.now() > deadline) throw new Error(`${jobId} did not finish (${state}):\n${worker?.output()}`);
    await sleep(100);
  }
}

it('checks the events against the day before any job: 400 naming each problem by its JSON path', async () => {
  const unknown = await post([
    { type: 'overrun', appointmentId: 'no-such-visit', expectedEnd: `${LAKESHORE_DATE}T11:00:00-06:00` },
    { type: 'delay', providerId: 'dr-nobody', availableFrom: `${LAKESHORE_DATE}T11:00:00-06:00` },
  ]);
  expect(unknown.status).toBe(400);
  expect(unknown.body.problems.map((p: { path: string }) => p.path)).toEqual(['$.body.events[0].appointmentId', '$.body.events[1].providerId']);
  expect(unknown.body.problems[0].message).toMatch(/no-such-visit/);

  // A misspelt field of an emergency's request is refused with its path, not dropped.
  const misspelt = await post([{ type: 'emergency', request: { id: 'walkin-x', patientId: 'pt-x', serviceId: 'sick-visit', urgncy: 'urgent', preferredProviderIds: [] } } as unknown as ReplanEvent]);
  expect(misspelt.status).toBe(400);
  expect(misspelt.body.problems).toEqual([expect.objectContaining({ path: '$.body.events[0].request.urgncy' })]);

  const badType = await post([{ type: 'meteor' } as unknown as ReplanEvent]);
  expect(badType.status).toBe(400);
  expect(badType.body.problems[0].path).toMatch(/^\$\.body\.events\[0\]/);

  const elsewhen = await call(api.url, 'POST', '/clinics/lake/disruptions', { date: LAKESHORE_DATE, now: '2026-11-25T10:00:00-06:00', events: [delay(40)] });
  expect(elsewhen.status).toBe(400);
  expect(elsewhen.body.problems).toEqual([{ path: '$.body.now', message: expect.stringMatching(/inside the horizon/) }]);

  const none = await post([]);
  expect(none.status).toBe(400);
  expect(none.body.problems[0].path).toBe('$.body.events');
  expect(await call(api.url, 'POST', '/clinics/nowhere/disruptions', { now: day.now, events: [delay(40)] })).toMatchObject({ status: 404 });

  const counts = await queue.getJobCounts();
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
});

it('a set posted while the re-plan waits replaces its events; the plan answers ?wait=true and applies once', async () => {
  // No worker yet: the first re-plan waits, and the next set takes its place.
  const a = await post([delay(40)]);
  expect(a.status).toBe(202);
  expect(a.body).toMatchObject({ jobId: `replan:lake:${LAKESHORE_DATE}.1`, coalesced: false });
  const b = await post(day.events);
  expect(b.status).toBe(202);
  expect(b.body).toMatchObject({ jobId: a.body.jobId, coalesced: true });
  expect(b.body.eventsId).not.toBe(a.body.eventsId);
  expect(await queue.getJobCounts()).toMatchObject({ waiting: 1, active: 0, completed: 0 });

  // Two workers: a re-plan could start while another runs, were it not held back (see the last test).
  [worker, second] = await Promise.all([startWorker(t.prefix, 'w-replan', 'replan'), startWorker(t.prefix, 'w-replan-2', 'replan')]);
  const first = await finished(a.body.jobId);
  expect(first.failedReason).toBeUndefined();
  const view = await call(api.url, 'GET', `/clinics/lake/disruptions/${a.body.jobId}`);
  expect(view.body.state).toBe('completed');
  expect(view.body.plan.eventsId).toBe(b.body.eventsId); // the newer set, not the replaced one
  // The newer set holds the walk-in emergency: the plan places it (or says why not).
  const placed = view.body.plan.result.appointments.some((x: { requestId: string }) => x.requestId === 'walkin-001');
  const unplaced = view.body.plan.result.unscheduled.some((x: { requestId: string }) => x.requestId === 'walkin-001');
  expect(placed || unplaced).toBe(true);
  expect(view.body.plan.diff.moved.length + view.body.plan.diff.reassigned.length).toBeGreaterThan(0);

  // ?wait=true: the finished re-plan in the answer. (At 10:00 and with these events the plan needs no
  // overtime, which the store's applyDay does not accept yet.)
  const at10 = `${LAKESHORE_DATE}T10:00:00-06:00`;
  const cancellation = day.events.find((e) => e.type === 'cancellation')!;
  const before = await listDay(store, 'lake', LAKESHORE_DATE);
  const c = await call(api.url, 'POST', '/clinics/lake/disruptions?wait=true&waitMs=35000', { now: at10, events: [cancellation, delay(30)] });
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  expect(c.body).toMatchObject({ jobId: `replan:lake:${LAKESHORE_DATE}.2`, state: 'completed', kind: 'replan' });
  expect(c.body.plan.readVersion).toBe(before.version);
  expect(c.body.plan.stale).toBe(false);
  expect(c.body.plan.result.status).toMatch(/optimal|feasible/);
  expect(c.body.plan.diff.unscheduled).toContainEqual(expect.objectContaining({ appointmentId: day.ids.get('appt-045'), reasons: ['cancelled'] }));
  // A zero wait answers 202 with the job to follow.
  const quick = await call(api.url, 'POST', '/clinics/lake/disruptions?wait=true&waitMs=0', { now: at10, events: [delay(20)] });
  expect(quick.status).toBe(202);
  expect(quick.body.jobId).toBe(`replan:lake:${LAKESHORE_DATE}.3`);
  expect((await finished(quick.body.jobId)).failedReason).toBeUndefined();

  // Who applies is the caller: each changed appointment's history names them.
  const chargeNurse = as('charge-nurse', 'scheduler-admin', ['lake']);
  const applied = await call(api.url, 'POST', `/clinics/lake/disruptions/${c.body.jobId}/apply`, {}, chargeNurse);
  expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  expect(applied.body.version).toBe(before.version + 1);
  const after = await listDay(store, 'lake', LAKESHORE_DATE);
  expect(after.version).toBe(before.version + 1);
  // The cancellation event's visit is cancelled, by the plan, and said so in its history.
  const cancelled = after.appointments.find((x) => x.id === day.ids.get('appt-045'));
  expect(cancelled?.status).toBe('cancelled');
  expect(cancelled?.history.at(-1)).toMatchObject({ status: 'cancelled', by: 'charge-nurse', action: 'plan' });

  // The other plan read the old schedule: refused, with how to run it again.
  const stale = await call(api.url, 'POST', `/clinics/lake/disruptions/${quick.body.jobId}/apply`, {}, chargeNurse);
  expect(stale.status).toBe(409);
  expect(stale.body).toMatchObject({
    error: 'stale',
    readVersion: before.version,
    currentVersion: before.version + 1,
    rerun: { method: 'POST', href: '/clinics/lake/disruptions', body: { date: LAKESHORE_DATE, events: [delay(20)] } },
  });
  expect((await listDay(store, 'lake', LAKESHORE_DATE)).version).toBe(before.version + 1);
}, 85_000);

it('sets posted while a re-plan runs coalesce into one waiting re-plan, which starts only after it', async () => {
  // The cancelled visit was cancelled by the plan applied above: the sets leave it out.
  const events = day.events.filter((e) => e.type !== 'cancellation');
  const first = await post([...events, delay(5)]);
  expect(first.status, JSON.stringify(first.body)).toBe(202);
  const n0 = Number(/\.(\d+)$/.exec(first.body.jobId)![1]);
  // Wait until the worker has taken it up (it reports loading once it holds its set).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await queue.getJob(first.body.jobId);
    const stage = (job?.progress as { stage?: string } | undefined)?.stage;
    if (stage === 'loading' || stage === 'solving' || (job && (await job.getState()) === 'completed')) break;
    if (Date.now() > deadline) throw new Error(`the re-plan never started:\n${worker?.output()}`);
    await sleep(20);
  }
  const answers = [first.body];
  for (let k = 0; k < 5; k++) {
    const r = await post([...events, delay(10 + 5 * k)]);
    expect(r.status).toBe(202);
    answers.push(r.body);
    // Never more than one re-plan of the day waiting.
    const waiting = (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.id!.startsWith(`replan:lake:${LAKESHORE_DATE}.`));
    expect(waiting.length).toBeLessThanOrEqual(1);
  }
  const ns = answers.map((x) => Number(/\.(\d+)$/.exec(x.jobId)![1]));
  for (let k = 1; k < ns.length; k++) expect(ns[k]! - ns[k - 1]!).toBeGreaterThanOrEqual(0);
  for (let k = 1; k < ns.length; k++) expect(ns[k]! - ns[k - 1]!).toBeLessThanOrEqual(1);
  expect(ns.at(-1)! - n0 + 1).toBeLessThan(answers.length); // sets coalesced: fewer jobs than sets
  expect(answers.slice(1).some((x) => x.coalesced)).toBe(true);

  let overlapped = 0;
  const startedAt: number[] = [];
  const jobs: Job[] = [];
  for (let n = n0; n <= ns.at(-1)!; n++) jobs.push(await finished(`replan:lake:${LAKESHORE_DATE}.${n}`));
  for (const [k, job] of jobs.entries()) {
    expect(job.failedReason).toBeUndefined();
    // Each job worked on the newest set it was given.
    const last = answers.filter((x) => x.jobId === job.id).at(-1)!;
    const view = await call(api.url, 'GET', `/clinics/lake/disruptions/${job.id}`);
    expect(view.body.plan.eventsId).toBe(last.eventsId);
    startedAt.push(Date.parse(view.body.plan.startedAt));
    if (k === 0) continue;
    // One at a time: a job took up its set only after the previous one had finished, and it was created
    // only once the previous one had started (so it was the only one waiting).
    const previous = jobs[k - 1]!;
    expect(startedAt[k]!, `${job.id} took up its set at ${startedAt[k]}, ${previous.id} finished at ${previous.finishedOn}`).toBeGreaterThanOrEqual(previous.finishedOn!);
    expect(job.timestamp).toBeGreaterThanOrEqual(previous.processedOn!);
    if (job.timestamp < previous.finishedOn!) overlapped++;
  }
  // The case that matters happened: a re-plan was waiting while the one before it ran, and a worker
  // that took it up then put it back to wait its turn.
  expect(overlapped).toBeGreaterThan(0);
  expect(jobs.some((j) => j.attemptsStarted > 1)).toBe(true);
}, 85_000);
