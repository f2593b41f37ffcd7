import type { OptimizationResult } from '../src/contract/result.js';
import type { Assignment } from './model/types.js';

/** A mixed-integer program in plain arrays: maximize c·x s.t. rowLower ≤ Ax ≤ rowUpper, 0 ≤ x ≤ colUpper. */
export type Mip = {
  numCols: number;
  colCost: number[];
  colUpper: number[];
  integer: boolean[];
  /** Rows in CSR-like form: each row lists (column, coefficient) pairs. */
  rows: { cols: number[]; coefs: number[]; lower: number; upper: number }[];
  /** A known feasible point to start from (column values), if any. */
  start?: number[];
};

export type MipSolution = {
  status: 'optimal' | 'feasible' | 'infeasible' | 'none';
  x: number[] | null;
  objective: number;
  /** Proven upper bound on the objective (maximization), if the backend proves one. */
  bound: number | null;
};

export type SolveOptions = {
  /** A safety net: the solve stops by then whatever else limits it (and is then no longer reproducible). */
  timeLimitMs: number;
  /**
   * Branch-and-bound nodes before the solve stops with its best so far. A count, not a time, so the
   * outcome is the same on any machine and under any load.
   */
  nodeLimit?: number;
  /** The run's injected clock (ms), for a backend that must watch the time limit itself. */
  clock?: () => number;
  relaxation?: boolean;
  /** What the model is: the whole day, or one small neighbourhood of it (a backend may route on this). */
  purpose?: 'whole-day' | 'neighbourhood';
};

/** A MIP backend: synchronous, stops on its own within timeLimitMs (and nodeLimit, if given). */
export type MipBackend = {
  name: string;
  /** Largest neighbourhood model (columns) it solves exactly in well under a second. */
  neighbourhoodCols: number;
  /** Largest whole-day model (columns) worth handing to it directly. */
  fullModelCols: number;
  /** Whether its MIP bound is a trustworthy proven bound. */
  provesBound: boolean;
  solve(mip: Mip, options: SolveOptions): MipSolution;
};

export type Progress = {
  elapsedMs: number;
  objective: number;
  bound: number;
  gap: number;
  scheduled: number;
  requests: number;
  /** The best complete result so far, so a caller can stop the run at any moment and keep it. */
  best?: OptimizationResult;
};

export type OptimizeOptions = {
  timeLimitMs: number;
  seed: number;
  backend: MipBackend;
  /** Injected clock (ms); the solver reads no clock of its own. */
  clock: () => number;
  onProgress?: (progress: Progress) => void;
  /** Stop after this many search rounds (makes a run reproducible regardless of machine speed). */
  maxRounds?: number;
  /** A bound computed at the same time elsewhere (another thread): the search then gets all the time. */
  parallelBound?: ParallelBound;
  /** The best schedule shared with a search running beside this one (another thread), if there is one. */
  incumbent?: SharedIncumbent;
};

/**
 * The best schedule of a run, shared between its searches (each in its own thread). A search offers each
 * better schedule it finds, and takes up one that beats its own.
 */
export type SharedIncumbent = {
  /** Keeps the schedule if it scores more than the one kept. */
  offer(score: number, assignment: Assignment): void;
  /** A copy of the kept schedule if it scores more than `score`, else null. */
  better(score: number): { score: number; assignment: Assignment } | null;
};

/**
 * The optimizer's side of a bound computed in parallel. `latest` is the best proven bound so far
 * (Infinity while there is none), or null once the parallel computation has failed, in which case the
 * optimizer computes its own. `shareScore` hands over the best score, which steers the subgradient steps.
 */
export type ParallelBound = {
  latest(): number | null;
  shareScore(score: number): void;
};
