// Runs once before the suite: the service tests talk to a real Redis. If none answers, the suite stops
// here with how to start one, instead of every Redis test failing (or, worse, being skipped).
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export default async function redisReachable(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {}); // reported below
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `The tests need Redis at ${REDIS_URL} (set REDIS_URL for another) and could not reach it: ${(error as Error).message}.\n` +
        `Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    );
  } finally {
    redis.disconnect();
  }
}
