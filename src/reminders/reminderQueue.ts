// The `reminders` queue's producer: the API schedules reminders on it, and so do the workers that book
// (bulk bookings) or sweep. Its keys carry the queue's hash tag like every queue's (queues.ts).
import { Queue } from 'bullmq';
import { queuePrefix } from '../jobs/queues.js';
import type { RedisClient } from '../store/redisClient.js';

export const REMINDERS_QUEUE = 'reminders';

export function remindersQueue(connection: RedisClient, prefix: string): Queue {
  return new Queue(REMINDERS_QUEUE, { connection, prefix: queuePrefix(prefix, REMINDERS_QUEUE) });
}
