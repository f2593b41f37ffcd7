// Checks one re-plan result: the independent re-plan validator's rules, and the numbers a reader relies on.
import type { Instance } from '../src/contract/instance.js';
import { ReplanResult, type ReplanInput } from '../src/contract/replan.js';
import { validateReplan } from '../src/validator/validateReplan.js';

const TOLERANCE = 1e-6;
const close = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
const MAX_LISTED = 5;

/** Every problem as text (empty when the result is valid); at most a few violations are listed by name. */
export function checkReplanRun(instance: Instance, input: ReplanInput, result: ReplanResult): string[] {
  const { violations, cost } = validateReplan(instance, input, result);
  const problems = violations.slice(0, MAX_LISTED).map((v) => `${v.rule} at ${v.path}: ${v.message}`);
  if (violations.length > MAX_LISTED) problems.push(`… and ${violations.length - MAX_LISTED} more violations`);
  const schema = ReplanResult.safeParse(result);
  if (!schema.success) problems.push(`result does not match the re-plan schema: ${schema.error.issues[0]?.message ?? ''}`);
  if (!close(cost, result.cost)) problems.push(`cost ${result.cost} but the plan costs ${cost}`);
  if (result.status === 'optimal' || result.status === 'feasible') {
    if (result.bound > result.cost && !close(result.bound, result.cost)) problems.push(`bound ${result.bound} is above the cost ${result.cost}`);
    if (result.status === 'optimal' && !close(result.bound, result.cost)) problems.push(`status 'optimal' with bound ${result.bound} and cost ${result.cost}`);
    if (!Number.isFinite(result.gap) || result.gap < 0) problems.push(`gap ${result.gap} is not a number ≥ 0`);
  } else problems.push(`status '${result.status}'`);
  return problems;
}
