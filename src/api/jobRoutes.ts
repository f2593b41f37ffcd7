// Optimization and re-plan jobs over HTTP (the workers compute them, see workers/main.ts):
// - POST /clinics/{id}/optimizations {date} → 202 and a job id (a repeat request gets the same job);
//   GET it for progress (best score, bound, gap), then the plan as a diff against the current schedule;
//   POST .../apply commits the plan only onto the schedule version it read (else 409 with a re-run link);
//   GET .../events streams its progress (text/event-stream) until it completes or fails.
// - POST /clinics/{id}/disruptions {now?, date?, events} → the events are checked against the day first
//   (400 with JSON paths), then re-planned by a job; ?wait=true answers with the plan within a deadline
//   (default 5 s; 202 and the job id past it). GET, apply and events as above.
// - POST /clinics/{id}/booking-batches → a batch of bookings from an integration, booked by a job.
import { z } from 'zod';
import { Instant } from '../contract/primitives.js';
import { StrictReplanEvent } from '../contract/replan.js';
import type { Problem } from '../contract/parse.js';
import { formatInZone, toMs } from '../domain/time.js';
import { localDateOf } from '../booking/dayGrid.js';
import { authorizationRefusal } from '../booking/authorizationCheck.js';
import { billingRecordsOfReplan } from '../booking/lateCancelPolicy.js';
import { applyDay, getSetup, listDay, listRequests } from '../store/index.js';
import { notifyPlanApplied } from './agendaNotices.js';
import { batchOutcomes, BatchOutcome, loadBatch, MAX_BATCH_ITEMS, newBatchId, saveBatch } from '../jobs/bulkBookings.js';
import { readDayInputs } from '../jobs/dayInputs.js';
import { loadDisruptionSet, newEventsId } from '../jobs/disruptionSet.js';
import { enqueueOptimization, enqueueReplan } from '../jobs/enqueue.js';
import { bookingsJobId, parseJobId } from '../jobs/jobIds.js';
import { streamJobEvents } from '../jobs/jobEventStream.js';
import { JobLinks, jobView, JobView, Rerun, type JobRef } from '../jobs/jobView.js';
import { loadPlan, savePlan, type Plan } from '../jobs/plan.js';
import { JOB_OPTIONS, openJobQueues } from '../jobs/queues.js';
import { replanInputFor } from '../jobs/replanInput.js';
import { waitForJob } from '../jobs/waitForJob.js';
import { CappedAppointment, dayTooLarge, REQUEST_CAPS } from './caps.js';
import { auditPatients } from './auditTrail.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, ErrorBody, invalidRequest, notFound } from './errors.js';
import { IdempotencyKeyHeader, idempotent } from './idempotency.js';
import { callerOf } from './caller.js';
import { ClinicId, ClinicParams, LocalDate, Reason } from './params.js';

type Kind = 'optimize' | 'replan';
const BASE: Record<Kind, string> = { optimize: 'optimizations', replan: 'disruptions' };
/** What the audit trail calls a job's object. */
const JOB_OBJECT: Record<Kind, string> = { optimize: 'optimization', replan: 'replan' };

/** Events in one disruption set: far above a real day's, low enough to keep a re-plan's input small. */
export const MAX_EVENTS = 200;
const DEFAULT_WAIT_MS = 5_000;
/** Like the store's connection: an unreachable Redis fails a request within this long (503), not a hang. */
const PRODUCER_TIMEOUT_MS = 2_000;

const JobParams = z.object({ id: ClinicId, jobId: z.string().min(1).max(300) });
const Accepted = z
  .object({
    jobId: z.string(),
    kind: z.enum(['optimize', 'replan']),
    state: z.string(),
    repeat: z.boolean().describe('the job was already there: no second run was started'),
    coalesced: z.boolean().optional().describe('re-plans: this set replaced the events of a re-plan that had not started yet'),
    eventsId: z.string().optional().describe("re-plans: this disruption set's id; the job's plan names the set it used (plan.eventsId)"),
    links: JobLinks,
  })
  .meta({ id: 'JobAccepted' });
