// The independent validator of re-plan results (README, "Re-planning the rest of the day";
// ../shared/spec/problem.md, "Disruptions and re-planning the rest of the day").
// It shares no code with the solver on purpose. Pure: no I/O, no clock.
import type { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import type { Change, CostBreakdown, ReplanInput } from '../contract/replan.js';
import { checkChanges } from './checkReplanChanges.js';
import { checkCoverage, checkHistory, checkNotBeforeNow } from './checkReplanSchedule.js';
import { disruptedInstance } from './disruptedInstance.js';
import { buildReplanContext, type ReplanContext, type ReplanViolation } from './replanContext.js';
import { checkOvertime, replanCost } from './replanCost.js';
import { readExpectations } from './replanExpectations.js';
import { validateResult, type Violation } from './validateResult.js';

export type { ReplanViolation } from './replanContext.js';
export type ReplanReport = { violations: ReplanViolation[]; cost: number; breakdown: CostBreakdown };

/**
 * Checks a re-plan result against the day as it stood and the events, under rules
 *   'history'         history (in-progress, fulfilled, cancelled, noshow) unchanged; cancellation and
 *                     no-show events only set the status; an in-progress overrun ends at expectedEnd;
 *   'coverage'        every other appointment of the day once, unless bumped in changes; every new request
 *                     placed or in unscheduled; nothing else;
 *   'not-before-now'  nothing starts before now, a kept appointment not before its planned start (unless
 *                     checked-in or earlierOk), a new request not before its earliest start;
 *   'hard-constraint' the contract's hard constraints against the day as disrupted (with overtime windows);
 *   'overtime'        per provider at most replan.maxOvertimeMinutes outside their availability (non-history);
 *   'changes'         when changes are given: moves, reassignments and additions are listed.
 * Every path points into the result ($.appointments[i]..., $.changes[k]...). `input` is assumed to have
 * passed checkReplanInput. The cost is the contract's re-plan cost with instance.replan's weights.
 */
export function validateReplan(
  instance: Instance,
  input: ReplanInput,
  result: { appointments: Appointment[]; changes?: Change[]; unscheduled?: { requestId: string }[] },
): ReplanReport {
  const violations: ReplanViolation[] = [];
  const day = readExpectations(instance, input);
  const ctx = buildReplanContext(instance, day, result, violations);
  checkHistory(ctx);
  checkCoverage(ctx);
  checkNotBeforeNow(ctx);
  checkHardConstraints(ctx, violations);
  checkOvertime(ctx);
  checkChanges(ctx);
  const breakdown = replanCost(ctx);
  const cost = breakdown.lateness + breakdown.reassignments + breakdown.roomChanges + breakdown.bumps + breakdown.overtime;
  return { violations, cost, breakdown };
}

const LEADING_INDEX = /^\$\.appointments\[(\d+)\]/;
const key = (v: Violation) => `${v.constraint}|${v.path}|${v.message}`;

/**
 * Rule 4: the batch validator on the day as disrupted. What the history alone already breaks (a room
 * that went down under an appointment in progress, say) is not the re-plan's doing and is not reported.
 * Constraint 7 (pinned bookings kept) is the history rule's business and is left to it.
 */
function checkHardConstraints(ctx: ReplanContext, violations: ReplanViolation[]): void {
  const effective = disruptedInstance(ctx.instance, ctx.day);
  const { appointments, unscheduled } = ctx.result;
  const found = validateResult(effective, { appointments, unscheduled: unscheduled ?? [] }).violations;

  const historyAt = ctx.matching.roles.flatMap((role, i) => (role.kind === 'history' ? [i] : []));
  const historyOnly = validateResult(effective, { appointments: historyAt.map((i) => appointments[i]!) }).violations;
  const preexisting = new Set(
    historyOnly.map((v) => key({ ...v, path: v.path.replace(LEADING_INDEX, (_, k: string) => `$.appointments[${historyAt[Number(k)]}]`) })),
  );

  for (const v of found) {
    if (v.constraint === 7 || preexisting.has(key(v))) continue;
    violations.push({ rule: 'hard-constraint', path: v.path, message: `${v.message} (hard constraint ${v.constraint})` });
  }
}
