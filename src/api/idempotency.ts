// Idempotency-Key on creating POSTs: the first request with a key runs and its answer is kept (24 h);
// the same key with the same request gets that answer again, with another request 422, and while the
// first is still running 409. Failures of ours (5xx) are not kept, so a retry runs again.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { abandonIdempotent, beginIdempotent, finishIdempotent } from '../store/idempotency.js';
import type { RouteDeps } from './deps.js';
import { ApiError, type ErrorBody } from './errors.js';

export const IdempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 visible ASCII characters')
  .optional()
  .describe('makes a retry safe: the same key with the same request replays the first answer (kept 24 h)');

/** What a handler answers: kept as a whole so a replay is byte-for-byte the same. */
export type Answer = { status: number; body: unknown; headers?: Record<string, string> };

type Kept = { body: unknown; headers: Record<string, string>; error: boolean };

/** JSON with object keys sorted, so two bodies that differ only in key order hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same" for a key: method, path, body (key order aside) and `extra` (e.g. the caller). */
export function idempotencyHash(method: string, path: string, body: unknown, extra: unknown = null): string {
  return createHash('sha256').update(`${method} ${path}\n${canonical(body ?? null)}\n${canonical(extra)}`).digest('hex');
}

/** Runs `work` under the request's Idempotency-Key (if any) and sends its answer. */
export async function idempotent(
  deps: RouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  clinicId: string,
  key: string | undefined,
  work: () => Promise<Answer>,
  extra: unknown = null,
): Promise<FastifyReply> {
  if (key === undefined) return send(reply, await work());
  // The caller is part of "the same request": another caller reusing a key never gets this caller's answer.
  const caller = request.principal?.subject ?? null;
  const hash = idempotencyHash(request.method, request.url.split('?')[0]!, request.body, extra === null ? caller : { caller, extra });
  const begun = await beginIdempotent(deps.store, clinicId, key, hash);
  if (begun.state === 'mismatch')
    throw new ApiError(422, {
      error: 'idempotency-key-reused',
      message: 'this Idempotency-Key was already used with a different request; use a new key for a new request',
    });
  if (begun.state === 'in-flight')
    throw new ApiError(409, {
      error: 'idempotency-key-in-flight',
      message: 'a request with this Idempotency-Key is still being processed; retry in a moment',
    });
  if (begun.state === 'done') {
    const kept = begun.body as Kept;
    reply.header('idempotent-replayed', 'true');
    if (kept.error) throw new ApiError(begun.status, kept.body as ErrorBody);
    return send(reply, { status: begun.status, body: kept.body, headers: kept.headers });
  }
  let answer: Answer;
  try {
    answer = await work();
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      await finishIdempotent(deps.store, clinicId, key, hash, error.status, { body: error.body, headers: {}, error: true } satisfies Kept);
    } else {
      await abandonIdempotent(deps.store, clinicId, key, hash).catch(() => {});
    }
    throw error;
  }
  await finishIdempotent(deps.store, clinicId, key, hash, answer.status, { body: answer.body, headers: answer.headers ?? {}, error: false } satisfies Kept);
  return send(reply, answer);
}

export function send(reply: FastifyReply, answer: Answer): FastifyReply {
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  return reply.code(answer.status).send(answer.body);
}