const OptimizeBody = z.strictObject({ date: LocalDate.describe('the clinic-local date to optimize, e.g. tomorrow') });
const DisruptionBody = z.strictObject({
  date: LocalDate.optional().describe("the clinic-local date (default: the date of `now` in the clinic's zone)"),
  now: Instant.optional().describe('the moment the day is re-planned from (default: the current time)'),
  events: z.array(StrictReplanEvent).min(1, 'name at least one event').max(MAX_EVENTS, `at most ${MAX_EVENTS} events`),
});
const WaitQuery = z.object({
  wait: z.enum(['true', 'false']).optional().describe('answer with the plan when it is ready within waitMs (else 202)'),
  waitMs: z.coerce.number().int().min(0).max(60_000).optional().describe(`how long to wait (default ${DEFAULT_WAIT_MS}; at most the request deadline)`),
});
/** Who applies is the caller; the history of every appointment it changes records it. */
const ApplyBody = z.strictObject({
  reason: Reason.optional(),
  planId: z.string().optional().describe('the plan you reviewed: refused (409) if a re-run has replaced it'),
});
const Applied = z.object({ jobId: z.string(), planId: z.string(), date: LocalDate, version: z.number().int(), appointments: z.number().int() }).meta({ id: 'PlanApplied' });
const IdempotencyHeaders = z.looseObject({ 'idempotency-key': IdempotencyKeyHeader });
/** A booking of a batch: the server gives it its id and status, so a batch sets neither. */
const BatchItem = CappedAppointment.omit({ id: true, status: true }).strict();
const BatchBody = z.strictObject({
  reason: Reason.optional(),
  items: z.array(BatchItem).min(1, 'name at least one booking').max(MAX_BATCH_ITEMS, `at most ${MAX_BATCH_ITEMS} bookings`),
});
const BatchAccepted = z.object({ jobId: z.string(), batchId: z.string(), state: z.string(), links: z.object({ self: z.string() }) }).meta({ id: 'BatchAccepted' });
const BatchView = z
  .object({ jobId: z.string(), state: z.string(), total: z.number().int(), outcomes: z.array(BatchOutcome), failedReason: z.string().optional() })
  .meta({ id: 'BatchView' });

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

