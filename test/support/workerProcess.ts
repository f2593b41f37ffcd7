// Worker processes for the job tests: `tsx workers/main.ts --queues ...` with its own environment,
// waited for until its heartbeat appears; stopped with a signal of the test's choosing.
import { spawn, type ChildProcess } from 'node:child_process';
import { liveWorkers } from '../../src/jobs/heartbeat.js';
import { ClusterNodes, type RedisTarget } from '../../src/runtime/redisTarget.js';
import { blockingClient } from '../../src/store/redisClient.js';
import { repoRoot } from './paths.js';
import { REDIS_URL } from './redisGlobalSetup.js';

export type WorkerProcess = {
  workerId: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (drain) unless told otherwise; resolves once it exited. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Settings that make a killed worker's job come back quickly, and solves short. */
export const FAST_WORKER_ENV = {
  MEDSCHED_OPTIMIZE_SECONDS: '3',
  MEDSCHED_REPLAN_SECONDS: '5',
  MEDSCHED_DRAIN_GRACE_SECONDS: '60',
  MEDSCHED_LOCK_MS: '2000',
  MEDSCHED_STALLED_INTERVAL_MS: '1000',
  MEDSCHED_HEARTBEAT_SECONDS: '3',
  MEDSCHED_REPLAN_POLL_MS: '200',
};

export async function startWorker(prefix: string, workerId: string, queues: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', queues], {
    cwd: repoRoot,
    env: { ...process.env, REDIS_URL, MEDSCHED_PREFIX: prefix, MEDSCHED_WORKER_ID: workerId, ...FAST_WORKER_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker: WorkerProcess = {
    workerId,
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  // Ready once its heartbeat is written (its workers are created just before), on the Redis it was given.
  const target: RedisTarget = env.REDIS_CLUSTER_NODES
    ? { kind: 'cluster', nodes: ClusterNodes.parse(env.REDIS_CLUSTER_NODES) }
    : { kind: 'single', url: env.REDIS_URL || REDIS_URL };
  const redis = blockingClient(target);
  redis.on('error', () => {});
  try {
    const deadline = Date.now() + 30_000;
    while (!(await liveWorkers(redis, prefix)).includes(workerId)) {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) before it reported in:\n${output}`);
      if (Date.now() > deadline) {
        await worker.stop('SIGKILL');
        throw new Error(`the worker did not report in within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    redis.disconnect();
  }
  return worker;
}
