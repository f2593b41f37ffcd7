import type { z } from 'zod';
import { Instance } from './instance.js';

export type Problem = { path: string; message: string };
export type Parsed<T> = { ok: true; value: T } | { ok: false, problems: Problem[] };

/** JSON path in the `$.a[0].b` form an integrator can paste into jq. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), '$');
}

export function parseWith<S extends z.ZodType>(schema: S, data: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
  };
}

export const parseInstance = (data: unknown) => parseWith(Instance, data);

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
