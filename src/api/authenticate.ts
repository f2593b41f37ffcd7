// Who is calling: a bearer token (`Authorization: Bearer <jwt>`) or an integration's API key
// (`Authorization: ApiKey <key>` or `X-Api-Key: <key>`), checked and turned into the request's Principal.
// Anything missing or wrong is 401 with `WWW-Authenticate: Bearer` and a message that says what is wrong
// without repeating the credential.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { verifyBearerToken } from '../auth/bearerTokens.js';
import { claimProblems, Grant, principalOf } from '../auth/claims.js';
import type { JwtSettings } from '../auth/jwtSettings.js';
import { parseApiKey, secretMatches } from '../auth/apiKeyText.js';
import { getApiKey } from '../store/apiKeys.js';
import type { Store } from '../store/store.js';
import { ApiError } from './errors.js';
import type { Principal } from './principal.js';

const HOW = 'send Authorization: Bearer <token> (see `medsched token create`), or an API key as Authorization: ApiKey <key> or X-Api-Key: <key>';

/** A credential's outcome: the principal, or why there is none ('missing': nothing was sent). */
type Outcome = { ok: true; principal: Principal } | { ok: false; message: string; missing?: true };

const refused = (message: string, missing?: true): Outcome => ({ ok: false, message, ...(missing ? { missing } : {}) });

/** The caller's principal; else 401 with the WWW-Authenticate challenge (RFC 6750). 503 when the API key store is unreachable. */
export async function authenticate(request: FastifyRequest, reply: FastifyReply, jwt: JwtSettings, store: Store): Promise<Principal> {
  const outcome = await credentialOutcome(request, jwt, store);
  if (outcome.ok) return outcome.principal;
  reply.header('www-authenticate', outcome.missing ? 'Bearer realm="medsched"' : 'Bearer realm="medsched", error="invalid_token"');
  throw new ApiError(401, { error: 'unauthenticated', message: outcome.message });
}

async function credentialOutcome(request: FastifyRequest, jwt: JwtSettings, store: Store): Promise<Outcome> {
  const authorization = request.headers.authorization;
  const apiKeyHeader = request.headers['x-api-key'];
  if (Array.isArray(apiKeyHeader)) return refused('send one X-Api-Key header, not several');
  if (authorization !== undefined && authorization.trim() !== '' && apiKeyHeader !== undefined)
    return refused('send one credential: Authorization or X-Api-Key, not both');
  if (apiKeyHeader !== undefined) return apiKeyOutcome(apiKeyHeader.trim(), store);
  if (authorization === undefined || authorization.trim() === '') return refused(`authentication required: ${HOW}`, true);

  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization);
  if (!match) return refused(`the Authorization header is malformed: ${HOW}`);
  const scheme = match[1]!.toLowerCase();
  if (scheme === 'bearer') {
    const checked = await verifyBearerToken(match[2]!, jwt);
    return checked.ok ? checked : refused(checked.message);
  }
  if (scheme === 'apikey') return apiKeyOutcome(match[2]!, store);
  return refused(`the Authorization scheme is not supported: ${HOW}`);
}

async function apiKeyOutcome(text: string, store: Store): Promise<Outcome> {
  const parsed = parseApiKey(text);
  if (!parsed) return refused('the API key is malformed (an API key looks like msk_<key id>_<secret>)');
  const record = await getApiKey(store.redis, store.prefix, parsed.keyId);
  if (!record || !secretMatches(parsed.secret, record.secretHash)) return refused('the API key is not known');
  if (record.revoked !== null) return refused(`the API key ${parsed.keyId} was revoked on ${record.revoked}`);
  const grant = Grant.safeParse({ role: record.role, clinics: record.clinics, providerId: record.providerId });
  if (!grant.success) return refused(`the API key ${parsed.keyId} grants nothing valid: ${claimProblems(grant.error)}`);
  return { ok: true, principal: principalOf(`apikey:${parsed.keyId}`, grant.data, 'api-key') };
}
