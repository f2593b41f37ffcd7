// The billing export of a day: every late cancellation and no-show flagged on that clinic-local date
// (the appointment's date), with who recorded it, when, why, the fee and the policy that applied; as JSON
// or as CSV for a billing system.
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { BillingRecord } from '../contract/billing.js';
import { formatInZone, toMs } from '../domain/time.js';
import { listBilling } from '../store/billing.js';
import { auditPatients } from './auditTrail.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses } from './errors.js';
import { ClinicParams, LocalDate } from './params.js';

const BillingQuery = z.object({
  date: LocalDate.describe("the clinic-local date of the appointments (the day they were to take place)"),
  format: z.enum(['json', 'csv']).default('json').describe('json (default) or csv: a header row, then one row per flag'),
});
const BillingAnswer = z
  .object({
    clinicId: z.string(),
    date: LocalDate,
    timezone: z.string(),
    flags: z.array(BillingRecord),
    totals: z.object({ lateCancellations: z.number().int(), noShows: z.number().int(), fees: z.number().describe('the sum of the fees set') }),
  })
  .meta({ id: 'BillingExport' });

export const BILLING_CSV_COLUMNS = [
  'date', 'appointmentId', 'patientId', 'requestId', 'serviceId', 'providerId', 'roomId', 'start', 'end', 'kind', 'at',
  'hoursBefore', 'windowHours', 'fee', 'windowFrom', 'feeFrom', 'by', 'reason', 'source',
] as const;

export function registerBillingRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;

  app.get(
    '/clinics/:id/billing',
    {
      config: { audit: { action: 'billing.read', object: 'billing', patientData: true }, access: { action: 'read-billing' } },
      schema: {
        tags: ['billing'],
        operationId: 'getBillingExport',
        summary: 'The late cancellations and no-shows of a day, flagged for billing (JSON or CSV)',
        description:
          "A cancellation less than the window (the service's `lateCancelHours`, else the clinic's) before the appointment's start, judged by when it was " +
          'cancelled, and a no-show of a service with a window, are flagged as the status changes; an applied re-plan flags its cancellation and no-show ' +
          "events the same way. Each flag names who recorded it, when (in the clinic's time zone), why, the fee (the service's `lateCancelFee`, else the " +
          "clinic's; null when neither sets one) and whose policy applied.",
        params: ClinicParams,
        querystring: BillingQuery,
        response: { 200: z.union([BillingAnswer, z.string().describe('text/csv')]), ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { date, format } = request.query;
      const { setup } = await clinicSetupOf(store, id);
      const zone = setup.clinic.timezone;
      const flags = (await listBilling(store, id, date)).map((f) => ({ ...f, at: formatInZone(toMs(f.at), zone) }));
      auditPatients(request, flags.map((f) => f.patientId));
      if (format === 'csv') {
        const rows = flags.map((f) => ({ ...f, windowFrom: f.policy.windowFrom, feeFrom: f.policy.feeFrom ?? '', fee: f.fee ?? '', providerId: f.providerId ?? '', reason: f.reason ?? '' }));
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="billing-${id}-${date}.csv"`)
          .send(stringify(rows, { header: true, columns: [...BILLING_CSV_COLUMNS] }));
      }
      const totals = {
        lateCancellations: flags.filter((f) => f.kind === 'late-cancellation').length,
        noShows: flags.filter((f) => f.kind === 'no-show').length,
        fees: flags.reduce((sum, f) => sum + (f.fee ?? 0), 0),
      };
      return { clinicId: id, date, timezone: zone, flags, totals };
    },
  );
}
