import type { RedisTarget } from '../runtime/redisTarget.js';
import { failFastClient, type RedisClient } from './redisClient.js';

/**
 * A connection to the store (one Redis or a Redis Cluster) and the key prefix of the deployment.
 * `clockOffsetMs` (tests only) is added to Redis's clock inside the scripts, so a test can let holds
 * expire without waiting.
 */
export type Store = { redis: RedisClient; prefix: string; clockOffsetMs?: number };

/**
 * The API's connection: it fails fast instead of queueing while Redis is away (1.5 s to connect or to
 * answer a command, so a request answers 503 within 2 s), and keeps reconnecting in the background.
 * A URL is one Redis.
 */
export function connectStore(target: RedisTarget | string, prefix: string): Store {
  const redis = failFastClient(typeof target === 'string' ? { kind: 'single', url: target } : target, 1500);
  return { redis, prefix };
}

/** Resolves once the connection is ready (or at once if it is), rejects after `timeoutMs`. */
export function storeReady(store: Store, timeoutMs = 5000): Promise<void> {
  if (store.redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.redis.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    store.redis.once('ready', onReady);
  });
}
