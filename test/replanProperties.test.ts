// Properties of the re-planner (solver/replan/) on tiny generated days (test/support/tinyReplan.ts),
// checked against the independent re-plan validator and an independent exhaustive re-planner
// (test/support/exhaustiveReplan.ts, written from the contract and the README alone).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { pushLater } from '../solver/replan/pushLater.js';
import { replanDay } from '../solver/replan/replanDay.js';
import type { Instance, InstanceInput } from '../src/contract/instance.js';
import { formatProblems, parseInstance, parseWith } from '../src/contract/parse.js';
import { ReplanInput, ReplanResult } from '../src/contract/replan.js';
import { checkReplanInput } from '../src/contract/replanChecks.js';
import { validateReplan } from '../src/validator/validateReplan.js';
import { validateResult } from '../src/validator/validateResult.js';
import { exhaustiveReplan, type ExactReplan } from './support/exhaustiveReplan.js';
import { at } from './support/tinyClinic.js';
import { tinyReplan, type TinyReplan } from './support/tinyReplan.js';

const TOL = 1e-6;
// REPLAN_SEED and REPLAN_RUNS explore further (e.g. REPLAN_RUNS=600 with a few seeds: ~20 s each).
const FC_SEED = Number(process.env.REPLAN_SEED ?? 20261125);
const RUNS = Number(process.env.REPLAN_RUNS ?? 150);

let highs: MipBackend;
beforeAll(async () => {
  highs = await loadHighsBackend();
});

