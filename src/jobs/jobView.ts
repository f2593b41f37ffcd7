// An optimization or re-plan job as GET shows it: its state and progress (best score, bound, gap), and
// once it is done its plan as a diff against the current schedule, with whether it can still apply.
import type { Job } from 'bullmq';
import { z } from 'zod';
import { listDay } from '../store/index.js';
import type { Store } from '../store/store.js';
import { LocalDate } from './jobIds.js';
import { JobProgress, readProgress } from './jobProgress.js';
import { loadPlan, Plan } from './plan.js';

export const Rerun = z
  .object({ method: z.literal('POST'), href: z.string(), body: z.record(z.string(), z.unknown()) })
  .describe('how to start a new run on the current schedule');

export const JobLinks = z.object({
  self: z.string(),
  events: z.string().describe('text/event-stream of progress until the job completes or fails'),
  apply: z.string().optional(),
  rerun: Rerun.optional(),
});

export const PlanView = Plan.extend({
  currentVersion: z.number().int().describe("the date's schedule version now"),
  stale: z.boolean().describe('the schedule changed since the job read it: apply would be refused (409); re-run instead'),
});

export const JobView = z
  .object({
    jobId: z.string(),
    kind: z.enum(['optimize', 'replan']),
    clinicId: z.string(),
    date: LocalDate,
    state: z.string().describe('waiting, delayed (a retry, or a re-plan waiting its turn), active, completed, failed'),
    progress: JobProgress.nullable(),
    attemptsMade: z.number().int(),
    failedReason: z.string().optional(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    plan: PlanView.optional(),
    links: JobLinks,
  })
  .meta({ id: 'JobView' });
export type JobView = z.infer<typeof JobView>;

export type JobRef = { kind: 'optimize' | 'replan'; clinicId: string; date: string; jobId: string };

export type ViewLinks = { self: string; events: string; apply: string; rerun: (plan: Plan) => Promise<z.infer<typeof Rerun>> };

export async function jobView(store: Store, job: Job, ref: JobRef, links: ViewLinks): Promise<JobView> {
  const state = await job.getState();
  const progress = readProgress(job.progress);
  const view: JobView = {
    jobId: ref.jobId,
    kind: ref.kind,
    clinicId: ref.clinicId,
    date: ref.date,
    state,
    progress,
    attemptsMade: job.attemptsMade,
    links: { self: links.self, events: links.events },
  };
  if (state === 'failed') {
    view.failedReason = job.failedReason;
    if (progress?.stage === 'invalid') view.problems = progress.problems;
  }
  if (state === 'completed') {
    const [plan, day] = await Promise.all([loadPlan(store.redis, store.prefix, ref.clinicId, ref.jobId), listDay(store, ref.clinicId, ref.date)]);
    if (plan) {
      const stale = plan.readVersion !== day.version;
      view.plan = { ...plan, currentVersion: day.version, stale };
      view.links.apply = links.apply;
      if (stale) view.links.rerun = await links.rerun(plan);
    }
  }
  return view;
}
