// The contract's example clinic (shared/spec/examples/clinic-small.json, beside the repository):
// its proven optimum with HiGHS, reproducibility, and the javascript-lp-solver fallback.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clinicSmallPath } from './support/paths.js';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { loadBackend } from '../solver/backends/load.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { firstFit } from '../solver/firstFit.js';
import { optimize } from '../solver/optimize.js';
import type { Instance } from '../src/contract/instance.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { OptimizationResult } from '../src/contract/result.js';
import { validateResult } from '../src/validator/validateResult.js';

const examplePath = clinicSmallPath;

/** The proven optimum of clinic-small: 23 of 24 requests, everything but req-023. */
const OPTIMUM = 1580.770833;

let instance: Instance;
let highs: MipBackend;
let best: OptimizationResult;

beforeAll(async () => {
  const parsed = parseInstance(JSON.parse(readFileSync(examplePath, 'utf8')));
  if (!parsed.ok) throw new Error(`clinic-small.json does not parse:\n${formatProblems(parsed.problems)}`);
  instance = parsed.value;
  highs = await loadHighsBackend();
  best = optimize(instance, { timeLimitMs: 30_000, seed: 1, backend: highs, clock: () => Date.now() });
}, 60_000);

function expectEveryRequestOnce(result: OptimizationResult): void {
  const ids = [...result.appointments.map((a) => a.requestId), ...result.unscheduled.map((u) => u.requestId)];
  expect(ids.sort()).toEqual(instance.requests.map((r) => r.id).sort());
}

describe('clinic-small with HiGHS', () => {
  it('is solved to optimality: 23 of 24 requests, objective 1580.770833, bound equal, gap 0', () => {
    expect(OptimizationResult.safeParse(best).success).toBe(true);
    expect(best.status).toBe('optimal');
    expect(best.appointments).toHaveLength(23);
    expect(best.unscheduled).toHaveLength(1);
    expectEveryRequestOnce(best);
    expect(Math.abs(best.objective - OPTIMUM)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(best.bound - best.objective)).toBeLessThanOrEqual(1e-6);
    expect(best.gap).toBe(0);
  });

  it('passes the independent validator, which scores it at the reported objective', () => {
    const report = validateResult(instance, best);
    expect(report.violations).toEqual([]);
    expect(report.scheduled).toBe(23);
    expect(Math.abs(report.score - best.objective)).toBeLessThanOrEqual(1e-6);
  });

  it('leaves out req-023 and says why: the orthopedist stops at 12:00 and the ultrasound is down 12:00-13:00', () => {
    const [left] = best.unscheduled;
    expect(left?.requestId).toBe('req-023');
    const reasons = left?.reasons ?? [];
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    for (const reason of reasons) expect(reason.trim()).not.toBe('');
    // The provider side: the only orthopedist (Dr. Sami Haddad) works until 12:00.
    expect(reasons.some((r) => /orthop|haddad/i.test(r) && r.includes('12:00'))).toBe(true);
    // The equipment side: the portable ultrasound's downtime 12:00-13:00.
    expect(reasons.some((r) => /ultrasound/i.test(r) && r.includes('12:00-13:00'))).toBe(true);
  });

  it('is reproducible: the same seed and maxRounds give the same schedule twice', () => {
    const once = () => optimize(instance, { timeLimitMs: 30_000, seed: 7, backend: highs, clock: () => Date.now(), maxRounds: 3 });
    const a = once();
    const b = once();
    expect(b.appointments).toEqual(a.appointments);
    expect(b.unscheduled).toEqual(a.unscheduled);
    expect(b.objective).toBe(a.objective);
    expect(b.bound).toBe(a.bound);
  }, 60_000);

  it('is reproducible through the neighbourhood search too (jsl, a few rounds)', () => {
    const once = () =>
      optimize(instance, { timeLimitMs: 30_000, seed: 11, backend: jsLpSolverBackend, clock: () => Date.now(), maxRounds: 15 });
    const a = once();
    const b = once();
    expect(a.stats?.iterations).toBeLessThanOrEqual(15);
    expect(b.stats?.iterations).toBe(a.stats?.iterations);
    expect(b.appointments).toEqual(a.appointments);
    expect(b.objective).toBe(a.objective);
    expect(b.bound).toBe(a.bound);
  }, 60_000);
});

describe('clinic-small with javascript-lp-solver', () => {
  it('returns a valid schedule within 10 s, at least firstFit, never above the proven optimum', () => {
    const result = optimize(instance, { timeLimitMs: 10_000, seed: 1, backend: jsLpSolverBackend, clock: () => Date.now() });
    expect(OptimizationResult.safeParse(result).success).toBe(true);
    expect(['optimal', 'feasible']).toContain(result.status);
    expectEveryRequestOnce(result);
    const report = validateResult(instance, result);
    expect(report.violations).toEqual([]);
    expect(Math.abs(report.score - result.objective)).toBeLessThanOrEqual(1e-6);
    expect(result.bound).toBeGreaterThanOrEqual(result.objective - 1e-6);
    expect(result.objective).toBeGreaterThanOrEqual(firstFit(instance).objective - 1e-6);
    // HiGHS proved OPTIMUM: nothing scores more, and a valid bound is never below it.
    expect(result.objective).toBeLessThanOrEqual(OPTIMUM + 1e-4);
    expect(result.bound).toBeGreaterThanOrEqual(OPTIMUM - 1e-4);
  }, 30_000);
});

describe('clinic-small with the default auto backend (HiGHS whole-day, javascript-lp-solver neighbourhoods)', () => {
  it('proves the same optimum', async () => {
    const auto = await loadBackend('auto');
    const result = optimize(instance, { timeLimitMs: 30_000, seed: 1, backend: auto, clock: () => Date.now() });
    expect(result.status).toBe('optimal');
    expect(Math.abs(result.objective - OPTIMUM)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(result.bound - result.objective)).toBeLessThanOrEqual(1e-6);
    expect(validateResult(instance, result).violations).toEqual([]);
    expectEveryRequestOnce(result);
  }, 60_000);
});
