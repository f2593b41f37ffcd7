// GET /health (the process is up) and GET /ready (it can serve: Redis, its eviction policy, workers).
import { z } from 'zod';
import type { RouteDeps, ZodApp } from './deps.js';
import { checkReadiness } from './readiness.js';

const READY_BUDGET_MS = 2_000;

const Health = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });
const Ready = z.object({
  ready: z.boolean(),
  redis: z.enum(['ok', 'unreachable']),
  maxmemoryPolicy: z.string().nullable(),
  workers: z.number().int().nullable().describe('live worker heartbeats'),
  problems: z.array(z.string()),
});

export function registerHealthRoutes(app: ZodApp, deps: RouteDeps): void {
  const started = Date.now();
  app.get(
    '/health',
    {
      config: { withoutStore: true, access: 'public' },
      schema: { tags: ['operations'], operationId: 'health', summary: 'The process is up', response: { 200: Health } },
    },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round((Date.now() - started) / 1000) }),
  );
  app.get(
    '/ready',
    {
      config: { withoutStore: true, access: 'public' },
      schema: {
        tags: ['operations'],
        operationId: 'ready',
        summary: 'Ready to serve: Redis answers within 2 s, maxmemory-policy is noeviction, a worker has reported in',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const readiness = await checkReadiness(deps.store.redis, deps.store.prefix, deps.config.readyRequiresWorkers, READY_BUDGET_MS);
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    },
  );
}
