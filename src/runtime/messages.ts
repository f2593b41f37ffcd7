import type { Progress } from '../../solver/api.js';
import type { Instance } from '../contract/instance.js';
import type { OptimizationResult } from '../contract/result.js';

import type { BackendName } from '../../solver/backends/load.js';
import type { BoundCells } from './boundCells.js';
import type { IncumbentCells } from './incumbentCells.js';

export { BACKEND_NAMES, type BackendName } from '../../solver/backends/load.js';

/** What the parent hands the optimize worker (structured-cloned). */
export type WorkerInput = {
  instance: Instance;
  timeLimitMs: number;
  /** When the caller asked (epoch ms, high resolution): the time limit counts from here. */
  requestedAt: number;
  seed: number;
  maxRounds?: number;
  backend: BackendName;
  /** Shared with a bound thread running beside the optimizer, if there is one. */
  boundCells?: BoundCells;
  /** The best schedule, shared with a search beside the optimizer (in the bound's thread), if there is one. */
  incumbentCells?: IncumbentCells;
};

/** Messages from the optimize worker. `best` travels in a progress message only when it changed. */
export type WorkerMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: OptimizationResult }
  | { type: 'error'; message: string; stack?: string };
