// Connections to the deployment's Redis, one server or a Redis Cluster alike (ioredis `Redis` or
// `Cluster`): the same settings either way, so the API fails as fast on a cluster as on one server.
import { Cluster, Redis } from 'ioredis';
import type { RedisTarget } from '../runtime/redisTarget.js';

export type RedisClient = Redis | Cluster;

const reconnect = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * Fails fast instead of queueing while Redis is away (no offline queue, `timeoutMs` to connect or to
 * answer a command), and keeps reconnecting in the background. On a cluster a command whose node is
 * gone is tried again at most 5 times, 100 ms apart (MOVED and ASK count too; one is normal while slots
 * move), so it also fails within the API's 2 s.
 */
export function failFastClient(target: RedisTarget, timeoutMs: number): RedisClient {
  const perCommand = { connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0 };
  if (target.kind === 'single') return new Redis(target.url, { ...perCommand, enableOfflineQueue: false, retryStrategy: reconnect });
  return new Cluster(target.nodes, {
    redisOptions: perCommand,
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnect,
    slotsRefreshTimeout: timeoutMs,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    maxRedirections: 5,
  });
}

/** Waits for Redis and retries for ever, as BullMQ requires of workers' and event listeners' connections. */
export function blockingClient(target: RedisTarget): RedisClient {
  if (target.kind === 'single') return new Redis(target.url, { maxRetriesPerRequest: null, retryStrategy: reconnect });
  return new Cluster(target.nodes, { redisOptions: { maxRetriesPerRequest: null }, clusterRetryStrategy: reconnect });
}

export type Master = { address: string; node: Redis | null };

const CLUSTER_SLOTS = 16_384;

/**
 * The servers that hold data: the one server, or each master that owns slots in the cluster's slot table
 * (`node` null while there is no connection to it), and how many slots have no master at all.
 */
export function mastersOf(redis: RedisClient): { masters: Master[]; unownedSlots: number } {
  const address = (n: Redis) => `${n.options.host}:${n.options.port}`;
  if (!(redis instanceof Cluster)) return { masters: [{ address: address(redis), node: redis }], unownedSlots: 0 };
  const connected = new Map(redis.nodes('master').map((n) => [address(n), n]));
  const owners = new Set<string>();
  let unownedSlots = 0;
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    const owner = redis.slots[slot]?.[0];
    if (owner === undefined) unownedSlots++;
    else owners.add(owner);
  }
  // Nothing known yet (never connected): no masters rather than every slot unowned.
  if (owners.size === 0) return { masters: [], unownedSlots: 0 };
  return { masters: [...owners].map((a) => ({ address: a, node: connected.get(a) ?? null })), unownedSlots };
}
