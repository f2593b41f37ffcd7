// The re-plan job: take up the clinic-day's disruption set, re-plan the rest of the day from `now`
// (re-checking the events against the day as it is now), check the plan, store it.
import type { MipBackend } from '../../solver/api.js';
import { replanDay } from '../../solver/replan/replanDay.js';
import { parseWith } from '../contract/parse.js';
import { ReplanResult } from '../contract/replan.js';
import { validateReplan } from '../validator/validateReplan.js';
import type { Appointment } from '../contract/appointment.js';
import { formatInZone, MINUTE_MS, toMs } from '../domain/time.js';
import type { StoredAppointment } from '../store/index.js';
import { contractAppointment, isLive, readDayInputs } from './dayInputs.js';
import { claimReplan } from './replanCoalescing.js';
import { loadDisruptionSet } from './disruptionSet.js';
import { failForInput } from './jobFailure.js';
import { ReplanJobData } from './jobData.js';
import { DEFAULT_LOOKBACK_DAYS, type JobContext, type JobOutcome } from './optimizeJob.js';
import { noShowEstimatesFor, planEstimates } from './noShowEstimates.js';
import { newPlanId, savePlan, type Plan } from './plan.js';
import { replanInputFor } from './replanInput.js';
import { scheduleDiff } from './scheduleDiff.js';

export async function runReplanJob(ctx: JobContext, data: unknown, options: { timeLimitMs: number; backend: MipBackend }): Promise<JobOutcome> {
  const parsed = parseWith(ReplanJobData, data);
  if (!parsed.ok) return failForInput(ctx.report, 'the job data is invalid', parsed.problems);
  const { clinicId, date } = parsed.value;
  const { redis, prefix } = ctx.store;
  // From here on a newer disruption set makes a new job instead of replacing this one's.
  const eventsId = await claimReplan(redis, prefix, clinicId, date, ctx.jobId);
  const startedAt = new Date(ctx.now()).toISOString();
  if (eventsId === null) return failForInput(ctx.report, `no disruption set belongs to job ${ctx.jobId}`);
  const set = await loadDisruptionSet(redis, prefix, clinicId, eventsId);
  if (!set) return failForInput(ctx.report, `the disruption set ${eventsId} is gone (kept for 7 days)`);

  await ctx.report({ stage: 'loading' });
  const inputs = await readDayInputs(ctx.store, clinicId, date);
  if (!inputs) return failForInput(ctx.report, `clinic '${clinicId}' does not exist`);
  const noShow = await noShowEstimatesFor(ctx.store, clinicId, date, ctx.noShowLookbackDays ?? DEFAULT_LOOKBACK_DAYS, inputs);
  const { instance, input, problems } = replanInputFor(inputs, date, set.now, set.events, noShow);
  if (problems.length > 0) return failForInput(ctx.report, 'the disruptions no longer fit the day as it stands', problems);

  const started = ctx.now();
  await ctx.report({ stage: 'solving', elapsedMs: 0 });
  let raw: unknown;
  try {
    raw = replanDay(instance, input, { backend: options.backend, clock: ctx.now, timeLimitMs: options.timeLimitMs });
  } catch (error) {
    // The re-planner is deterministic: the same input would fail the same way again.
    return failForInput(ctx.report, `the re-planner failed on this day and these events: ${(error as Error).message}`);
  }
  const checked = parseWith(ReplanResult, raw);
  // The same input would give the same plan again: a broken plan is not worth a retry.
  if (!checked.ok) return failForInput(ctx.report, 'the re-planner returned a malformed result', checked.problems);
  const result = checked.value;
  const { violations } = validateReplan(instance, input, result);
  if (violations.length > 0)
    return failForInput(ctx.report, 'the re-plan breaks rules; it was not stored', violations.map((v) => ({ path: v.path, message: `${v.rule}: ${v.message}` })));
  await ctx.report({ stage: 'solving', objective: result.cost, bound: result.bound, gap: result.gap, elapsedMs: ctx.now() - started });

  await ctx.report({ stage: 'storing' });
  const proposed = result.appointments.filter((a) => a.status === undefined || a.status === 'booked' || a.status === 'checked-in');
  const current = inputs.appointments.filter(isLive).map(contractAppointment);
  // A bumped emergency (it fits nowhere any more) is in result.unscheduled already, with its reason.
  const listed = new Set(result.unscheduled.map((u) => u.requestId));
  const bumped = result.changes
    .filter((c) => c.kind === 'bumped' && !listed.has(c.requestId))
    .map((c) => ({ requestId: c.requestId, reasons: ['bumped by the re-plan: it no longer fits the day'] }));
  // A cancellation or no-show event ends a live visit: it leaves the schedule for that reason.
  const ended = result.appointments
    .filter((a) => a.status === 'cancelled' || a.status === 'noshow')
    .map((a) => ({ requestId: a.requestId, reasons: [a.status === 'noshow' ? 'the patient did not show up' : 'cancelled'] }));
  const stored = new Map(inputs.appointments.map((a) => [a.id, a]));
  const plan: Plan = {
    planId: newPlanId(),
    jobId: ctx.jobId,
    kind: 'replan',
    clinicId,
    date,
    readVersion: inputs.version,
    startedAt,
    createdAt: new Date(ctx.now()).toISOString(),
    appointments: proposed,
    extended: extendedVisits(result.appointments, stored, instance.slotMinutes, instance.clinic.timezone),
    ended: result.appointments.filter((a) => a.id !== undefined && (a.status === 'cancelled' || a.status === 'noshow') && isLiveId(stored, a.id)),
    diff: scheduleDiff(current, proposed, [...result.unscheduled, ...bumped, ...ended]),
    result,
    eventsId,
    ...planEstimates(noShow, proposed),
  };
  await savePlan(redis, prefix, plan);
  return { planId: plan.planId, readVersion: plan.readVersion, status: result.status, cost: result.cost, bound: result.bound, gap: result.gap };
}

const isLiveId = (stored: Map<string, StoredAppointment>, id: string) => {
  const a = stored.get(id);
  return a !== undefined && isLive(a);
};

/**
 * Visits under way whose end an overrun moved, as stored but for the new end (on the slot grid, as the
 * store claims whole slots): applying the plan keeps their resources until then, so nothing is booked
 * into the time they now take.
 */
function extendedVisits(appointments: readonly Appointment[], stored: Map<string, StoredAppointment>, slotMinutes: number, zone: string): Appointment[] {
  const out: Appointment[] = [];
  for (const a of appointments) {
    const was = a.id === undefined ? undefined : stored.get(a.id);
    if (a.status !== 'in-progress' || was === undefined || was.status !== 'in-progress' || toMs(a.end) === toMs(was.end)) continue;
    const start = toMs(was.start);
    const slotMs = slotMinutes * MINUTE_MS;
    const end = start + Math.ceil((toMs(a.end) - start) / slotMs) * slotMs;
    out.push({ ...contractAppointment(was), end: formatInZone(end, zone) });
  }
  return out;
}
