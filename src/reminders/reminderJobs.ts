// The `reminders` queue's jobs. Data: ids only (everything else is read when the job runs). Ids:
// - a reminder: `reminder:<clinic>:<appointment>|<offset>|<start ms>`: from clinic, appointment and offset,
//   so adding it again is a no-op, and from the start it was planned for, so a moved appointment gets a
//   new job (the old one is removed, and would do nothing anyway: it no longer matches);
// - a sweep of a clinic-day: `reminder-sweep:<clinic>:<date>`, re-checking every appointment of the day;
// - a waitlist offer's expiry: `waitlist:<clinic>:<expiry ms>`, one per clinic and instant (waitlistExpiry.ts).
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { Id } from '../contract/primitives.js';
import { LocalDate } from '../jobs/jobIds.js';

// BullMQ takes a custom id with ':' only when it has exactly three ':'-separated parts: the clinic and the
// appointment are percent-encoded (no ':' or '|' is left in them).
const enc = (text: string) => encodeURIComponent(text);

export const reminderJobId = (clinicId: string, appointmentId: string, offset: string, startMs: number) =>
  `reminder:${enc(clinicId)}:${enc(appointmentId)}|${offset}|${startMs}`;

export const sweepJobId = (clinicId: string, date: string) => `reminder-sweep:${enc(clinicId)}:${date}`;

export const SendJobData = z.strictObject({ clinicId: Id, appointmentId: Id, offset: z.string().regex(/^[a-z]+-\d+s$/, 'must be an offset key such as email-86400s') });
export type SendJobData = z.infer<typeof SendJobData>;

export const SweepJobData = z.strictObject({ clinicId: Id, date: LocalDate });
export type SweepJobData = z.infer<typeof SweepJobData>;

export const WAITLIST_JOB = 'waitlist';
export const waitlistJobId = (clinicId: string, atMs: number) => `waitlist:${enc(clinicId)}:${atMs}`;
export const WaitlistJobData = z.strictObject({ clinicId: Id });

const WEEK_S = 7 * 24 * 3600;

/**
 * A reminder retries a failed delivery with backoff (SMTP server or webhook away); a finished one is kept a
 * week, so re-adding its id within that time finds it and does not run it again (the sent-record would
 * stop a second delivery anyway).
 */
export const SEND_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: WEEK_S },
  removeOnFail: { age: 4 * WEEK_S },
};

/** A sweep leaves nothing behind, so the next write to its day can add it again. */
export const SWEEP_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** An offer's expiry: retried while the waitlist's lock is busy; gone once done (the next offer adds its own), a failure kept a week. */
export const WAITLIST_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: { age: WEEK_S },
};
