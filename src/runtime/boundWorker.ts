// Worker thread: the Lagrangian bound, computed beside the optimizer so the search gets all of its own
// thread's time. Started by optimizeInThread.ts with the instance and the shared cells; it publishes every
// better bound until it is terminated with the run (restarting the subgradient steps when they converge).
import { workerData } from 'node:worker_threads';
import { hasConverged, lagrangianStep, restartLagrangian, startLagrangian } from '../../solver/bound/lagrangian.js';
import { upperBoundAtRest } from '../../solver/bound/trivial.js';
import { compileModel } from '../../solver/model/compile.js';
import type { Instance } from '../contract/instance.js';
import { BOUND_STATUS, publishBound, readScore, setStatus, waitForScore, type BoundCells } from './boundCells.js';

export type BoundWorkerInput = { instance: Instance; cells: BoundCells };

function run({ instance, cells }: BoundWorkerInput): void {
  try {
    const model = compileModel(instance);
    let best = upperBoundAtRest(model);
    publishBound(cells, best);
    // The step sizes aim at the best score, so the first step waits for the optimizer's construction.
    while (Number.isNaN(waitForScore(cells, 1_000)));
    const state = startLagrangian(model);
    for (;;) {
      if (hasConverged(state)) restartLagrangian(state);
      const value = lagrangianStep(model, state, readScore(cells));
      if (value < best) publishBound(cells, (best = value));
    }
  } catch {
    // The optimizer then computes its own bound; the run goes on.
    setStatus(cells, BOUND_STATUS.failed);
  }
}

run(workerData as BoundWorkerInput);
