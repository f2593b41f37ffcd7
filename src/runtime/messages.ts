import type { Progress } from '../../solver/api.js';
import type { Instance } from '../contract/instance.js';
import type { OptimizationResult } from '../contract/result.js';

import type { BackendName } from '../../solver/backends/load.js';

export { BACKEND_NAMES, type BackendName } from '../../solver/backends/load.js';

/** What the parent hands the optimize worker (structured-cloned). */
export type WorkerInput = {
  instance: Instance;
  timeLimitMs: number;
  seed: number;
  backend: BackendName;
};

/** Messages from the optimize worker. `best` travels in a progress message only when it changed. */
export type WorkerMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: OptimizationResult }
  | { type: 'error'; message: string; stack?: string };
