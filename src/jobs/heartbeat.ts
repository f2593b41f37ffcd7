// A worker process announces itself in one sorted set of the deployment (member: its id, score: when its
// beat lapses, by Redis's clock) and a hash beside it (its queues, pid, start); it beats every third of
// its TTL, so a killed worker drops out within one TTL. `/ready` counts the live ones (src/api/readiness.ts)
// with one read of one key: no scan, which on a Redis Cluster would see one node only. Both keys carry one
// hash tag, so each script touches one slot; they expire with the last beat.
import type { RedisClient } from '../store/redisClient.js';
import { READS, WRITES } from '../store/scripts/prelude.js';

export type Heartbeat = { workerId: string; queues: string[]; pid: number; startedAt: string };

export const heartbeatKeys = (prefix: string) => ({ beats: `${prefix}:{workers}:beats`, info: `${prefix}:{workers}:info` });

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: beats, info. ARGV: worker id, TTL ms, heartbeat JSON. Also forgets workers whose beat lapsed. */
const BEAT = `${WRITES}${NOW_MS}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do redis.call('HDEL', KEYS[2], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
-- Both keys live as long as the longest-lived beat (workers may beat with different TTLs).
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
redis.call('PEXPIREAT', KEYS[1], last)
redis.call('PEXPIREAT', KEYS[2], last)
return 1`;

/** KEYS: beats, info. ARGV: worker id. */
const LEAVE = `${WRITES}redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

/** KEYS: beats. The ids of the workers whose beat has not lapsed. */
const LIVE = `${READS}${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`;

/** Writes the heartbeat now and every third of its TTL; the returned function stops and removes it. */
export function startHeartbeat(redis: RedisClient, prefix: string, ttlSeconds: number, beat: Heartbeat, onError: (error: Error) => void): () => Promise<void> {
  const { beats, info } = heartbeatKeys(prefix);
  const value = JSON.stringify(beat);
  const write = () => redis.eval(BEAT, 2, beats, info, beat.workerId, ttlSeconds * 1000, value).catch(onError);
  void write();
  const timer = setInterval(write, (ttlSeconds * 1000) / 3);
  return async () => {
    clearInterval(timer);
    await redis.eval(LEAVE, 2, beats, info, beat.workerId).catch(onError);
  };
}

/** The ids of the live workers of the deployment. */
export async function liveWorkers(redis: RedisClient, prefix: string): Promise<string[]> {
  return (await redis.eval(LIVE, 1, heartbeatKeys(prefix).beats)) as string[];
}
