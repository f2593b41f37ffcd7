// Properties of the batch optimizer on tiny random clinics, checked against the independent validator
// and an independent exhaustive search (test/support/exhaustiveSearch.ts), and on generated clinics.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { firstFit } from '../solver/firstFit.js';
import { optimize } from '../solver/optimize.js';
import type { Instance } from '../src/contract/instance.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { OptimizationResult } from '../src/contract/result.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { validateResult } from '../src/validator/validateResult.js';
import { exhaustiveSearch } from './support/exhaustiveSearch.js';
import { at, tinyClinic, tinyClinicInput } from './support/tinyClinic.js';

const TOL = 1e-6;
const FC_SEED = 20261124;

let highs: MipBackend;
beforeAll(async () => {
  highs = await loadHighsBackend();
});

const run = (instance: Instance, backend: MipBackend, seed: number, timeLimitMs = 3_000, maxRounds = 20) =>
  optimize(instance, { timeLimitMs, seed, backend, clock: () => Date.now(), maxRounds });

/** What every result must satisfy, whatever the backend and the instance. */
function expectSound(instance: Instance, result: OptimizationResult): void {
  expect(OptimizationResult.safeParse(result).success).toBe(true);
  const report = validateResult(instance, result);
  expect(report.violations).toEqual([]);
  expect(Math.abs(result.objective - report.score)).toBeLessThanOrEqual(TOL);
  expect(result.bound).toBeGreaterThanOrEqual(result.objective - TOL);
  const gap = (result.bound - result.objective) / Math.max(1, Math.abs(result.bound));
  expect(Math.abs(result.gap - gap)).toBeLessThanOrEqual(TOL);
  expect(['optimal', 'feasible']).toContain(result.status); // no bookings: never infeasible
  expect(result.status === 'optimal').toBe(result.gap <= TOL);

  // Every request exactly once: scheduled or unscheduled, never both, never twice.
  const scheduled = result.appointments.map((a) => a.requestId);
  const unscheduled = result.unscheduled.map((u) => u.requestId);
  expect([...scheduled, ...unscheduled].sort()).toEqual(instance.requests.map((r) => r.id).sort());
  expect(report.scheduled).toBe(scheduled.length);
  for (const u of result.unscheduled) {
    expect(u.reasons.length, `no reason for ${u.requestId}`).toBeGreaterThanOrEqual(1);
    for (const reason of u.reasons) expect(reason.trim().length, `empty reason for ${u.requestId}`).toBeGreaterThan(0);
  }
}

/** Pairs of visits one provider has at once (only overbooking allows any). */
function providerOverlaps(appointments: OptimizationResult['appointments']): number {
  let pairs = 0;
  appointments.forEach((a, i) =>
    appointments.slice(i + 1).forEach((b) => {
      if (a.providerId !== null && a.providerId === b.providerId && Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)) pairs++;
    }),
  );
  return pairs;
}

describe('tiny clinics', () => {
  it('are valid instances (parseInstance accepts every one)', () => {
    fc.assert(
      fc.property(tinyClinicInput, (input) => {
        const parsed = parseInstance(input);
        if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
      }),
      { numRuns: 300, seed: FC_SEED },
    );
  });

  it('the exhaustive search returns a schedule the validator accepts, scored as it says', () => {
    fc.assert(
      fc.property(tinyClinic, ({ instance }) => {
        const exact = exhaustiveSearch(instance);
        const report = validateResult(instance, { appointments: exact.appointments });
        expect(report.violations).toEqual([]);
        expect(Math.abs(report.score - exact.score)).toBeLessThanOrEqual(TOL);
        // firstFit returns a valid schedule, so it can never beat the optimum.
        expect(firstFit(instance).objective).toBeLessThanOrEqual(exact.score + TOL);
      }),
      { numRuns: 200, seed: FC_SEED },
    );
  });
});

