// The BullMQ side shared by the API (adds jobs, reads them, listens to their events) and the workers:
// connections, queue options and the retry policy of each queue.
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { RedisTarget } from '../runtime/redisTarget.js';
import { blockingClient, failFastClient, type RedisClient } from '../store/redisClient.js';
import type { QueueName, WorkerQueue } from './jobIds.js';

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
 * BullMQ's key prefix of a queue: the deployment's prefix and a hash tag of the queue, so that each
 * queue's keys live in one Redis Cluster slot (BullMQ's scripts touch several of them at once) and the
 * queues spread over the cluster's nodes. The same keys on one Redis.
 */
export const queuePrefix = (prefix: string, queue: WorkerQueue) => `${prefix}:{q:${queue}}`;

export type JobQueues = {
  queue: Record<QueueName, Queue>;
  /** Completion, failure and progress events of each queue (one listener connection each). */
  events: Record<QueueName, QueueEvents>;
  close(): Promise<void>;
};

/**
 * A producer's connection fails fast while Redis is away (an HTTP request gets 503, not a hang);
 * the event listeners' blocking connections wait and reconnect, as BullMQ requires.
 */
export function openJobQueues(target: RedisTarget, prefix: string, timeoutMs: number): JobQueues {
  const connection = failFastClient(target, timeoutMs);
  connection.on('error', () => {}); // reported by the commands that fail
  const listeners: RedisClient[] = [];
  const make = (name: QueueName) => {
    const listener = blockingClient(target);
    listener.on('error', () => {});
    listeners.push(listener);
    const events = new QueueEvents(name, { connection: listener, prefix: queuePrefix(prefix, name) });
    events.on('error', () => {});
    events.setMaxListeners(0); // one listener per waiting request or event stream
    return { queue: new Queue(name, { connection, prefix: queuePrefix(prefix, name) }), events };
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
