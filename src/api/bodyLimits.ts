// Body size limits per route: BODY_LIMIT is the most any route reads, and only the two that carry a whole
// document need it (a clinic's set-up, a batch of bookings); the rest take one small object, so they stop
// reading far sooner. Over the limit: 413 with the usual error body, listed in the OpenAPI document.
import type { RouteOptions } from 'fastify';
import type { ApiConfig } from './config.js';
import type { ZodApp } from './deps.js';
import { ErrorBody } from './errors.js';

/** One request, hold, booking, status change, search, job start, set-up item: a few KiB at most. */
export const SMALL_BODY_LIMIT = 64 * 1024;
/** A disruption set: up to MAX_EVENTS events. */
export const EVENTS_BODY_LIMIT = 256 * 1024;

/** The routes whose bodies are documents, by method and URL. */
const LARGE: Record<string, 'config' | number> = {
  'PUT /clinics/:id': 'config',
  'POST /clinics/:id/booking-batches': 'config',
  'POST /clinics/:id/disruptions': EVENTS_BODY_LIMIT,
};

export function bodyLimitOf(method: string, url: string, configured: number): number {
  const large = LARGE[`${method} ${url}`];
  const limit = large === 'config' ? configured : (large ?? SMALL_BODY_LIMIT);
  return Math.min(limit, configured);
}

export function registerBodyLimits(app: ZodApp, config: ApiConfig): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    route.bodyLimit ??= Math.max(...methods.map((m) => bodyLimitOf(m, route.url, config.bodyLimit)));
    const response = route.schema?.response as Record<string, unknown> | undefined;
    const takesBody = methods.some((m) => m === 'POST' || m === 'PUT');
    if (response && takesBody && !response[413]) route.schema!.response = { ...response, 413: ErrorBody };
  });
}
