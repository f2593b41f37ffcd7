// What the routes are given: the store and the clock (routes never read the clock themselves, so a
// test can move time), and the validated configuration; and the app type they register on.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Store } from '../store/store.js';
import type { ApiConfig } from './config.js';

export type ApiDeps = { store: Store; now: () => number };
export type RouteDeps = ApiDeps & { config: ApiConfig };

/** The fastify instance with zod schemas as its type provider. */
export type ZodApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;
