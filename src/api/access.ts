// Access control on every route: each route declares in its config who may call it, either
// `access: 'public'` (health, readiness, the document) or `access: { action }` (see src/auth/actions.ts).
// Before anything else of the request is read, a hook authenticates the caller (401), answers 404 for a
// clinic outside the caller's clinics exactly as for a clinic that does not exist, and 403 for a role
// that may not do the route's action. A route that declares nothing is refused to everyone (and a test
// fails). The OpenAPI document shows each route's security and the roles that may call it.
import type { FastifyRequest, RouteOptions } from 'fastify';
import { ACTIONS, rolesFor, roleActions, type Action } from '../auth/actions.js';
import type { JwtSettings } from '../auth/jwtSettings.js';
import type { Store } from '../store/store.js';
import { authenticate } from './authenticate.js';
import type { ZodApp } from './deps.js';
import { ApiError, ErrorBody, notFound } from './errors.js';
import { ClinicId } from './params.js';
import type { Principal, Role } from './principal.js';

/** 'signed-link': no credential header; the route checks the signed key its URL carries (a calendar feed). */
export type RouteAccess = 'public' | 'signed-link' | { action: Action };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: 'public', or the action it performs (the roles allowed follow from it). */
    access?: RouteAccess;
  }
}

export type AccessSettings = { jwt: JwtSettings; integrationActions: readonly Action[] };

export const forbidden = (message: string) => new ApiError(403, { error: 'forbidden', message });

/** Names of the security schemes in the OpenAPI document. */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a JWT with sub, role, clinics (and providerId for a clinician); `medsched token create` issues one' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'an integration\'s API key (`medsched apikey create`); `Authorization: ApiKey <key>` works too' },
  calendarLink: { type: 'apiKey', in: 'query', name: 'key', description: 'a calendar subscription link\'s key (POST .../briefings/{personId}/subscription issues the link); only for the feed it was issued for' },
} as const;
export const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

/** Installs the hooks; call before any route is registered. */
export function installAccessControl(app: ZodApp, settings: AccessSettings, store: Store): void {
  const table = roleActions(settings.integrationActions);

  app.addHook('onRoute', (route: RouteOptions) => documentAccess(route, table));

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = request.routeOptions.config?.access;
    // Public routes, signed links (the route checks its key) and CORS preflights (which never carry credentials).
    if (access === 'public' || access === 'signed-link' || request.method === 'OPTIONS') return;
    const principal = await authenticate(request, reply, settings.jwt, store);
    request.principal = principal;
    const clinicId = (request.params as Record<string, string> | undefined)?.id;
    // An id that cannot be a clinic's is left to validation (400 naming it): it is nobody's clinic.
    if (clinicId !== undefined && ClinicId.safeParse(clinicId).success && !principal.clinics.includes(clinicId)) throw notFound(`clinic '${clinicId}'`);
    if (access === undefined) throw forbidden('this route declares no access; nobody may call it');
    if (!table[principal.role].has(access.action))
      throw forbidden(`the role '${principal.role}' may not ${ACTIONS[access.action]} (allowed: ${rolesFor(access.action, table).join(', ')})`);
  });
}

/** The route's security, allowed roles and refusals, in its OpenAPI operation. */
function documentAccess(route: RouteOptions, table: Record<Role, ReadonlySet<Action>>): void {
  const schema = route.schema as (Record<string, unknown> & { response?: Record<string, unknown>; description?: string; hide?: boolean }) | undefined;
  const access = route.config?.access;
  // A GET's automatic HEAD route shares its schema: document it once.
  if (!schema || schema.hide || access === undefined || schema['x-access'] !== undefined) return;
  if (access === 'public') {
    schema.security = [];
    schema['x-access'] = { public: true, roles: [] };
    return;
  }
  if (access === 'signed-link') {
    schema.security = [{ calendarLink: [] }];
    schema['x-access'] = { signedLink: true, roles: [] };
    schema.response = { ...schema.response, 401: ErrorBody };
    return;
  }
  const roles = rolesFor(access.action, table);
  schema['x-access'] = { action: access.action, roles };
  schema.description = [schema.description, `**Access:** ${roles.join(', ') || 'nobody'} (${ACTIONS[access.action]}).`].filter(Boolean).join('\n\n');
  schema.response = { ...schema.response, 401: ErrorBody, 403: ErrorBody };
}

/** A clinician acts only on their own provider's appointments; everyone else the route allows acts on any. */
export function requireOwn(request: FastifyRequest, providerId: string | null, what: string): void {
  const principal = request.principal;
  if (principal?.role === 'clinician' && providerId !== principal.providerId)
    throw forbidden(`a clinician may only ${what} their own appointments (provider '${principal.providerId}')`);
}

/** The authenticated caller of a protected route (the hook above has set it, or the request was refused). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('no principal on a protected route: the access hook did not run');
  return request.principal;
}
