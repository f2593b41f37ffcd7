// One place turns every failure into a JSON answer: the caller's mistakes into 4xx naming what is wrong
// and where, an unreachable Redis into 503, and anything else into a logged 500 without internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { unknownFieldProblems } from './unknownFields.js';

export const ProblemBody = z.object({ path: z.string(), message: z.string() });

/** Every error answer: a stable code, a sentence, and what applies of the rest. */
export const ErrorBody = z
  .looseObject({
    error: z.string().describe('stable machine-readable code, e.g. invalid-request, conflict, stale'),
    message: z.string(),
    problems: z.array(ProblemBody).optional().describe('what is wrong, each with a JSON path into the request'),
    conflicts: z
      .array(z.object({ resource: z.string(), start: z.string(), end: z.string() }))
      .optional()
      .describe('for 409 conflict: the resources already taken in the interval'),
    current: z.unknown().optional().describe('for 412 stale: the current version of what was changed'),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The error answers a route documents, each with the Error body: `...errorResponses(400, 404)`. */
export const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

/** A deliberate error answer; the handler below sends `body` as it is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

export const invalidRequest = (problems: Problem[], message = 'the request is invalid') =>
  new ApiError(400, { error: 'invalid-request', message, problems });
export const notFound = (what: string) => new ApiError(404, { error: 'not-found', message: `${what} not found` });

/** Zod's instance path `/providers/0/id` of the body as `$.body.providers[0].id`. */
export function requestPath(part: string, instancePath: string): string {
  const segments = instancePath.split('/').filter((s) => s !== '');
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : `${acc}.${s}`), `$.${part}`);
}

// ioredis reports a lost or slow connection (or cluster) with these; Redis itself with these reply prefixes.
const UNAVAILABLE = /Connection is closed|Stream isn't writeable|Command timed out|connect ETIMEDOUT|ECONNREFUSED|ECONNRESET|EPIPE|MaxRetriesPerRequest|Reached the max retries|None of startup nodes|Failed to refresh slots cache|Cluster isn't ready|Too many Cluster redirections/i;
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|OOM|NOREPLICAS)\b/;

export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return UNAVAILABLE.test(error.message) || UNAVAILABLE_REPLY.test(error.message);
}

export const storeUnavailable = () =>
  new ApiError(503, { error: 'store-unavailable', message: 'the schedule store (Redis) is unreachable or too slow; retry shortly' });

/** What a fastify-raised client error is called in our answers. */
const CODES: Record<string, { error: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { error: 'body-too-large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { error: 'unsupported-media-type', message: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { error: 'invalid-content-length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { error: 'invalid-request', message: 'the body is empty but the content type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { error: 'invalid-json' },
  FST_ERR_BAD_URL: { error: 'bad-url' },
  FST_ERR_MAX_PARAM_LENGTH: { error: 'uri-too-long', message: 'a path parameter is longer than 200 characters' },
};

export function errorAnswer(error: unknown, request: FastifyRequest): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.status, body: error.body };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = (error as FastifyError).validationContext ?? 'body';
    const problems = error.validation.flatMap((v) =>
      v.keyword === 'unrecognized_keys' && Array.isArray(v.params?.keys)
        ? unknownFieldProblems(requestPath(part, v.instancePath), v.params.keys as unknown[])
        : [{ path: requestPath(part, v.instancePath), message: v.message ?? 'invalid' }],
    );
    return { status: 400, body: { error: 'invalid-request', message: `the request ${part} is invalid`, problems } };
  }
  if (isStoreUnavailable(error)) return { status: 503, body: storeUnavailable().body };
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    const known = code ? CODES[code] : undefined;
    // JSON syntax errors carry their position in the message, which is what a caller needs.
    const message = code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the body is larger than this route takes (${request.routeOptions.bodyLimit} bytes)` : (known?.message ?? (error as Error).message);
    return { status, body: { error: known?.error ?? 'bad-request', message } };
  }
  request.log.error({ err: error }, 'unexpected error');
  return { status: 500, body: { error: 'internal', message: 'an unexpected error occurred; it has been logged' } };
}

/** Sends an error body as plain JSON, bypassing the route's response schemas (an error answer must never fail to serialize). */
export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if (status === 503) reply.header('retry-after', '1');
  return reply
    .code(status)
    .header('x-request-id', String(reply.request.id))
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send({ ...body, requestId: String(reply.request.id) });
}
