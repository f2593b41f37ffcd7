// The optimize job: read the clinic-day, optimize it in a worker thread (the time limit is a deadline:
// past it plus the thread's grace the thread is stopped and its best schedule kept), store the plan.
import { holdsCapacity } from '../contract/appointment.js';
import { parseWith } from '../contract/parse.js';
import { Instance } from '../contract/instance.js';
import { isLocalDate } from '../booking/dayGrid.js';
import { clearedForBooking } from '../booking/authorizationCheck.js';
import { instanceForDay } from '../booking/instanceForDay.js';
import { optimizeInThread } from '../runtime/optimizeInThread.js';
import type { Store } from '../store/store.js';
import { contractAppointment, isLive, readDayInputs } from './dayInputs.js';
import { failForInput } from './jobFailure.js';
import { noShowEstimatesFor, planEstimates } from './noShowEstimates.js';
import { OptimizeJobData } from './jobData.js';
import type { JobProgress } from './jobProgress.js';
import { newPlanId, savePlan, type Plan } from './plan.js';
import { scheduleDiff } from './scheduleDiff.js';

export type JobContext = {
  store: Store;
  jobId: string;
  report: (progress: JobProgress) => Promise<void>;
  signal?: AbortSignal;
  now: () => number;
  /** Days of history the no-show model reads for an overbooking clinic's plan (NO_SHOW_LOOKBACK_DAYS). */
  noShowLookbackDays?: number;
};

export const DEFAULT_LOOKBACK_DAYS = 180;

/** A job's return value: where its plan is and what it amounts to. */
export type JobOutcome = { planId: string; readVersion: number; status: string; objective?: number; cost?: number; bound: number; gap: number };

/** Progress goes out at most this often (each is a Redis write and an event). */
const PROGRESS_EVERY_MS = 500;

export async function runOptimizeJob(ctx: JobContext, data: unknown, timeLimitMs: number): Promise<JobOutcome> {
  const parsed = parseWith(OptimizeJobData, data);
  if (!parsed.ok) return failForInput(ctx.report, 'the job data is invalid', parsed.problems);
  const { clinicId, date, runId } = parsed.value;
  if (!isLocalDate(date)) return failForInput(ctx.report, 'the job data is invalid', [{ path: '$.date', message: `'${date}' is not a calendar date` }]);
  const startedAt = new Date(ctx.now()).toISOString();
  await ctx.report({ stage: 'loading' });
  const inputs = await readDayInputs(ctx.store, clinicId, date);
  if (!inputs) return failForInput(ctx.report, `clinic '${clinicId}' does not exist`);
  // Requests waiting for their prior authorisation are not placed: they are listed as unscheduled, with why
  // (one booked on this date already, by an override, stays as it is).
  const booked = new Set(inputs.appointments.filter((a) => holdsCapacity(a.status)).map((a) => a.requestId));
  const { cleared, held } = clearedForBooking(inputs.setup, inputs.requests.filter((r) => !booked.has(r.id)));
  const placeable = new Set(cleared.map((r) => r.id));
  const requests = inputs.requests.filter((r) => booked.has(r.id) || placeable.has(r.id));
  const noShow = await noShowEstimatesFor(ctx.store, clinicId, date, ctx.noShowLookbackDays ?? DEFAULT_LOOKBACK_DAYS, inputs);
  const instance = instanceForDay(inputs.setup, date, inputs.appointments, requests, { movable: true, noShow });
  // The store keeps valid parts; together they may still disagree (e.g. a request for a removed service).
  const checked = parseWith(Instance, instance);
  if (!checked.ok) return failForInput(ctx.report, "the day's set-up and requests do not make a valid problem", checked.problems);

  let lastReport = Number.NEGATIVE_INFINITY;
  const outcome = await optimizeInThread(checked.value, {
    timeLimitMs,
    seed: 1,
    backend: 'auto',
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => {
      const at = ctx.now();
      if (at - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = at;
      void ctx
        .report({ stage: 'solving', objective: p.objective, bound: p.bound, gap: p.gap, elapsedMs: p.elapsedMs, scheduled: p.scheduled, requests: p.requests })
        .catch(() => {}); // progress is best effort
    },
  });
  const result = { ...outcome.result, unscheduled: [...outcome.result.unscheduled, ...held] };
  await ctx.report({ stage: 'storing' });

  // Holds are on the schedule as capacity only: they are not the plan's to write.
  const holds = new Set(inputs.appointments.filter((a) => a.hold !== undefined).map((a) => a.id));
  const proposed = result.appointments.filter((a) => !(a.id !== undefined && holds.has(a.id)) && (a.status === undefined || a.status === 'booked' || a.status === 'checked-in'));
  const current = inputs.appointments.filter(isLive).map(contractAppointment);
  const plan: Plan = {
    planId: runId ?? newPlanId(),
    jobId: ctx.jobId,
    kind: 'optimize',
    clinicId,
    date,
    readVersion: inputs.version,
    startedAt,
    createdAt: new Date(ctx.now()).toISOString(),
    appointments: proposed,
    diff: scheduleDiff(current, proposed, result.unscheduled),
    result,
    ...planEstimates(noShow, proposed),
  };
  await savePlan(ctx.store.redis, ctx.store.prefix, plan);
  return { planId: plan.planId, readVersion: plan.readVersion, status: result.status, objective: result.objective, bound: result.bound, gap: result.gap };
}
