// What a sandboxed processor (a child process of a worker) sets up once and keeps for its next jobs:
// the configuration (the same environment as its parent, which validated it) and a store connection.
import { loadWorkerConfig, type WorkerConfig } from '../src/jobs/workerConfig.js';
import { connectStore, storeReady, type Store } from '../src/store/store.js';

export type ProcessorContext = { config: WorkerConfig; store: Store };

let context: Promise<ProcessorContext> | undefined;

// A child whose worker died (kill -9) must not run on: its job is already another worker's.
if (process.send) process.on('disconnect', () => process.exit(1));

export function processorContext(): Promise<ProcessorContext> {
  context ??= (async () => {
    const loaded = loadWorkerConfig(process.env);
    if (!loaded.ok) throw new Error(`invalid configuration: ${loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    const store = connectStore(loaded.config.redis, loaded.config.prefix);
    store.redis.on('error', () => {}); // a failing command reports it, and the job retries
    await storeReady(store);
    return { config: loaded.config, store };
  })();
  // A failed start-up is retried by the next job, not remembered.
  context.catch(() => (context = undefined));
  return context;
}