export function registerJobRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store, config } = deps;
  const queues = openJobQueues(config.redis, config.prefix, PRODUCER_TIMEOUT_MS);
  const streams = new Set<() => void>();
  // Open event streams would hold the server's close: they end first.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => queues.close());

  const selfOf = (kind: Kind, clinicId: string, jobId: string) => `/clinics/${clinicId}/${BASE[kind]}/${jobId}`;
  const linksOf = (kind: Kind, clinicId: string, jobId: string) => {
    const self = selfOf(kind, clinicId, jobId);
    return { self, events: `${self}/events` };
  };

  /** A new run on the current schedule: the same date, and for a re-plan the same events. */
  const rerunOf = async (kind: Kind, clinicId: string, date: string, plan: Plan | null): Promise<z.infer<typeof Rerun>> => {
    if (kind === 'optimize') return { method: 'POST', href: `/clinics/${clinicId}/optimizations`, body: { date } };
    const set = plan?.eventsId ? await loadDisruptionSet(store.redis, store.prefix, clinicId, plan.eventsId) : null;
    return { method: 'POST', href: `/clinics/${clinicId}/disruptions`, body: { date, ...(set ? { events: set.events } : {}) } };
  };

  /** The job a path names, if it is this clinic's job of this kind. */
  const refOf = (kind: Kind, clinicId: string, jobId: string): JobRef => {
    const parsed = parseJobId(jobId);
    if (!parsed || parsed.queue !== kind || parsed.clinicId !== clinicId) throw notFound(`${kind === 'optimize' ? 'optimization' : 're-plan'} '${jobId}'`);
    return { kind, clinicId, date: parsed.date, jobId };
  };

  const viewOf = async (ref: JobRef): Promise<JobView | null> => {
    const job = await queues.queue[ref.kind].getJob(ref.jobId);
    if (!job) return null;
    const links = linksOf(ref.kind, ref.clinicId, ref.jobId);
    return jobView(store, job, ref, { ...links, apply: `${links.self}/apply`, rerun: (plan) => rerunOf(ref.kind, ref.clinicId, ref.date, plan) });
  };

  const accepted = (kind: Kind, clinicId: string, jobId: string, state: string, repeat: boolean, replan?: { coalesced: boolean; eventsId: string }) => ({
    jobId,
    kind,
    state,
    repeat,
    ...(replan ?? {}),
    links: linksOf(kind, clinicId, jobId),
  });

  const requireClinic = async (clinicId: string) => {
    const found = await getSetup(store, clinicId);
    if (!found) throw notFound(`clinic '${clinicId}'`);
    return found;
  };

  /** 409 naming each new appointment of the plan whose stored request's prior authorisation is not approved now. */
  const refuseUnauthorized = async (clinicId: string, setup: Awaited<ReturnType<typeof requireClinic>>['setup'], plan: Plan) => {
    const requests = new Map((await listRequests(store, clinicId)).map((r) => [r.id, r]));
    const problems = plan.appointments.flatMap((a, i) => {
      const stored = a.id === undefined ? requests.get(a.requestId) : undefined;
      const refusal = stored ? authorizationRefusal(setup, stored, toMs(a.start)) : null;
      return refusal ? [{ path: `$.plan.appointments[${i}].requestId`, message: refusal }] : [];
    });
    if (problems.length > 0)
      throw new ApiError(409, {
        error: 'authorization-required',
        message: 'the plan books requests whose prior authorisation is not approved (any more); run it again to leave them out',
        problems,
        rerun: { method: 'POST', href: `/clinics/${clinicId}/optimizations`, body: { date: plan.date } },
      });
  };

  app.post(
    '/clinics/:id/optimizations',
    {
      config: { audit: { action: 'optimization.create', object: 'optimization', patientData: false }, access: { action: 'optimize' } },
      schema: {
        tags: ['jobs'],
        operationId: 'startOptimization',
        summary: "Optimize a clinic-local date's schedule (a job)",
        description:
          'Answers 202 with the job id `optimize:<clinic>:<date>`. While that job waits or runs, a repeat request gets the same job (no second run); ' +
          'once it has completed, the same job is answered (200) as long as the schedule has not changed since it read it, else a new run starts (202).',
        params: ClinicParams,
        headers: IdempotencyHeaders,
        body: OptimizeBody,
        response: { 200: Accepted, 202: Accepted, ...errors(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        await requireClinic(id);
        const waiting = (await listRequests(store, id, request.body.date)).length;
        if (waiting > REQUEST_CAPS.perOptimizedDay) throw dayTooLarge(request.body.date, waiting);
        const r = await enqueueOptimization(queues, store, id, request.body.date);
        const body = accepted('optimize', id, r.jobId, r.state, r.repeat);
        return { status: r.repeat && r.state === 'completed' ? 200 : 202, body, headers: { location: body.links.self } };
      });
    },
  );

  app.post(
    '/clinics/:id/disruptions',
    {
      config: { audit: { action: 'disruption.create', object: 'replan', patientData: true }, access: { action: 'replan' } },
      schema: {
        tags: ['jobs'],
        operationId: 'postDisruptions',
        summary: 'Re-plan the rest of a day after disruptions (a job; ?wait=true for the plan at once)',
        description:
          'The events are checked against the day as it stands before any job starts (400 naming each problem by its JSON path). ' +
          'Re-plans of one clinic-day coalesce: at most one runs and one waits; a set posted while one waits replaces its events ' +
          '(a set is the whole current list of the day\'s disruptions), and both posters follow that job. ' +
          'With ?wait=true the answer is the finished job (200) if it is ready within waitMs (default 5 s), else 202 with the job id.',
        params: ClinicParams,
        querystring: WaitQuery,
        headers: IdempotencyHeaders,
        body: DisruptionBody,
        response: { 200: JobView, 202: Accepted, ...errors(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { events } = request.body;
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        const { setup } = await requireClinic(id);
        const zone = setup.clinic.timezone;
        const nowMs = request.body.now !== undefined ? toMs(request.body.now) : deps.now();
        const now = request.body.now ?? formatInZone(nowMs, zone);
        const date = request.body.date ?? localDateOf(nowMs, zone);
        const inputs = await readDayInputs(store, id, date);
        if (!inputs) throw notFound(`clinic '${id}'`);
        const { problems } = replanInputFor(inputs, date, now, events);
        if (problems.length > 0) throw invalidRequest(problems.map(inRequest), 'the events do not fit the day as it stands');
        const set = { eventsId: newEventsId(), clinicId: id, date, now, events, postedAt: new Date(deps.now()).toISOString() };
        const r = await enqueueReplan(queues, store, set);
        const body = accepted('replan', id, r.jobId, r.state, false, { coalesced: r.outcome === 'replaced', eventsId: set.eventsId });
        const headers = { location: body.links.self };
        if (request.query.wait !== 'true') return { status: 202, body, headers };
        // Leave the request's own deadline room to answer.
        const waitMs = Math.max(0, Math.min(request.query.waitMs ?? DEFAULT_WAIT_MS, config.requestDeadlineMs - 1_000));
        const finished = await waitForJob(queues.queue.replan, queues.events.replan, r.jobId, waitMs);
        if (finished === 'timeout') return { status: 202, body, headers };
        const view = await viewOf({ kind: 'replan', clinicId: id, date, jobId: r.jobId });
        if (!view) return { status: 202, body, headers };
        if (finished === 'failed')
          throw new ApiError(422, {
            error: 'replan-failed',
            message: view.failedReason ?? 'the re-plan failed',
            ...(view.problems ? { problems: view.problems } : {}),
            jobId: r.jobId,
          });
        return { status: 200, body: view, headers };
      });
    },
  );

  for (const kind of ['optimize', 'replan'] as const) registerJobRoutesOf(kind);

  function registerJobRoutesOf(kind: Kind): void {
    const what = kind === 'optimize' ? 'optimization' : 're-plan';
    const Name = kind === 'optimize' ? 'Optimization' : 'Replan';
    const url = `/clinics/:id/${BASE[kind]}/:jobId`;

    app.get(
      url,
      {
        config: { audit: { action: 'plan.read', object: JOB_OBJECT[kind], patientData: true }, access: { action: 'read-jobs' } },
        schema: {
          tags: ['jobs'],
          operationId: `get${Name}`,
          summary: `An ${what} job: state and progress (best score, bound, gap); once completed, its plan as a diff against the current schedule`,
          params: JobParams,
          response: { 200: JobView, ...errors(400, 404, 503) },
        },
      },
      async (request) => {
        const ref = refOf(kind, request.params.id, request.params.jobId);
        const view = await viewOf(ref);
        if (!view) throw notFound(`${what} '${ref.jobId}'`);
        return view;
      },
    );

    app.post(
      `${url}/apply`,
      {
        config: { audit: { action: 'plan.apply', object: JOB_OBJECT[kind], patientData: true }, access: { action: 'apply-plan' }, reminders: 'day' },
        schema: {
          tags: ['jobs'],
          operationId: `apply${Name}`,
          summary: `Commit an ${what}'s plan atomically, only onto the schedule version it read`,
          description:
            'One step replaces the date\'s live appointments by the plan\'s (the date\'s version advances by exactly one). ' +
            'Refused with 409 when the schedule changed since the job read it (stale), when the plan collides with what was added since, ' +
            'when it was applied already, or when the job has not completed; a stale answer carries `rerun`, how to start a new run. ' +
            "An optimization's plan is refused (409 `authorization-required`) when it books a request whose prior authorisation is no longer approved; " +
            "a re-plan's late cancellations and no-shows (its `billing`) are flagged for billing as it applies.",
          params: JobParams,
          body: ApplyBody,
          response: { 200: Applied, ...errors(400, 404, 409, 503) },
        },
      },
      async (request) => {
        const ref = refOf(kind, request.params.id, request.params.jobId);
        const job = await queues.queue[kind].getJob(ref.jobId);
        if (!job) throw notFound(`${what} '${ref.jobId}'`);
        const plan = await loadPlan(store.redis, store.prefix, ref.clinicId, ref.jobId);
        if (plan) auditPatients(request, plan.appointments.map((a) => a.patientId));
        const state = await job.getState();
        if (!plan || state !== 'completed')
          throw new ApiError(409, { error: 'not-ready', message: `the ${what} is ${state}; a plan can be applied once it has completed`, state });
        if (request.body.planId !== undefined && request.body.planId !== plan.planId)
          throw new ApiError(409, { error: 'plan-replaced', message: `a re-run replaced plan ${request.body.planId} by ${plan.planId}; review it first`, planId: plan.planId });
        if (plan.applied)
          throw new ApiError(409, { error: 'already-applied', message: `this plan was applied by ${plan.applied.by} at ${plan.applied.at} (version ${plan.applied.version})` });
        // The day as the plan read it (the apply succeeds only on that version): whose agenda it changes.
        const before = await listDay(store, ref.clinicId, plan.date);
        const { setup } = await requireClinic(ref.clinicId);
        // A new visit whose prior authorisation is not approved (any more) is not booked by a plan either.
        if (kind === 'optimize') await refuseUnauthorized(ref.clinicId, setup, plan);
        const ended = (plan.ended ?? []).flatMap((a) => (a.id !== undefined ? [{ ...a, id: a.id }] : []));
        const billing = kind === 'replan' && 'billing' in plan.result ? billingRecordsOfReplan(setup, plan.date, plan.result.billing, ended, callerOf(request)) : [];
        const result = await applyDay(store, ref.clinicId, plan.date, plan.readVersion, [...plan.appointments, ...(plan.extended ?? []), ...(plan.ended ?? [])], {
          actor: callerOf(request),
          reason: request.body.reason ?? `${what} ${ref.jobId}`,
          allowOvertime: kind === 'replan',
          billing,
          ...(plan.noShowProbabilities ? { noShowProbabilities: plan.noShowProbabilities } : {}),
        });
        if (result.ok) {
          const applied = { version: result.version, at: new Date(deps.now()).toISOString(), by: callerOf(request) };
          await savePlan(store.redis, store.prefix, { ...plan, applied });
          if (before.version === plan.readVersion)
            await notifyPlanApplied(store, request.log, { clinicId: ref.clinicId, timeZone: setup.clinic.timezone, plan, before: before.appointments, written: result.appointments, at: deps.now() });
          return { jobId: ref.jobId, planId: plan.planId, date: plan.date, version: result.version, appointments: result.appointments.length };
        }
        if (result.reason === 'not-found') throw notFound(`clinic '${ref.clinicId}'`);
        const rerun = await rerunOf(kind, ref.clinicId, plan.date, plan);
        if (result.reason === 'stale')
          throw new ApiError(409, {
            error: 'stale',
            message: `the schedule of ${plan.date} changed since the ${what} read it (version ${plan.readVersion}, now ${result.version}); run it again on the current schedule`,
            readVersion: plan.readVersion,
            currentVersion: result.version,
            rerun,
          });
        if (result.reason === 'conflict')
          throw new ApiError(409, { error: 'conflict', message: 'the plan collides with what is on the schedule now; run it again', conflicts: result.conflicts, rerun });
        throw new ApiError(409, { error: 'plan-invalid', message: 'the plan no longer fits the clinic\'s set-up; run it again', problems: result.problems, rerun });
      },
    );

    app.get(
      `${url}/events`,
      {
        config: { audit: { action: 'plan.read', object: JOB_OBJECT[kind], patientData: true }, access: { action: 'read-jobs' } },
        schema: {
          tags: ['jobs'],
          operationId: `stream${Name}Events`,
          summary: `Live progress of an ${what} (text/event-stream) until it completes or fails`,
          description:
            'Server-Sent Events: `state` (where the job stands), then `progress` ({stage, objective, bound, gap, elapsedMs, ...}), `active` (it (re)started), ' +
            'and last `completed` ({jobId, plan}) or `failed` ({jobId, failedReason, progress}), after which the stream ends.',
          params: JobParams,
          response: { 200: z.string().describe('text/event-stream'), ...errors(400, 404, 503) },
        },
      },
      async (request, reply) => {
        const ref = refOf(kind, request.params.id, request.params.jobId);
        const job = await queues.queue[kind].getJob(ref.jobId);
        if (!job) throw notFound(`${what} '${ref.jobId}'`);
        reply.hijack();
        const end = streamJobEvents(reply.raw, queues.queue[kind], queues.events[kind], ref.jobId, {
          headers: { 'x-request-id': String(request.id) },
          self: selfOf(kind, ref.clinicId, ref.jobId),
        });
        streams.add(end);
        reply.raw.on('close', () => streams.delete(end));
      },
    );
  }

  app.post(
    '/clinics/:id/booking-batches',
    {
      config: { audit: { action: 'booking-batch.create', object: 'booking-batch', patientData: true }, access: { action: 'bulk-book' } },
      schema: {
        tags: ['jobs'],
        operationId: 'postBookingBatch',
        summary: 'Book a batch of appointments from an integration (a job; each booking all or nothing, each with its outcome)',
        params: ClinicParams,
        headers: IdempotencyHeaders,
        body: BatchBody,
        response: { 202: BatchAccepted, ...errors(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        await requireClinic(id);
        const batchId = newBatchId();
        const { reason, items } = request.body;
        await saveBatch(store, { batchId, clinicId: id, actor: callerOf(request), ...(reason !== undefined ? { reason } : {}), createdAt: new Date(deps.now()).toISOString(), items });
        const jobId = bookingsJobId(id, batchId);
        await queues.queue.bookings.add('bookings', { clinicId: id, batchId }, { ...JOB_OPTIONS.bookings, jobId });
        const self = `/clinics/${id}/booking-batches/${jobId}`;
        return { status: 202, body: { jobId, batchId, state: await queues.queue.bookings.getJobState(jobId), links: { self } }, headers: { location: self } };
      });
    },
  );

  app.get(
    '/clinics/:id/booking-batches/:jobId',
    {
      config: { audit: { action: 'booking-batch.read', object: 'booking-batch', patientData: true }, access: { action: 'read-jobs' } },
      schema: {
        tags: ['jobs'],
        operationId: 'getBookingBatch',
        summary: "A booking batch: its job's state and each booking's outcome so far",
        params: JobParams,
        response: { 200: BatchView, ...errors(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, jobId } = request.params;
      const parsed = parseJobId(jobId);
      if (!parsed || parsed.queue !== 'bookings' || parsed.clinicId !== id) throw notFound(`booking batch '${jobId}'`);
      const [job, batch] = await Promise.all([queues.queue.bookings.getJob(jobId), loadBatch(store, id, parsed.batchId)]);
      if (!job || !batch) throw notFound(`booking batch '${jobId}'`);
      auditPatients(request, batch.items.map((item) => item.patientId));
      const state = await job.getState();
      return {
        jobId,
        state,
        total: batch.items.length,
        outcomes: await batchOutcomes(store, id, parsed.batchId),
        ...(state === 'failed' ? { failedReason: job.failedReason } : {}),
      };
    },
  );
}

/** A re-plan input problem as a path into this request: the events and now are the body's; the day is the stored schedule's. */
function inRequest(problem: Problem): Problem {
  if (problem.path.startsWith('$.appointments')) return { path: `$.schedule${problem.path.slice(1)}`, message: `(the stored schedule) ${problem.message}` };
  return { path: `$.body${problem.path.slice(1)}`, message: problem.message };
}
