// The disruptions the bench and the simulator draw must be ones the re-planner accepts: on a generated,
// optimized day, every type at every hour of the day yields an input that passes checkReplanInput, and
// re-planning it gives a valid result no worse than push-later.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { firstFit } from '../solver/firstFit.js';
import { seededRandom } from '../solver/random.js';
import { pushLater } from '../solver/replan/pushLater.js';
import { replanDay } from '../solver/replan/replanDay.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { checkReplanInput } from '../src/contract/replanChecks.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { dayAt } from '../src/simulate/dayAt.js';
import { DISRUPTION_TYPES, drawDisruption } from '../src/simulate/drawDisruption.js';
import { validateReplan } from '../src/validator/validateReplan.js';

const parsed = parseInstance(generateClinic({ providers: 6, seed: 3 }));
if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
const instance = parsed.value;
const schedule = firstFit(instance).appointments;
const h0 = Date.parse(instance.horizon.start);
const hours = (Date.parse(instance.horizon.end) - h0) / 3_600_000;

let highs: MipBackend;
beforeAll(async () => {
  highs = await loadHighsBackend();
});

describe('drawn disruptions', () => {
  it('dayAt: ended is fulfilled, started is in progress, due soon is checked in, later is booked', () => {
    const now = h0 + 4 * 3_600_000;
    const day = dayAt(schedule, now);
    expect(day.length).toBe(schedule.length);
    day.forEach((a, k) => {
      const start = Date.parse(a.start);
      const end = Date.parse(a.end);
      const expected = end <= now ? 'fulfilled' : start <= now ? 'in-progress' : start - now <= 15 * 60_000 ? 'checked-in' : 'booked';
      expect(a.status).toBe(expected);
      expect(a.id).toBe(`appt-${String(k + 1).padStart(3, '0')}`);
    });
  });

  it('are accepted by the re-planner, and re-plan to a valid day no worse than push-later', () => {
    let drawnCount = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...DISRUPTION_TYPES),
        fc.integer({ min: 1, max: Math.floor(hours * 4) - 4 }),
        fc.integer({ min: 1, max: 1_000 }),
        (type, quarter, seed) => {
          const now = h0 + quarter * 15 * 60_000;
          const drawn = drawDisruption(instance, dayAt(schedule, now), type, now, seededRandom(seed));
          if (!drawn) return; // nothing of that kind to disrupt at that moment
          drawnCount++;
          const input = { now: new Date(now).toISOString(), ...drawn };
          expect(checkReplanInput(instance, input)).toEqual([]);
          const result = replanDay(instance, input, { backend: highs, clock: () => 0 });
          expect(validateReplan(instance, input, result).violations).toEqual([]);
          expect(result.cost).toBeLessThanOrEqual(pushLater(instance, input).cost + 1e-9);
        },
      ),
      { numRuns: 25, seed: 11 },
    );
    expect(drawnCount).toBeGreaterThan(15);
  }, 120_000);
});
