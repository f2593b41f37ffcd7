import type { Model } from '../model/types.js';

/** Every request at its best possible placement, ignoring all sharing: a weak but instant bound. */
export function upperBoundAtRest(model: Model): number {
  let bound = model.fixedScore;
  for (const r of model.requests) {
    let best = r.mandatory ? -Infinity : 0;
    for (const mode of r.modes) if (mode.starts.length) best = Math.max(best, r.base + mode.bonus - r.waitPerSlot * mode.starts[0]!);
    if (Number.isFinite(best)) bound += best;
  }
  return bound;
}
