// The HTTP API: fastify with zod schemas for every input and output (validated on the way in, checked on
// the way out, and published as OpenAPI at GET /docs), one error handler, request ids, a deadline on
// every request, and a fast 503 whenever Redis is unreachable.
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { ApiConfig } from './config.js';
import type { ApiDeps, RouteDeps } from './deps.js';
import { ApiError, errorAnswer, sendError, storeUnavailable } from './errors.js';
import { installAccessControl, SECURITY, SECURITY_SCHEMES } from './access.js';
import { registerAppointmentRoutes } from './appointmentRoutes.js';
import { registerBodyLimits } from './bodyLimits.js';
import { registerRateLimits } from './rateLimits.js';
import { registerSecurityHeaders } from './securityHeaders.js';
import { registerAuditRoutes } from './auditRoutes.js';
import { registerAuditTrail } from './auditTrail.js';
import { registerBillingRoutes } from './billingRoutes.js';
import { registerBriefingRoutes } from './briefingRoutes.js';
import { registerHealthRoutes } from './healthRoutes.js';
import { registerHoldRoutes } from './holdRoutes.js';
import { registerJobRoutes } from './jobRoutes.js';
import { registerNoShowRiskRoutes } from './noShowRiskRoutes.js';
import { registerPatientRoutes } from './patientRoutes.js';
import { registerReminderRoutes } from './reminderRoutes.js';
import { registerReminderSync } from './reminderSync.js';
import { registerReferralRoutes } from './referralRoutes.js';
import { REQUEST_LOG_SERIALIZERS } from './requestLog.js';
import { LOG_REDACT } from '../runtime/logRedaction.js';
import { registerRequestRoutes } from './requestRoutes.js';
import { registerScheduleRoutes } from './scheduleRoutes.js';
import { registerSetupRoutes } from './setupRoutes.js';
import { registerSlotRoutes } from './slotRoutes.js';
import { registerWaitlistRoutes } from './waitlistRoutes.js';

/** A caller may pass its own request id (x-request-id); anything else gets a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without Redis (health, docs); every other route answers 503 while Redis is away. */
    withoutStore?: boolean;
  }
}

