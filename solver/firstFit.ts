import type { Instance } from '../src/contract/instance.js';
import type { OptimizationResult } from '../src/contract/result.js';
import { buildResult } from './buildResult.js';
import { earliestStartPick, placeInOrder, urgencyOrder } from './construct.js';
import { compileModel } from './model/compile.js';
import { upperBoundAtRest } from './bound/trivial.js';

/** The baseline a front desk gets by hand: requests by urgency, each at its first feasible start. */
export function firstFit(inst: Instance, elapsed: () => number = () => 0): OptimizationResult {
  const model = compileModel(inst);
  const assignment = placeInOrder(model, urgencyOrder(model), earliestStartPick);
  return buildResult(inst, model, { assignment, bound: upperBoundAtRest(model), solveMs: elapsed() });
}
