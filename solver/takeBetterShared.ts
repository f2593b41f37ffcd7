import type { SharedIncumbent } from './api.js';
import type { LnsState } from './lns.js';
import type { Assignment, Model } from './model/types.js';
import { assignmentScore, usageFits, usageOf } from './usage.js';

/**
 * Moves the search onto the shared schedule when it scores more than the search's own, and only when it is
 * a schedule of this model: every placement one of its request's modes and starts, within every capacity.
 * True if it moved.
 */
export function takeBetterShared(model: Model, state: LnsState, incumbent: SharedIncumbent): boolean {
  const shared = incumbent.better(state.score + 1e-9);
  if (!shared || !placementsExist(model, shared.assignment) || !usageFits(model, shared.assignment)) return false;
  state.assignment = shared.assignment;
  state.usage = usageOf(model, shared.assignment);
  state.score = assignmentScore(model, shared.assignment);
  return true;
}

function placementsExist(model: Model, assignment: Assignment): boolean {
  return assignment.length === model.requests.length && assignment.every((p, i) => !p || (model.requests[i]!.modes[p.mode]?.starts.includes(p.start) ?? false));
}
