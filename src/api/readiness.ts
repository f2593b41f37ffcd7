// What `GET /ready` checks: Redis answers a PING, evicts nothing (`maxmemory-policy noeviction`: an
// evicted key would be a lost booking), and a worker process has reported in recently. On a Redis Cluster
// every master is asked (each holds part of the data), and the heartbeats are one key (src/jobs/heartbeat.ts).
import { liveWorkers } from '../jobs/heartbeat.js';
import { mastersOf, type Master, type RedisClient } from '../store/redisClient.js';

export type Readiness = {
  ready: boolean;
  redis: 'ok' | 'unreachable';
  maxmemoryPolicy: string | null;
  workers: number | null;
  problems: string[];
};

export async function checkReadiness(redis: RedisClient, prefix: string, requireWorkers: boolean, budgetMs: number): Promise<Readiness> {
  const deadline = Date.now() + budgetMs;
  const within = <T>(work: Promise<T>): Promise<T> =>
    Promise.race([
      work,
      new Promise<T>((_, reject) => setTimeout(() => reject(new Error('Command timed out')), Math.max(0, deadline - Date.now())).unref()),
    ]);
  const { masters, unownedSlots } = mastersOf(redis);
  const pings = await Promise.allSettled(masters.map((m) => (m.node ? within(m.node.ping()) : Promise.reject(new Error('not connected')))));
  const answering = masters.flatMap((m, i) => (pings[i]!.status === 'fulfilled' && m.node ? [{ ...m, node: m.node }] : []));
  if (answering.length === 0)
    return { ready: false, redis: 'unreachable', maxmemoryPolicy: null, workers: null, problems: ['Redis did not answer PING'] };
  const problems: string[] = [];
  // On a cluster: part of the data is out of reach (a master gone, slots without a master).
  const silent = masters.filter((m) => !answering.some((a) => a.address === m.address));
  if (silent.length > 0) problems.push(`Redis Cluster master ${silent.map((m) => m.address).join(', ')} did not answer PING`);
  if (unownedSlots > 0) problems.push(`${unownedSlots} Redis Cluster slots have no master`);
  const named = masters.length > 1 ? (m: Master) => ` on ${m.address}` : () => '';
  let policy: string | null = null;
  let workers: number | null = null;
  try {
    // INFO rather than CONFIG GET: managed Redis services often disable CONFIG.
    const infos = await within(Promise.all(answering.map((m) => m.node.info('memory'))));
    const policies = infos.map((info) => /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null);
    // The one policy of all masters, else the first that is not noeviction (the problems name each).
    const odd = policies.findIndex((p) => p !== 'noeviction');
    policy = odd === -1 ? 'noeviction' : (policies[odd] ?? null);
    policies.forEach((p, i) => {
      if (p !== 'noeviction') problems.push(`Redis maxmemory-policy is ${p ?? 'unknown'}${named(answering[i]!)}; it must be noeviction (an evicted key is lost data)`);
    });
    workers = (await within(liveWorkers(redis, prefix))).length;
    if (requireWorkers && workers === 0) problems.push('no worker process has reported in (start one with npm run worker)');
  } catch {
    problems.push('Redis answered PING but not the readiness queries in time');
  }
  return { ready: problems.length === 0, redis: 'ok', maxmemoryPolicy: policy, workers, problems };
}
