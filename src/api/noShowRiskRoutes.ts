// Each booked appointment of a day with its estimated no-show probability and the factors behind it,
// from a model fitted on the clinic's own finished appointments of the look-back (NO_SHOW_LOOKBACK_DAYS).
// Patient ids only, no names: the answer is a list to act on (a call, an extra reminder), not a profile.
import { z } from 'zod';
import { formatInZone } from '../domain/time.js';
import { FACTORS } from '../noshow/features.js';
import { lookBackDates } from '../noshow/lookBackDates.js';
import { estimateAll, fitNoShowModel } from '../noshow/noShowModel.js';
import { finishedVisitsOf, visitOf } from '../noshow/visitOf.js';
import { listDays } from '../store/daysOf.js';
import { auditPatients } from './auditTrail.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses } from './errors.js';
import { ClinicParams, LocalDate } from './params.js';

const Probability = z.number().min(0).max(1);
const round = (x: number) => Math.round(x * 10_000) / 10_000;

const RiskQuery = z.object({ date: LocalDate.describe('the clinic-local date of the appointments to estimate') });
const FactorEffect = z.object({
  factor: z.enum(FACTORS as [string, ...string[]]),
  text: z.string().describe("this appointment's value of the factor, in words"),
  effect: z.number().describe("the probability change this factor alone makes to a typical appointment of the clinic (effects do not add up exactly)"),
  logOdds: z.number().describe("the factor's push on the log-odds against a typical appointment (these add up: base log-odds + sum = the estimate's)"),
});
const NoShowRiskAnswer = z
  .object({
    clinicId: z.string(),
    date: LocalDate,
    timezone: z.string(),
    model: z.object({
      kind: z.enum(['fitted', 'base-rate']).describe("fitted: logistic regression on the history; base-rate: too little history, every estimate is the clinic's base rate"),
      from: LocalDate.describe('the first date of the history read'),
      lookBackDays: z.number().int(),
      finished: z.number().int().describe('finished appointments (fulfilled or noshow) in the history'),
      noShows: z.number().int(),
      baseRate: Probability.describe('the clinic’s no-show rate, smoothed with a prior'),
      note: z.string(),
    }),
    appointments: z.array(
      z.object({
        appointmentId: z.string(),
        patientId: z.string(),
        providerId: z.string().nullable(),
        serviceId: z.string(),
        start: z.string(),
        probability: Probability,
        base: Probability.describe("a typical appointment's probability at this clinic"),
        factors: z.array(FactorEffect),
      }),
    ),
  })
  .meta({ id: 'NoShowRisk' });

export function registerNoShowRiskRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store, config } = deps;

  app.get(
    '/clinics/:id/no-show-risk',
    {
      config: { audit: { action: 'no-show-risk.read', object: 'no-show-risk', patientData: true }, access: { action: 'read-no-show-risk' } },
      schema: {
        tags: ['no-show risk'],
        operationId: 'getNoShowRisk',
        summary: "Each booked appointment of a day with its estimated no-show probability and the factors behind it",
        description:
          "The model is fitted on the clinic's own finished appointments (fulfilled or noshow) of the look-back before the date (NO_SHOW_LOOKBACK_DAYS, " +
          "default 180) and the date itself: lead time (booking to start), the patient's earlier no-shows (count and rate, shrunk toward the clinic's rate), " +
          "time of day and weekday. With too little history every estimate is the clinic's base rate with a prior, and `model.note` says so. " +
          'Booked appointments only (not holds, not checked-in), by start.',
        params: ClinicParams,
        querystring: RiskQuery,
        response: { 200: NoShowRiskAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { date } = request.query;
      const { setup } = await clinicSetupOf(store, id);
      const zone = setup.clinic.timezone;
      const dates = lookBackDates(date, config.noShowLookbackDays);
      const read = await listDays(store, id, dates);
      const history = finishedVisitsOf(read, zone);
      const model = fitNoShowModel(history);
      // The date is the last one read, its appointments by start.
      const booked = read.filter((a) => a.date === date && !a.hold && a.status === 'booked');
      const byId = new Map(booked.map((a) => [a.id, a]));
      const estimates = estimateAll(model, history, booked.map((a) => visitOf(a, zone)));
      auditPatients(request, booked.map((a) => a.patientId));
      return {
        clinicId: id,
        date,
        timezone: zone,
        model: { kind: model.kind, from: dates[0]!, lookBackDays: config.noShowLookbackDays, finished: model.finished, noShows: model.noShows, baseRate: round(model.baseRate), note: model.note },
        appointments: estimates.map((e) => {
          const a = byId.get(e.visit.id)!;
          return {
            appointmentId: a.id,
            patientId: a.patientId,
            providerId: a.providerId,
            serviceId: a.serviceId,
            start: formatInZone(e.visit.startMs, zone),
            probability: round(e.probability),
            base: round(e.base),
            factors: e.factors.map((f) => ({ factor: f.factor, text: f.text, effect: round(f.effect), logOdds: round(f.logOdds) })),
          };
        }),
      };
    },
  );
}
