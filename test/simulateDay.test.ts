// simulateDay (src/simulate/simulateDay.ts) on a generated clinic's quickly optimized day, checked re-plan by
// re-plan against the independent validator; and `medsched simulate` run as a real process.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MipBackend } from '../solver/api.js';
import { loadBackend } from '../solver/backends/load.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { optimize } from '../solver/optimize.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import type { ReplanResult } from '../src/contract/replan.js';
import { checkReplanInput } from '../src/contract/replanChecks.js';
import { toMs } from '../src/domain/time.js';
import { dayAt } from '../src/simulate/dayAt.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { simulateDay, type SimulatedReplan, type SimulationReport } from '../src/simulate/simulateDay.js';
import { validateReplan } from '../src/validator/validateReplan.js';
import { expectNoStackTrace, medsched, type Run } from './support/runCli.js';

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a), Math.abs(b)));

// The whole lakeshore run (3 s of optimizing, then a day of re-plans) starts first and runs in its own
// process beside the in-process simulations below, so the file stays within about a minute.
const SIMULATE_CLI_MS = 150_000;
let lakeshore: Promise<Run>;
let tmp: string;

// A small generated clinic (4 providers, ~55 visits), optimized reproducibly: rounds, not time, end the
// search (see reproducible.test.ts), and the clock never moves.
const parsed = parseInstance(generateClinic({ providers: 4, seed: 2, load: 0.9 }));
if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
const instance = parsed.value;
const day = optimize(instance, { timeLimitMs: 600_000, seed: 1, backend: { ...jsLpSolverBackend, fullModelCols: 0 }, clock: () => 0, maxRounds: 4 }).appointments;

let backend: MipBackend;
let report: SimulationReport;
/** Two more simulated days of the same plan (day seeds 2 and 3). */
let moreDays: SimulationReport[];
const replans: SimulatedReplan[] = [];
/** A fake clock: one tick a read, so latencies are counts and a run reproduces exactly. */
const fakeClock = () => {
  let t = 0;
  return () => t++;
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medsched-simulate-'));
  lakeshore = medsched(
    ['simulate', 'examples/lakeshore-clinic.json', '--optimize-seconds', '3', '--seed', '2', '--json', '--out', join(tmp, 'report.json')],
    SIMULATE_CLI_MS,
  );
  lakeshore.catch(() => {}); // awaited (and reported) by its test
  backend = await loadBackend('auto');
  report = simulateDay(instance, day, { seed: 1, backend, clock: fakeClock(), onReplan: (r) => replans.push(r) });
  moreDays = [2, 3].map((seed) => simulateDay(instance, day, { seed, backend, clock: fakeClock() }));
}, 120_000);

afterAll(async () => {
  await lakeshore?.catch(() => {});
  await rm(tmp, { recursive: true, force: true });
});

const ours = () => replans.filter((r) => r.track === 'ours');
const baseline = () => replans.filter((r) => r.track === 'pushLater');

