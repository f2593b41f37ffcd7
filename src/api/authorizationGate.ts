// Prior authorisation at the booking routes: a hold or a booking of a request whose service requires
// authorisation is refused (422, naming the field) until it is approved, unless a scheduler-admin
// overrides it with a reason, which goes into the appointment's history and the audit trail.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import { authorizationRefusal } from '../booking/authorizationCheck.js';
import { forbidden, principalOf } from './access.js';
import { auditAlso } from './auditTrail.js';
import { ApiError } from './errors.js';

export const AuthorizationOverride = z
  .strictObject({ reason: z.string().trim().min(1, 'say why the visit cannot wait for the approval').max(2000, 'must be at most 2000 characters') })
  .describe('book although the prior authorisation is not approved (scheduler-admin only): the reason is recorded in the history and the audit trail');
export type AuthorizationOverride = z.infer<typeof AuthorizationOverride>;

/** Only this role may book past a missing approval. */
const MAY_OVERRIDE = 'scheduler-admin';

export const authorizationRequired = (path: string, message: string) =>
  new ApiError(422, {
    error: 'authorization-required',
    message: `${message}; a scheduler-admin may book it anyway with authorizationOverride: { reason }`,
    problems: [{ path, message }],
  });

/** The words the history records for an override (after the caller's own reason, if any). */
export const overrideNote = (override: AuthorizationOverride) => `prior authorisation overridden: ${override.reason}`;

/** The history's reason: the caller's, and the override's when one was used. */
export function withOverride(reason: string | undefined, note: string | undefined): string | undefined {
  if (note === undefined) return reason;
  return reason === undefined || reason === '' ? note : `${reason}; ${note}`;
}

/**
 * Lets a hold or booking of `req` at `startMs` through, refuses it (422 at `path`), or lets it through on
 * an override (403 unless the caller is a scheduler-admin; audited as `authorization.override`). Returns
 * the override's history note when one was used. Anyone naming an override must be allowed to give one,
 * needed or not.
 */
/** 403 unless the caller may give an override (when it gives one). */
export function requireMayOverride(request: FastifyRequest, override: AuthorizationOverride | undefined): void {
  const role = principalOf(request).role;
  if (override !== undefined && role !== MAY_OVERRIDE)
    throw forbidden(`only a ${MAY_OVERRIDE} may override a prior authorisation (the role '${role}' may not); leave authorizationOverride out`);
}

export function gateAuthorization(
  request: FastifyRequest,
  setup: Pick<ClinicSetup, 'services'>,
  req: Pick<Request, 'id' | 'patientId' | 'serviceId' | 'authorization'>,
  startMs: number | null,
  path: string,
  override: AuthorizationOverride | undefined,
): string | undefined {
  requireMayOverride(request, override);
  const refusal = authorizationRefusal(setup, req, startMs);
  if (refusal === null) return undefined;
  if (override === undefined) throw authorizationRequired(path, refusal);
  auditAlso(request, { action: 'authorization.override', objectType: 'request', objectId: req.id, patientIds: [req.patientId] });
  return overrideNote(override);
}
