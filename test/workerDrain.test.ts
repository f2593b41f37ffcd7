// SIGTERM drains a worker: it takes no new job, lets the running optimization finish (and store its
// plan), then exits 0; the job left waiting is another worker's. A worker refuses to start when a solve
// could outlast its drain grace, or when it is given an unknown queue.
import { spawnSync } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { optimizeJobId } from '../src/jobs/jobIds.js';
import { loadPlan } from '../src/jobs/plan.js';
import { liveWorkers } from '../src/jobs/heartbeat.js';
import { JOB_OPTIONS, queuePrefix } from '../src/jobs/queues.js';
import { connectStore, storeReady, type Store } from '../src/store/index.js';
import { LAKESHORE_DATE, seedLakeshore } from './support/lakeshore.js';
import { repoRoot } from './support/paths.js';
import { testRedis } from './support/redis.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('worker-drain');
let store: Store;
let queue: Queue;
const started: WorkerProcess[] = [];

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  queue = new Queue('optimize', { connection: t.redis, prefix: queuePrefix(t.prefix, 'optimize') });
});

afterAll(async () => {
  await Promise.all(started.map((w) => w.stop('SIGKILL')));
  await queue?.close();
  store?.redis.disconnect();
  await t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('SIGTERM lets the running solve finish, takes no new job, and exits 0', async () => {
  await Promise.all([seedLakeshore(store, 'drain-a'), seedLakeshore(store, 'drain-b', 10)]);
  const worker = await startWorker(t.prefix, 'w-drain', 'optimize', { MEDSCHED_OPTIMIZE_SECONDS: '4' });
  started.push(worker);
  const first = optimizeJobId('drain-a', LAKESHORE_DATE);
  await queue.add('optimize', { clinicId: 'drain-a', date: LAKESHORE_DATE }, { ...JOB_OPTIONS.optimize, jobId: first });
  const deadline = Date.now() + 30_000;
  while ((await queue.getJobState(first)) !== 'active') {
    if (Date.now() > deadline) throw new Error(`the job never started:\n${worker.output()}`);
    await sleep(50);
  }

  worker.child.kill('SIGTERM');
  await sleep(300);
  // Taken after the signal: it must wait for another worker.
  const second = optimizeJobId('drain-b', LAKESHORE_DATE);
  await queue.add('optimize', { clinicId: 'drain-b', date: LAKESHORE_DATE }, { ...JOB_OPTIONS.optimize, jobId: second });
  expect(worker.child.exitCode).toBe(null); // still finishing the running solve
  expect(await liveWorkers(t.redis, t.prefix)).not.toContain('w-drain'); // no longer announced as ready to serve

  const exit = await worker.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(await queue.getJobState(first)).toBe('completed');
  const job = await queue.getJob(first);
  expect(job?.processedBy).toBe('w-drain');
  expect(job?.attemptsStarted).toBe(1);
  expect(await loadPlan(store.redis, store.prefix, 'drain-a', first)).not.toBe(null);
  expect(await queue.getJobState(second)).toBe('waiting');
  expect(worker.output()).toMatch(/"msg":"draining: no new jobs/);
  expect(worker.output()).toMatch(/"msg":"drained; exiting"/);

  // The next worker takes the job that waited.
  const next = await startWorker(t.prefix, 'w-next', 'optimize', { MEDSCHED_OPTIMIZE_SECONDS: '1' });
  started.push(next);
  while ((await queue.getJobState(second)) !== 'completed') {
    expect(await queue.getJobState(second)).not.toBe('failed');
    if (Date.now() > deadline + 40_000) throw new Error(`the waiting job was never done:\n${next.output()}`);
    await sleep(200);
  }
  expect((await queue.getJob(second))?.processedBy).toBe('w-next');
}, 85_000);

it('refuses to start when a solve could outlast the drain grace, or with an unknown queue', () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'workers/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, MEDSCHED_PREFIX: t.prefix, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const tooLong = run(['--queues', 'optimize'], { MEDSCHED_OPTIMIZE_SECONDS: '60', MEDSCHED_DRAIN_GRACE_SECONDS: '30' });
  expect(tooLong.status).toBe(2);
  expect(tooLong.stderr).toMatch(/MEDSCHED_OPTIMIZE_SECONDS: .*must end within MEDSCHED_DRAIN_GRACE_SECONDS \(30\)/);
  const typo = run(['--queues', 'optimize,replanz'], {});
  expect(typo.status).toBe(2);
  expect(typo.stderr).toMatch(/unknown queue 'replanz'/);
  const badEnv = run(['--queues', 'optimize'], { MEDSCHED_LOCK_MS: 'soon' });
  expect(badEnv.status).toBe(2);
  expect(badEnv.stderr).toMatch(/MEDSCHED_LOCK_MS: must be a whole number/);
}, 60_000);
