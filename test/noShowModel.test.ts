// The no-show model, pure: estimates are probabilities, more past no-shows never lower one, too little
// history gives the prior-smoothed base rate (and says so), and on a synthetic history with known effects
// the fitted model ranks held-out appointments well (AUC clearly above 0.5) and finds the effects' signs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../solver/random.js';
import { FEATURES } from '../src/noshow/features.js';
import { estimateAll, estimateNoShow, fitNoShowModel, PRIOR_RATE, type NoShowModel } from '../src/noshow/noShowModel.js';
import { DAY_MS, pastIndex, pastOf, type FinishedVisit, type Visit } from '../src/noshow/visit.js';
import { estimateDay } from '../src/noshow/dayEstimates.js';
import type { StoredAppointment } from '../src/store/storedAppointment.js';

const T0 = Date.UTC(2030, 0, 1);
const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * A clinic's history with known effects: each patient has a propensity (so past no-shows predict), a
 * longer lead time, the late afternoon and Mondays raise the odds. Days run from T0; visits in order.
 */
function synthetic(seed: number, days: number, patients = 80): FinishedVisit[] {
  const rnd = seededRandom(seed);
  const propensity = Array.from({ length: patients }, () => (rnd.chance(0.2) ? 1.8 : rnd.int(-100, 100) / 200));
  const out: FinishedVisit[] = [];
  for (let day = 0; day < days; day++) {
    const weekday = (new Date(T0 + day * DAY_MS).getUTCDay());
    if (weekday === 0 || weekday === 6) continue;
    for (let k = 0; k < 12; k++) {
      const p = rnd.int(0, patients - 1);
      const minuteOfDay = rnd.int(8 * 4, 17 * 4 - 1) * 15;
      const lead = rnd.int(0, 60);
      const startMs = T0 + day * DAY_MS + minuteOfDay * 60_000;
      const z = -2.6 + propensity[p]! + 0.5 * Math.log1p(lead) + (minuteOfDay >= 16 * 60 ? 0.8 : 0) + (weekday === 1 ? 0.6 : 0);
      out.push({ id: `v${day}-${k}`, patientId: `p${p}`, startMs, bookedAtMs: startMs - lead * DAY_MS, weekday, minuteOfDay, noShow: rnd.chance(sigmoid(z)) });
    }
  }
  return out;
}

/** A history where past no-shows go with fewer no-shows (a patient who missed once comes after): unconstrained, the patient weights would turn negative. */
function chastened(seed: number): FinishedVisit[] {
  const rnd = seededRandom(seed);
  const missed = new Set<number>();
  return Array.from({ length: 600 }, (_, i) => {
    const p = rnd.int(0, 59);
    const startMs = T0 + i * 3_600_000;
    const noShow = rnd.chance(missed.has(p) ? 0.02 : 0.4);
    if (noShow) missed.add(p);
    return { id: `c${i}`, patientId: `p${p}`, startMs, bookedAtMs: startMs - rnd.int(0, 30) * DAY_MS, weekday: 3, minuteOfDay: 600, noShow };
  });
}

