// The deployment's Redis for commands that need it, from REDIS_URL (or REDIS_CLUSTER_NODES) and
// MEDSCHED_PREFIX as the API reads them; a bad variable or an unreachable Redis is a clear error.
import { z } from 'zod';
import { envProblems, SharedEnv } from '../runtime/envSchema.js';
import { describeTarget, redisTargetOf, redisTargetProblems } from '../runtime/redisTarget.js';
import { connectStore, storeReady, type Store } from '../store/store.js';
import { CliError, EXIT } from './errors.js';

const CONNECT_MS = 5_000;

export async function connectDeployment(command: string, env: Record<string, string | undefined> = process.env): Promise<Store> {
  const parsed = z.object(SharedEnv).safeParse(env);
  const problems = parsed.success ? redisTargetProblems(parsed.data) : envProblems(parsed.error);
  if (!parsed.success || problems.length > 0) throw new CliError(`${command}: invalid environment: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const target = redisTargetOf(parsed.data);
  const store = connectStore(target, parsed.data.MEDSCHED_PREFIX);
  store.redis.on('error', () => {}); // reported below, once
  try {
    await storeReady(store, CONNECT_MS);
  } catch {
    store.redis.disconnect();
    throw new CliError(`${command}: cannot reach Redis at ${describeTarget(target)} within ${CONNECT_MS / 1000} s`, EXIT.failed);
  }
  return store;
}
