// The waitlist over HTTP: a stored request joins it (with the appointment it would leave for an earlier
// place, and the patient's window); a freed place is offered, one entry at a time, as a hold that
// expires; the desk accepts (books it) or declines (it goes to the next in line). Who fits and in which
// order is src/booking/waitlistOffers.ts; the holds and the bookkeeping src/store/waitlistFlow.ts.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Id, Instant } from '../contract/primitives.js';
import { WaitlistEntry, WaitlistOffer, type FreedSlot } from '../contract/waitlist.js';
import { toMs } from '../domain/time.js';
import { getSetup } from '../store/setup.js';
import { StoredAppointment } from '../store/storedAppointment.js';
import { WaitlistBusy } from '../store/waitlist.js';
import { acceptOffer, advanceWaitlist, declineOffer, joinWaitlist, leaveWaitlist, recordFreed } from '../store/waitlistFlow.js';
import { appointmentAnswer, okOrThrow, unplaceable } from './appointmentAnswers.js';
import { auditPatients } from './auditTrail.js';
import { authorizationRequired } from './authorizationGate.js';
import { callerOf } from './caller.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, notFound } from './errors.js';
import { IdempotencyKeyHeader, idempotent, send } from './idempotency.js';
import { ClinicItemParams, ClinicParams, Reason } from './params.js';

const JoinBody = z
  .strictObject({
    requestId: Id.describe('a stored request (POST /clinics/{id}/requests)'),
    appointmentId: Id.optional().describe('its booked appointment, to be offered an earlier place (accepting moves it); leave out when the request has no place yet'),
    earliestStart: Instant.optional().describe("the patient's window: no earlier than this (within the request's own window)"),
    latestEnd: Instant.optional().describe("the patient's window: ending no later than this; with appointmentId, any offer is earlier than that appointment anyway"),
  })
  .superRefine((body, ctx) => {
    if (body.earliestStart !== undefined && body.latestEnd !== undefined && toMs(body.latestEnd) <= toMs(body.earliestStart))
      ctx.addIssue({ code: 'custom', path: ['latestEnd'], message: 'must be after earliestStart' });
  });
const Change = z.strictObject({ reason: Reason.optional().describe('why (recorded in the history of the appointment an accept books or moves)') });
const WaitlistAnswer = z.object({ clinicId: z.string(), entries: z.array(WaitlistEntry) }).meta({ id: 'Waitlist' });
const OffersAnswer = z
  .object({ clinicId: z.string(), offers: z.array(WaitlistOffer.extend({ entryId: z.string(), requestId: Id, patientId: Id, appointmentId: Id.optional() })) })
  .meta({ id: 'WaitlistOffers' });
const EntryAnswer = z.object({ clinicId: z.string(), entry: WaitlistEntry });

/** The store's lock was busy for too long: retry. */
const busy = (error: unknown) => {
  if (error instanceof WaitlistBusy) throw new ApiError(503, { error: 'busy', message: error.message });
  throw error;
};

/**
 * After a cancellation, a no-show or a reschedule: the place `appointment` had is offered to the waitlist.
 * The status change stands whatever happens here, so a failure is logged, not answered.
 */
export async function offerFreedPlace(deps: RouteDeps, request: FastifyRequest, clinicId: string, appointment: StoredAppointment, why: FreedSlot['why']): Promise<void> {
  try {
    const found = await getSetup(deps.store, clinicId);
    if (!found) return;
    const offered = await recordFreed(deps.store, clinicId, appointment, why, { setup: found.setup, nowMs: deps.now() });
    // The hold made for the patient offered the place is a change to their data too.
    if (offered) {
      auditPatients(request, [offered.patientId]);
      await request.server.followWaitlistOffers(request, clinicId);
    }
  } catch (error) {
    request.log.error({ requestId: String(request.id), err: { message: (error as Error).message } }, 'the freed place could not be offered to the waitlist');
  }
}

