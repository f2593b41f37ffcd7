// The bound computed beside the search: the shared cells, the optimizer's use of a parallel bound
// (and its own bound when that one is gone), and the two threads together through optimizeInThread.
import { describe, expect, it } from 'vitest';
import type { ParallelBound } from '../solver/api.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { optimize } from '../solver/optimize.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import type { OptimizationResult } from '../src/contract/result.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { BOUND_STATUS, createBoundCells, parallelBoundOver, publishBound, readScore, setStatus } from '../src/runtime/boundCells.js';
import { optimizeInThread } from '../src/runtime/optimizeInThread.js';
import { validateResult } from '../src/validator/validateResult.js';

function clinic(providers: number, seed: number) {
  const parsed = parseInstance(generateClinic({ providers, seed, load: 1.1 }));
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  return parsed.value;
}

/** A parallel bound that always reports `value` and records the scores it is given. */
function stubBound(value: () => number | null) {
  const scores: number[] = [];
  const bound: ParallelBound = { latest: value, shareScore: (s) => scores.push(s) };
  return { bound, scores };
}

const instance = clinic(4, 3);
const run = (parallelBound?: ParallelBound): OptimizationResult =>
  optimize(instance, { timeLimitMs: 60_000, seed: 3, backend: { ...jsLpSolverBackend, fullModelCols: 0 }, clock: () => 0, maxRounds: 5, ...(parallelBound ? { parallelBound } : {}) });

describe('bound cells', () => {
  it('carry the score one way and the bound the other, and tell when the bound thread failed', () => {
    const cells = createBoundCells();
    const view = parallelBoundOver(cells);
    expect(view.latest()).toBe(Infinity);
    expect(readScore(cells)).toBeNaN();
    view.shareScore(1234.5);
    expect(readScore(cells)).toBe(1234.5);
    publishBound(cells, 2345.25);
    expect(view.latest()).toBe(2345.25);
    setStatus(cells, BOUND_STATUS.failed);
    expect(view.latest()).toBeNull();
  });
});

describe('optimize with a parallel bound', () => {
  it('spends no time on bound steps of its own, shares every better score, and reports the parallel bound', () => {
    const silent = stubBound(() => Infinity);
    const trivial = run(silent.bound);
    expect(trivial.stats?.boundMethod).toBe('trivial');
    expect(silent.scores.at(-1)).toBeCloseTo(trivial.objective, 5);
    for (let k = 1; k < silent.scores.length; k++) expect(silent.scores[k]!).toBeGreaterThanOrEqual(silent.scores[k - 1]!);

    const halfway = (trivial.bound + trivial.objective) / 2;
    const given = run(stubBound(() => halfway).bound);
    expect(given.bound).toBeCloseTo(halfway, 6);
    expect(given.stats?.boundMethod).toBe('lagrangian');
  });

  it('computes its own bound once the parallel one is gone', () => {
    const trivial = run(stubBound(() => Infinity).bound);
    const own = run(stubBound(() => null).bound);
    expect(own.stats?.boundMethod).toBe('lagrangian');
    expect(own.bound).toBeLessThan(trivial.bound);
    expect(own.bound).toBeGreaterThanOrEqual(own.objective - 1e-6);
  });
});

describe('optimizeInThread with the bound in a second thread', () => {
  it('returns a valid schedule with a proven bound from the bound thread', async () => {
    // Long enough for the bound thread to start (it loads the solver's sources itself) on a busy machine.
    const { result } = await optimizeInThread(instance, { timeLimitMs: 8_000, seed: 3, backend: 'jsl', parallelBound: true });
    expect(validateResult(instance, result).violations).toEqual([]);
    expect(result.stats?.boundMethod).toBe('lagrangian');
    expect(result.bound).toBeLessThan(run(stubBound(() => Infinity).bound).bound);
    expect(result.bound).toBeGreaterThanOrEqual(result.objective - 1e-6);
  }, 30_000);
});
