// A referral and its follow-ups: every request that carries the referral's id, each with the
// appointments it was given (any status), so a desk can see what came of a referral.
import { z } from 'zod';
import { Referral } from '../contract/authorization.js';
import { Request } from '../contract/instance.js';
import { appointmentsOfRequests } from '../store/requestAppointments.js';
import { listRequests } from '../store/requests.js';
import { StoredAppointment } from '../store/storedAppointment.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses, notFound } from './errors.js';
import { ClinicItemParams } from './params.js';

const ReferralAnswer = z
  .object({
    clinicId: z.string(),
    referralId: z.string(),
    referral: Referral.describe('as the first request (by id) carries it'),
    requests: z.array(z.object({ request: Request, appointments: z.array(StoredAppointment) })),
  })
  .meta({ id: 'ReferralView' });

export function registerReferralRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;

  app.get(
    '/clinics/:id/referrals/:itemId',
    {
      config: { audit: { action: 'referral.read', object: 'referral', patientData: true }, access: { action: 'read-requests' } },
      schema: {
        tags: ['requests'],
        operationId: 'getReferral',
        summary: "A referral's requests (each stored request whose `referral.id` it is) and the appointments each was given",
        params: ClinicItemParams,
        response: { 200: ReferralAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      await clinicSetupOf(store, id);
      const requests = (await listRequests(store, id)).filter((r) => r.referral?.id === itemId);
      if (requests.length === 0) throw notFound(`referral '${itemId}' of clinic '${id}'`);
      const appointments = await appointmentsOfRequests(store, id, requests.map((r) => r.id));
      return {
        clinicId: id,
        referralId: itemId,
        referral: requests[0]!.referral!,
        requests: requests.map((r) => ({ request: r, appointments: appointments.get(r.id) ?? [] })),
      };
    },
  );
}
