// The re-plan scenarios of one clinic size in their own process (started by replanBench.ts), so their
// timings are not disturbed by other work and peak memory is theirs alone. Input: a ReplanChildConfig as
// JSON in argv[2]. Output on stdout: one line per scenario after SCENARIO_MARKER as soon as it is done (a
// crash keeps what came before), then one line after DONE_MARKER. Mode 'simulate' plays the simulated day
// (simulateDay) instead, checking each of its re-plans.
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Appointment } from '../src/contract/appointment.js';
import type { Instance } from '../src/contract/instance.js';
import { formatProblems, parseInstance, parseWith } from '../src/contract/parse.js';
import { ReplanInput, type ReplanEvent, type ReplanResult } from '../src/contract/replan.js';
import { checkReplanInput } from '../src/contract/replanChecks.js';
import { OptimizationResult } from '../src/contract/result.js';
import { formatInZone, localTime, toMs } from '../src/domain/time.js';
import { dayAt } from '../src/simulate/dayAt.js';
import { DISRUPTION_TYPES, drawDisruption } from '../src/simulate/drawDisruption.js';
import type { MipBackend } from '../solver/api.js';
import { loadBackend } from '../solver/backends/load.js';
import { seededRandom } from '../solver/random.js';
import { pushLater } from '../solver/replan/pushLater.js';
import { replanDay } from '../solver/replan/replanDay.js';
import { checkReplanRun } from './checkReplanRun.js';
import {
  DONE_MARKER, DRAW_SEEDS, drawSeedOf, PROGRESS_MARKER, REPLAN_BACKEND, REPLAN_TIMES, SCENARIO_MARKER, SIMULATE_DAY_FILE, SIMULATE_SEED,
  type ReplanChildConfig, type ReplanChildDone, type ScenarioReport, type SimulateProgress, type SimulateReport,
} from './replanTypes.js';


const emit = (marker: string, value: unknown) =>
  new Promise<void>((resolve) => process.stdout.write(`\n${marker}${JSON.stringify(value)}\n`, () => resolve()));
const errorText = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

function readDay(config: ReplanChildConfig): { inst: Instance; appointments: Appointment[] } {
  const parsed = parseInstance(JSON.parse(readFileSync(config.instanceFile, 'utf8')));
  if (!parsed.ok) throw new Error(`the generated clinic is not a valid instance:\n${formatProblems(parsed.problems)}`);
  const result = parseWith(OptimizationResult, JSON.parse(readFileSync(config.dayFile, 'utf8')));
  if (!result.ok) throw new Error(`the optimized day is not a valid result:\n${formatProblems(result.problems)}`);
  return { inst: parsed.value, appointments: result.value.appointments };
}

/** One line a reader can place: who or what, and until when. */
function describe(inst: Instance, events: ReplanEvent[]): string {
  const at = (instant: string) => localTime(toMs(instant), inst.clinic.timezone);
  return events
    .map((e) => {
      switch (e.type) {
        case 'delay': return `${e.providerId} from ${at(e.availableFrom)}`;
        case 'overrun': return `${e.appointmentId} to ${at(e.expectedEnd)}`;
        case 'emergency': return `${e.request.serviceId}`;
        case 'cancellation': return `${e.appointmentId}`;
        case 'noshow': return `${e.appointmentId}`;
        case 'resource-down': return `${e.kind} ${e.id} ${at(e.start)}-${at(e.end)}`;
        case 'staff-absence': return `${e.staffId} ${at(e.start)}-${at(e.end)}`;
      }
    })
    .join('; ');
}

type Scenario = { time: string; hours: number; now: string; type: string; seed: number; input: ReplanInput | null; disruption: string | null; error?: string };

