// The search beside the optimizer (in the bound's thread once the bound has had its share): the cells
// that carry the best schedule between threads, the optimizer taking up a better shared schedule, and the
// second search improving on what the optimizer shared.
import { describe, expect, it } from 'vitest';
import type { SharedIncumbent } from '../solver/api.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { compileModel } from '../solver/model/compile.js';
import type { Assignment } from '../solver/model/types.js';
import { optimize } from '../solver/optimize.js';
import { searchBeside } from '../solver/searchBeside.js';
import type { Instance } from '../src/contract/instance.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { createIncumbentCells, incumbentOver } from '../src/runtime/incumbentCells.js';
import { optimizeInThread } from '../src/runtime/optimizeInThread.js';
import { validateResult } from '../src/validator/validateResult.js';

function clinic(providers: number, seed: number): Instance {
  const parsed = parseInstance(generateClinic({ providers, seed, load: 1.1 }));
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  return parsed.value;
}

const backend = { ...jsLpSolverBackend, fullModelCols: 0 }; // always the search, never the whole-day model
const instance = clinic(4, 5);
const run = (maxRounds: number, incumbent?: SharedIncumbent) =>
  optimize(instance, { timeLimitMs: 60_000, seed: 5, backend, clock: () => 0, maxRounds, ...(incumbent ? { incumbent } : {}) });

/** An incumbent that records what the optimizer offers and hands out `given` (if it beats the caller). */
function recording(given?: { score: number; assignment: Assignment }) {
  const offers: { score: number; assignment: Assignment }[] = [];
  const incumbent: SharedIncumbent = {
    offer: (score, assignment) => offers.push({ score, assignment: assignment.map((p) => (p ? { ...p } : null)) }),
    better: (score) => (given && given.score > score ? { score: given.score, assignment: given.assignment.map((p) => (p ? { ...p } : null)) } : null),
  };
  return { incumbent, offers };
}

describe('incumbent cells', () => {
  it('keep only a better schedule, and hand out a copy only to a search that scores less', () => {
    const view = incumbentOver(createIncumbentCells(3));
    expect(view.better(Number.NEGATIVE_INFINITY)).toBeNull();
    const first: Assignment = [{ mode: 0, start: 4 }, null, { mode: 2, start: 0 }];
    view.offer(10, first);
    view.offer(9, [null, null, null]); // worse: ignored
    const copy = view.better(9.5)!;
    expect(copy).toEqual({ score: 10, assignment: first });
    copy.assignment[0] = null;
    expect(view.better(0)!.assignment).toEqual(first);
    expect(view.better(10)).toBeNull();
    view.offer(11, [null, { mode: 1, start: 7 }]);
    expect(view.better(10)).toEqual({ score: 11, assignment: [null, { mode: 1, start: 7 }] });
    view.offer(12, [null, null, null, null]); // more requests than the cells hold: not shared
    expect(view.better(11)).toBeNull();
  });
});

describe('optimize with a shared incumbent', () => {
  it('offers its construction and every better schedule, rising', () => {
    const { incumbent, offers } = recording();
    const result = run(10, incumbent);
    expect(offers.length).toBeGreaterThan(1);
    for (let k = 1; k < offers.length; k++) expect(offers[k]!.score).toBeGreaterThan(offers[k - 1]!.score);
    expect(offers.at(-1)!.score).toBeCloseTo(result.objective, 6);
  });

  it('takes up a better shared schedule and ends with it (or better), valid', () => {
    const long = recording();
    const best = run(40, long.incumbent);
    const short = run(1);
    expect(best.objective).toBeGreaterThan(short.objective);
    const given = run(1, recording(long.offers.at(-1)).incumbent);
    expect(given.objective).toBeGreaterThanOrEqual(best.objective - 1e-6);
    expect(validateResult(instance, given).violations).toEqual([]);
  });

  it('refuses a shared schedule that does not fit the day', () => {
    const { offers, incumbent } = recording();
    run(1, incumbent);
    const construction = offers[0]!;
    const model = compileModel(instance);
    // Every request at its first mode's first start: providers double-booked.
    const clash = model.requests.map((r) => (r.modes[0] ? { mode: 0, start: r.modes[0].starts[0]! } : null));
    // A mode the request does not have.
    const unknown = construction.assignment.map((p) => (p ? { ...p, mode: 99 } : null));
    for (const assignment of [clash, unknown]) {
      const result = run(1, recording({ score: construction.score + 1_000, assignment }).incumbent);
      expect(validateResult(instance, result).violations).toEqual([]);
      expect(result.objective).toBeCloseTo(run(1).objective, 6);
    }
  });
});

describe('searchBeside', () => {
  it('improves on the schedule the optimizer shared, and the optimizer ends with the better one, valid', () => {
    const cells = createIncumbentCells(instance.requests.length);
    const shared = incumbentOver(cells);
    const start = run(0, shared); // the construction, offered
    const constructed = shared.better(Number.NEGATIVE_INFINITY)!.score;
    expect(constructed).toBeCloseTo(start.objective, 6);
    let reads = 0;
    const rounds = searchBeside(compileModel(instance), { backend, clock: () => reads++, until: 2_000, timeLimitMs: 60_000, seed: 11, incumbent: shared });
    expect(rounds).toBeGreaterThan(0);
    const after = shared.better(constructed)!;
    expect(after.score).toBeGreaterThan(constructed);
    const taken = run(0, shared);
    expect(taken.objective).toBeCloseTo(after.score, 6);
    expect(validateResult(instance, taken).violations).toEqual([]);
  });

  it('leaves a clinic that overbooks to the optimizer', () => {
    const overbooking = parseInstance({ ...instance, overbooking: { maxExpectedLoad: 1.8 } });
    if (!overbooking.ok) throw new Error(formatProblems(overbooking.problems));
    const shared = incumbentOver(createIncumbentCells(instance.requests.length));
    shared.offer(1, instance.requests.map(() => null));
    expect(searchBeside(compileModel(overbooking.value), { backend, clock: () => 0, until: 1, timeLimitMs: 60_000, seed: 1, incumbent: shared })).toBe(0);
  });
});

describe('optimizeInThread with a search beside the optimizer', () => {
  it('returns a valid schedule, with the bound the second thread proved before it searched', async () => {
    const { result } = await optimizeInThread(instance, { timeLimitMs: 8_000, seed: 5, backend: 'jsl', parallelBound: true, searchBeside: true });
    expect(validateResult(instance, result).violations).toEqual([]);
    expect(result.stats?.boundMethod).toBe('lagrangian');
    expect(result.bound).toBeGreaterThanOrEqual(result.objective - 1e-6);
  }, 30_000);
});
