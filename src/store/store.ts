import { Redis } from 'ioredis';

/**
 * A connection to the store and the key prefix of the deployment. `clockOffsetMs` (tests only) is added
 * to Redis's clock inside the scripts, so a test can let holds expire without waiting.
 */
export type Store = { redis: Redis; prefix: string; clockOffsetMs?: number };

/**
 * The API's connection: it fails fast instead of queueing while Redis is away (no offline queue, 1.5 s to
 * connect or to answer a command, so a request answers 503 within 2 s), and keeps reconnecting in the background.
 */
export function connectStore(url: string, prefix: string): Store {
  const redis = new Redis(url, {
    connectTimeout: 1500,
    commandTimeout: 1500,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
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
