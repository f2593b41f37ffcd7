import type { Instance } from '../../src/contract/instance.js';
import type { DisruptedDay } from './disruptedDay.js';
import { buildReplanModel } from './replanModel.js';

/**
 * Per emergency (by request id): the earliest slot where it fits next to the history and the disruptions
 * alone. Everything else can move or be bumped for it, so it can always start there.
 */
export function emergencyStarts(inst: Instance, day: DisruptedDay): Map<string, number> {
  const emergencies = day.newRequests.filter((r) => r.urgency === 'emergency');
  if (emergencies.length === 0) return new Map();
  const alone = buildReplanModel(inst, { ...day, live: [], newRequests: emergencies }, new Set(), true);
  const out = new Map<string, number>();
  for (const r of alone.model.requests) {
    const first = Math.min(...r.modes.map((m) => m.starts[0] ?? Infinity));
    if (Number.isFinite(first)) out.set(r.id, first);
  }
  return out;
}
