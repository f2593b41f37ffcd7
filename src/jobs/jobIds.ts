// Queue names and job ids. A job id is derived from what the job is about (clinic and date), so adding
// the same job twice finds the one already there instead of starting a second run.
import { z } from 'zod';

export const QUEUE_NAMES = ['optimize', 'replan', 'bookings'] as const;
export const QueueName = z.enum(QUEUE_NAMES);
export type QueueName = z.infer<typeof QueueName>;

/** Every queue a worker may serve: the jobs' queues above and `reminders` (src/reminders/, not jobs the API follows). */
export const WORKER_QUEUES = [...QUEUE_NAMES, 'reminders'] as const;
export const WorkerQueue = z.enum(WORKER_QUEUES);
export type WorkerQueue = z.infer<typeof WorkerQueue>;

export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

// BullMQ refuses a custom id with a ':' unless it has exactly three ':'-separated parts, and a clinic id
// may hold any character: it is percent-encoded (':' becomes %3A), which keeps the id reversible.
const enc = (clinicId: string) => encodeURIComponent(clinicId);

export const optimizeJobId = (clinicId: string, date: string) => `optimize:${enc(clinicId)}:${date}`;

/** The n-th re-plan of a clinic-day (see replanCoalescing.ts for why there is a counter). */
export const replanJobId = (clinicId: string, date: string, n: number) => `replan:${enc(clinicId)}:${date}.${n}`;

export const bookingsJobId = (clinicId: string, batchId: string) => `bookings:${enc(clinicId)}:${batchId}`;

export type ParsedJobId =
  | { queue: 'optimize'; clinicId: string; date: string }
  | { queue: 'replan'; clinicId: string; date: string; n: number }
  | { queue: 'bookings'; clinicId: string; batchId: string };

/** Reads a job id back; null when it is none of ours (a route answers 404). */
export function parseJobId(jobId: string): ParsedJobId | null {
  const parts = jobId.split(':');
  if (parts.length !== 3) return null;
  const [queue, encoded, rest] = parts as [string, string, string];
  let clinicId: string;
  try {
    clinicId = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  if (clinicId === '' || enc(clinicId) !== encoded) return null;
  if (queue === 'optimize' && /^\d{4}-\d{2}-\d{2}$/.test(rest)) return { queue, clinicId, date: rest };
  const replan = /^(\d{4}-\d{2}-\d{2})\.([1-9]\d{0,14})$/.exec(rest);
  if (queue === 'replan' && replan) return { queue, clinicId, date: replan[1]!, n: Number(replan[2]) };
  if (queue === 'bookings' && /^[A-Za-z0-9_-]{1,64}$/.test(rest)) return { queue, clinicId, batchId: rest };
  return null;
}
