import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Progress } from '../../solver/api.js';
import type { Instance } from '../contract/instance.js';
import type { OptimizationResult } from '../contract/result.js';
import { BOUND_STATUS, createBoundCells, setStatus } from './boundCells.js';
import type { BesideInput, BoundWorkerInput } from './boundWorker.js';
import { createIncumbentCells } from './incumbentCells.js';
import type { BackendName, WorkerInput, WorkerMessage } from './messages.js';

export type { BackendName } from './messages.js';

export type ThreadOptions = {
  timeLimitMs: number;
  seed: number;
  backend: BackendName;
  /** Stop after this many search rounds: a reproducible run (see `parallelBound`). */
  maxRounds?: number;
  /** How long past the time limit the worker may run before it is terminated (default 5 s). */
  graceMs?: number;
  /** Every progress report of the solver; `best` is the best complete result so far (kept across reports). */
  onProgress?: (progress: Progress) => void;
  /** Aborting stops the run like a deadline does: the worker is terminated and the last best is used. */
  signal?: AbortSignal;
  /** Used when the run is stopped before the solver reported any complete result. */
  fallback?: (instance: Instance) => OptimizationResult;
  /**
   * Compute the bound in a second thread beside the search (default: when the machine has 2+ cores).
   * The search then gets all of its thread's time instead of sharing it with bound steps. Off by default
   * with `maxRounds`: a bound arriving from another thread depends on timing, and so would the round
   * at which the search stops because the gap has closed.
   */
  parallelBound?: boolean;
  /**
   * With the bound in a second thread: once the bound has had BOUND_SHARE of the time, that thread
   * searches beside the optimizer, the two sharing their best schedule (default true).
   */
  searchBeside?: boolean;
};

/** Share of the run the second thread gives the bound before it searches. */
export const BOUND_SHARE = 0.5;
/** The second search draws from its own random stream. */
const BESIDE_SEED_OFFSET = 7_919;

export type ThreadOutcome = {
  /** The solver's result, or the last best it reported when the run was stopped. */
  result: OptimizationResult;
  /** Why the run was cut short, if it was. */
  stopped: 'deadline' | 'aborted' | null;
  /** The result came from options.fallback, not from the solver. */
  usedFallback: boolean;
  /** Wall time of the whole run, worker start-up included. */
  elapsedMs: number;
};

export const DEFAULT_GRACE_MS = 5_000;

/**
 * Runs the optimizer in a worker thread so the caller's event loop stays free (progress, signals, servers).
 * A deadline always stops the run: past timeLimitMs + graceMs the worker is terminated and the last
 * `best` it reported is returned (or options.fallback's result; without either the promise rejects).
 */
export function optimizeInThread(instance: Instance, options: ThreadOptions): Promise<ThreadOutcome> {
  const started = performance.now();
  const input: WorkerInput = {
    instance,
    timeLimitMs: options.timeLimitMs,
    requestedAt: performance.timeOrigin + started,
    seed: options.seed,
    ...(options.maxRounds !== undefined ? { maxRounds: options.maxRounds } : {}),
    backend: options.backend,
  };
  const boundCells = (options.parallelBound ?? (availableParallelism() > 1 && options.maxRounds === undefined)) ? createBoundCells() : undefined;
  // Past its share of the run the bound moves little: its thread then searches beside the optimizer.
  const beside: BesideInput | undefined =
    boundCells && (options.searchBeside ?? true)
      ? {
          cells: createIncumbentCells(instance.requests.length),
          from: input.requestedAt + options.timeLimitMs * BOUND_SHARE,
          until: input.requestedAt + options.timeLimitMs,
          timeLimitMs: options.timeLimitMs,
          backend: options.backend,
          seed: options.seed + BESIDE_SEED_OFFSET,
        }
      : undefined;
  const boundWorker = boundCells ? startWorker('boundWorker', { instance, cells: boundCells, ...(beside ? { beside } : {}) } satisfies BoundWorkerInput) : undefined;
  if (beside) input.incumbentCells = beside.cells;
  if (boundCells && boundWorker) {
    input.boundCells = boundCells;
    // If the bound thread dies, the optimizer notices through the cells and computes its own bound.
    const failed = () => setStatus(boundCells, BOUND_STATUS.failed);
    boundWorker.on('error', failed);
    boundWorker.on('exit', (code) => code !== 0 && failed());
  }
  const worker = startWorker('optimizeWorker', input);

  return new Promise<ThreadOutcome>((resolve, reject) => {
    let best: OptimizationResult | undefined;
    let settled = false;

    const finish = (outcome: { result: OptimizationResult; stopped: ThreadOutcome['stopped']; usedFallback?: boolean } | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      void boundWorker?.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve({ usedFallback: false, ...outcome, elapsedMs: performance.now() - started });
    };

    const stop = (why: 'deadline' | 'aborted') => {
      if (best) return finish({ result: best, stopped: why });
      if (options.fallback) {
        try {
          return finish({ result: options.fallback(instance), stopped: why, usedFallback: true });
        } catch (error) {
          return finish(error instanceof Error ? error : new Error(String(error)));
        }
      }
      finish(new Error(`the optimizer was stopped (${why}) before it found any schedule`));
    };

    const onAbort = () => stop('aborted');
    const deadline = setTimeout(() => stop('deadline'), options.timeLimitMs + (options.graceMs ?? DEFAULT_GRACE_MS));

    if (options.signal?.aborted) return stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: WorkerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'progress':
          if (message.progress.best) best = message.progress.best;
          options.onProgress?.(best ? { ...message.progress, best } : message.progress);
          return;
        case 'done':
          return finish({ result: message.result, stopped: null });
        case 'error': {
          const error = new Error(message.message);
          if (message.stack) error.stack = message.stack;
          return finish(error);
        }
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`the optimizer thread exited (code ${code}) without a result`)));
  });
}

/**
 * From the compiled dist/ a worker is NAME.js. From TypeScript sources (tsx, vitest) it is
 * NAME.ts, and the worker must load tsx first: Node 20 does not apply `--import tsx` given in a
 * worker's execArgv to the worker's entry module, so a tiny bootstrap registers tsx and then imports it.
 */
function startWorker(name: 'optimizeWorker' | 'boundWorker', input: WorkerInput | BoundWorkerInput): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry, { workerData: input });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: input });
}
