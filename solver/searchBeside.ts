import type { MipBackend, SharedIncumbent } from './api.js';
import { capSwapStep } from './capSwap.js';
import { lnsStep, relatedLanes, type LnsState } from './lns.js';
import type { Model } from './model/types.js';
import { seededRandom } from './random.js';
import { CAP_SWAP_SHARE, hasCappedProvider, LNS_PER_ROUND, NEIGHBOURHOOD_NODES, neighbourhoodSafetyMs, overbooks } from './searchSettings.js';
import { takeBetterShared } from './takeBetterShared.js';
import { emptyUsage } from './usage.js';

export type SearchBesideOptions = {
  backend: MipBackend;
  /** Injected clock (ms); the search reads no clock of its own. */
  clock: () => number;
  /** Stop at this clock reading. */
  until: number;
  /** The run's time limit: the neighbourhoods' safety limit is a share of it, as in the optimizer. */
  timeLimitMs: number;
  seed: number;
  incumbent: SharedIncumbent;
};

/**
 * A second search over the same day (its compiled model), in another thread: from the best schedule the
 * optimizer has shared, the same neighbourhood steps with random draws of its own. It takes up any better
 * schedule the optimizer shares and shares each better one it finds, so the two searches work on the best
 * day either has. Days that overbook are left to the optimizer (its two halves search different models).
 * Returns how many rounds it ran.
 */
export function searchBeside(model: Model, options: SearchBesideOptions): number {
  const { backend, clock, incumbent } = options;
  if (overbooks(model)) return 0;
  // Nothing placed scores -Infinity here, so the first schedule the optimizer shared (if any) is taken.
  const state: LnsState = { assignment: [], usage: emptyUsage(model), score: Number.NEGATIVE_INFINITY };
  if (!takeBetterShared(model, state, incumbent)) return 0;
  const related = relatedLanes(model);
  const capped = hasCappedProvider(model);
  const random = seededRandom(options.seed);
  const safetyMs = neighbourhoodSafetyMs(options.timeLimitMs);
  let rounds = 0;
  while (clock() < options.until) {
    takeBetterShared(model, state, incumbent);
    rounds++;
    const before = state.score;
    for (let k = 0; k < LNS_PER_ROUND && clock() < options.until; k++) {
      const step = capped && random.chance(CAP_SWAP_SHARE) ? capSwapStep : lnsStep;
      const limits = { nodeLimit: NEIGHBOURHOOD_NODES, timeLimitMs: Math.min(safetyMs, Math.max(20, options.until - clock())), clock, breakTies: true };
      step(model, state, backend, random, related, limits);
    }
    if (state.score > before + 1e-9) incumbent.offer(state.score, state.assignment);
  }
  return rounds;
}
