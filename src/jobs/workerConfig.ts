// A worker process's settings, read once from the environment at start and validated: a typo stops the
// process with the variable's name, and a solve deadline that would not fit in the drain grace is refused.
import { hostname } from 'node:os';
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { envInt, envProblems, envText, SharedEnv } from '../runtime/envSchema.js';
import { redisTargetOf, redisTargetProblems, type RedisTarget } from '../runtime/redisTarget.js';
import { DEFAULT_GRACE_MS } from '../runtime/optimizeInThread.js';
import { DataKeyEnv, fieldCipherOf } from '../runtime/dataKeyEnv.js';
import { NoShowEnv } from '../runtime/noShowEnv.js';
import type { FieldCipher } from '../privacy/fieldCipher.js';

export const WorkerEnv = z.object({
  ...SharedEnv,
  LOG_LEVEL: envText(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }),
    'info',
  ),
  /** Names this process in its heartbeat key and on the jobs it processes (default: host-pid). */
  MEDSCHED_WORKER_ID: envText(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -'), ''),
  /** How long an optimization searches (its time limit). */
  MEDSCHED_OPTIMIZE_SECONDS: envInt(1, 3_600, 60),
  /** Safety limit of a re-plan's exact solve. */
  MEDSCHED_REPLAN_SECONDS: envInt(1, 600, 2),
  /** On SIGTERM: stop taking jobs and let the current ones finish for at most this long. */
  MEDSCHED_DRAIN_GRACE_SECONDS: envInt(1, 7_200, 120),
  /** A job's lock; a worker that stops renewing it (killed) loses the job to another after about this long. */
  MEDSCHED_LOCK_MS: envInt(1_000, 600_000, 30_000),
  /** How often workers look for jobs whose lock has lapsed. */
  MEDSCHED_STALLED_INTERVAL_MS: envInt(500, 600_000, 30_000),
  /** A job may be picked up again after its worker died this many times before it fails. */
  MEDSCHED_MAX_STALLED: envInt(0, 100, 2),
  /** The heartbeat key's TTL; it is refreshed every third of it. */
  MEDSCHED_HEARTBEAT_SECONDS: envInt(2, 3_600, 15),
  /** How often a re-plan waiting behind the clinic-day's active one checks again. */
  MEDSCHED_REPLAN_POLL_MS: envInt(50, 60_000, 500),
  /** Bulk bookings handled at once by one worker process (each is a short Redis script). */
  MEDSCHED_BOOKINGS_CONCURRENCY: envInt(1, 100, 4),
  /** The key patients' contact fields are sealed with, as the API has it (src/runtime/dataKeyEnv.ts). */
  ...DataKeyEnv,
  /** The no-show model's history, as the API reads it: overbooking plans use its estimates. */
  ...NoShowEnv,
});

export type WorkerConfig = {
  /** One Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
  redis: RedisTarget;
  prefix: string;
  workerId: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  optimizeMs: number;
  replanMs: number;
  drainGraceMs: number;
  lockMs: number;
  stalledIntervalMs: number;
  maxStalled: number;
  heartbeatSeconds: number;
  replanPollMs: number;
  bookingsConcurrency: number;
  /** Opens (and seals) patients' contact fields; undefined: they are stored in the clear. */
  patientCipher: FieldCipher | undefined;
  noShowLookbackDays: number;
};

/** Loading the day and storing the plan, on top of the solve itself: what the drain grace must also leave room for. */
export const STORE_MARGIN_MS = 5_000;

export function loadWorkerConfig(env: Record<string, string | undefined>): { ok: true; config: WorkerConfig } | { ok: false; problems: Problem[] } {
  const result = WorkerEnv.safeParse(env);
  if (!result.success)
    return { ok: false, problems: envProblems(result.error) };
  const e = result.data;
  const drainGraceMs = e.MEDSCHED_DRAIN_GRACE_SECONDS * 1000;
  const problems: Problem[] = redisTargetProblems(e);
  // An optimization may run past its time limit by the thread's grace before it is cut off.
  const optimizeWorst = e.MEDSCHED_OPTIMIZE_SECONDS * 1000 + DEFAULT_GRACE_MS + STORE_MARGIN_MS;
  if (optimizeWorst >= drainGraceMs)
    problems.push({
      path: 'MEDSCHED_OPTIMIZE_SECONDS',
      message: `an optimization (${e.MEDSCHED_OPTIMIZE_SECONDS} s + ${(DEFAULT_GRACE_MS + STORE_MARGIN_MS) / 1000} s to stop and store) must end within MEDSCHED_DRAIN_GRACE_SECONDS (${e.MEDSCHED_DRAIN_GRACE_SECONDS})`,
    });
  if (e.MEDSCHED_REPLAN_SECONDS * 1000 + STORE_MARGIN_MS >= drainGraceMs)
    problems.push({
      path: 'MEDSCHED_REPLAN_SECONDS',
      message: `a re-plan (${e.MEDSCHED_REPLAN_SECONDS} s + ${STORE_MARGIN_MS / 1000} s to store) must end within MEDSCHED_DRAIN_GRACE_SECONDS (${e.MEDSCHED_DRAIN_GRACE_SECONDS})`,
    });
  const data = fieldCipherOf(e);
  if (!data.ok) problems.push(...data.problems);
  if (problems.length > 0 || !data.ok) return { ok: false, problems };
  return {
    ok: true,
    config: {
      redis: redisTargetOf(e),
      prefix: e.MEDSCHED_PREFIX,
      workerId: e.MEDSCHED_WORKER_ID || `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${process.pid}`,
      logLevel: e.LOG_LEVEL,
      optimizeMs: e.MEDSCHED_OPTIMIZE_SECONDS * 1000,
      replanMs: e.MEDSCHED_REPLAN_SECONDS * 1000,
      drainGraceMs,
      lockMs: e.MEDSCHED_LOCK_MS,
      stalledIntervalMs: e.MEDSCHED_STALLED_INTERVAL_MS,
      maxStalled: e.MEDSCHED_MAX_STALLED,
      heartbeatSeconds: e.MEDSCHED_HEARTBEAT_SECONDS,
      replanPollMs: e.MEDSCHED_REPLAN_POLL_MS,
      bookingsConcurrency: e.MEDSCHED_BOOKINGS_CONCURRENCY,
      patientCipher: data.cipher,
      noShowLookbackDays: e.NO_SHOW_LOOKBACK_DAYS,
    },
  };
}
