// The swap under maxAppointments (solver/capSwap.ts): a provider at their cap hands a visit that could go
// elsewhere to another provider, so a request only they can see gets in. Never worse, never invalid.
import { describe, expect, it } from 'vitest';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { capSwapStep } from '../solver/capSwap.js';
import { relatedLanes, type LnsState } from '../solver/lns.js';
import { compileModel } from '../solver/model/compile.js';
import type { Model } from '../solver/model/types.js';
import { seededRandom } from '../solver/random.js';
import { assignmentScore, usageOf } from '../solver/usage.js';
import type { Instance, InstanceInput } from '../src/contract/instance.js';
import { parseInstance } from '../src/contract/parse.js';

const at = (hhmm: string) => `2026-11-23T${hhmm}:00-06:00`;
const iv = (from: string, to: string) => ({ start: at(from), end: at(to) });

/**
 * Dr. A sees one patient a day (maxAppointments 1) and holds r1, which Dr. B could see too; r2 may only
 * see Dr. A, after 10:00. Dr. B works 09:00-10:00; when `bBusy`, r3 fills that hour.
 */
function clinic(bBusy: boolean): Instance {
  const input: InstanceInput = {
    version: 1,
    clinic: { id: 'swap', timezone: 'America/Chicago' },
    horizon: iv('09:00', '11:00'),
    slotMinutes: 15,
    providers: [
      { id: 'dr-a', specialties: ['fm'], availability: [iv('09:00', '11:00')], maxAppointments: 1 },
      { id: 'dr-b', specialties: ['fm'], availability: [iv('09:00', '10:00')] },
    ],
    rooms: ['exam-1', 'exam-2'].map((id) => ({ id, capabilities: ['exam'], availability: [iv('09:00', '11:00')] })),
    services: [{ id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam' }],
    requests: [
      { id: 'r1', patientId: 'pt-1', serviceId: 'visit', urgency: 'routine' },
      { id: 'r2', patientId: 'pt-2', serviceId: 'visit', urgency: 'routine', providerId: 'dr-a', earliestStart: at('10:00'), minutes: 60 },
      ...(bBusy ? [{ id: 'r3', patientId: 'pt-3', serviceId: 'visit', urgency: 'routine' as const, providerId: 'dr-b', minutes: 60 }] : []),
    ],
  };
  const parsed = parseInstance(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

/** r1 with Dr. A at 09:00 (r3 with Dr. B then), r2 waiting. */
function start(model: Model): LnsState {
  const on = (id: string, provider: string) => {
    const r = model.requests.find((x) => x.id === id)!;
    return { mode: r.modes.findIndex((m) => m.providerId === provider), start: 0 };
  };
  const assignment = model.requests.map((r) => (r.id === 'r1' ? on('r1', 'dr-a') : r.id === 'r3' ? on('r3', 'dr-b') : null));
  return { assignment, usage: usageOf(model, assignment), score: assignmentScore(model, assignment) };
}

const limits = { nodeLimit: 50, timeLimitMs: 1_500, clock: () => Date.now() };
const providerOf = (model: Model, state: LnsState, id: string) => {
  const i = model.requests.findIndex((r) => r.id === id);
  const p = state.assignment[i];
  return p ? model.requests[i]!.modes[p.mode]!.providerId : null;
};

describe('the swap under maxAppointments', () => {
  it('moves the visit another provider can see, so the request only the capped provider can see gets in', () => {
    const model = compileModel(clinic(false));
    for (const seed of [1, 2, 3, 4, 5]) {
      const state = start(model);
      const before = state.score;
      expect(capSwapStep(model, state, jsLpSolverBackend, seededRandom(seed), relatedLanes(model), limits)).toBe(true);
      expect(providerOf(model, state, 'r2')).toBe('dr-a');
      expect(providerOf(model, state, 'r1')).toBe('dr-b');
      expect(state.score).toBeGreaterThan(before);
      // The state it leaves is consistent: its score and usage are those of its assignment.
      expect(state.score).toBeCloseTo(assignmentScore(model, state.assignment), 9);
      expect(state.usage.used).toEqual(usageOf(model, state.assignment).used);
    }
  });

  it('leaves the day exactly as it was when the visit has nowhere else to go', () => {
    const model = compileModel(clinic(true));
    for (const seed of [1, 2, 3]) {
      const state = start(model);
      const copy = { assignment: [...state.assignment], used: state.usage.used.map((u) => u.slice()), score: state.score };
      expect(capSwapStep(model, state, jsLpSolverBackend, seededRandom(seed), relatedLanes(model), limits)).toBe(false);
      expect(state.assignment).toEqual(copy.assignment);
      expect(state.usage.used).toEqual(copy.used);
      expect(state.score).toBe(copy.score);
    }
  });
});
