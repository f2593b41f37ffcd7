// A worker process announces itself with a key that expires unless refreshed: `/ready` counts workers
// while such keys exist (src/api/readiness.ts reads them), and a killed worker disappears within one TTL.
import type { Redis } from 'ioredis';
import { workerHeartbeatKey } from '../api/readiness.js';

export type Heartbeat = { workerId: string; queues: string[]; pid: number; startedAt: string };

/** Writes the heartbeat now and every third of its TTL; the returned function stops and deletes it. */
export function startHeartbeat(redis: Redis, prefix: string, ttlSeconds: number, beat: Heartbeat, onError: (error: Error) => void): () => Promise<void> {
  const key = workerHeartbeatKey(prefix, beat.workerId);
  const value = JSON.stringify(beat);
  const write = () => redis.set(key, value, 'EX', ttlSeconds).catch(onError);
  void write();
  const timer = setInterval(write, (ttlSeconds * 1000) / 3);
  return async () => {
    clearInterval(timer);
    await redis.del(key).catch(onError);
  };
}
