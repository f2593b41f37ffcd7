// The neighbourhood ILP's tie-break (solver/subproblem.ts): of two schedules with the same score, the one
// that gives the provider with maxAppointments the longer visit; never at the price of a real difference.
import { describe, expect, it } from 'vitest';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { compileModel } from '../solver/model/compile.js';
import { buildSubproblem, candidatesFor, chosenPlacements } from '../solver/subproblem.js';
import { emptyUsage, placementValue } from '../solver/usage.js';
import type { Instance, InstanceInput } from '../src/contract/instance.js';
import { parseInstance } from '../src/contract/parse.js';

const at = (hhmm: string) => `2026-11-23T${hhmm}:00-06:00`;
const iv = (from: string, to: string) => ({ start: at(from), end: at(to) });

/** Dr. A (one patient a day) and Dr. B both work 09:00-10:00; a 15-minute and a 45-minute visit wait. */
function clinic(shortPrefersA: boolean): Instance {
  const input: InstanceInput = {
    version: 1,
    clinic: { id: 'tie', timezone: 'America/Chicago' },
    horizon: iv('09:00', '10:00'),
    slotMinutes: 15,
    providers: [
      { id: 'dr-a', specialties: ['fm'], availability: [iv('09:00', '10:00')], maxAppointments: 1 },
      { id: 'dr-b', specialties: ['fm'], availability: [iv('09:00', '10:00')] },
    ],
    rooms: ['exam-1', 'exam-2'].map((id) => ({ id, capabilities: ['exam'], availability: [iv('09:00', '10:00')] })),
    services: [{ id: 'visit', minutes: 15, specialty: 'fm', roomCapability: 'exam' }],
    requests: [
      { id: 'short', patientId: 'pt-1', serviceId: 'visit', urgency: 'routine', ...(shortPrefersA ? { preferredProviderIds: ['dr-a'] } : {}) },
      { id: 'long', patientId: 'pt-2', serviceId: 'visit', urgency: 'routine', minutes: 45 },
    ],
  };
  const parsed = parseInstance(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

/** Both visits at 09:00, on the whole (empty) day, solved with or without the tie-break. */
function solve(instance: Instance, backend: MipBackend, breakTies: boolean) {
  const model = compileModel(instance);
  const fixed = emptyUsage(model);
  const free = model.requests.map((r) => r.index);
  const candidates = free.flatMap((i) => candidatesFor(model, fixed, i, { to: 0 }));
  const mip = buildSubproblem(model, fixed, free, candidates, model.requests.map(() => null), breakTies);
  const solution = backend.solve(mip, { timeLimitMs: 5_000, nodeLimit: 50, clock: () => Date.now() });
  const chosen = chosenPlacements(candidates, solution.x!);
  const providerOf = (id: string) => {
    const r = model.requests.find((x) => x.id === id)!;
    return r.modes[chosen.get(r.index)!.mode]!.providerId;
  };
  const score = [...chosen].reduce((s, [i, p]) => s + placementValue(model.requests[i]!, p), 0);
  return { providerOf, score, objective: solution.objective };
}

describe('the tie-break under maxAppointments', () => {
  it.each([
    ['javascript-lp-solver', async () => jsLpSolverBackend],
    ['HiGHS', loadHighsBackend],
  ])('gives the capped provider the longer visit when the scores tie, and never trades score for it (%s)', async (_, load) => {
    const backend = await load();
    const tied = solve(clinic(false), backend, true);
    expect(tied.providerOf('long')).toBe('dr-a');
    expect(tied.providerOf('short')).toBe('dr-b');
    // The tie-break is worth less than half of any real difference of score.
    expect(tied.objective - tied.score).toBeGreaterThan(0);
    expect(tied.objective - tied.score).toBeLessThan(0.5 * (0.25 / 4));

    // The short visit's patient prefers Dr. A: that preference is a real gain and wins over the tie-break.
    const preferred = solve(clinic(true), backend, true);
    expect(preferred.providerOf('short')).toBe('dr-a');
    expect(preferred.providerOf('long')).toBe('dr-b');

    // Without it (the whole-day model, whose bound must be the score's), the objective is the score.
    const plain = solve(clinic(false), backend, false);
    expect(plain.objective).toBeCloseTo(plain.score, 9);
    expect(plain.score).toBeCloseTo(tied.score, 9);
  });
});