describe('optimize on tiny clinics', () => {
  it('highs: valid, consistent, at least firstFit, and exactly the exhaustive optimum', () => {
    let overbooked = 0;
    fc.assert(
      fc.property(tinyClinic, fc.integer({ min: 0, max: 1_000 }), ({ instance }, seed) => {
        const result = run(instance, highs, seed);
        expectSound(instance, result);
        const baseline = firstFit(instance);
        expectSound(instance, baseline);
        expect(result.objective).toBeGreaterThanOrEqual(baseline.objective - TOL);

        expect(instance.requests.length).toBeLessThanOrEqual(6);
        const exact = exhaustiveSearch(instance);
        expect(result.objective, 'optimize vs the exhaustive optimum').toBeCloseTo(exact.score, 6);
        expect(result.bound, 'a proven bound is at least the optimum').toBeGreaterThanOrEqual(exact.score - TOL);
        if (providerOverlaps(result.appointments) > 0) overbooked++;
      }),
      { numRuns: 100, seed: FC_SEED },
    );
    // The generated clinics reach overbooking: some optima do put two visits on one provider at once.
    expect(overbooked).toBeGreaterThan(0);
  }, 120_000);

  it('jsl: valid, consistent, at least firstFit, never above the optimum, bound never below it', () => {
    fc.assert(
      fc.property(tinyClinic, fc.integer({ min: 0, max: 1_000 }), ({ instance }, seed) => {
        const result = run(instance, jsLpSolverBackend, seed);
        expectSound(instance, result);
        expect(result.objective).toBeGreaterThanOrEqual(firstFit(instance).objective - TOL);
        const exact = exhaustiveSearch(instance);
        expect(result.objective).toBeLessThanOrEqual(exact.score + TOL);
        expect(result.bound).toBeGreaterThanOrEqual(exact.score - TOL);
        if (result.status === 'optimal') expect(result.objective).toBeCloseTo(exact.score, 6);
      }),
      { numRuns: 30, seed: FC_SEED + 1 },
    );
  }, 120_000);
});

describe('optimize: regressions found by the properties', () => {
  // One room open 14:00-14:30 UTC, a 15-minute grid, no providers.
  const base = (staff: { id: string; skills: string[] }[], services: unknown[], requests: unknown[]) => {
    const day = { start: at(0), end: at(30) };
    const parsed = parseInstance({
      version: 1,
      clinic: { id: 'tiny', timezone: 'UTC' },
      horizon: day,
      slotMinutes: 15,
      rooms: [{ id: 'room-0', capabilities: ['exam'], availability: [day] }],
      staff: staff.map((s) => ({ ...s, availability: [day] })),
      services,
      requests,
    });
    if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
    return parsed.value;
  };

  it('two concurrent tasks of one skill go to two different staff members', () => {
    const instance = base(
      [{ id: 'st-0', skills: ['phlebotomy'] }, { id: 'st-1', skills: ['phlebotomy'] }],
      [{ id: 'two-draws', minutes: 15, roomCapability: 'exam', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 15 }, { skill: 'phlebotomy', offsetMinutes: 0, minutes: 15 }] }],
      [{ id: 'req-0', patientId: 'pt-a', serviceId: 'two-draws', urgency: 'routine' }],
    );
    expect(exhaustiveSearch(instance).score).toBe(10);
    for (const result of [run(instance, highs, 1), firstFit(instance)]) {
      expectSound(instance, result);
      expect(result.objective).toBeCloseTo(10, 6);
      expect(new Set(result.appointments[0]?.staff.map((s) => s.staffId))).toEqual(new Set(['st-0', 'st-1']));
    }
  });

  it('one person cannot do two concurrent tasks, and an impossible request does not block a possible one', () => {
    const instance = base(
      [{ id: 'st-0', skills: ['phlebotomy', 'procedure-assist'] }],
      [
        { id: 'two-tasks', minutes: 30, roomCapability: 'exam', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 15 }, { skill: 'procedure-assist', offsetMinutes: 0, minutes: 15 }] },
        { id: 'plain', minutes: 30, roomCapability: 'exam' },
      ],
      [
        { id: 'req-0', patientId: 'pt-a', serviceId: 'two-tasks', urgency: 'urgent' },
        { id: 'req-1', patientId: 'pt-b', serviceId: 'plain', urgency: 'routine' },
      ],
    );
    expect(exhaustiveSearch(instance).score).toBe(10);
    for (const result of [run(instance, highs, 1), firstFit(instance)]) {
      expectSound(instance, result);
      expect(result.appointments.map((a) => a.requestId)).toEqual(['req-1']);
      expect(result.objective).toBeCloseTo(10, 6);
    }
  });
});

describe('optimize on generated clinics', () => {
  it('highs: valid, consistent, at least firstFit, bound at least the objective', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 1_000_000 }), (providers, seed) => {
        const parsed = parseInstance(generateClinic({ providers, seed }));
        if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
        const instance = parsed.value;
        const result = run(instance, highs, seed, 2_000, 5);
        expectSound(instance, result);
        const baseline = firstFit(instance);
        expectSound(instance, baseline);
        expect(result.objective).toBeGreaterThanOrEqual(baseline.objective - TOL);
      }),
      { numRuns: 6, seed: FC_SEED },
    );
  }, 120_000);
});
