// Holds: capacity kept for a caller for a few minutes (default HOLD_DEFAULT_SECONDS) while the patient
// decides; then POST /clinics/{id}/appointments { holdId } books it, or DELETE gives it up. Each caller
// (the authenticated subject) may have at most MAX_HOLDS_PER_CALLER live holds per clinic.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { toMs } from '../domain/time.js';
import { hold, releaseHold } from '../store/hold.js';
import { saveHoldOverride } from '../store/holdOverride.js';
import { StoredAppointment } from '../store/storedAppointment.js';
import { appointmentAnswer, okOrThrow, unplaceable } from './appointmentAnswers.js';
import { AuthorizationOverride, gateAuthorization } from './authorizationGate.js';
import { clinicSetupForWrite } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses, invalidRequest } from './errors.js';
import { IdempotencyKeyHeader, idempotent } from './idempotency.js';
import { callerOf } from './caller.js';
import { ClinicItemParams, ClinicParams } from './params.js';
import { Placement, appointmentOf, bodyPath, oneRequest } from './placement.js';
import { storedRequest } from './storedRequest.js';

const HoldBody = Placement.extend({
  ttlSeconds: z.number().int('must be whole seconds').positive('must be at least 1 second').optional().describe('how long to hold (default from HOLD_DEFAULT_SECONDS, at most HOLD_MAX_SECONDS)'),
  authorizationOverride: AuthorizationOverride.optional(),
})
  .strict()
  .superRefine(oneRequest);


export function registerHoldRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store, config } = deps;

  app.post(
    '/clinics/:id/holds',
    {
      config: { audit: { action: 'hold.create', object: 'hold', patientData: true }, access: { action: 'book' } },
      schema: {
        tags: ['booking'],
        operationId: 'createHold',
        summary: 'Hold a place for a request for a few minutes',
        description:
          `The place is a slot search option (provider, room, start, staff) with the request (\`requestId\` of a stored one, or \`request\` inline). ` +
          `Held for \`ttlSeconds\` (default ${config.holdDefaultSeconds}, at most ${config.holdMaxSeconds}); a caller (the authenticated subject) may have ${config.maxHoldsPerCaller} live holds per clinic (429 beyond). ` +
          '409 with the taken resources when the place is not free; 422 when it breaks a rule of the set-up, or when its service requires prior authorisation ' +
          'and the request\'s is not approved (`authorization-required`; a scheduler-admin may override with a reason, kept for the booking). Idempotency-Key makes a retry safe.',
        params: ClinicParams,
        headers: z.looseObject({ 'idempotency-key': IdempotencyKeyHeader }),
        body: HoldBody,
        response: { 201: StoredAppointment, ...errorResponses(400, 404, 409, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const caller = callerOf(request);
      const ttlSeconds = body.ttlSeconds ?? config.holdDefaultSeconds;
      if (ttlSeconds > config.holdMaxSeconds)
        throw invalidRequest([{ path: '$.body.ttlSeconds', message: `a hold lasts at most ${config.holdMaxSeconds} s` }]);
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        const { setup } = await clinicSetupForWrite(store, id);
        const stored = body.requestId !== undefined ? await storedRequest(store, id, body.requestId) : null;
        const built = appointmentOf(setup, body, stored, () => `r-${randomUUID()}`);
        if (!built.ok) throw unplaceable(built.problems);
        const authPath = stored ? '$.body.requestId' : '$.body.request.authorization';
        const note = gateAuthorization(request, setup, built.request, toMs(built.appointment.start), authPath, body.authorizationOverride);
        const result = await hold(store, id, built.appointment, {
          caller,
          ttlMs: ttlSeconds * 1000,
          maxHoldsPerCaller: config.maxHoldsPerCaller,
          request: built.request,
        });
        const held = okOrThrow(result, `clinic '${id}'`, (p) => bodyPath(p, stored === null));
        if (note !== undefined) await saveHoldOverride(store, id, held.id, note, ttlSeconds * 1000);
        return appointmentAnswer(id, held, 201);
      });
    },
  );

  app.delete(
    '/clinics/:id/holds/:itemId',
    {
      config: { audit: { action: 'hold.release', object: 'hold', patientData: true }, access: { action: 'book' } },
      schema: {
        tags: ['booking'],
        operationId: 'releaseHold',
        summary: 'Give a hold up (its place is free at once)',
        params: ClinicItemParams,
        response: { 200: StoredAppointment, ...errorResponses(400, 404, 410, 503) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      await clinicSetupForWrite(store, id);
      return okOrThrow(await releaseHold(store, id, itemId), `hold '${itemId}' of clinic '${id}'`);
    },
  );
}
