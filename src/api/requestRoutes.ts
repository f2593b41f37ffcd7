// Requests waiting to be scheduled (what the nightly optimization places): create, replace, read, list, delete.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Request } from '../contract/instance.js';
import { deleteRequest, listRequests, putRequest } from '../store/requests.js';
import { unplaceable } from './appointmentAnswers.js';
import { REQUEST_CAPS, waitingListFull } from './caps.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import { auditPatients } from './auditTrail.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, notFound } from './errors.js';
import { IdempotencyKeyHeader, idempotent } from './idempotency.js';
import { ClinicItemParams, ClinicParams, LocalDate } from './params.js';
import { InlineRequest } from './placement.js';
import { storedRequestOrNull } from './storedRequest.js';

const RequestAnswer = z.object({ clinicId: z.string(), request: Request });

export function registerRequestRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;

  /** Stores the request; what the set-up rejects is 422 with paths into the body, a full waiting list 409. */
  async function save(clinicId: string, request: Request) {
    const result = await putRequest(store, clinicId, request, REQUEST_CAPS.waitingPerClinic);
    if (result.ok) return result.request;
    if (result.reason === 'not-found') throw notFound(`clinic '${clinicId}'`);
    if (result.reason === 'full') throw waitingListFull(clinicId, result.max);
    throw unplaceable(result.problems.map((p) => ({ ...p, path: `$.body${p.path.slice(1)}` })), 'the request does not fit the clinic set-up');
  }

  app.post(
    '/clinics/:id/requests',
    {
      config: { audit: { action: 'request.create', object: 'request', patientData: true }, access: { action: 'change-requests' } },
      schema: {
        tags: ['requests'],
        operationId: 'createRequest',
        summary: 'Add a request waiting to be scheduled (its id is generated when omitted)',
        description: '409 when a request with that id exists (replace it with PUT). 422 when the set-up rejects it (unknown service or provider, off the grid). Idempotency-Key makes a retry safe.',
        params: ClinicParams,
        headers: z.looseObject({ 'idempotency-key': IdempotencyKeyHeader }),
        body: InlineRequest,
        response: { 201: RequestAnswer, ...errorResponses(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        await clinicSetupOf(store, id);
        const body = { ...request.body, id: request.body.id ?? `r-${randomUUID()}` };
        if (await storedRequestOrNull(store, id, body.id))
          throw new ApiError(409, { error: 'exists', message: `request '${body.id}' exists; replace it with PUT /clinics/${id}/requests/${body.id}` });
        return { status: 201, body: { clinicId: id, request: await save(id, body) }, headers: { location: `/clinics/${id}/requests/${encodeURIComponent(body.id)}` } };
      });
    },
  );

  app.put(
    '/clinics/:id/requests/:itemId',
    {
      config: { audit: { action: 'request.change', object: 'request', patientData: true }, access: { action: 'change-requests' } },
      schema: {
        tags: ['requests'],
        operationId: 'putRequest',
        summary: 'Create or replace a waiting request',
        params: ClinicItemParams,
        body: InlineRequest,
        response: { 200: RequestAnswer, 201: RequestAnswer, ...errorResponses(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id, itemId } = request.params;
      if (request.body.id !== undefined && request.body.id !== itemId)
        throw new ApiError(400, { error: 'invalid-request', message: 'the ids differ', problems: [{ path: '$.body.id', message: `the body names request '${request.body.id}' but the path names '${itemId}'` }] });
      await clinicSetupOf(store, id);
      const existed = (await storedRequestOrNull(store, id, itemId)) !== null;
      const saved = await save(id, { ...request.body, id: itemId });
      return reply.code(existed ? 200 : 201).send({ clinicId: id, request: saved });
    },
  );

  app.get(
    '/clinics/:id/requests',
    {
      config: { audit: { action: 'request.list', object: 'request', patientData: true }, access: { action: 'read-requests' } },
      schema: {
        tags: ['requests'],
        operationId: 'listRequests',
        summary: 'The waiting requests; with date, those whose window reaches into that clinic-local day',
        params: ClinicParams,
        querystring: z.object({ date: LocalDate.optional() }),
        response: { 200: z.object({ clinicId: z.string(), requests: z.array(Request) }), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await clinicSetupOf(store, id);
      return { clinicId: id, requests: await listRequests(store, id, request.query.date) };
    },
  );

  app.get(
    '/clinics/:id/requests/:itemId',
    {
      config: { audit: { action: 'request.read', object: 'request', patientData: true }, access: { action: 'read-requests' } },
      schema: {
        tags: ['requests'],
        operationId: 'getRequest',
        summary: 'One waiting request',
        params: ClinicItemParams,
        response: { 200: RequestAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      await clinicSetupOf(store, id);
      const found = await storedRequestOrNull(store, id, itemId);
      if (!found) throw notFound(`request '${itemId}' of clinic '${id}'`);
      return { clinicId: id, request: found };
    },
  );

  app.delete(
    '/clinics/:id/requests/:itemId',
    {
      config: { audit: { action: 'request.delete', object: 'request', patientData: true }, access: { action: 'change-requests' } },
      schema: {
        tags: ['requests'],
        operationId: 'deleteRequest',
        summary: 'Remove a waiting request (its appointment, if booked, stays)',
        params: ClinicItemParams,
        response: { 200: z.object({ clinicId: z.string(), deleted: z.string() }), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      await clinicSetupOf(store, id);
      // Read first, so the audit trail names the patient whose request goes.
      const found = await storedRequestOrNull(store, id, itemId);
      if (!found || !(await deleteRequest(store, id, itemId))) throw notFound(`request '${itemId}' of clinic '${id}'`);
      auditPatients(request, [found.patientId]);
      return { clinicId: id, deleted: itemId };
    },
  );
}
