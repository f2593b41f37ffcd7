// Worker thread: loads the MIP backend and runs the CPU-bound optimizer off the caller's event loop.
// Started by optimizeInThread.ts; it reads WorkerInput from workerData and posts WorkerMessage values.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { MipBackend, Progress } from '../../solver/api.js';
import { loadBackend } from '../../solver/backends/load.js';
import { parallelBoundOver } from './boundCells.js';
import { incumbentOver } from './incumbentCells.js';
import type { WorkerInput, WorkerMessage } from './messages.js';

/** Post a progress message at most this often, unless it carries a better schedule. */
const PROGRESS_INTERVAL_MS = 200;
/** Search time the solver gets even when start-up used up the time limit. */
const MIN_SEARCH_MS = 250;


async function run(port: NonNullable<typeof parentPort>, input: WorkerInput): Promise<void> {
  const post = (message: WorkerMessage) => port.postMessage(message);
  try {
    const backend = await loadBackend(input.backend);
    const { optimize } = await import('../../solver/optimize.js');
    // The time limit counts from the parent's request: starting the worker and loading the backend come
    // out of the budget (keeping a small minimum to search in).
    const sinceRequest = performance.timeOrigin + performance.now() - input.requestedAt;
    const timeLimitMs = Math.max(input.timeLimitMs - sinceRequest, Math.min(input.timeLimitMs, MIN_SEARCH_MS));
    let lastPost = Number.NEGATIVE_INFINITY;
    let lastBest: Progress['best'];
    let lastBestObjective = Number.NaN;
    const result = optimize(input.instance, {
      timeLimitMs,
      seed: input.seed,
      ...(input.maxRounds !== undefined ? { maxRounds: input.maxRounds } : {}),
      backend,
      clock: () => performance.now(),
      ...(input.boundCells ? { parallelBound: parallelBoundOver(input.boundCells) } : {}),
      ...(input.incumbentCells ? { incumbent: incumbentOver(input.incumbentCells) } : {}),
      onProgress: (progress) => {
        const now = performance.now();
        const { best, ...rest } = progress;
        // Cloning the whole schedule is the costly part: send it only when it changed.
        const newBest = best !== undefined && (best !== lastBest || best.objective !== lastBestObjective);
        if (!newBest && now - lastPost < PROGRESS_INTERVAL_MS) return;
        lastPost = now;
        if (newBest) {
          lastBest = best;
          lastBestObjective = best.objective;
        }
        post({ type: 'progress', progress: newBest ? { ...rest, best } : rest });
      },
    });
    post({ type: 'done', result });
  } catch (error) {
    post({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    });
  }
}

if (parentPort) await run(parentPort, workerData as WorkerInput);
