// What a credential says about its holder (a token's claims, an API key's record), checked before it
// becomes the request's Principal: a known role, the clinics as valid clinic ids, a clinician's provider.
import { z } from 'zod';
import { ClinicId } from '../api/params.js';
import { ROLES, type Principal } from '../api/principal.js';

export const MAX_CLINICS = 500;

export const Role = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });
export const Subject = z.string().regex(/^[\x21-\x7e][\x20-\x7e]{0,199}$/, 'must be 1-200 visible ASCII characters');
export const ProviderRef = z.string().min(1, 'must be a non-empty id').max(200, 'must be at most 200 characters');

/** Who the credential is for: the same fields for a token's claims and an API key's record. */
export const Grant = z
  .object({
    role: Role,
    clinics: z.array(ClinicId).min(1, 'must name at least one clinic').max(MAX_CLINICS, `must name at most ${MAX_CLINICS} clinics`),
    providerId: ProviderRef.optional(),
  })
  .superRefine((g, ctx) => {
    if (g.role === 'clinician' && g.providerId === undefined)
      ctx.addIssue({ code: 'custom', path: ['providerId'], message: "a clinician's credential must name their own provider" });
  });
export type Grant = z.infer<typeof Grant>;

/** The principal of a checked grant (a provider id only for a clinician). */
export function principalOf(subject: string, grant: Grant, via: Principal['via']): Principal {
  return {
    subject,
    role: grant.role,
    clinics: [...new Set(grant.clinics)],
    ...(grant.role === 'clinician' ? { providerId: grant.providerId! } : {}),
    via,
  };
}

/** A zod error as one line naming each claim: "role: must be one of ...; clinics[0]: ...". */
export function claimProblems(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || 'claims'}: ${i.message}`)
    .join('; ');
}
