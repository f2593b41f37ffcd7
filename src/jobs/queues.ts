// The BullMQ side shared by the API (adds jobs, reads them, listens to their events) and the workers:
// connections, queue options and the retry policy of each queue.
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueName } from './jobIds.js';

const KEEP = { age: 7 * 24 * 3600 };

/**
 * Transient failures (Redis away, a crashed solver thread) are retried with exponential backoff; bad
 * input fails at once (the processors throw UnrecoverableError). Finished jobs are kept a week so their
 * state and plan can be read.
 */
export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  optimize: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: KEEP, removeOnFail: KEEP },
  replan: { attempts: 3, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: KEEP, removeOnFail: KEEP },
  bookings: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: KEEP, removeOnFail: KEEP },
};

/**
 * A producer's connection fails fast while Redis is away (an HTTP request gets 503, not a hang);
 * the event listeners' blocking connection waits and reconnects, as BullMQ requires.
 */
export function producerConnection(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
}

export function blockingConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 100, 1000) });
}

export type JobQueues = {
  queue: Record<QueueName, Queue>;
  /** Completion, failure and progress events of each queue (one listener connection each). */
  events: Record<QueueName, QueueEvents>;
  close(): Promise<void>;
};

export function openJobQueues(url: string, prefix: string, timeoutMs: number): JobQueues {
  const connection = producerConnection(url, timeoutMs);
  connection.on('error', () => {}); // reported by the commands that fail
  const listeners: Redis[] = [];
  const make = (name: QueueName) => {
    const listener = blockingConnection(url);
    listener.on('error', () => {});
    listeners.push(listener);
    const events = new QueueEvents(name, { connection: listener, prefix });
    events.on('error', () => {});
    events.setMaxListeners(0); // one listener per waiting request or event stream
    return { queue: new Queue(name, { connection, prefix }), events };
  };
  const optimize = make('optimize');
  const replan = make('replan');
  const bookings = make('bookings');
  return {
    queue: { optimize: optimize.queue, replan: replan.queue, bookings: bookings.queue },
    events: { optimize: optimize.events, replan: replan.events, bookings: bookings.events },
    async close() {
      await Promise.allSettled([optimize, replan, bookings].flatMap((q) => [q.queue.close(), q.events.close()]));
      connection.disconnect();
      for (const l of listeners) l.disconnect();
    },
  };
}