export function registerWaitlistRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;
  const ctxOf = async (clinicId: string) => ({ setup: (await clinicSetupOf(store, clinicId)).setup, nowMs: deps.now() });

  app.post(
    '/clinics/:id/waitlist',
    {
      config: { audit: { action: 'waitlist.join', object: 'waitlist', patientData: true }, access: { action: 'change-requests' }, waitlist: true },
      schema: {
        tags: ['waitlist'],
        operationId: 'joinWaitlist',
        summary: 'Put a waiting request on the waitlist for an earlier place',
        description:
          'A place freed by a cancellation, a no-show or a reschedule is offered to the first entry it fits (same kind of provider, room, staff and equipment, ' +
          "inside the request's and the patient's window, earlier than the appointment named; prior authorisation approved), first-come or by urgency " +
          "(the clinic's `waitlist.order`), as a hold for `waitlist.offerMinutes` (default 30). A place freed before may be offered at once: the answer shows it. " +
          '422 for an unknown request or appointment; 409 when the request is on the waitlist already, or has a place and names no appointment.',
        params: ClinicParams,
        headers: z.looseObject({ 'idempotency-key': IdempotencyKeyHeader }),
        body: JoinBody,
        response: { 201: EntryAnswer, ...errorResponses(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        const result = await joinWaitlist(store, id, request.body, callerOf(request), await ctxOf(id)).catch(busy);
        if (result.ok) return { status: 201, body: { clinicId: id, entry: result.entry }, headers: { location: `/clinics/${id}/waitlist` } };
        if (result.reason === 'unknown-request') throw unplaceable([{ path: '$.body.requestId', message: result.message }], result.message);
        if (result.reason === 'unknown-appointment') throw unplaceable([{ path: '$.body.appointmentId', message: result.message }], result.message);
        throw new ApiError(409, { error: result.reason === 'full' ? 'cap-reached' : result.reason, message: result.message });
      });
    },
  );

  app.get(
    '/clinics/:id/waitlist',
    {
      config: { audit: { action: 'waitlist.list', object: 'waitlist', patientData: true }, access: { action: 'read-requests' }, waitlist: true },
      schema: {
        tags: ['waitlist'],
        operationId: 'listWaitlist',
        summary: 'The waitlist, each entry with its live offer; offers that ran out pass to the next in line first',
        params: ClinicParams,
        response: { 200: WaitlistAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const state = await advanceWaitlist(store, id, await ctxOf(id)).catch(busy);
      const entries = [...state.entries.values()].sort((a, b) => toMs(a.joinedAt) - toMs(b.joinedAt) || a.id.localeCompare(b.id));
      return { clinicId: id, entries };
    },
  );

  app.get(
    '/clinics/:id/waitlist/offers',
    {
      config: { audit: { action: 'waitlist.offers', object: 'waitlist', patientData: true }, access: { action: 'read-requests' }, waitlist: true },
      schema: {
        tags: ['waitlist'],
        operationId: 'listWaitlistOffers',
        summary: 'The live offers (a desk calls each patient to accept or decline); offers that ran out pass to the next in line first',
        params: ClinicParams,
        response: { 200: OffersAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const state = await advanceWaitlist(store, id, await ctxOf(id)).catch(busy);
      const offers = [...state.entries.values()]
        .filter((e) => e.offer !== undefined)
        .map((e) => ({ ...e.offer!, entryId: e.id, requestId: e.requestId, patientId: e.patientId, ...(e.appointmentId !== undefined ? { appointmentId: e.appointmentId } : {}) }))
        .sort((a, b) => toMs(a.start) - toMs(b.start) || a.entryId.localeCompare(b.entryId));
      return { clinicId: id, offers };
    },
  );

  app.delete(
    '/clinics/:id/waitlist/:itemId',
    {
      config: { audit: { action: 'waitlist.leave', object: 'waitlist', patientData: true }, access: { action: 'change-requests' }, waitlist: true },
      schema: {
        tags: ['waitlist'],
        operationId: 'leaveWaitlist',
        summary: 'Take an entry off the waitlist (a place offered to it goes to the next in line)',
        params: ClinicItemParams,
        response: { 200: EntryAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      const result = await leaveWaitlist(store, id, itemId, await ctxOf(id)).catch(busy);
      if (!result.ok) throw notFound(`waitlist entry '${itemId}' of clinic '${id}'`);
      return { clinicId: id, entry: result.entry };
    },
  );

  app.post(
    '/clinics/:id/waitlist/:itemId/accept',
    {
      config: { audit: { action: 'waitlist.accept', object: 'waitlist', patientData: true }, access: { action: 'book' }, reminders: 'appointment', waitlist: true },
      schema: {
        tags: ['waitlist'],
        operationId: 'acceptWaitlistOffer',
        summary: 'The patient takes the place offered: it is booked from its hold (or their appointment moves into it)',
        description:
          'Answers the appointment: 201 when the request is booked, 200 when its appointment moved (the place it left is offered in turn). ' +
          '409 `no-offer` when the entry has no offer; 410 `offer-expired` when it ran out (the place went on to the next in line); 422 `authorization-required` ' +
          'when the prior authorisation is no longer approved; 409 when the place was taken meanwhile (the entry waits on).',
        params: ClinicItemParams,
        body: Change,
        response: { 200: StoredAppointment, 201: StoredAppointment, ...errorResponses(400, 404, 409, 410, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id, itemId } = request.params;
      const result = await acceptOffer(store, id, itemId, { actor: callerOf(request), reason: request.body.reason }, await ctxOf(id)).catch(busy);
      if (result.ok) return send(reply, appointmentAnswer(id, result.appointment, result.moved ? 200 : 201));
      switch (result.reason) {
        case 'not-found':
          throw notFound(`waitlist entry '${itemId}' of clinic '${id}'`);
        case 'no-offer':
          throw new ApiError(409, { error: 'no-offer', message: result.message });
        case 'offer-expired':
          throw new ApiError(410, { error: 'offer-expired', message: result.message });
        case 'authorization':
          throw authorizationRequired('$.params.itemId', result.message);
        default:
          return okOrThrow(result.result, `waitlist entry '${itemId}' of clinic '${id}'`);
      }
    },
  );

  app.post(
    '/clinics/:id/waitlist/:itemId/decline',
    {
      config: { audit: { action: 'waitlist.decline', object: 'waitlist', patientData: true }, access: { action: 'book' }, waitlist: true },
      schema: {
        tags: ['waitlist'],
        operationId: 'declineWaitlistOffer',
        summary: 'The patient does not take the place offered: it goes to the next in line (the entry keeps waiting, and is not offered that place again)',
        params: ClinicItemParams,
        body: z.strictObject({}).describe('nothing: who declines is the caller (the audit trail records it)'),
        response: { 200: EntryAnswer, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      const result = await declineOffer(store, id, itemId, await ctxOf(id)).catch(busy);
      if (result.ok) return { clinicId: id, entry: result.entry };
      if (result.reason === 'not-found') throw notFound(`waitlist entry '${itemId}' of clinic '${id}'`);
      throw new ApiError(409, { error: 'no-offer', message: result.message });
    },
  );
}