function drawScenarios(inst: Instance, appointments: Appointment[]): Scenario[] {
  const h0 = toMs(inst.horizon.start);
  const scenarios: Scenario[] = [];
  for (const { name, hours } of REPLAN_TIMES) {
    const nowMs = h0 + hours * 3_600_000;
    const now = formatInZone(nowMs, inst.clinic.timezone);
    const day = dayAt(appointments, nowMs);
    for (const type of DISRUPTION_TYPES) {
      for (const seed of DRAW_SEEDS) {
        const base = { time: name, hours, now, type, seed };
        const drawn = drawDisruption(inst, day, type, nowMs, seededRandom(drawSeedOf(seed, name, type)));
        if (!drawn) {
          scenarios.push({ ...base, input: null, disruption: null });
          continue;
        }
        const disruption = describe(inst, drawn.events);
        const parsed = parseWith(ReplanInput, { now, appointments: drawn.appointments, events: drawn.events });
        if (!parsed.ok) {
          scenarios.push({ ...base, input: null, disruption, error: `drawn input does not parse: ${formatProblems(parsed.problems)}` });
          continue;
        }
        const problems = checkReplanInput(inst, parsed.value);
        if (problems.length > 0) {
          scenarios.push({ ...base, input: null, disruption, error: `drawn input rejected: ${formatProblems(problems)}` });
          continue;
        }
        scenarios.push({ ...base, input: parsed.value, disruption });
      }
    }
  }
  return scenarios;
}

function changeCounts(r: ReplanResult) {
  const n = (kind: string) => r.changes.filter((c) => c.kind === kind).length;
  return { moved: n('moved'), reassigned: n('reassigned'), bumped: n('bumped'), added: n('added') };
}

function runScenario(inst: Instance, s: Scenario, backend: MipBackend): ScenarioReport {
  const report: ScenarioReport = { time: s.time, hours: s.hours, now: s.now, type: s.type, seed: s.seed, disruption: s.disruption };
  if (s.error !== undefined) return { ...report, error: s.error };
  if (!s.input) return report;
  const input = s.input;
  try {
    const start = performance.now();
    const ours = replanDay(inst, input, { backend, clock: () => performance.now() });
    const latencyMs = performance.now() - start;
    const baseStart = performance.now();
    const base = pushLater(inst, input);
    const pushLaterMs = performance.now() - baseStart;
    return {
      ...report,
      latencyMs,
      status: ours.status,
      cost: ours.cost,
      bound: ours.bound,
      gap: ours.gap,
      ...(ours.stats ? { stats: ours.stats } : {}),
      changes: changeCounts(ours),
      pushLaterCost: base.cost,
      pushLaterMs,
      problems: checkReplanRun(inst, input, ours),
      pushLaterProblems: checkReplanRun(inst, input, base),
    };
  } catch (error) {
    return { ...report, error: `threw: ${errorText(error)}` };
  }
}

/** A first re-plan, not counted anywhere (it compiles the solver's code paths): a provider late in the morning. */
function warmUp(inst: Instance, appointments: Appointment[], backend: MipBackend): number | null {
  const nowMs = toMs(inst.horizon.start) + REPLAN_TIMES[0]!.hours * 3_600_000;
  const drawn = drawDisruption(inst, dayAt(appointments, nowMs), 'delay', nowMs, seededRandom(drawSeedOf(0, 'warm-up', 'delay')));
  if (!drawn) return null;
  const parsed = parseWith(ReplanInput, { now: formatInZone(nowMs, inst.clinic.timezone), ...drawn });
  if (!parsed.ok || checkReplanInput(inst, parsed.value).length > 0) return null;
  const start = performance.now();
  replanDay(inst, parsed.value, { backend, clock: () => performance.now() });
  return performance.now() - start;
}

async function scenarios(config: ReplanChildConfig): Promise<ReplanChildDone> {
  const { inst, appointments } = readDay(config);
  const loadStart = performance.now();
  const backend = await loadBackend(REPLAN_BACKEND);
  const loadMs = performance.now() - loadStart;
  const planned = drawScenarios(inst, appointments);
  const warmupMs = warmUp(inst, appointments, backend);
  for (const s of planned) await emit(SCENARIO_MARKER, runScenario(inst, s, backend));
  return { ok: true, loadMs, warmupMs, peakMB: process.resourceUsage().maxRSS / 1024 };
}

