// Adding optimization and re-plan jobs, as the API does it.
import type { JobState } from 'bullmq';
import { listDay } from '../store/index.js';
import type { Store } from '../store/store.js';
import { saveDisruptionSet, type DisruptionSet } from './disruptionSet.js';
import { optimizeJobId } from './jobIds.js';
import { deletePlan, loadPlan, newPlanId } from './plan.js';
import { JOB_OPTIONS, type JobQueues } from './queues.js';
import { releaseWaitingReplan, submitReplan } from './replanCoalescing.js';

export type Enqueued = {
  jobId: string;
  state: JobState | 'unknown';
  /** The job was already there (a repeat request) and no new run was started. */
  repeat: boolean;
};

/**
 * The optimization of a clinic-day has one job id, so a repeat request while it waits or runs gets the
 * same job. A finished job is run again only when a new run could tell something new: it failed, or the
 * schedule changed since it read it (its plan is stale, e.g. after it was applied).
 */
export async function enqueueOptimization(queues: JobQueues, store: Store, clinicId: string, date: string): Promise<Enqueued> {
  const queue = queues.queue.optimize;
  const jobId = optimizeJobId(clinicId, date);
  const state = await queue.getJobState(jobId);
  if (state === 'completed') {
    const [plan, day] = await Promise.all([loadPlan(store.redis, store.prefix, clinicId, jobId), listDay(store, clinicId, date)]);
    if (plan && plan.readVersion === day.version) return { jobId, state, repeat: true };
  } else if (state !== 'failed' && state !== 'unknown') return { jobId, state, repeat: true };
  // A finished run makes way for the new one (the id is the clinic-day's); were two requests to do this
  // at once, both add the same id and BullMQ keeps one.
  if (state !== 'unknown') await queue.remove(jobId);
  await deletePlan(store.redis, store.prefix, clinicId, jobId);
  const runId = newPlanId();
  await queue.add('optimize', { clinicId, date, runId }, { ...JOB_OPTIONS.optimize, jobId });
  const job = await queue.getJob(jobId);
  return { jobId, state: job ? await job.getState() : 'unknown', repeat: (job?.data as { runId?: string } | undefined)?.runId !== runId };
}

export type EnqueuedReplan = Enqueued & { outcome: 'created' | 'replaced' };

/** Stores the disruption set and hands it to the clinic-day's waiting re-plan, or to a new one (replanCoalescing.ts). */
export async function enqueueReplan(queues: JobQueues, store: Store, set: DisruptionSet): Promise<EnqueuedReplan> {
  const queue = queues.queue.replan;
  await saveDisruptionSet(store.redis, store.prefix, set);
  for (let tries = 0; ; tries++) {
    const { jobId, outcome } = await submitReplan(store.redis, store.prefix, set.clinicId, set.date, set.eventsId);
    // Adding is idempotent (same id): it also repairs a job whose creation was cut short after the script.
    await queue.add('replan', { clinicId: set.clinicId, date: set.date }, { ...JOB_OPTIONS.replan, jobId });
    const state = await queue.getJobState(jobId);
    // A job still marked waiting that has finished failed before it ever started its work: let it go.
    if (outcome === 'replaced' && (state === 'completed' || state === 'failed') && tries === 0) {
      await releaseWaitingReplan(store.redis, store.prefix, set.clinicId, set.date, jobId);
      continue;
    }
    return { jobId, state, repeat: false, outcome };
  }
}
