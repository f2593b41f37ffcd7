// `kill -9` of the worker in the middle of an optimization: its lock lapses, the other worker picks the
// job up and completes it, once; applying the plan advances the date's version by exactly one; and a
// reader polling the schedule throughout (over HTTP) only ever sees the whole old or the whole new day.
import { execFileSync } from 'node:child_process';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveWorkers } from '../src/jobs/heartbeat.js';
import { queuePrefix } from '../src/jobs/queues.js';
import { connectStore, listDay, storeReady, type Store } from '../src/store/index.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { LAKESHORE_DATE, seedLakeshore } from './support/lakeshore.js';
import { testRedis } from './support/redis.js';
import { until } from './support/until.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('worker-kill');
const SOLVE = { MEDSCHED_OPTIMIZE_SECONDS: '8' };
let api: ApiProcess;
let workers: WorkerProcess[] = [];
let store: Store;
let queue: Queue;
let events: QueueEvents;
let listener: Redis;

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  queue = new Queue('optimize', { connection: t.redis, prefix: queuePrefix(t.prefix, 'optimize') });
  listener = new Redis(t.url, { maxRetriesPerRequest: null });
  events = new QueueEvents('optimize', { connection: listener, prefix: queuePrefix(t.prefix, 'optimize') });
  await events.waitUntilReady();
  [api, ...workers] = await Promise.all([
    startApi({ MEDSCHED_PREFIX: t.prefix }),
    startWorker(t.prefix, 'w-one', 'optimize', SOLVE),
    startWorker(t.prefix, 'w-two', 'optimize', SOLVE),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), ...workers.map((w) => w.stop('SIGKILL'))]);
  await events?.close();
  await queue?.close();
  listener?.disconnect();
  store?.redis.disconnect();
  await t.cleanup();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const signature = (a: { requestId: string; providerId: string | null; roomId: string; start: string; status?: string }) =>
  `${a.requestId}|${a.providerId}|${a.roomId}|${Date.parse(a.start)}|${a.status ?? 'booked'}`;

it('a killed worker\'s optimization is picked up by another worker, completes once, and applies whole', async () => {
  await seedLakeshore(store, 'lake-k');
  const before = await listDay(store, 'lake-k', LAKESHORE_DATE);
  expect(before.appointments).toEqual([]);

  // A reader polls the schedule over HTTP for the whole test.
  const seen: { version: number; appointments: string[] }[] = [];
  const unavailable: string[] = [];
  let reading = true;
  const reader = (async () => {
    while (reading && api.child.exitCode === null) {
      const r = await call(api.url, 'GET', `/clinics/lake-k/schedule?date=${LAKESHORE_DATE}&by=room`);
      // On a loaded machine a read may outlast the API's 2 s store deadline: that answer is a 503 saying so
      // (and to retry), never a part of a day.
      if (r.status === 503) {
        unavailable.push(r.body.error);
        await sleep(25);
        continue;
      }
      expect(r.status).toBe(200);
      const appointments = (r.body.groups as { appointments: Parameters<typeof signature>[0][] }[]).flatMap((g) => g.appointments.map(signature));
      seen.push({ version: r.body.version, appointments: appointments.sort() });
      await sleep(25);
    }
  })();
  reader.catch(() => {}); // a failed read fails the test at `await reader` below, not as an unhandled rejection

  let completions = 0;
  const started = await call(api.url, 'POST', '/clinics/lake-k/optimizations', { date: LAKESHORE_DATE });
  expect(started.status).toBe(202);
  const jobId: string = started.body.jobId;
  events.on('completed', (e) => e.jobId === jobId && completions++);

  // Wait until one worker is into the job (reading the day or searching), then kill it without warning.
  const deadline = Date.now() + 30_000;
  let victim: WorkerProcess | undefined;
  while (!victim) {
    const view = await call(api.url, 'GET', `/clinics/lake-k/optimizations/${jobId}`);
    const job = await queue.getJob(jobId);
    const stage = view.body.progress?.stage;
    if ((stage === 'loading' || stage === 'solving') && job?.processedBy) victim = workers.find((w) => w.workerId === job.processedBy);
    if (Date.now() > deadline) throw new Error(`the job never started:\n${workers.map((w) => w.output()).join('\n')}`);
    await sleep(100);
  }
  await sleep(500);
  const stateAtKill = await queue.getJobState(jobId);
  expect(stateAtKill, (await queue.getJob(jobId))?.failedReason ?? '').toBe('active');
  // Its sandboxed processor (a child process) computes the solve; it must not outlive its worker.
  const sandboxes = execFileSync('pgrep', ['-P', String(victim.child.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
  expect(sandboxes.length).toBeGreaterThan(0);
  victim.child.kill('SIGKILL');
  expect((await victim.exited).signal).toBe('SIGKILL');
  const survivor = workers.find((w) => w !== victim)!;

  // The survivor takes it over once the lock lapses, and completes it.
  for (;;) {
    const state = await queue.getJobState(jobId);
    expect(state).not.toBe('failed');
    if (state === 'completed') break;
    if (Date.now() > deadline + 30_000) throw new Error(`the job did not complete:\n${survivor.output()}`);
    await sleep(200);
  }
  const job = (await queue.getJob(jobId))!;
  expect(job.processedBy).toBe(survivor.workerId);
  expect(job.stalledCounter).toBe(1); // it was taken back once, from the killed worker
  expect(job.attemptsStarted).toBe(2);
  // The worker logs the completion once BullMQ has recorded it: the line may follow the state by a moment.
  await until('the survivor to log the completion', async () => (survivor.output().includes('"msg":"job completed"') ? true : undefined), { timeoutMs: 10_000, context: survivor.output });
  // The killed worker's sandbox went with it, and its heartbeat lapses.
  await sleep(3_500);
  for (const pid of sandboxes) expect(alive(pid)).toBe(false);
  expect(await liveWorkers(t.redis, t.prefix)).toEqual([survivor.workerId]);

  const view = await call(api.url, 'GET', `/clinics/lake-k/optimizations/${jobId}`);
  expect(view.body.state).toBe('completed');
  const plan = view.body.plan;
  expect(plan.readVersion).toBe(before.version);
  expect(completions).toBe(1);
  // Nothing reached the schedule before apply.
  expect((await listDay(store, 'lake-k', LAKESHORE_DATE)).version).toBe(before.version);

  const applied = await call(api.url, 'POST', `/clinics/lake-k/optimizations/${jobId}/apply`, {});
  expect(applied.status).toBe(200);
  expect(applied.body.version).toBe(before.version + 1);
  await sleep(300);
  reading = false;
  await reader;

  const after = await listDay(store, 'lake-k', LAKESHORE_DATE);
  expect(after.version).toBe(before.version + 1);
  const planned = (plan.appointments as Parameters<typeof signature>[0][]).map(signature).sort();
  expect(after.appointments.map(signature).sort()).toEqual(planned);
  // Every read saw the whole old day or the whole new day, each with its version.
  expect(seen.length).toBeGreaterThan(20);
  expect(new Set(unavailable)).toEqual(new Set(unavailable.length ? ['store-unavailable'] : []));
  for (const s of seen) {
    if (s.version === before.version) expect(s.appointments).toEqual([]);
    else {
      expect(s.version).toBe(before.version + 1);
      expect(s.appointments).toEqual(planned);
    }
  }
  expect(seen.at(-1)!.version).toBe(before.version + 1);
  expect(completions).toBe(1);
}, 85_000);
