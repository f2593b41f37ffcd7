// Slot search: a request in, the best k places on one clinic day out (or why there are none).
import { z } from 'zod';
import type { Request } from '../contract/instance.js';
import { SlotOption } from '../contract/slotOption.js';
import { localDateOf } from '../booking/dayGrid.js';
import { searchRequestProblems } from '../booking/searchRequestProblems.js';
import { searchSlots } from '../booking/searchSlots.js';
import { toMs } from '../domain/time.js';
import { cachedDay } from './dayCache.js';
import { unplaceable } from './appointmentAnswers.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import { auditPatients } from './auditTrail.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses } from './errors.js';
import { ClinicParams, LocalDate } from './params.js';
import { InlineRequest, oneRequest } from './placement.js';
import { storedRequest } from './storedRequest.js';

export const MAX_OPTIONS = 50;

const SearchBody = z
  .strictObject({
    requestId: z.string().min(1).optional().describe('a stored request; give this or `request`'),
    request: InlineRequest.optional().describe('the request inline; give this or `requestId`'),
    k: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_OPTIONS, `must be at most ${MAX_OPTIONS}`).default(5).describe('how many options at most'),
    date: LocalDate.optional().describe("the clinic-local day to search (default: the day of the request's earliestStart, else today)"),
  })
  .superRefine(oneRequest);

const SearchAnswer = z.object({
  date: z.string().describe('the clinic-local day searched'),
  dayVersion: z.number().int().describe('the schedule version of that day when searched'),
  options: z.array(SlotOption).describe('the best first (highest batch objective, then earliest); empty when there is none'),
  reasons: z.array(z.string()).describe('when there is no option: what blocks the request, in plain words'),
});

export function registerSlotRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;
  app.post(
    '/clinics/:id/slots/search',
    {
      config: { audit: { action: 'slot.search', object: 'slot-search', patientData: true }, access: { action: 'search' } },
      schema: {
        tags: ['booking'],
        operationId: 'searchSlots',
        summary: 'The best k places for a request on one day, ranked by the batch objective, with reasons when none exists',
        description: 'Nothing starts before now. Holding or booking an option: POST .../holds or .../appointments with the option\'s providerId, roomId, start and staff.',
        params: ClinicParams,
        body: SearchBody,
        response: { 200: SearchAnswer, ...errorResponses(400, 404, 422, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const versioned = await clinicSetupOf(store, id);
      const { setup } = versioned;
      const inline = body.request !== undefined;
      const searched: Request = inline ? { ...body.request!, id: body.request!.id ?? 'search' } : await storedRequest(store, id, body.requestId!);
      auditPatients(request, [searched.patientId]);
      const now = deps.now();
      const zone = setup.clinic.timezone;
      const date = body.date ?? localDateOf(searched.earliestStart ? toMs(searched.earliestStart) : now, zone);
      const day = await cachedDay(store, id, date, versioned, now);
      const instance = { ...day.day, requests: [searched] };
      const problems = searchRequestProblems(instance, searched);
      if (problems.length > 0) throw unplaceable(problems.map((p) => ({ ...p, path: inline ? `$.body.request${p.path.slice(1)}` : '$.body.requestId' })), 'the request does not fit the clinic set-up');
      const found = searchSlots(instance, searched, { k: body.k, notBefore: now });
      return { date, dayVersion: day.version, options: found.options, reasons: found.reasons };
    },
  );
}
