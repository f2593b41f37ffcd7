// A waitlist offer that runs out passes to the next in line at once, not only when someone next reads the
// waitlist: each live offer's expiry has a delayed job on the `reminders` queue (one per clinic and
// instant), and the reminders worker advances the clinic's waitlist when it falls due.
import type { Queue } from 'bullmq';
import type { WaitlistEntry } from '../contract/waitlist.js';
import { getSetup } from '../store/setup.js';
import type { Store } from '../store/store.js';
import { readWaitlist } from '../store/waitlist.js';
import { advanceWaitlist } from '../store/waitlistFlow.js';
import { WAITLIST_JOB, WAITLIST_JOB_OPTIONS, WaitlistJobData, waitlistJobId } from './reminderJobs.js';

/** Past the expiry by this much, so the hold is surely gone when the job looks. */
const AFTER_EXPIRY_MS = 1_000;

/** One delayed job per distinct expiry of the live offers (adding one again is a no-op: same id). */
export async function followOffers(queue: Queue, clinicId: string, entries: Iterable<WaitlistEntry>, nowMs: number): Promise<number> {
  const expiries = new Set<number>();
  for (const e of entries) if (e.offer) expiries.add(Date.parse(e.offer.expiresAt));
  await Promise.all(
    [...expiries].map((at) =>
      queue.add(WAITLIST_JOB, { clinicId }, { ...WAITLIST_JOB_OPTIONS, jobId: waitlistJobId(clinicId, at), delay: Math.max(0, at - nowMs + AFTER_EXPIRY_MS) }),
    ),
  );
  return expiries.size;
}

/** The same, for a clinic's waitlist as stored now. */
export async function followStoredOffers(store: Store, queue: Queue, clinicId: string, nowMs: number): Promise<number> {
  return followOffers(queue, clinicId, (await readWaitlist(store, clinicId)).entries.values(), nowMs);
}

/** The job: expired offers passed on (and free places offered), the new offers' expiries followed in turn. */
export async function runWaitlistJob(store: Store, queue: Queue, data: unknown, nowMs: number): Promise<{ outcome: 'advanced'; offers: number } | { outcome: 'stood-down'; reason: string }> {
  const parsed = WaitlistJobData.safeParse(data);
  if (!parsed.success) throw new Error(`the waitlist job's data is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
  const { clinicId } = parsed.data;
  const setup = await getSetup(store, clinicId);
  if (!setup) return { outcome: 'stood-down', reason: `clinic '${clinicId}' no longer exists` };
  const state = await advanceWaitlist(store, clinicId, { setup: setup.setup, nowMs });
  return { outcome: 'advanced', offers: await followOffers(queue, clinicId, state.entries.values(), nowMs) };
}