export async function buildServer(config: ApiConfig, deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Requests are logged by method, route pattern and id (never the URL, a body or a query); patient
    // fields and credentials are censored wherever a logged object carries them.
    logger: { level: config.logLevel, redact: LOG_REDACT, serializers: REQUEST_LOG_SERIALIZERS },
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Ids in paths are at most 200 characters (ItemId); longer ones are answered 414 before routing.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    // Behind a load balancer (TRUST_PROXY): the client address is the one it names in X-Forwarded-For.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    // Bad URLs (broken escapes, over-long parameters) are answered before routing: in our envelope too.
    frameworkErrors: (error, request, reply) => {
      const { status, body } = errorAnswer(error, request);
      return sendError(reply, status, body);
    },
  }).withTypeProvider<ZodTypeProvider>();

  // JSON only: any other body type is answered 415 rather than reaching a schema as a string.
  app.removeContentTypeParser(['text/plain']);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = errorAnswer(error, request);
    return sendError(reply, status, body);
  });
  app.setNotFoundHandler((request, reply) =>
    // The path is not repeated: it is the caller's text, and might hold anything.
    sendError(reply, 404, { error: 'not-found', message: `no route answers ${request.method} on this path; GET /docs lists the routes` }),
  );

  // First on every request, authentication included: security headers and CORS (a preflight is answered
  // here), the per-address rate limit; then per-caller (preParsing) and per-route body limits.
  await registerSecurityHeaders(app, config);
  await registerRateLimits(app, config, deps.store.redis, deps.store.prefix);
  registerBodyLimits(app, config);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
    if (request.routeOptions.config?.withoutStore || request.is404) return;
    if (deps.store.redis.status !== 'ready') throw storeUnavailable();
  });

  // Then who is calling (401), the clinic among theirs (404) and the role (403): before the body is read.
  installAccessControl(app, config.access, deps.store);

  // Every handler races a deadline: the caller gets 503 instead of waiting forever. The work itself
  // runs on (a booking is atomic either way, and an Idempotency-Key retry then replays its answer).
  app.addHook('onRoute', (route: RouteOptions) => {
    const handler = route.handler;
    route.handler = function (request, reply) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ApiError(503, { error: 'deadline-exceeded', message: `no answer within ${config.requestDeadlineMs} ms; retry (with the same Idempotency-Key if the request creates something)` })),
          config.requestDeadlineMs,
        );
      });
      let answered = false;
      const work = Promise.resolve(handler.call(this, request, reply));
      // Once the deadline has answered, a late failure has no one to go to but the log.
      work.catch((error: unknown) => {
        if (answered && !(error instanceof ApiError)) request.log.error({ err: error }, 'request failed after its deadline answered');
      });
      return Promise.race([work, deadline]).finally(() => {
        answered = true;
        clearTimeout(timer);
      });
    };
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'medsched scheduling service',
        description:
          'Clinic set-up, slot search, holds, bookings and status changes, schedules, and optimization/re-plan jobs. ' +
          'Every error answer is JSON: `{ error, message, problems?: [{ path, message }] }`, where `path` is a JSON path into the request (`$.body.providers[0].id`).',
        version: '1.0.0',
      },
      tags: [
        { name: 'operations', description: 'health, readiness, this document' },
        { name: 'set-up', description: 'a clinic and its providers, rooms, equipment, staff and services' },
        { name: 'requests', description: 'requests waiting to be scheduled' },
        { name: 'booking', description: 'slot search, holds, appointments and their status' },
        { name: 'schedule', description: 'the schedule of a day' },
        { name: 'jobs', description: 'optimizations and re-plans' },
        { name: 'audit', description: 'the audit trail: who read or changed what, and who was refused' },
        { name: 'waitlist', description: 'requests waiting for an earlier place: freed places offered as expiring holds, accepted or declined' },
        { name: 'billing', description: 'late cancellations and no-shows flagged for billing, per day' },
        { name: 'no-show risk', description: "each booked appointment's estimated no-show probability, explained" },
        { name: 'briefings', description: "providers' and staff's daily briefings, their calendar feeds and agenda-change notifications" },
        { name: 'patients', description: "patients' details (contact fields encrypted at rest with a data key)" },
        { name: 'reminders', description: "appointment reminders: each one's delivery, the day's postcards, and the patient's confirm/cancel links" },
      ],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: SECURITY,
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  const routeDeps: RouteDeps = { ...deps, config };
  // Before the routes: it reads each route's audit config as it is added.
  registerAuditTrail(app, routeDeps);
  // Before the routes too: every route that writes appointments declares `config.reminders`, which it serves.
  const reminders = registerReminderSync(app, routeDeps);
  registerHealthRoutes(app, routeDeps);
  registerSetupRoutes(app, routeDeps);
  registerRequestRoutes(app, routeDeps);
  registerSlotRoutes(app, routeDeps);
  registerHoldRoutes(app, routeDeps);
  registerAppointmentRoutes(app, routeDeps);
  registerScheduleRoutes(app, routeDeps);
  registerJobRoutes(app, routeDeps);
  registerAuditRoutes(app, routeDeps);
  registerWaitlistRoutes(app, routeDeps);
  registerBillingRoutes(app, routeDeps);
  registerReferralRoutes(app, routeDeps);
  registerBriefingRoutes(app, routeDeps);
  registerPatientRoutes(app, routeDeps);
  registerReminderRoutes(app, routeDeps, reminders);
  registerNoShowRiskRoutes(app, routeDeps);

  // Generated once (it takes a few hundred ms); the routes do not change while the process runs.
  let doc: unknown;
  app.get('/docs', { schema: { hide: true }, config: { withoutStore: true, access: 'public' } }, async () => (doc ??= app.swagger()));
  await app.ready();
  return app;
}
