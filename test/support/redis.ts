// A Redis connection for one test file, under a key prefix of its own; cleanup deletes every key under it.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_URL } from './redisGlobalSetup.js';

export type TestRedis = { redis: Redis; prefix: string; url: string; cleanup: () => Promise<void> };

export function testRedis(name: string): TestRedis {
  const prefix = `medsched-test:${name}:${randomUUID().slice(0, 8)}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const cleanup = async () => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  };
  return { redis, prefix, url: REDIS_URL, cleanup };
}
