// Checks one result: the validator's hard constraints, and the result numbers the contract defines.
import type { Instance } from '../src/contract/instance.js';
import { OptimizationResult } from '../src/contract/result.js';
import { validateResult } from '../src/validator/validateResult.js';

const TOLERANCE = 1e-6;
const close = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
const MAX_LISTED = 5;

export type RunCheck = {
  score: number;
  scheduled: number;
  violations: number;
  contractProblems: number;
  problems: string[];
};

export function checkRun(instance: Instance, result: OptimizationResult): RunCheck {
  const { violations, score, scheduled } = validateResult(instance, result);
  const contract: string[] = [];
  const schema = OptimizationResult.safeParse(result);
  if (!schema.success) contract.push(`result does not match the contract schema: ${schema.error.issues[0]?.message ?? ''}`);
  if (!close(score, result.objective)) contract.push(`objective ${result.objective} but the schedule scores ${score}`);
  if (result.status === 'optimal' || result.status === 'feasible') {
    const { objective, bound, gap } = result;
    const expectedGap = (bound - objective) / Math.max(1, Math.abs(bound));
    if (bound < objective && !close(bound, objective)) contract.push(`bound ${bound} is below the objective ${objective}`);
    if (!(Math.abs(gap - expectedGap) <= TOLERANCE)) contract.push(`gap ${gap} should be (bound - objective) / max(1, |bound|) = ${expectedGap}`);
    if (result.status === 'optimal' && expectedGap > TOLERANCE) contract.push(`status 'optimal' with a gap of ${expectedGap}`);
  }
  const problems = [
    ...violations.slice(0, MAX_LISTED).map((v) => `constraint ${v.constraint} at ${v.path}: ${v.message}`),
    ...contract,
  ];
  if (violations.length > MAX_LISTED) problems.splice(MAX_LISTED, 0, `… and ${violations.length - MAX_LISTED} more violations`);
  return { score, scheduled, violations: violations.length, contractProblems: contract.length, problems };
}
