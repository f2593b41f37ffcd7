import { describe, expect, it } from 'vitest';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { withNodeClock } from '../solver/backends/nodeClock.js';
import type { MipBackend } from '../solver/api.js';
import { optimize } from '../solver/optimize.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { generateClinic } from '../src/generate/generateClinic.js';

describe('withNodeClock', () => {
  it('counts reads instead of telling the time, and gives the real clock back even after a throw', () => {
    const realNow = Date.now;
    expect(withNodeClock(10_000, () => performance.now(), () => [Date.now(), Date.now(), Date.now()])).toEqual([0, 1, 2]);
    expect(Date.now).toBe(realNow);
    expect(() => withNodeClock(10_000, () => performance.now(), () => { throw new Error('boom'); })).toThrow('boom');
    expect(Date.now).toBe(realNow);
  });

  it('jumps past any limit once the real safety time has passed', () => {
    const reads = withNodeClock(5, () => performance.now(), () => {
      const first = Date.now();
      const until = performance.now() + 20;
      while (performance.now() < until);
      return [first, Date.now()];
    });
    expect(reads).toEqual([0, Infinity]);
  });
});

const parsed = parseInstance(generateClinic({ providers: 10, seed: 4 }));
if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
const instance = parsed.value;

describe('a run with a seed and maxRounds', () => {
  // The clock only decides when the time limit comes; with maxRounds well inside it, two runs on clocks
  // that run at very different speeds must do exactly the same work (neighbourhoods stop on node counts).
  const twice = (backend: MipBackend) => {
    let fake = 0;
    const run = (clock: () => number) => optimize(instance, { timeLimitMs: 600_000, seed: 5, backend: { ...backend, fullModelCols: 0 }, clock, maxRounds: 12 });
    return [run(() => performance.now()), run(() => (fake += 7))] as const;
  };

  it.each([
    ['javascript-lp-solver', async () => jsLpSolverBackend],
    ['HiGHS', loadHighsBackend],
  ])('gives the same schedule, score and bound whatever the clock says (%s)', async (_, load) => {
    const [a, b] = twice(await load());
    expect(a.stats?.iterations).toBe(12);
    expect(b.stats?.iterations).toBe(12);
    expect(b.appointments).toEqual(a.appointments);
    expect(b.objective).toBe(a.objective);
    expect(b.bound).toBe(a.bound);
    expect(a.stats?.improvingMoves).toBeGreaterThan(0);
  }, 120_000);
});
