import type { Instance } from '../src/contract/instance.js';
import type { OptimizationResult, ResultStatus } from '../src/contract/result.js';
import { validateResult } from '../src/validator/validateResult.js';
import { decodeAssignment } from './decode.js';
import { explainUnscheduled } from './explain.js';
import type { Assignment, Model } from './model/types.js';
import { usageOf } from './usage.js';

export type Outcome = { assignment: Assignment; bound: number; solveMs: number; infeasible?: boolean; stats?: OptimizationResult['stats'] };

/**
 * Turns an assignment into the contract's result and checks it with the independent validator
 * before anyone sees it. Anything the validator rejects is taken off the schedule (and reported),
 * so a result is always valid.
 */
export function buildResult(inst: Instance, model: Model, outcome: Outcome): OptimizationResult {
  const assignment = [...outcome.assignment];
  let { appointments, unplaced } = decodeAssignment(inst, model, assignment);
  for (const i of unplaced) assignment[i] = null;
  let report = validateResult(inst, { appointments });
  for (let round = 0; report.violations.length > 0 && round < 3; round++) {
    const bad = new Set(report.violations.flatMap((v) => /^\$\.appointments\[(\d+)\]/.exec(v.path)?.[1] ?? []).map(Number));
    const badRequests = new Set([...bad].map((k) => appointments[k]!.requestId));
    model.requests.forEach((r, i) => badRequests.has(r.id) && (assignment[i] = null));
    ({ appointments } = decodeAssignment(inst, model, assignment));
    report = validateResult(inst, { appointments });
  }
  if (report.violations.length > 0) throw new Error(`internal: schedule still invalid after repair: ${report.violations[0]!.message}`);

  const usage = usageOf(model, assignment);
  const unscheduled = model.requests
    .filter((r, i) => assignment[i] === null)
    .map((r) => ({ requestId: r.id, reasons: explainUnscheduled(inst, model, usage, r.index) }));
  const objective = report.score;
  const bound = Math.max(outcome.bound, objective);
  const gap = (bound - objective) / Math.max(1, Math.abs(bound));
  const status: ResultStatus = outcome.infeasible ? 'infeasible' : gap <= 1e-6 ? 'optimal' : 'feasible';
  return {
    status,
    objective: round6(objective),
    bound: round6(bound),
    gap: Math.max(0, gap),
    solveMs: Math.round(outcome.solveMs),
    appointments,
    unscheduled,
    ...(outcome.stats ? { stats: outcome.stats } : {}),
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

