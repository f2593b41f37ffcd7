// Worker thread: the Lagrangian bound, computed beside the optimizer so the search gets all of its own
// thread's time. Started by optimizeInThread.ts with the instance and the shared cells; it publishes every
// better bound (restarting the subgradient steps when they converge). With `beside`, once the bound has had
// its share of the run it stops there, and the thread becomes a second search sharing the best schedule
// with the optimizer until it is terminated with the run.
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import { loadBackend, type BackendName } from '../../solver/backends/load.js';
import { hasConverged, lagrangianStep, restartLagrangian, startLagrangian } from '../../solver/bound/lagrangian.js';
import { upperBoundAtRest } from '../../solver/bound/trivial.js';
import { compileModel } from '../../solver/model/compile.js';
import type { Model } from '../../solver/model/types.js';
import { searchBeside } from '../../solver/searchBeside.js';
import type { Instance } from '../contract/instance.js';
import { BOUND_STATUS, publishBound, readScore, setStatus, waitForScore, type BoundCells } from './boundCells.js';
import { incumbentOver, type IncumbentCells } from './incumbentCells.js';

export type BesideInput = {
  cells: IncumbentCells;
  /** Epoch ms (high resolution): the bound steps stop and the search starts at `from`, and ends at `until`. */
  from: number;
  until: number;
  timeLimitMs: number;
  backend: BackendName;
  seed: number;
};

export type BoundWorkerInput = { instance: Instance; cells: BoundCells; beside?: BesideInput };

const now = () => performance.timeOrigin + performance.now();

async function run({ instance, cells, beside }: BoundWorkerInput): Promise<void> {
  let model: Model; // the second search reuses it: one copy less of the largest thing in memory
  try {
    model = compileModel(instance);
    let best = upperBoundAtRest(model);
    publishBound(cells, best);
    // The step sizes aim at the best score, so the first step waits for the optimizer's construction.
    while (Number.isNaN(waitForScore(cells, 1_000)) && (!beside || now() < beside.from));
    const state = startLagrangian(model);
    while (!beside || now() < beside.from) {
      if (hasConverged(state)) restartLagrangian(state);
      const value = lagrangianStep(model, state, readScore(cells));
      if (value < best) publishBound(cells, (best = value));
    }
  } catch {
    // The optimizer then computes its own bound; the run goes on.
    setStatus(cells, BOUND_STATUS.failed);
    return;
  }
  // A failed second search costs the run nothing: the optimizer's own search goes on.
  const backend = await loadBackend(beside.backend).catch(() => null);
  if (!backend) return;
  try {
    searchBeside(model, { backend, clock: now, until: beside.until, timeLimitMs: beside.timeLimitMs, seed: beside.seed, incumbent: incumbentOver(beside.cells) });
  } catch {
    // As above.
  }
}

await run(workerData as BoundWorkerInput);