describe('simulateDay', () => {
  it('plays realistic disruptions over the day: no-shows, overruns, 2-4 emergencies, an outage', () => {
    const types = report.events.map((e) => e.type);
    const n = (type: string) => types.filter((t) => t === type).length;
    expect(report.replans).toBeGreaterThanOrEqual(10);
    expect(n('noshow')).toBeGreaterThanOrEqual(1);
    expect(n('noshow')).toBeLessThanOrEqual(Math.ceil(0.2 * day.length));
    expect(n('overrun')).toBeGreaterThanOrEqual(1);
    expect(n('emergency')).toBeGreaterThanOrEqual(2);
    expect(n('emergency')).toBeLessThanOrEqual(4);
    expect(n('resource-down')).toBe(1);
    // In clock order, inside the horizon.
    const times = report.events.map((e) => toMs(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(toMs(instance.horizon.start));
    expect(times.at(-1)).toBeLessThan(toMs(instance.horizon.end));
  });

  it('every re-plan on our track is a valid re-plan of a valid input, at the cost it reports', () => {
    expect(ours().length).toBe(report.replans);
    for (const { instance: known, input, result } of ours()) {
      expect(checkReplanInput(known, input)).toEqual([]);
      const check = validateReplan(known, input, result);
      expect(check.violations, `re-plan at ${input.now}`).toEqual([]);
      close(check.cost, result.cost);
    }
    // Push-later only re-plans what its own day can take.
    for (const { instance: known, input } of baseline()) expect(checkReplanInput(known, input)).toEqual([]);
  });

  // A re-plan is a local decision, so one day may end above push-later (this plan's first day ends 3%
  // above it); over several days it must come out ahead.
  it('ends three simulated days of the plan no worse than push-later, in total', () => {
    const days = [report, ...moreDays];
    const total = (side: 'ours' | 'pushLater') => days.reduce((sum, d) => sum + d[side].cost, 0);
    expect(total('ours')).toBeLessThanOrEqual(total('pushLater'));
  });

  it('counts consistently: events, skips, costs, changes, overtime once, latency', () => {
    const { events } = report;
    const onOurs = events.filter((e) => e.on !== 'pushLater');
    expect(onOurs.length).toBe(report.replans);
    expect(events.filter((e) => e.on !== 'ours').length).toBe(report.pushLaterReplans);
    expect(baseline().length).toBe(report.pushLaterReplans);
    // Only a planned disruption is skipped on push-later's day; a visit's fate happens where the visit starts.
    expect(report.pushLaterSkipped).toBe(events.filter((e) => e.on === 'ours' && e.type !== 'noshow' && e.type !== 'overrun').length);
    for (const e of events) {
      if (e.on === 'ours') expect(e.pushLaterCost).toBe(0);
      if (e.on === 'pushLater') expect([e.ms, e.cost]).toEqual([0, 0]);
    }
    close(report.ours.cost, events.reduce((s, e) => s + e.cost, 0));
    close(report.pushLater.cost, events.reduce((s, e) => s + e.pushLaterCost, 0));

    const totalsOf = (results: ReplanResult[]) => {
      const changes = results.flatMap((r) => r.changes);
      const moved = changes.filter((c) => (c.kind === 'moved' && c.delayMinutes !== 0) || c.kind === 'reassigned');
      const last = results.at(-1);
      return {
        latenessMinutes: changes.filter((c) => c.kind === 'moved' || c.kind === 'reassigned').reduce((s, c) => s + Math.max(0, c.delayMinutes), 0),
        patientsMoved: new Set(moved.map((c) => c.patientId)).size,
        reassignments: changes.filter((c) => c.kind === 'reassigned').length,
        bumps: changes.filter((c) => c.kind === 'bumped').length,
        unscheduled: results.reduce((s, r) => s + r.unscheduled.length, 0),
        // The optimized day has no overtime: the day's overtime is the last plan's, counted once.
        overtimeMinutes: last ? last.costBreakdown.overtime / instance.replan.overtimePerMinute : 0,
        // Each re-plan's cost carries the overtime so far: the changes' costs plus the final overtime.
        cost: results.reduce((s, r) => s + r.cost - r.costBreakdown.overtime, 0) + (last?.costBreakdown.overtime ?? 0),
      };
    };
    for (const [totals, results] of [
      [report.ours, ours().map((r) => r.result)],
      [report.pushLater, baseline().map((r) => r.result)],
    ] as const) {
      const expected = totalsOf(results);
      const { seen, noShows, waitedForOverbooked, ...replanTotals } = totals;
      expect({ ...replanTotals, cost: 0, overtimeMinutes: 0 }).toEqual({ ...expected, cost: 0, overtimeMinutes: 0 });
      // The day's visits: seen, or not come, or cancelled or bumped; no overbooking here, so nobody waited for it.
      const final = dayAt(results.at(-1)!.appointments, Number.POSITIVE_INFINITY);
      expect(seen).toBe(final.filter((a) => a.status === 'fulfilled').length);
      expect(noShows).toBe(final.filter((a) => a.status === 'noshow').length);
      expect(seen + noShows).toBeLessThanOrEqual(final.length);
      expect(seen).toBeGreaterThan(day.length / 2);
      expect(waitedForOverbooked).toBe(0);
      close(totals.cost, expected.cost);
      close(totals.overtimeMinutes, expected.overtimeMinutes);
    }

    // The fake clock ticks once a read: every re-plan took some ticks, and the percentiles are of them.
    const ms = onOurs.map((e) => e.ms).sort((a, b) => a - b);
    expect(ms[0]).toBeGreaterThan(0);
    expect(report.latencyMs.max).toBe(ms.at(-1));
    expect(report.latencyMs.p50).toBe(ms[Math.ceil(ms.length / 2) - 1]);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p95);
    expect(report.latencyMs.p95).toBeLessThanOrEqual(report.latencyMs.max);
  });

  it('gives the same report for the same seed', () => {
    const again = simulateDay(instance, day, { seed: 1, backend, clock: fakeClock() });
    expect(again).toEqual(report);
  }, 60_000);
});

describe('simulateDay with overbooking', () => {
  // A busier clinic (demand 130 % of capacity) that overbooks up to an expected load of 1.8.
  const busy = parseInstance({ ...generateClinic({ providers: 2, seed: 5, load: 1.3 }), overbooking: { maxExpectedLoad: 1.8 } });
  if (!busy.ok) throw new Error(formatProblems(busy.problems));
  const inst = busy.value;
  const plan = optimize(inst, { timeLimitMs: 600_000, seed: 1, backend: { ...jsLpSolverBackend, fullModelCols: 0 }, clock: () => 0, maxRounds: 4 }).appointments;

  it('makes a patient who comes to a provider already seeing someone wait, and every re-plan stays valid', () => {
    const pairs = plan.filter((a, i) => plan.some((b, j) => j < i && a.providerId !== null && a.providerId === b.providerId && toMs(a.start) < toMs(b.end) && toMs(b.start) < toMs(a.end)));
    expect(pairs.length, 'the plan overbooks').toBeGreaterThan(0);
    const seen: SimulatedReplan[] = [];
    const out = simulateDay(inst, plan, { seed: 1, backend, clock: fakeClock(), onReplan: (r) => seen.push(r) });
    for (const { instance: known, input, result, track } of seen) {
      expect(checkReplanInput(known, input), `${track} input at ${input.now}`).toEqual([]);
      if (track === 'ours') expect(validateReplan(known, input, result).violations, `re-plan at ${input.now}`).toEqual([]);
    }
    const waits = out.events.filter((e) => e.type === 'overbooked');
    expect(out.ours.waitedForOverbooked).toBe(waits.filter((e) => e.on === 'ours').length);
    expect(out.pushLater.waitedForOverbooked).toBe(waits.filter((e) => e.on === 'pushLater').length);
    expect(out.ours.waitedForOverbooked).toBeGreaterThan(0);
    // Whoever waited was seen after the other visit: of the visits that took place, no two overlap on a provider.
    const final = dayAt(seen.filter((r) => r.track === 'ours').at(-1)!.result.appointments, Number.POSITIVE_INFINITY).filter((a) => a.status === 'fulfilled');
    const overlapping = final.filter((a, i) => final.some((b, j) => j < i && a.providerId !== null && a.providerId === b.providerId && toMs(a.start) < toMs(b.end) && toMs(b.start) < toMs(a.end)));
    expect(overlapping.map((a) => `${a.id} ${a.providerId} ${a.start}`)).toEqual([]);
    expect(out.ours.seen).toBe(final.length);
  }, 120_000);
});

describe('medsched simulate', () => {
  it('bad options and a bad instance are exit 2 with the reason, no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['simulate', 'examples/lakeshore-clinic.json', '--optimize-seconds', '0'], /--optimize-seconds must be more than 0/],
      [['simulate', 'examples/lakeshore-clinic.json', '--seed', 'two'], /--seed must be an integer/],
      [['simulate', 'examples/lakeshore-clinic.json', '--speed', '3'], /simulate: Unknown option '--speed'/],
      [['simulate'], /missing INSTANCE/],
      [['simulate', 'test/fixtures/invalid-instance.json'], /test\/fixtures\/invalid-instance\.json is not a valid instance/],
    ];
    const runs = await Promise.all(cases.map(([args]) => medsched(args, 30_000)));
    runs.forEach(({ code, stderr }, k) => {
      const [args, message] = cases[k]!;
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
      expectNoStackTrace(stderr);
    });
  }, 60_000);

  it('simulates the Lakeshore day, prints a parseable report (--json) and writes it (--out)', async () => {
    const { code, stdout, stderr } = await lakeshore;
    expect(code, stderr).toBe(0);
    expectNoStackTrace(stderr);
    const out = JSON.parse(stdout) as SimulationReport;
    expect(out.seed).toBe(2);
    expect(out.replans).toBeGreaterThan(0);
    expect(out.events.filter((e) => e.on !== 'pushLater').length).toBe(out.replans);
    for (const e of out.events) {
      expect(typeof e.summary).toBe('string');
      expect(e.ms).toBeGreaterThanOrEqual(0);
    }
    for (const totals of [out.ours, out.pushLater])
      for (const key of ['cost', 'latenessMinutes', 'patientsMoved', 'reassignments', 'overtimeMinutes', 'bumps'] as const)
        expect(typeof totals[key]).toBe('number');
    expect(out.latencyMs.p50).toBeLessThanOrEqual(out.latencyMs.max);
    expect(JSON.parse(await readFile(join(tmp, 'report.json'), 'utf8'))).toEqual(out);
  }, SIMULATE_CLI_MS);
});
