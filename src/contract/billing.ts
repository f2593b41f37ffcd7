import { z } from 'zod';
import { Id, Instant } from './primitives.js';

/**
 * A late cancellation or a no-show flagged for billing, as the store records it in the same step as the
 * status change (or as an applied re-plan's `billing` flag): who, when and why, the fee and the policy.
 */
export const BillingRecord = z
  .object({
    appointmentId: Id,
    requestId: Id,
    patientId: Id,
    serviceId: Id,
    providerId: Id.nullable(),
    roomId: Id,
    date: z.string().describe("the appointment's clinic-local date (the export's day)"),
    start: Instant,
    end: Instant,
    kind: z.enum(['late-cancellation', 'no-show']),
    at: Instant.describe('when it was cancelled or marked a no-show'),
    hoursBefore: z.number().describe('hours from then to the start (negative: after it)'),
    windowHours: z.number().describe('the late-cancellation window that applied'),
    fee: z.number().nullable().describe('the fee of the policy; null when none is set'),
    policy: z.object({
      windowFrom: z.enum(['service', 'clinic']).describe("whose lateCancelHours applied: the service's, else the clinic's"),
      feeFrom: z.enum(['service', 'clinic']).nullable().describe("whose lateCancelFee applied; null when neither sets one"),
    }),
    by: z.string().describe('who recorded it: the caller, or whoever applied the re-plan'),
    reason: z.string().optional(),
    source: z.enum(['status', 'replan']).describe('a status change (cancel, no-show) or an applied re-plan'),
  })
  .meta({ id: 'BillingRecord' });
export type BillingRecord = z.infer<typeof BillingRecord>;