type SimulateModule = typeof import('../src/simulate/simulateDay.js');
const SLOWEST = 3;
const MAX_PROBLEMS = 10;

async function simulate(config: ReplanChildConfig): Promise<ReplanChildDone> {
  if (!existsSync(SIMULATE_DAY_FILE)) return { ok: false, error: 'simulateDay missing' };
  const { inst, appointments } = readDay(config);
  const loadStart = performance.now();
  const backend = await loadBackend(REPLAN_BACKEND);
  const loadMs = performance.now() - loadStart;
  // Imported here, not statically: the scenarios run even while simulateDay.ts is missing or broken.
  const { simulateDay } = (await import(pathToFileURL(SIMULATE_DAY_FILE).href)) as SimulateModule;
  const warmupMs = warmUp(inst, appointments, backend);
  let invalid = 0;
  let pushLaterInvalid = 0;
  let replans = 0;
  let checkMs = 0;
  // A broken day stays broken: later re-plans report the same violation again, so each is listed once, counted.
  const problems = new Map<string, { first: string; count: number }>();
  const start = performance.now();
  const out = simulateDay(inst, appointments, {
    seed: SIMULATE_SEED,
    backend,
    clock: () => performance.now(),
    onReplan: ({ track, instance, input, result }) => {
      if (track === 'ours') {
        replans++;
        const progress: SimulateProgress = { replans, at: localTime(toMs(input.now), inst.clinic.timezone), elapsedMs: performance.now() - start };
        process.stdout.write(`\n${PROGRESS_MARKER}${JSON.stringify(progress)}\n`);
      }
      const checkStart = performance.now();
      const found = checkReplanRun(instance, input, result);
      checkMs += performance.now() - checkStart;
      if (found.length === 0) return;
      if (track === 'ours') invalid++;
      else pushLaterInvalid++;
      const key = `${track}|${found[0]}`;
      const seen = problems.get(key);
      if (seen) seen.count++;
      else problems.set(key, { first: `${track === 'ours' ? 're-plan' : 'push-later'} at ${localTime(toMs(input.now), inst.clinic.timezone)} (${input.events.map((e) => e.type).join(', ')}): ${found[0]}`, count: 1 });
    },
  });
  const elapsedMs = performance.now() - start;
  const report: SimulateReport = {
    replans: out.replans,
    pushLaterReplans: out.pushLaterReplans,
    latencyMs: out.latencyMs,
    ours: out.ours,
    pushLater: out.pushLater,
    events: out.events.length,
    pushLaterSkipped: out.pushLaterSkipped,
    slowest: out.events
      .filter((e) => e.on !== 'pushLater')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SLOWEST)
      .map((e) => ({ at: localTime(toMs(e.at), inst.clinic.timezone), type: e.type, ms: e.ms })),
    invalid,
    pushLaterInvalid,
    problems: [...problems.values()].slice(0, MAX_PROBLEMS).map((p) => (p.count > 1 ? `${p.first} (the same in ${p.count} re-plans)` : p.first)),
    elapsedMs,
    checkMs,
    warmupMs,
  };
  return { ok: true, loadMs, warmupMs, peakMB: process.resourceUsage().maxRSS / 1024, simulate: report };
}

let done: ReplanChildDone;
try {
  const config = JSON.parse(process.argv[2] ?? '') as ReplanChildConfig;
  done = config.mode === 'simulate' ? await simulate(config) : await scenarios(config);
} catch (error) {
  done = { ok: false, error: errorText(error) };
}
// Exit explicitly once the line is out: nothing left behind (e.g. a Wasm runtime) may keep the child alive.
await emit(DONE_MARKER, done);
process.exit(done.ok ? 0 : 2);
