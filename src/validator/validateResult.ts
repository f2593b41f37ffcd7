// The independent validator: checks a schedule against every hard constraint of the contract
// (docs: ../shared/spec/problem.md, "Hard constraints") and computes its batch score.
// It shares no code with the solver on purpose. Pure: no I/O, no clock.
import type { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import { checkAssignment } from './checkAssignment.js';
import { checkBookings } from './checkBookings.js';
import { checkConflicts } from './checkConflicts.js';
import { checkEquipment } from './checkEquipment.js';
import { checkPatients } from './checkPatients.js';
import { checkProviderLoad } from './checkProviderLoad.js';
import { checkResources } from './checkResources.js';
import { checkTiming } from './checkTiming.js';
import { buildContext } from './context.js';
import { scoreSchedule } from './score.js';

/** One broken hard constraint, found in the result. */
export type Violation = {
  /** 1..7, as numbered in the contract's "Hard constraints". */
  constraint: number;
  /** JSON path into the result, e.g. $.appointments[3].staff[0]. */
  path: string;
  /** Plain English naming ids and local clinic times. */
  message: string;
};
export { scoreSchedule } from './score.js';

export type ValidationReport = { violations: Violation[]; score: number; scheduled: number };

/**
 * Every violation of the hard constraints by the appointments that hold capacity (status neither
 * cancelled nor noshow), sorted by constraint number; the score of the batch objective; and how
 * many distinct requests are scheduled. A schedule is valid when `violations` is empty.
 */
export function validateResult(
  instance: Instance,
  result: { appointments: Appointment[]; unscheduled?: { requestId: string }[] },
): ValidationReport {
  const violations: Violation[] = [];
  const ctx = buildContext(instance, result.appointments, violations);
  checkAssignment(ctx, result.unscheduled ?? []); // 1
  checkTiming(ctx); // 2
  checkResources(ctx); // 3 (and equipment downtime in checkEquipment)
  checkConflicts(ctx); // 4 (and equipment capacity in checkEquipment)
  checkEquipment(ctx); // 3, 4
  checkPatients(ctx); // 5
  checkProviderLoad(ctx); // 6
  checkBookings(ctx, result.appointments); // 7
  violations.sort((a, b) => a.constraint - b.constraint); // stable: within a constraint, order of discovery
  return { violations, ...scoreSchedule(instance, result.appointments) };
}
