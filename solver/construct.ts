import type { Assignment, CompiledRequest, Model, Placement } from './model/types.js';
import { fits, place, placementValue, type Usage, usageOf } from './usage.js';

const URGENCY_RANK = { emergency: 0, urgent: 1, routine: 2 } as const;

export type Pick = (model: Model, usage: Usage, r: CompiledRequest) => Placement | null;

/** Places requests one by one in `order`, each where `pick` says, on top of what is already placed. */
export function placeInOrder(model: Model, order: number[], pick: Pick, start?: Assignment): Assignment {
  const assignment: Assignment = start ? [...start] : model.requests.map(() => null);
  const usage = usageOf(model, assignment);
  for (const i of order) {
    if (assignment[i]) continue;
    const r = model.requests[i]!;
    const p = r.hint && fits(model, usage, r, r.hint) ? r.hint : pick(model, usage, r);
    if (p) {
      place(model, usage, r, p, 1);
      assignment[i] = p;
    }
  }
  return assignment;
}

/** The fitting placement of highest value (earliest start wins ties). */
export const bestValuePick: Pick = (model, usage, r) => {
  let best: Placement | null = null;
  let bestValue = -Infinity;
  r.modes.forEach((mode, m) => {
    for (const start of mode.starts) {
      const p = { mode: m, start };
      const value = placementValue(r, p);
      if (value <= bestValue) break; // starts ascend, values descend
      if (fits(model, usage, r, p)) {
        best = p;
        bestValue = value;
        break;
      }
    }
  });
  return best;
};

/** The earliest fitting start over all modes: what a front desk does by hand. */
export const earliestStartPick: Pick = (model, usage, r) => {
  let best: Placement | null = null;
  r.modes.forEach((mode, m) => {
    for (const start of mode.starts) {
      if (best && start >= best.start) break;
      if (fits(model, usage, r, { mode: m, start })) {
        best = { mode: m, start };
        break;
      }
    }
  });
  return best;
};

/** Mandatory first, then by urgency, then the least flexible (fewest possible starts). */
export function constructionOrder(model: Model): number[] {
  const flexibility = model.requests.map((r) => r.modes.reduce((n, m) => n + m.starts.length, 0));
  return model.requests
    .map((r) => r.index)
    .sort((a, b) => {
      const ra = model.requests[a]!;
      const rb = model.requests[b]!;
      return (
        Number(rb.mandatory) - Number(ra.mandatory) ||
        URGENCY_RANK[ra.urgency] - URGENCY_RANK[rb.urgency] ||
        flexibility[a]! - flexibility[b]! ||
        a - b
      );
    });
}

/** Mandatory first, then by urgency, then in the order the requests came. */
export function urgencyOrder(model: Model): number[] {
  return model.requests
    .map((r) => r.index)
    .sort((a, b) => {
      const ra = model.requests[a]!;
      const rb = model.requests[b]!;
      return Number(rb.mandatory) - Number(ra.mandatory) || URGENCY_RANK[ra.urgency] - URGENCY_RANK[rb.urgency] || a - b;
    });
}
