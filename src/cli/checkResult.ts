import type { Instance } from '../contract/instance.js';
import type { OptimizationResult } from '../contract/result.js';
import { validateResult } from '../validator/validateResult.js';

export type ResultCheck = {
  /** One line per problem: `constraint N at PATH: message` (or `objective|bound|gap|status at PATH: message`). */
  problems: string[];
  /** The score recomputed from the schedule. */
  score: number;
  scheduled: number;
};

const TOLERANCE = 1e-6;
const close = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Every hard constraint (validateResult), plus the numbers the contract defines: `objective` is the
 * schedule's score, `bound` is not below it, `gap = (bound - objective) / max(1, |bound|)`, and
 * `optimal` means a gap of 0 within 1e-6.
 */
export function checkResult(instance: Instance, result: OptimizationResult): ResultCheck {
  const { violations, score, scheduled } = validateResult(instance, result);
  const problems = violations.map((v) => `constraint ${v.constraint} at ${v.path}: ${v.message}`);
  if (!close(score, result.objective))
    problems.push(`objective at $.objective: the result reports ${result.objective} but its schedule scores ${score}`);
  if (result.status === 'optimal' || result.status === 'feasible') {
    const { objective, bound, gap } = result;
    const expectedGap = (bound - objective) / Math.max(1, Math.abs(bound));
    if (bound < objective && !close(bound, objective))
      problems.push(`bound at $.bound: ${bound} is below the objective ${objective}, so it is not an upper bound`);
    if (Math.abs(gap - expectedGap) > TOLERANCE)
      problems.push(`gap at $.gap: ${gap} should be (bound - objective) / max(1, |bound|) = ${expectedGap}`);
    if (result.status === 'optimal' && expectedGap > TOLERANCE)
      problems.push(`status at $.status: 'optimal' needs a gap of 0, but the gap is ${expectedGap}`);
  }
  return { problems, score, scheduled };
}