/** The area under the ROC curve: the chance a random no-show scores above a random show (ties count half). */
function auc(scores: number[], labels: boolean[]): number {
  let pairs = 0;
  let wins = 0;
  scores.forEach((s, i) => {
    if (!labels[i]) return;
    scores.forEach((t, j) => {
      if (labels[j]) return;
      pairs += 1;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

const visit = (over: Partial<Visit> = {}): Visit => ({ id: 'u', patientId: 'p0', startMs: T0 + 400 * DAY_MS, bookedAtMs: T0 + 390 * DAY_MS, weekday: 2, minuteOfDay: 600, ...over });
const arbVisit = fc.record({
  leadDays: fc.option(fc.integer({ min: 0, max: 365 }), { nil: null }),
  weekday: fc.integer({ min: 0, max: 6 }),
  minuteOfDay: fc.integer({ min: 0, max: 1439 }),
});
const asVisit = (a: { leadDays: number | null; weekday: number; minuteOfDay: number }) =>
  visit({ bookedAtMs: a.leadDays === null ? null : T0 + 400 * DAY_MS - a.leadDays * DAY_MS, weekday: a.weekday, minuteOfDay: a.minuteOfDay });

describe('the no-show model', () => {
  const fitted: NoShowModel[] = [...[1, 2, 3].map((seed) => fitNoShowModel(synthetic(seed, 150))), fitNoShowModel(chastened(5))];

  it('fits on enough history and falls back to the prior-smoothed base rate on little, saying so', () => {
    for (const m of fitted) expect(m.kind).toBe('fitted');
    const few = synthetic(7, 3).slice(0, 10);
    const m = fitNoShowModel(few);
    expect(m.kind).toBe('base-rate');
    expect(m.note).toMatch(/base rate/);
    const noShows = few.filter((v) => v.noShow).length;
    expect(m.baseRate).toBeCloseTo((noShows + PRIOR_RATE * 20) / (10 + 20), 12);
    const e = estimateNoShow(m, visit(), { visits: 5, noShows: 5 });
    expect(e).toEqual({ probability: m.baseRate, base: m.baseRate, factors: [] });
    expect(fitNoShowModel([]).baseRate).toBe(PRIOR_RATE);
  });

  it('gives probabilities in [0, 1] with every factor explained', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), arbVisit, fc.nat(40), fc.nat(40), (m, a, visits, extra) => {
        const e = estimateNoShow(fitted[m]!, asVisit(a), { visits: visits + extra, noShows: visits });
        expect(e.probability).toBeGreaterThanOrEqual(0);
        expect(e.probability).toBeLessThanOrEqual(1);
        expect(e.factors.map((f) => f.factor)).toEqual(['lead-time', 'patient-history', 'time-of-day', 'weekday']);
        for (const f of e.factors) {
          expect(Number.isFinite(f.effect) && Math.abs(f.effect) <= 1).toBe(true);
          expect(f.text.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('never lowers an estimate for more past no-shows (one more visit a no-show, or a show turned no-show)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), arbVisit, fc.nat(30), fc.nat(30), (m, a, noShows, shows) => {
        const model = fitted[m]!;
        const v = asVisit(a);
        const p = estimateNoShow(model, v, { visits: noShows + shows, noShows }).probability;
        expect(estimateNoShow(model, v, { visits: noShows + shows + 1, noShows: noShows + 1 }).probability).toBeGreaterThanOrEqual(p);
        if (shows > 0) expect(estimateNoShow(model, v, { visits: noShows + shows, noShows: noShows + 1 }).probability).toBeGreaterThanOrEqual(p);
      }),
    );
  });

  it('recovers known effects: held-out AUC clearly above 0.5 and the effects signed right', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const all = synthetic(seed, 260);
        const cut = T0 + 180 * DAY_MS;
        const train = all.filter((v) => v.startMs < cut);
        const test = all.filter((v) => v.startMs >= cut);
        const model = fitNoShowModel(train);
        expect(model.kind).toBe('fitted');
        // Held-out: each test visit's patient history is everything finished before it.
        const scores = test.map((v) => estimateAll(model, all, [v])[0]!.probability);
        const area = auc(scores, test.map((v) => v.noShow));
        expect(area).toBeGreaterThan(0.6);
        const w = (name: string) => model.fit!.weights[FEATURES.findIndex((f) => f.name === name)]!;
        expect(w('log1p-lead-days')).toBeGreaterThan(0);
        expect(w('late-afternoon')).toBeGreaterThan(0);
        expect(w('patient-smoothed-rate') + w('log1p-patient-no-shows')).toBeGreaterThan(0);
        // Monday is the reference day and the only one with an effect: every other weekday's weight is below it.
        for (const d of ['tue', 'wed', 'thu', 'fri']) expect(w(d)).toBeLessThan(0);
      }),
      // A fixed seed: the thresholds are statistical, and a test must not fail by chance.
      { numRuns: 6, seed: 20301 },
    );
  });

  it("counts a patient's finished visits before an instant as a plain filter would", () => {
    const h = synthetic(13, 40, 10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: -1, max: 41 }), fc.integer({ min: 0, max: 1439 }), (p, day, minute) => {
        const before = T0 + day * DAY_MS + minute * 60_000;
        const mine = h.filter((v) => v.patientId === `p${p}` && v.startMs < before);
        expect(pastOf(pastIndex(h), `p${p}`, before)).toEqual({ visits: mine.length, noShows: mine.filter((v) => v.noShow).length });
      }),
    );
    expect(pastOf(pastIndex(h), 'nobody', T0 + 100 * DAY_MS)).toEqual({ visits: 0, noShows: 0 });
  });

  it('is deterministic', () => {
    const h = synthetic(11, 60);
    expect(fitNoShowModel(h)).toEqual(fitNoShowModel([...h].reverse()));
  });
});

describe("a day's estimates for overbooking (estimateDay)", () => {
  const history = synthetic(11, 200);
  const model = fitNoShowModel(history);
  // 2030-09-02 is a Monday; UTC keeps local times plain.
  const date = '2030-09-02';
  const at = (hhmm: string) => `${date}T${hhmm}:00Z`;
  const stored = (id: string, patientId: string, start: string): StoredAppointment => ({
    id, requestId: `r-${id}`, patientId, serviceId: 's', providerId: 'dr', roomId: 'room', start, end: start, equipment: [], staff: [],
    status: 'booked', version: 1, date, history: [{ status: 'booked', at: '2030-08-01T09:00:00Z', by: 'desk' }],
  } as unknown as StoredAppointment);

  it('estimates a booked visit as booked and an open request at the middle of its window, to three decimals', () => {
    // The patient with the most no-shows in the history.
    const missed = new Map<string, number>();
    for (const h of history) if (h.noShow) missed.set(h.patientId, (missed.get(h.patientId) ?? 0) + 1);
    const frequent = [...missed].sort((a, b) => b[1] - a[1])[0]![0];
    const booked = [stored('a', 'p1', at('16:30'))];
    const requests = [
      { id: 'r-a', patientId: 'p1', serviceId: 's', urgency: 'routine' as const, preferredProviderIds: [] },
      { id: 'open', patientId: frequent, serviceId: 's', urgency: 'routine' as const, preferredProviderIds: [], earliestStart: at('16:00'), latestEnd: at('17:00') },
      { id: 'noon', patientId: 'p-new', serviceId: 's', urgency: 'routine' as const, preferredProviderIds: [] },
    ];
    const estimates = estimateDay(model, history, 'UTC', date, booked, requests);
    expect([...estimates.keys()].sort()).toEqual(['noon', 'open', 'r-a']);
    for (const p of estimates.values()) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
      expect(Math.round(p * 1000) / 1000).toBe(p);
    }
    // The booked one is the model's estimate of its own visit (its start and lead time).
    const index = pastIndex(history);
    const visit = { id: 'r-a', patientId: 'p1', startMs: Date.parse(at('16:30')), bookedAtMs: Date.parse('2030-08-01T09:00:00Z'), weekday: 1, minuteOfDay: 16 * 60 + 30 };
    expect(estimates.get('r-a')).toBe(Math.round(1000 * estimateNoShow(model, visit, pastOf(index, 'p1', visit.startMs)).probability) / 1000);
    // A patient who has missed often is likelier to miss than one never seen, at the same hour or not.
    expect(estimates.get('open')!).toBeGreaterThan(estimates.get('noon')!);
  });
});
