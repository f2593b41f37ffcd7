// What `GET /ready` checks: Redis answers a PING, evicts nothing (`maxmemory-policy noeviction`: an
// evicted key would be a lost booking), and a worker process has reported in recently.
import type { Redis } from 'ioredis';

/**
 * Worker heartbeat keys: each worker process sets `${prefix}:workers:<workerId>` (any JSON value) with a
 * TTL of WORKER_HEARTBEAT_TTL_MS and refreshes it well within that; a key that exists is a live worker.
 */
export const workerHeartbeatKey = (prefix: string, workerId: string) => `${prefix}:workers:${workerId}`;
export const WORKER_HEARTBEAT_TTL_MS = 15_000;

export type Readiness = {
  ready: boolean;
  redis: 'ok' | 'unreachable';
  maxmemoryPolicy: string | null;
  workers: number | null;
  problems: string[];
};

export async function checkReadiness(redis: Redis, prefix: string, requireWorkers: boolean, budgetMs: number): Promise<Readiness> {
  const deadline = Date.now() + budgetMs;
  const within = <T>(work: Promise<T>): Promise<T> =>
    Promise.race([
      work,
      new Promise<T>((_, reject) => setTimeout(() => reject(new Error('Command timed out')), Math.max(0, deadline - Date.now())).unref()),
    ]);
  try {
    await within(redis.ping());
  } catch {
    return { ready: false, redis: 'unreachable', maxmemoryPolicy: null, workers: null, problems: ['Redis did not answer PING'] };
  }
  const problems: string[] = [];
  let policy: string | null = null;
  let workers: number | null = null;
  try {
    // INFO rather than CONFIG GET: managed Redis services often disable CONFIG.
    const info = await within(redis.info('memory'));
    policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
    if (policy !== 'noeviction')
      problems.push(`Redis maxmemory-policy is ${policy ?? 'unknown'}; it must be noeviction (an evicted key is lost data)`);
    workers = await within(countWorkers(redis, prefix, deadline));
    if (requireWorkers && workers === 0) problems.push('no worker process has reported in (start one with npm run worker)');
  } catch {
    problems.push('Redis answered PING but not the readiness queries in time');
  }
  return { ready: problems.length === 0, redis: 'ok', maxmemoryPolicy: policy, workers, problems };
}

/** Live worker heartbeats, scanning until one is found or the keyspace ends (bounded by the deadline). */
async function countWorkers(redis: Redis, prefix: string, deadline: number): Promise<number> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:workers:*`, 'COUNT', 1000);
    for (const key of keys) seen.add(key);
    cursor = next;
  } while (cursor !== '0' && Date.now() < deadline);
  return seen.size;
}
