// Who is calling, for an appointment's history ("by"), the per-caller hold cap and Idempotency-Key: always
// the authenticated subject (a token's `sub`, `apikey:<keyId>` for an API key). No header or body field
// may name someone else: such fields are refused as unknown.
import type { FastifyRequest } from 'fastify';
import { principalOf } from './access.js';

export const callerOf = (request: FastifyRequest): string => principalOf(request).subject;
