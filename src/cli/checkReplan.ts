import type { Instance } from '../contract/instance.js';
import type { ReplanInput, ReplanResult } from '../contract/replan.js';
import { validateReplan } from '../validator/validateReplan.js';

export type ReplanCheck = {
  /** One line per problem: `RULE at PATH: message`. */
  problems: string[];
  /** The cost recomputed from the new day. */
  cost: number;
};

const TOLERANCE = 1e-6;
const close = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Every rule of a re-plan (validateReplan), plus the numbers a reader relies on: `cost` is the new
 * day's cost, `bound` is a lower bound on it (the re-plan minimizes), and `optimal` means they meet.
 */
export function checkReplan(instance: Instance, input: ReplanInput, result: ReplanResult): ReplanCheck {
  const { violations, cost } = validateReplan(instance, input, result);
  const problems = violations.map((v) => `${v.rule} at ${v.path}: ${v.message}`);
  // The validator may compare the cost itself: say it once.
  if (!close(cost, result.cost) && !violations.some((v) => v.path === '$.cost'))
    problems.push(`cost at $.cost: the result reports ${result.cost} but its plan costs ${cost}`);
  if (result.status === 'optimal' || result.status === 'feasible') {
    if (result.bound > result.cost && !close(result.bound, result.cost))
      problems.push(`bound at $.bound: ${result.bound} is above the cost ${result.cost}, so it is not a lower bound`);
    if (result.status === 'optimal' && !close(result.bound, result.cost))
      problems.push(`status at $.status: 'optimal' needs the bound to meet the cost, but the bound is ${result.bound} and the cost ${result.cost}`);
  }
  return { problems, cost };
}
