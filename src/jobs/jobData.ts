// What a job carries: ids only. Everything else (the set-up, the day, the events, a booking batch) is
// read from the store when the job runs, so a job always works on the current data and stays small.
import { z } from 'zod';
import { Id } from '../contract/primitives.js';
import { LocalDate } from './jobIds.js';

/**
 * `runId` names one run (its plan gets it as planId); two requests racing to start the clinic-day's
 * run both add the same job id, and the run id stored tells which of them created it.
 */
export const OptimizeJobData = z.object({ clinicId: Id, date: LocalDate, runId: z.string().optional() });
export type OptimizeJobData = z.infer<typeof OptimizeJobData>;

/** The events a re-plan works on are found through its job id (replanCoalescing.ts), not in its data. */
export const ReplanJobData = z.object({ clinicId: Id, date: LocalDate });
export type ReplanJobData = z.infer<typeof ReplanJobData>;

export const BookingsJobData = z.object({ clinicId: Id, batchId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export type BookingsJobData = z.infer<typeof BookingsJobData>;
