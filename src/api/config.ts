// The API's settings, read once from the environment at start and validated, so a typo stops the
// process with a message naming the variable instead of surfacing later as odd behaviour.
import { NoShowEnv } from '../runtime/noShowEnv.js';
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { envFlag, envInt, envProblems, envText, SharedEnv } from '../runtime/envSchema.js';
import { redisTargetOf, redisTargetProblems, type RedisTarget } from '../runtime/redisTarget.js';
import { LimitsEnv, limitsConfigOf, type LimitsConfig } from './limitsEnv.js';
import type { AccessSettings } from './access.js';
import { AuthEnv, authConfigOf } from './authEnv.js';
import { ReminderApiEnv, reminderApiConfigOf, type ReminderApiConfig } from '../reminders/reminderConfig.js';
import { BriefingEnv, briefingConfigOf, type BriefingConfig } from './briefingEnv.js';
import { DataKeyEnv, fieldCipherOf } from '../runtime/dataKeyEnv.js';
import type { FieldCipher } from '../privacy/fieldCipher.js';

export const Env = z.object({
  PORT: envInt(0, 65_535, 3000),
  HOST: envText(z.string(), '127.0.0.1'),
  ...SharedEnv,
  LOG_LEVEL: envText(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }),
    'info',
  ),
  /** Largest request body in bytes; bigger ones get 413. */
  BODY_LIMIT: envInt(1024, 64 * 1024 * 1024, 1024 * 1024),
  /** A request not answered within this many ms gets 503 (the work it started may still finish). */
  REQUEST_DEADLINE_MS: envInt(100, 600_000, 10_000),
  /** Hold length when the caller names none, and the longest a caller may ask for. */
  HOLD_DEFAULT_SECONDS: envInt(1, 86_400, 300),
  HOLD_MAX_SECONDS: envInt(1, 86_400, 900),
  /** Live holds one caller may have in one clinic at once. */
  MAX_HOLDS_PER_CALLER: envInt(1, 10_000, 20),
  /** `/ready` also requires a worker heartbeat (set false for an API-only deployment). */
  READY_REQUIRE_WORKERS: envFlag(true),
  /** On SIGTERM/SIGINT: stop accepting, let requests in flight finish for at most this long, then exit. */
  SHUTDOWN_GRACE_MS: envInt(0, 600_000, 10_000),
  /** Rate limits, CORS origins, trusted proxies: see limitsEnv.ts. */
  ...LimitsEnv,
  /** Bearer tokens (MEDSCHED_JWT_*) and the integration role's actions: see authEnv.ts. */
  ...AuthEnv,
  /** Reminders' link secret (MEDSCHED_REMINDER_LINK_SECRET) and sweep delay: see src/reminders/reminderConfig.ts. */
  ...ReminderApiEnv,
  /** The key sealing patients' contact fields at rest (MEDSCHED_DATA_KEY*): see src/runtime/dataKeyEnv.ts. */
  ...DataKeyEnv,
  /** Calendar subscription links of daily briefings: see briefingEnv.ts. */
  ...BriefingEnv,
  ...NoShowEnv,
});

export type ApiConfig = {
  port: number;
  host: string;
  /** One Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
  redis: RedisTarget;
  prefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimit: number;
  requestDeadlineMs: number;
  holdDefaultSeconds: number;
  holdMaxSeconds: number;
  maxHoldsPerCaller: number;
  readyRequiresWorkers: boolean;
  shutdownGraceMs: number;
  /** How callers authenticate and what the integration role may do. */
  access: AccessSettings;
  /** Reminders: the secret of their confirm/cancel links, the delay of a clinic-day's repair sweep. */
  reminders: ReminderApiConfig;
  /** Seals patients' contact fields at rest; undefined: they are stored in the clear. */
  patientCipher: FieldCipher | undefined;
  /** Daily briefings' calendar links. */
  briefings: BriefingConfig;
  /** Days of history the no-show risk model reads before the date asked about. */
  noShowLookbackDays: number;
} & LimitsConfig;

/** Reads the configuration from `env`; every bad variable is listed by name. */
export function loadConfig(env: Record<string, string | undefined>): { ok: true; config: ApiConfig } | { ok: false; problems: Problem[] } {
  const result = Env.safeParse(env);
  if (!result.success)
    return { ok: false, problems: envProblems(result.error) };
  const e = result.data;
  const problems: Problem[] = redisTargetProblems(e);
  if (e.HOLD_DEFAULT_SECONDS > e.HOLD_MAX_SECONDS)
    problems.push({ path: 'HOLD_DEFAULT_SECONDS', message: `must not exceed HOLD_MAX_SECONDS (${e.HOLD_MAX_SECONDS})` });
  const auth = authConfigOf(e, e.HOST);
  if (!auth.ok) problems.push(...auth.problems);
  const data = fieldCipherOf(e);
  if (!data.ok) problems.push(...data.problems);
  if (problems.length > 0 || !auth.ok || !data.ok) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      redis: redisTargetOf(e),
      prefix: e.MEDSCHED_PREFIX,
      logLevel: e.LOG_LEVEL,
      bodyLimit: e.BODY_LIMIT,
      requestDeadlineMs: e.REQUEST_DEADLINE_MS,
      holdDefaultSeconds: e.HOLD_DEFAULT_SECONDS,
      holdMaxSeconds: e.HOLD_MAX_SECONDS,
      maxHoldsPerCaller: e.MAX_HOLDS_PER_CALLER,
      readyRequiresWorkers: e.READY_REQUIRE_WORKERS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      access: auth.access,
      reminders: reminderApiConfigOf(e, auth.access.jwt.secret),
      briefings: briefingConfigOf(e, auth.access.jwt.secret),
      patientCipher: data.cipher,
      noShowLookbackDays: e.NO_SHOW_LOOKBACK_DAYS,
      ...limitsConfigOf(e),
    },
  };
}
