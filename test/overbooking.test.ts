// Overbooking (issue 6, point 5): off by default; with a limit, a provider may see two visits at once whose
// patients' no-show estimates keep the expected load under it. Contract, optimizer and validator agree.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { firstFit } from '../solver/firstFit.js';
import { optimize } from '../solver/optimize.js';
import type { Appointment } from '../src/contract/appointment.js';
import type { Instance, InstanceInput } from '../src/contract/instance.js';
import { parseInstance } from '../src/contract/parse.js';
import { formatSummary } from '../src/cli/formatSummary.js';
import { validateResult } from '../src/validator/validateResult.js';
import { exhaustiveSearch } from './support/exhaustiveSearch.js';
import { repoRoot } from './support/paths.js';

const at = (hhmm: string) => `2026-11-23T${hhmm}:00-06:00`;
const iv = (from: string, to: string) => ({ start: at(from), end: at(to) });

/** One provider for an hour, three exam rooms, four 30-minute visits: two fit without overbooking. */
function clinic(noShow: number[], overbooking?: number): InstanceInput {
  return {
    version: 1,
    clinic: { id: 'ob', timezone: 'America/Chicago' },
    horizon: iv('09:00', '10:00'),
    slotMinutes: 15,
    providers: [{ id: 'dr-a', specialties: ['fm'], availability: [iv('09:00', '10:00')] }],
    rooms: ['exam-1', 'exam-2', 'exam-3'].map((id) => ({ id, capabilities: ['exam'], availability: [iv('09:00', '10:00')] })),
    services: [{ id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam' }],
    requests: noShow.map((p, i) => ({ id: `r${i + 1}`, patientId: `pt-${i + 1}`, serviceId: 'visit', urgency: 'routine' as const, noShowProbability: p })),
    ...(overbooking !== undefined ? { overbooking: { maxExpectedLoad: overbooking } } : {}),
  };
}

function parsed(input: InstanceInput): Instance {
  const result = parseInstance(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const visit = (request: string, roomId: string, from: string, to: string, status?: Appointment['status']): Appointment => ({
  requestId: request,
  patientId: `pt-${request.slice(1)}`,
  serviceId: 'visit',
  providerId: 'dr-a',
  roomId,
  ...iv(from, to),
  equipment: [],
  staff: [],
  ...(status ? { status } : {}),
});

let highs: MipBackend;
beforeAll(async () => {
  highs = await loadHighsBackend();
});
const run = (inst: Instance) => optimize(inst, { timeLimitMs: 5_000, seed: 1, backend: highs, clock: () => Date.now(), maxRounds: 20 });

describe('overbooking in the contract', () => {
  it('is off by default and rejects limits and probabilities out of range, with their paths', () => {
    expect(parsed(clinic([0.1])).overbooking).toBeUndefined();
    const bad = parseInstance({ ...clinic([1.2]), overbooking: { maxExpectedLoad: 2.5 } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => p.path).sort()).toEqual(['$.overbooking.maxExpectedLoad', '$.requests[0].noShowProbability']);
    expect(bad.problems.find((p) => p.path === '$.overbooking.maxExpectedLoad')!.message).toMatch(/at most 2/);
  });
});

describe('the optimizer with overbooking', () => {
  it('without it, one provider sees two of four visits in an hour', () => {
    const inst = parsed(clinic([0.4, 0.4, 0.4, 0.4]));
    const result = run(inst);
    expect(result.appointments).toHaveLength(2);
    expect(validateResult(inst, result).violations).toEqual([]);
  });

  it('pairs patients likely to miss when their expected load stays under the limit', () => {
    // 0.6 + 0.6 = 1.2 <= 1.3: two pairs fill the hour.
    const inst = parsed(clinic([0.4, 0.4, 0.4, 0.4], 1.3));
    const result = run(inst);
    expect(result.appointments).toHaveLength(4);
    expect(result.status).toBe('optimal');
    expect(validateResult(inst, result).violations).toEqual([]);
    expect(result.objective).toBeCloseTo(exhaustiveSearch(inst).score, 6);
    // First-fit goes by the same rule.
    expect(validateResult(inst, firstFit(inst)).violations).toEqual([]);
    // The summary says how many visits share their provider's time, per provider and in all.
    const summary = formatSummary(inst, result);
    expect(summary).toContain('dr-a: 4 appointments, 120 min booked, 200% of 60 min available, 4 overbooked');
    expect(summary).toContain("overbooking up to an expected load of 1.3: 4 visits share their provider's time");
  });

  it('does not pair patients who are likely to come', () => {
    // 0.9 + 0.9 = 1.8 > 1.3.
    const inst = parsed(clinic([0.1, 0.1, 0.1, 0.1], 1.3));
    const result = run(inst);
    expect(result.appointments).toHaveLength(2);
    expect(validateResult(inst, result).violations).toEqual([]);
  });

  it('pairs a likely no-show with a likely comer, never two likely comers', () => {
    // 0.9 + 0.35 = 1.25 fits; 0.9 + 0.9 does not: two pairs of (sure, unsure).
    const inst = parsed(clinic([0.1, 0.65, 0.1, 0.65], 1.3));
    const result = run(inst);
    expect(result.appointments).toHaveLength(4);
    expect(validateResult(inst, result).violations).toEqual([]);
    const byStart = new Map<string, string[]>();
    for (const a of result.appointments) byStart.set(a.start, [...(byStart.get(a.start) ?? []), a.requestId].sort());
    for (const pair of byStart.values()) expect(pair.filter((id) => id === 'r1' || id === 'r3')).toHaveLength(1);
  });

  it('overbooks even when the search is cut short before its overbooking half (a slow or loaded machine)', () => {
    // The example clinic has more requests than hours; every patient is estimated to miss 1 in 10 (0.9 + 0.9 <= 1.8).
    const example = JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'lakeshore-clinic.json'), 'utf8')) as InstanceInput;
    const input = { ...example, requests: example.requests!.map((r) => ({ ...r, noShowProbability: 0.1 })) };
    const strict = parsed(input);
    const overbooking = parsed({ ...input, overbooking: { maxExpectedLoad: 1.8 } });
    // A clock that jumps a second a read: the time is gone once the day is constructed, before any search round.
    const jumpingClock = () => { let t = 0; return () => (t += 1_000); };
    const cut = (inst: Instance) => optimize(inst, { timeLimitMs: 3_000, seed: 1, backend: highs, clock: jumpingClock() });
    const without = cut(strict);
    const result = cut(overbooking);
    expect(result.stats?.iterations).toBe(0);
    expect(validateResult(overbooking, result).violations).toEqual([]);
    expect(result.appointments.length).toBeGreaterThan(without.appointments.length);
    const shared = result.appointments.filter((a) => result.appointments.some((b) => a !== b && a.providerId === b.providerId && a.start < b.end && b.start < a.end));
    expect(shared.length).toBeGreaterThan(0);
  });

  it('never puts three visits on a provider at once, however unlikely the patients are to come', () => {
    const inst = parsed(clinic([0.9, 0.9, 0.9, 0.9, 0.9, 0.9], 2));
    const result = run(inst);
    expect(result.appointments).toHaveLength(4);
    expect(validateResult(inst, result).violations).toEqual([]);
  });
});

describe('the validator with overbooking', () => {
  it('accepts two at once within the limit and refuses it without overbooking', () => {
    const appointments = [visit('r1', 'exam-1', '09:00', '09:30'), visit('r2', 'exam-2', '09:00', '09:30')];
    expect(validateResult(parsed(clinic([0.4, 0.4], 1.3)), { appointments }).violations).toEqual([]);
    const off = validateResult(parsed(clinic([0.4, 0.4])), { appointments }).violations;
    expect(off.map((v) => [v.constraint, v.path])).toEqual([[4, '$.appointments[1].providerId']]);
  });

  it('names the load over the limit, and counts a patient who has checked in in full', () => {
    const inst = parsed(clinic([0.4, 0.4], 1.3));
    const over = validateResult(inst, { appointments: [visit('r1', 'exam-1', '09:00', '09:30', 'checked-in'), visit('r2', 'exam-2', '09:15', '09:45')] }).violations;
    expect(over).toHaveLength(1);
    expect(over[0]!.path).toBe('$.appointments[1].providerId');
    expect(over[0]!.message).toContain('expected load of 1.600');
    expect(over[0]!.message).toContain('allowed 1.300');
  });

  it('refuses three at once', () => {
    const inst = parsed(clinic([0.9, 0.9, 0.9], 2));
    const appointments = [visit('r1', 'exam-1', '09:00', '09:30'), visit('r2', 'exam-2', '09:00', '09:30'), visit('r3', 'exam-3', '09:15', '09:45')];
    const found = validateResult(inst, { appointments }).violations;
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/3 visits at once \(overbooking allows at most 2\)/);
  });
});
