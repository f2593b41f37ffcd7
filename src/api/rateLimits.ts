// Rate limits, counted in Redis so they hold across every API process of a deployment
// (@fastify/rate-limit's Redis store: one INCR with a TTL per window). Two budgets per window:
// - per client address, checked first (onRequest), so requests with a bad token count too;
// - per caller (preParsing: after every onRequest hook, authentication's included): the token's
//   subject, or the address when the request carries none; checked before the body is read.
// Over either: 429 with Retry-After and the usual error body. Routes that answer without Redis (health,
// readiness, the OpenAPI document) are not limited. A Redis error (or the connection's command timeout)
// lets the request through uncounted: the route's own store access answers 503 then, so the limiter never
// turns an outage into a 500; and once one count failed the request skips the other.
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { ApiConfig } from './config.js';
import type { ZodApp } from './deps.js';
import { ApiError, ErrorBody } from './errors.js';

type Verdict = Awaited<ReturnType<ReturnType<ZodApp['createRateLimit']>>>;
type Check = (request: FastifyRequest) => Promise<Verdict>;
type Budget = { name: 'per-ip' | 'per-caller'; what: string; max: number };

/** The key of the per-caller budget: the authenticated subject, else the client address. */
function callerKey(request: FastifyRequest): string {
  const subject = request.principal?.subject;
  return subject !== undefined ? `sub:${subject}` : `ip:${normalizeIP(request.ip)}`;
}

export async function registerRateLimits(app: ZodApp, config: ApiConfig, redis: unknown, prefix: string): Promise<void> {
  const window = { timeWindow: config.rateLimitWindowMs, redis, skipOnError: true };
  // One registration per budget, each in its own scope: every key stays plain (`<prefix>:ratelimit:ip:<address>`).
  const perIp = await limiter(app, { ...window, max: config.rateLimitPerIp, nameSpace: `${prefix}:ratelimit:ip:` });
  const perCaller = await limiter(app, { ...window, max: config.rateLimitPerCaller, nameSpace: `${prefix}:ratelimit:caller:`, keyGenerator: callerKey });
  const seconds = config.rateLimitWindowMs / 1000;
  const ipBudget: Budget = { name: 'per-ip', what: 'this client address', max: config.rateLimitPerIp };
  const callerBudget: Budget = { name: 'per-caller', what: 'this caller', max: config.rateLimitPerCaller };

  const limited = (request: FastifyRequest) => !request.routeOptions.config?.withoutStore;

  // The OpenAPI document lists the 429 on every limited route.
  app.addHook('onRoute', (route: RouteOptions) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response && !route.config?.withoutStore && !response[429]) route.schema!.response = { ...response, 429: ErrorBody };
  });

  // Requests whose count failed (Redis away or silent): one wait for Redis is enough.
  const uncounted = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request, reply) => {
    if (limited(request)) spend(request, reply, ipBudget, await perIp(request));
  });
  app.addHook('preParsing', async (request, reply) => {
    if (limited(request) && !uncounted.has(request)) spend(request, reply, callerBudget, await perCaller(request));
  });

  /** Reports the budget left (the tighter of the two) and refuses a request over it. */
  function spend(request: FastifyRequest, reply: FastifyReply, budget: Budget, verdict: Verdict): void {
    if (verdict.isAllowed) return;
    // A count always comes with the window's time left; none means Redis failed and the plugin let it pass.
    if (verdict.ttl <= 0) {
      uncounted.add(request);
      return;
    }
    const retryAfter = Math.max(1, verdict.ttlInSeconds);
    const shown = Number(reply.getHeader('x-ratelimit-remaining') ?? Infinity);
    if (verdict.remaining <= shown) {
      reply.header('x-ratelimit-limit', verdict.max);
      reply.header('x-ratelimit-remaining', verdict.remaining);
      reply.header('x-ratelimit-reset', retryAfter);
    }
    if (!verdict.isExceeded) return;
    reply.header('retry-after', retryAfter);
    throw new ApiError(429, {
      error: 'rate-limited',
      message: `too many requests from ${budget.what}: at most ${budget.max} per ${seconds} s (${budget.name}); retry in ${retryAfter} s`,
      limit: budget.name,
      retryAfterSeconds: retryAfter,
    } satisfies ErrorBody);
  }
}

/** A budget of its own: the plugin registered in a scope of its own, its check taken out to our hooks. */
async function limiter(app: ZodApp, options: Parameters<typeof fastifyRateLimit>[1]): Promise<Check> {
  let check: Check | undefined;
  await app.register(async (scope) => {
    await scope.register(fastifyRateLimit, { ...options, global: false });
    check = scope.createRateLimit();
  });
  return check!;
}
