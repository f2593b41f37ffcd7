// Who is calling, once authenticated: a person's bearer token or an integration's API key, with the
// role and the clinics it was issued for. Authorisation, the audit trail and the per-caller hold cap read it.

export const ROLES = ['front-desk', 'clinician', 'scheduler-admin', 'integration', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export type Principal = {
  /** Stable id of the caller: the token's `sub`, or `apikey:<keyId>` for an API key. */
  subject: string;
  role: Role;
  /** The clinics this caller may reach; any other clinic's ids answer 404. */
  clinics: readonly string[];
  /** A clinician's own provider id (its agenda); absent for other roles. */
  providerId?: string;
  /** How the caller proved who it is. */
  via: 'jwt' | 'api-key';
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route but health and docs; undefined until then. */
    principal?: Principal;
  }
}
