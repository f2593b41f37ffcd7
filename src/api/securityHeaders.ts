// What every answer tells a browser: helmet's security headers, set for an API that only answers JSON
// (nothing may be framed, run or loaded from it), no caching of answers that carry patient data, and
// CORS closed unless CORS_ORIGINS lists the origin: an unlisted origin gets no Access-Control-* header
// at all, and its preflight is answered like an unknown route.
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { ApiConfig } from './config.js';
import type { ZodApp } from './deps.js';

/** What a browser app may send and read beyond the CORS-safelisted headers. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-api-key', 'x-request-id', 'last-event-id'];
const EXPOSED_HEADERS = ['etag', 'location', 'retry-after', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

export async function registerSecurityHeaders(app: ZodApp, config: ApiConfig): Promise<void> {
  await app.register(fastifyHelmet, {
    // The API serves JSON only (GET /docs too): a page of it may load nothing and be framed by nobody.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
  });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  const allowed = new Set(config.corsOrigins);
  await app.register(fastifyCors, {
    // false: no CORS headers, and a preflight falls through to 404.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'PUT', 'POST', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false, // bearer tokens and API keys travel in headers, never in cookies
    maxAge: 600,
    // A preflight from a listed origin without Access-Control-Request-Method is harmless: answer it, not a text/plain 400.
    strictPreflight: false,
  });
}
