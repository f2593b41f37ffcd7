import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../src/contract/instance.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { generateClinic } from '../src/generate/generateClinic.js';

function parsed(data: unknown): Instance {
  const result = parseInstance(data);
  if (!result.ok) throw new Error(`instance rejected:\n${formatProblems(result.problems)}`);
  return result.value;
}

const intervalMinutes = (ivs: { start: string; end: string }[]) =>
  ivs.reduce((sum, iv) => sum + (Date.parse(iv.end) - Date.parse(iv.start)) / 60_000, 0);

/** Requested provider-minutes, total available provider-minutes. */
function demandAndCapacity(inst: Instance): { demand: number; capacity: number } {
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const demand = inst.requests
    .filter((r) => services.get(r.serviceId)?.specialty !== undefined)
    .reduce((sum, r) => sum + (r.minutes ?? services.get(r.serviceId)!.minutes), 0);
  const capacity = inst.providers.reduce((sum, p) => sum + intervalMinutes(p.availability), 0);
  return { demand, capacity };
}

describe('generateClinic', () => {
  const sizes = [1, 4, 10, 40];
  const seeds = [0, 1, 42, 20261124, -7];

  for (const providers of sizes)
    it(`produces valid instances with ${providers} provider(s)`, () => {
      for (const seed of seeds) {
        const inst = parsed(generateClinic({ providers, seed }));
        expect(inst.providers).toHaveLength(providers);
        expect(inst.requests.length).toBeGreaterThan(0);
        expect(inst.slotMinutes).toBe(5);
      }
    });

  it('is deterministic for a seed', () => {
    for (const providers of sizes) {
      const a = generateClinic({ providers, seed: 99 });
      const b = generateClinic({ providers, seed: 99 });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });

  it('gives different clinics for different seeds', () => {
    for (const providers of sizes) {
      const outputs = new Set(seeds.map((seed) => JSON.stringify(generateClinic({ providers, seed }))));
      expect(outputs.size).toBe(seeds.length);
    }
    // Seeds beyond 32 bits are not folded onto small ones.
    expect(JSON.stringify(generateClinic({ providers: 4, seed: 2 ** 32 + 1 }))).not.toBe(
      JSON.stringify(generateClinic({ providers: 4, seed: 1 })),
    );
  });

  it('matches the requested load: provider-minutes asked ≈ load × provider-minutes available', () => {
    for (const load of [0.6, 1.1, 1.5])
      for (const providers of sizes)
        for (const seed of seeds.slice(0, 3)) {
          const { demand, capacity } = demandAndCapacity(parsed(generateClinic({ providers, seed, load })));
          // The generator stops within half a visit (at most 55 minutes) of the target.
          expect(Math.abs(demand - load * capacity)).toBeLessThanOrEqual(27.5);
        }
  });

  it('builds a realistic clinic day', () => {
    const inst = parsed(generateClinic({ providers: 10, seed: 3 }));
    expect(inst.horizon).toEqual({ start: '2026-11-24T07:00:00-06:00', end: '2026-11-24T19:00:00-06:00' });
    const specialties = new Set(inst.providers.flatMap((p) => p.specialties));
    for (const s of ['family-medicine', 'pediatrics', 'orthopedics', 'cardiology', 'dermatology', 'womens-health'])
      expect(specialties).toContain(s);
    const fm = inst.providers.filter((p) => p.specialties[0] === 'family-medicine').length;
    expect(fm).toBeGreaterThanOrEqual(inst.providers.length / 2);
    const examRooms = inst.rooms.filter((r) => r.capabilities.includes('exam') && !r.capabilities.includes('procedure'));
    expect(examRooms.length).toBe(15);
    expect(inst.services.some((s) => s.specialty === undefined)).toBe(true);
    expect(inst.equipment.find((e) => e.id === 'ecg-cart')?.count).toBe(2);

    const many = generateClinic({ providers: 40, seed: 5 }).requests!;
    const share = (pred: (r: (typeof many)[number]) => boolean) => many.filter(pred).length / many.length;
    expect(share((r) => r.urgency === 'emergency')).toBeLessThan(0.05);
    expect(share((r) => r.urgency === 'urgent')).toBeGreaterThan(0.08);
    expect(share((r) => r.urgency === 'urgent')).toBeLessThan(0.25);
    expect(share((r) => r.providerId !== undefined)).toBeGreaterThan(0.04);
    expect(share((r) => (r.preferredProviderIds ?? []).length > 0)).toBeGreaterThan(0.12);
    expect(share((r) => r.earliestStart !== undefined)).toBeGreaterThan(0.2);
    const patients = new Set(many.map((r) => r.patientId));
    expect(patients.size).toBeLessThan(many.length); // some patients have two appointments
  });

  it('uses the right UTC offset across daylight saving and in other zones', () => {
    const summer = parsed(generateClinic({ providers: 2, seed: 1, date: '2026-07-14' }));
    expect(summer.horizon.start).toBe('2026-07-14T07:00:00-05:00');
    const springForward = parsed(generateClinic({ providers: 2, seed: 1, date: '2026-03-08' }));
    expect(springForward.horizon).toEqual({ start: '2026-03-08T07:00:00-05:00', end: '2026-03-08T19:00:00-05:00' });
    const india = parsed(generateClinic({ providers: 3, seed: 1, timezone: 'Asia/Kolkata' }));
    expect(india.horizon.start).toBe('2026-11-24T07:00:00+05:30');
    expect(india.clinic.timezone).toBe('Asia/Kolkata');
  });

  it('rejects bad options', () => {
    expect(() => generateClinic({ providers: 0, seed: 1 })).toThrow(RangeError);
    expect(() => generateClinic({ providers: 2.5, seed: 1 })).toThrow(RangeError);
    expect(() => generateClinic({ providers: 2, seed: 0.5 })).toThrow(RangeError);
    expect(() => generateClinic({ providers: 2, seed: 1, load: -1 })).toThrow(RangeError);
    expect(() => generateClinic({ providers: 2, seed: 1, date: '2026-02-30' })).toThrow(RangeError);
    expect(() => generateClinic({ providers: 2, seed: 1, timezone: 'Mars/Olympus' })).toThrow(RangeError);
  });

  it("gives each request a no-show estimate, the same for a patient's visits of one urgency, and overbooking only when asked", () => {
    const inst = parsed(generateClinic({ providers: 10, seed: 1 }));
    const p = inst.requests.map((r) => r.noShowProbability!);
    expect(p.every((x) => x >= 0.01 && x <= 0.6)).toBe(true);
    const mean = p.reduce((a, b) => a + b, 0) / p.length;
    expect(mean).toBeGreaterThan(0.05);
    expect(mean).toBeLessThan(0.2);
    // A spread, not one rate: some patients are far likelier to miss than others.
    expect(Math.max(...p)).toBeGreaterThan(3 * Math.min(...p));
    const byPatient = new Map<string, Set<number>>();
    for (const r of inst.requests.filter((x) => x.urgency === 'routine')) byPatient.set(r.patientId, (byPatient.get(r.patientId) ?? new Set()).add(r.noShowProbability!));
    for (const set of byPatient.values()) expect(set.size).toBe(1);
    expect(inst.overbooking).toBeUndefined();
    expect(parsed(generateClinic({ providers: 2, seed: 1, overbooking: 1.4 })).overbooking).toEqual({ maxExpectedLoad: 1.4 });
  });

  it('every generated instance parses (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), fc.double({ min: 0, max: 2, noNaN: true }), (providers, seed, load) => {
        const result = parseInstance(generateClinic({ providers, seed, load }));
        if (!result.ok) throw new Error(formatProblems(result.problems));
      }),
      { numRuns: 60 },
    );
  });
});

describe('examples/lakeshore-clinic.json', () => {
  const example = parsed(JSON.parse(readFileSync(new URL('../examples/lakeshore-clinic.json', import.meta.url), 'utf8')));

  it('parses and is the Lakeshore clinic day', () => {
    expect(example.clinic.name).toBe('Lakeshore Community Health');
    expect(example.clinic.timezone).toBe('America/Chicago');
    expect(example.horizon.start).toBe('2026-11-24T07:00:00-06:00');
    expect(example.providers.length).toBeGreaterThanOrEqual(7);
    expect(example.providers.length).toBeLessThanOrEqual(9);
    expect(example.requests.length).toBeGreaterThanOrEqual(70);
    expect(example.requests.length).toBeLessThanOrEqual(90);
  });

  it('asks a bit more of its providers than they have', () => {
    const { demand, capacity } = demandAndCapacity(example);
    expect(demand / capacity).toBeGreaterThan(1);
    expect(demand / capacity).toBeLessThan(1.3);
  });
});
