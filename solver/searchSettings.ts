// Settings shared by the optimizer's search and the search beside it (searchBeside.ts).
import type { Model } from './model/types.js';

export const LNS_PER_ROUND = 4;
// Share of search steps that are swaps under maxAppointments (capSwap.ts). Measured on the 40-provider
// day (seed 2, 60 s, three search seeds): 0.5 placed 884 requests on average, 0.75 placed 883, none 871.
export const CAP_SWAP_SHARE = 0.5;
// A neighbourhood solve stops after this many branch-and-bound nodes with its best so far: a count, so
// a run is reproducible; the time limit behind it only stops a pathological model. Measured on the
// 40-provider days (30 s, javascript-lp-solver): 25-50 nodes scored as well as or better than 100-800
// nodes and than the former 300 ms limit, with the slowest solve at 0.1-0.3 s.
export const NEIGHBOURHOOD_NODES = 50;
// The safety limit is a share of the run's budget, never under 1.5 s: HiGHS took 1.3 s on one 374-column
// neighbourhood of 50 nodes on an idle machine, so a fixed 1.5 s stopped it by the clock on a loaded one and
// a seeded run with maxRounds came out differently from one run to the next.
const NEIGHBOURHOOD_SAFETY_MS = 1_500;
const NEIGHBOURHOOD_SAFETY_SHARE = 1 / 40;

export const neighbourhoodSafetyMs = (timeLimitMs: number) => Math.max(NEIGHBOURHOOD_SAFETY_MS, timeLimitMs * NEIGHBOURHOOD_SAFETY_SHARE);

/** Whether some provider may see two patients at once (the clinic overbooks). */
export const overbooks = (model: Model) => model.lanes.some((lane) => lane.kind === 'load');

/** Whether some provider's limit is a count of visits (maxAppointments): swaps then have work to do. */
export const hasCappedProvider = (model: Model) => [...model.maxAppointments.values()].some(Number.isFinite);
