import { z } from 'zod';
import { Id, Instant } from './primitives.js';

// Extensions on a request (optional): prior authorisation from the payer, and the referral it came with.

export const AuthorizationStatus = z.enum(['pending', 'approved', 'denied']);
export type AuthorizationStatus = z.infer<typeof AuthorizationStatus>;

/** The payer's prior authorisation of a request whose service requires one (`requiresAuthorization`). */
export const Authorization = z.object({
  status: AuthorizationStatus.describe('a booking needs approved (or an override by a scheduler-admin, recorded with its reason)'),
  number: z.string().min(1).max(100).optional().describe("the payer's authorisation number"),
  payer: z.string().max(200).optional(),
  expiresAt: Instant.optional().describe('the approval covers visits that start before this'),
  note: z.string().max(2000).optional(),
});
export type Authorization = z.infer<typeof Authorization>;

/** Where the request came from: a referral by another provider; its follow-up requests carry the same id. */
export const Referral = z.object({
  id: Id.max(200, 'must be at most 200 characters').describe('the referral id (GET /clinics/{id}/referrals/{referralId} lists its requests and appointments)'),
  referringProvider: z.object({
    name: z.string().min(1).max(200),
    npi: z.string().regex(/^\d{10}$/, 'an NPI is 10 digits').optional(),
    organization: z.string().max(200).optional(),
  }),
  reason: z.string().max(2000).optional(),
  receivedAt: Instant.optional(),
});
export type Referral = z.infer<typeof Referral>;
