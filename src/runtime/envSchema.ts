// The pieces both the API's and the workers' settings are read with: environment variables that fall back
// to a default when unset or empty, and the two variables every process of a deployment shares.
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { ClusterNodes } from './redisTarget.js';

/** An unset or empty variable takes the default. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

export const envInt = (min: number, max: number, fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

export const envFlag = (fallback: boolean) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );

export const envText = <T extends z.ZodType<string, string>>(schema: T, fallback: z.output<T>) =>
  z.preprocess(unsetIfEmpty, schema.optional().transform((v) => v ?? fallback));

/**
 * Where Redis is (one server at REDIS_URL, default redis://127.0.0.1:6379, or a Redis Cluster: see
 * redisTarget.ts), and the prefix of every key of the deployment: the same for the API and the workers.
 */
export const SharedEnv = {
  REDIS_URL: z.preprocess(unsetIfEmpty, z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379').optional()),
  REDIS_CLUSTER_NODES: z.preprocess(unsetIfEmpty, ClusterNodes.optional()),
  MEDSCHED_PREFIX: envText(z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ : . -'), 'medsched'),
};

/** Each bad variable by name. */
export const envProblems = (error: z.ZodError): Problem[] => error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
