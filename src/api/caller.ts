// Who is calling: the per-caller hold cap counts by it, and a booking's history names it by default.
import { z } from 'zod';
import { invalidRequest } from './errors.js';
import { IdempotencyKeyHeader } from './idempotency.js';

export const Caller = z.string().regex(/^[\x20-\x7e]{1,100}$/, 'a caller is 1-100 visible ASCII characters');

export const CallerHeaders = z.looseObject({
  'x-caller': Caller.optional().describe('who holds (a front desk, an integration); the per-caller hold cap counts by it'),
  'idempotency-key': IdempotencyKeyHeader,
});

/**
 * The caller of a request: X-Caller or the body's `caller`, which must agree when both are given;
 * without either, the client's address (so unnamed callers do not share one hold cap).
 */
export function callerOf(header: string | undefined, body: string | undefined, ip: string): string {
  if (header !== undefined && body !== undefined && header !== body)
    throw invalidRequest([{ path: '$.body.caller', message: `the body names caller '${body}' but X-Caller says '${header}'` }]);
  return header ?? body ?? `ip:${ip}`;
}