// Every property below draws the same cases (same seed): solve each case once per backend.
const keyOf = (c: TinyReplan) => JSON.stringify([c.instanceInput, c.input]);
const exactCache = new Map<string, ExactReplan>();
const exact = (c: TinyReplan): ExactReplan => {
  const key = keyOf(c);
  let e = exactCache.get(key);
  if (!e) exactCache.set(key, (e = exhaustiveReplan(c.instance, c.input)));
  return e;
};
const solved = new Map<string, { result: ReplanResult } | { error: unknown }>();
const replan = (backend: MipBackend, c: TinyReplan): ReplanResult => {
  const key = `${backend.name}|${keyOf(c)}`;
  let outcome = solved.get(key);
  if (!outcome) {
    try {
      outcome = { result: replanDay(c.instance, c.input, { backend, clock: () => Date.now() }) };
    } catch (error) {
      outcome = { error };
    }
    solved.set(key, outcome);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
};

const isHistory = (s: string | undefined) => s === 'in-progress' || s === 'fulfilled' || s === 'cancelled' || s === 'noshow';

describe('tiny re-plan cases', () => {
  it('are valid: schemas, checkReplanInput, a valid day with statuses that fit now, 1-2 events, at most one emergency', () => {
    fc.assert(
      fc.property(tinyReplan, ({ instanceInput, instance, input }) => {
        const parsed = parseInstance(instanceInput);
        if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
        const reparsed = parseWith(ReplanInput, JSON.parse(JSON.stringify(input)));
        if (!reparsed.ok) throw new Error(formatProblems(reparsed.problems));
        expect(checkReplanInput(instance, input)).toEqual([]);
        expect(validateResult(instance, { appointments: input.appointments }).violations).toEqual([]);

        expect(input.appointments.length).toBeGreaterThanOrEqual(3);
        expect(input.appointments.length).toBeLessThanOrEqual(6);
        expect(input.events.length).toBeGreaterThanOrEqual(1);
        expect(input.events.length).toBeLessThanOrEqual(2);
        expect(input.events.filter((e) => e.type === 'emergency').length).toBeLessThanOrEqual(1);
        const now = Date.parse(input.now);
        for (const a of input.appointments) {
          const [start, end] = [Date.parse(a.start), Date.parse(a.end)];
          if (a.status === 'fulfilled') expect(end).toBeLessThanOrEqual(now);
          if (a.status === 'in-progress') expect(start <= now && now < end).toBe(true);
          if (a.status === 'checked-in') expect(end).toBeGreaterThan(now);
        }
      }),
      { numRuns: 200, seed: FC_SEED },
    );
  }, 60_000);

  it('cover every event type, both statuses ahead, both behind, and now on and off the grid', () => {
    const seen = new Set<string>();
    for (const { instance, input } of fc.sample(tinyReplan, { numRuns: 300, seed: FC_SEED })) {
      for (const e of input.events) seen.add(e.type);
      for (const a of input.appointments) seen.add(a.status ?? 'booked');
      if (input.appointments.some((a) => a.earlierOk)) seen.add('earlierOk');
      const offGrid = (Date.parse(input.now) - Date.parse(instance.horizon.start)) % (instance.slotMinutes * 60_000) !== 0;
      seen.add(offGrid ? 'now off the grid' : 'now on the grid');
      seen.add(`grid ${instance.slotMinutes}`);
    }
    for (const what of ['delay', 'overrun', 'emergency', 'cancellation', 'noshow', 'resource-down', 'staff-absence'])
      expect(seen, what).toContain(what);
    for (const what of ['fulfilled', 'in-progress', 'booked', 'checked-in', 'earlierOk', 'now off the grid', 'now on the grid', 'grid 15', 'grid 30'])
      expect(seen, what).toContain(what);
  }, 60_000);
});

describe('the exhaustive re-planner', () => {
  it('is consistent: cost = breakdown, no worse than bumping everything, the same without pruning', () => {
    fc.assert(
      fc.property(tinyReplan, (c) => {
        const e = exact(c);
        const b = e.breakdown;
        expect(e.cost).toBeCloseTo(b.lateness + b.reassignments + b.roomChanges + b.bumps + b.overtime, 6);
        // Bumping everything that may be bumped, each emergency at its cheapest place at its earliest start.
        const trivial =
          e.historyOvertimeCost +
          e.items.reduce((sum, it) => sum + (it.bumpCost ?? (it.options.length > 0 ? Math.min(...it.options.map((o) => o.cost)) : 0)), 0);
        expect(e.cost).toBeLessThanOrEqual(trivial + TOL);
        for (const [requestId, start] of e.emergencyStart) {
          const placed = e.appointments.find((a) => a.requestId === requestId);
          expect(placed, `emergency ${requestId} placed`).toBeDefined();
          expect(Date.parse(placed!.start)).toBe(start);
        }
        const space = e.items.reduce((n, it) => n * (it.options.length + 1), 1);
        if (space <= 20_000) expect(exhaustiveReplan(c.instance, c.input, { prune: false }).cost).toBeCloseTo(e.cost, 6);
      }),
      { numRuns: 200, seed: FC_SEED },
    );
  }, 60_000);

  it('returns a plan the re-plan validator accepts, at the cost the validator computes', () => {
    fc.assert(
      fc.property(tinyReplan, (c) => {
        const e = exact(c);
        const report = validateReplan(c.instance, c.input, { appointments: e.appointments, changes: e.changes, unscheduled: e.unscheduled.map((requestId) => ({ requestId })) });
        expect(report.violations).toEqual([]);
        expect(report.cost).toBeCloseTo(e.cost, 6);
      }),
      { numRuns: 200, seed: FC_SEED },
    );
  }, 60_000);

  describe('finds the hand-computed optimum', () => {
    // 14:00-16:00 UTC on a 15-minute grid; 30-minute visits with a family doctor in an exam room.
    const day = (minutes: [number, number]) => ({ start: at(minutes[0]), end: at(minutes[1]) });
    const clinic = (o: { providers?: { id: string; availability: [number, number] }[]; rooms?: string[]; horizon?: [number, number]; replan?: InstanceInput['replan']; urgent?: string[] }) => {
      const horizon = o.horizon ?? [0, 120];
      const json: InstanceInput = {
        version: 1,
        clinic: { id: 'hand', timezone: 'UTC' },
        horizon: day(horizon),
        slotMinutes: 15,
        providers: (o.providers ?? [{ id: 'dr-0', availability: horizon }]).map((p) => ({ id: p.id, specialties: ['family-medicine'], availability: [day(p.availability)] })),
        rooms: (o.rooms ?? ['room-0']).map((id) => ({ id, capabilities: ['exam'], availability: [day(horizon)] })),
        services: [{ id: 'visit', minutes: 30, specialty: 'family-medicine', roomCapability: 'exam' }],
        requests: ['req-0', 'req-1', 'req-2'].map((id, i) => ({ id, patientId: `pt-${i}`, serviceId: 'visit', urgency: o.urgent?.includes(id) ? 'urgent' : 'routine' })),
        ...(o.replan ? { replan: o.replan } : {}),
      };
      const parsed = parseInstance(json);
      if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
      return parsed.value;
    };
    type Visit = { id: number; provider?: string; room?: string; from: number; status: string; minutes?: number };
    const replanInput = (instance: Instance, now: number, visits: Visit[], events: unknown[]): ReplanInput => {
      const input = parseWith(ReplanInput, {
        now: at(now),
        appointments: visits.map((v) => ({
          id: `ap-${v.id}`,
          requestId: `req-${v.id}`,
          patientId: `pt-${v.id}`,
          serviceId: 'visit',
          providerId: v.provider ?? 'dr-0',
          roomId: v.room ?? 'room-0',
          start: at(v.from),
          end: at(v.from + (v.minutes ?? 30)),
          status: v.status,
        })),
        events,
      });
      if (!input.ok) throw new Error(formatProblems(input.problems));
      expect(checkReplanInput(instance, input.value)).toEqual([]);
      return input.value;
    };
    const emergency = { type: 'emergency', request: { id: 'em-0', patientId: 'pt-x', serviceId: 'visit' } };
    const plan = (e: ExactReplan) => e.appointments.map((a) => `${a.requestId} ${a.providerId} ${a.roomId} ${a.start.slice(11, 16)} ${a.status}`);

    it('an emergency at now pushes the others: the urgent visit keeps its time, the routine one goes last', () => {
      const instance = clinic({ urgent: ['req-2'] });
      const input = replanInput(instance, 30, [{ id: 0, from: 0, status: 'fulfilled' }, { id: 1, from: 30, status: 'booked' }, { id: 2, from: 60, status: 'booked' }], [emergency]);
      const e = exhaustiveReplan(instance, input);
      expect(e.cost).toBe(60); // req-1 60 min late × 1
      expect(plan(e)).toEqual(['req-0 dr-0 room-0 14:00 fulfilled', 'req-1 dr-0 room-0 15:30 booked', 'req-2 dr-0 room-0 15:00 booked', 'em-0 dr-0 room-0 14:30 booked']);
      expect(e.changes.map((c) => `${c.kind} ${c.requestId} ${c.delayMinutes}`).sort()).toEqual(['added em-0 0', 'moved req-1 60']);
    });

    it('overtime when the doctor stops at 15:30: 60 min late plus 30 min overtime × 2', () => {
      const instance = clinic({ urgent: ['req-2'], providers: [{ id: 'dr-0', availability: [0, 90] }] });
      const input = replanInput(instance, 30, [{ id: 0, from: 0, status: 'fulfilled' }, { id: 1, from: 30, status: 'booked' }, { id: 2, from: 60, status: 'booked' }], [emergency]);
      expect(exhaustiveReplan(instance, input).cost).toBe(120);
      // No overtime allowed: the routine visit is bumped.
      const strict = clinic({ urgent: ['req-2'], providers: [{ id: 'dr-0', availability: [0, 90] }], replan: { maxOvertimeMinutes: 0 } });
      const e = exhaustiveReplan(strict, replanInput(strict, 30, [{ id: 0, from: 0, status: 'fulfilled' }, { id: 1, from: 30, status: 'booked' }, { id: 2, from: 60, status: 'booked' }], [emergency]));
      expect(e.cost).toBe(500);
      expect(e.changes.filter((c) => c.kind === 'bumped').map((c) => c.requestId)).toEqual(['req-1']);
    });

    it('an emergency starts at its earliest start even when a later one would cost less', () => {
      const instance = clinic({ replan: { lateness: { emergency: 0, urgent: 2, routine: 1 } } });
      const input = replanInput(instance, 30, [{ id: 0, from: 0, status: 'fulfilled' }, { id: 1, from: 30, status: 'booked' }, { id: 2, from: 60, status: 'booked' }], [emergency]);
      const e = exhaustiveReplan(instance, input);
      expect(e.emergencyStart.get('em-0')).toBe(Date.parse(at(30)));
      expect(e.cost).toBe(60); // at 15:30 the emergency would cost 0
    });

    it('a late doctor: an urgent visit goes to the free colleague (30) rather than wait 30 min (60)', () => {
      const providers = [{ id: 'dr-0', availability: [0, 120] as [number, number] }, { id: 'dr-1', availability: [0, 120] as [number, number] }];
      const instance = clinic({ providers, rooms: ['room-0', 'room-1'], urgent: ['req-0'] });
      for (const now of [15, 20]) {
        const input = replanInput(
          instance,
          now,
          [{ id: 0, from: 30, status: 'booked' }, { id: 1, provider: 'dr-1', room: 'room-1', from: 60, status: 'booked' }],
          [{ type: 'delay', providerId: 'dr-0', availableFrom: at(60) }],
        );
        const e = exhaustiveReplan(instance, input);
        expect(e.cost).toBe(30);
        expect(plan(e)).toContain('req-0 dr-1 room-0 14:30 booked');
      }
    });

    it('a late patient after now (off the grid) starts at 14:15; a cancellation makes room for it', () => {
      const instance = clinic({});
      const visits: Visit[] = [{ id: 0, from: 0, status: 'booked' }, { id: 1, from: 30, status: 'booked' }, { id: 2, from: 60, status: 'checked-in' }];
      // 14:15 (15 late), then the next two 15 min later each.
      const none = exhaustiveReplan(instance, replanInput(instance, 10, visits, [{ type: 'resource-down', kind: 'room', id: 'room-0', start: at(0), end: at(5) }]));
      expect(none.cost).toBe(45);
      const cancelled = exhaustiveReplan(instance, replanInput(instance, 10, visits, [{ type: 'cancellation', appointmentId: 'ap-1', at: at(5) }]));
      expect(cancelled.cost).toBe(15);
      expect(plan(cancelled)).toContain('req-1 dr-0 room-0 14:30 cancelled');
      expect(cancelled.changes.map((c) => c.kind)).toContain('cancelled');
    });

    it('a booked visit that will run long keeps its longer duration, rounded up to the grid', () => {
      const instance = clinic({});
      const visits: Visit[] = [{ id: 0, from: 0, status: 'booked' }, { id: 1, from: 30, status: 'booked' }, { id: 2, from: 60, status: 'checked-in' }];
      const e = exhaustiveReplan(instance, replanInput(instance, 10, visits, [{ type: 'overrun', appointmentId: 'ap-1', expectedEnd: at(70) }]));
      expect(e.cost).toBe(60);
      const req1 = e.appointments.find((a) => a.requestId === 'req-1')!;
      expect(Date.parse(req1.end) - Date.parse(req1.start)).toBe(45 * 60_000);
    });

    it('an emergency that fits nowhere is unscheduled; the visit in the closed room is bumped', () => {
      const instance = clinic({});
      const input = replanInput(instance, 30, [{ id: 0, from: 0, status: 'fulfilled' }, { id: 1, from: 60, status: 'booked' }], [
        emergency,
        { type: 'resource-down', kind: 'room', id: 'room-0', start: at(30), end: at(120) },
      ]);
      const e = exhaustiveReplan(instance, input);
      expect(e.unscheduled).toEqual(['em-0']);
      expect(e.cost).toBe(500);
    });

    it("an in-progress overrun past the doctor's hours costs its overtime, without using the cap", () => {
      const instance = clinic({ providers: [{ id: 'dr-0', availability: [0, 60] }], replan: { maxOvertimeMinutes: 0 } });
      const input = replanInput(instance, 45, [{ id: 0, from: 30, status: 'in-progress' }], [{ type: 'overrun', appointmentId: 'ap-0', expectedEnd: at(75) }]);
      const e = exhaustiveReplan(instance, input);
      expect(e.cost).toBe(30); // 15 min × 2
      expect(e.appointments[0]!.end).toBe(at(75));
    });
  });
});

// (a)-(e) for replanDay with each backend.
describe.each([
  ['highs', () => highs],
  ['jsl', () => jsLpSolverBackend],
] as const)('replanDay on tiny days (%s)', (name, backend) => {
  const runs = name === 'highs' ? RUNS : Math.ceil(RUNS / 2);
  const property = (check: (c: TinyReplan, result: ReplanResult) => void) => () =>
    fc.assert(
      fc.property(tinyReplan, (c) => check(c, replan(backend(), c))),
      { numRuns: runs, seed: FC_SEED + 1 },
    );

  it(
    '(a) the result passes validateReplan with no violations',
    property((c, result) => {
      expect(ReplanResult.safeParse(result).success).toBe(true);
      expect(validateReplan(c.instance, c.input, result).violations).toEqual([]);
    }),
    60_000,
  );

  it(
    "(b) its cost is the validator's and its bound is at most its cost",
    property((c, result) => {
      expect(Math.abs(result.cost - validateReplan(c.instance, c.input, result).cost)).toBeLessThanOrEqual(TOL);
      expect(result.bound).toBeLessThanOrEqual(result.cost + TOL);
      const b = result.costBreakdown;
      expect(Math.abs(result.cost - (b.lateness + b.reassignments + b.roomChanges + b.bumps + b.overtime))).toBeLessThanOrEqual(TOL);
    }),
    60_000,
  );

  it(
    '(c) its cost is at most the push-later baseline',
    property((c, result) => {
      expect(result.cost).toBeLessThanOrEqual(pushLater(c.instance, c.input).cost + TOL);
    }),
    60_000,
  );

  it(
    '(d) it places the emergency whenever the exhaustive search can, at its earliest start',
    property((c, result) => {
      const e = exact(c);
      for (const ev of c.input.events) {
        if (ev.type !== 'emergency' || ev.request.urgency !== 'emergency') continue;
        const placed = result.appointments.find((a) => a.requestId === ev.request.id && !isHistory(a.status));
        const start = e.emergencyStart.get(ev.request.id);
        if (start === undefined) {
          expect(placed, `emergency ${ev.request.id} fits nowhere`).toBeUndefined();
          expect(result.unscheduled.map((u) => u.requestId)).toContain(ev.request.id);
        } else {
          expect(placed, `emergency ${ev.request.id} fits at ${new Date(start).toISOString()}`).toBeDefined();
          expect(Date.parse(placed!.start)).toBe(start);
        }
      }
    }),
    60_000,
  );

  it(
    '(e) its cost is the exhaustive optimum, and its bound at most that',
    property((c, result) => {
      const optimum = exact(c).cost;
      expect(Math.abs(result.cost - optimum)).toBeLessThanOrEqual(TOL);
      expect(result.bound).toBeLessThanOrEqual(optimum + TOL);
    }),
    60_000,
  );
});

describe('push-later on tiny days', () => {
  it('is valid and never cheaper than the exhaustive optimum', () => {
    fc.assert(
      fc.property(tinyReplan, (c) => {
        const baseline = pushLater(c.instance, c.input);
        const report = validateReplan(c.instance, c.input, baseline);
        expect(report.violations).toEqual([]);
        expect(Math.abs(baseline.cost - report.cost)).toBeLessThanOrEqual(TOL);
        expect(baseline.cost).toBeGreaterThanOrEqual(exact(c).cost - TOL);
      }),
      { numRuns: 100, seed: FC_SEED + 2 },
    );
  }, 60_000);
});

describe('re-plan input checks', () => {
  it('an event naming an unknown appointment is a problem at $.events[0].appointmentId', () => {
    const [c] = fc.sample(tinyReplan, { numRuns: 1, seed: FC_SEED });
    const { instance, input } = c!;
    for (const event of [
      { type: 'cancellation' as const, appointmentId: 'no-such-visit', at: input.now },
      { type: 'noshow' as const, appointmentId: 'no-such-visit' },
      { type: 'overrun' as const, appointmentId: 'no-such-visit', expectedEnd: instance.horizon.end },
    ]) {
      const problems = checkReplanInput(instance, { ...input, events: [event] });
      expect(problems.map((p) => p.path)).toEqual(['$.events[0].appointmentId']);
      expect(problems[0]!.message).toContain("'no-such-visit'");
    }
  });
});
