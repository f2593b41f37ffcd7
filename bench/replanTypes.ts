// Shapes shared by the re-plan part of the bench: the orchestrator (replanBench.ts), its child process
// (replanOne.ts) and the report (replanTable.ts).
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DISRUPTION_TYPES } from '../src/simulate/drawDisruption.js';
import type { DayTotals } from '../src/simulate/simulateDay.js';

/** Clinic sizes (providers) the re-plan section runs, when --sizes asks for them (--quick: the first only). */
export const REPLAN_SIZES: readonly number[] = [10, 40, 100];
/** The clinic seed of the optimized day; the optimizer's search seed too. */
export const REPLAN_CLINIC_SEED = 1;
/** The optimized day: `medsched optimize --backend auto --max-rounds R`, so the day is the same on any machine. */
export const DAY_MAX_ROUNDS = 100;
/** Safety net of that optimize run (the rounds end first: about 6 / 15 / 60 s on 10 / 40 / 100 providers, 2 cores). */
export const DAY_TIME_LIMIT_S = 150;
/** When the disruptions happen, in hours after the horizon start (07:00 on the generated clinics). */
export const REPLAN_TIMES: readonly { name: string; hours: number }[] = [
  { name: 'morning', hours: 2.5 },
  { name: 'midday', hours: 5.5 },
  { name: 'afternoon', hours: 8.5 },
];
/** Seeds of the disruption draw, per (time, type). */
export const DRAW_SEEDS: readonly number[] = [1, 2];
/** Planned scenarios per size: every time × disruption type × draw seed. */
export const SCENARIOS_PER_SIZE = REPLAN_TIMES.length * DISRUPTION_TYPES.length * DRAW_SEEDS.length;
/** Seed of the simulated day's draws. */
export const SIMULATE_SEED = 1;
/** The re-plan backend. */
export const REPLAN_BACKEND = 'auto';

/** simulateDay is written by a helper at the same time as this bench: it runs only when this file exists. */
export const SIMULATE_DAY_FILE = fileURLToPath(new URL('../src/simulate/simulateDay.ts', import.meta.url));

/**
 * The seed of one scenario's draw: each (seed, time, type) draws its own stream. Hashed, because the
 * first numbers seededRandom gives for nearby small seeds are nearly equal (seeds 1 and 2 would draw
 * the same provider, room or visit).
 */
export const drawSeedOf = (seed: number, time: string, type: string) =>
  createHash('sha256').update(`medsched bench re-plan/${seed}/${time}/${type}`).digest().readInt32LE(0);

/** What the re-plan child is told (as JSON on argv). */
export type ReplanChildConfig = {
  providers: number;
  mode: 'scenarios' | 'simulate';
  instanceFile: string;
  /** The optimize result whose appointments are the day. */
  dayFile: string;
};

/** One re-plan scenario as the child measured it. */
export type ScenarioReport = {
  time: string;
  hours: number;
  /** `now`, in the clinic's local time (RFC 3339). */
  now: string;
  type: string;
  seed: number;
  /** null: the day offered nothing of this type to disrupt (e.g. no visit that just started, for a no-show). */
  disruption: string | null;
  /** When set, the scenario failed here (bad drawn input, or replanDay / pushLater threw). */
  error?: string;
  /** Wall time of the replanDay call alone (performance.now around it). */
  latencyMs?: number;
  status?: string;
  cost?: number;
  bound?: number;
  gap?: number;
  stats?: Record<string, unknown>;
  changes?: { moved: number; reassigned: number; bumped: number; added: number };
  pushLaterCost?: number;
  pushLaterMs?: number;
  /** Problems of our re-plan: validateReplan's violations and the result numbers (cost, bound, status). */
  problems?: string[];
  /** Problems of the push-later result (the baseline), by the same checks. */
  pushLaterProblems?: string[];
};

export type { DayTotals } from '../src/simulate/simulateDay.js';

/** The simulated day as the bench keeps it (simulateDay's report without its event list). */
export type SimulateReport = {
  replans: number;
  pushLaterReplans: number;
  latencyMs: { p50: number; p95: number; max: number };
  ours: DayTotals;
  pushLater: DayTotals;
  events: number;
  /** Planned disruptions push-later's day could not take (simulateDay skips them there). */
  pushLaterSkipped: number;
  /** The slowest re-plans of the day: when, what, how long. */
  slowest: { at: string; type: string; ms: number }[];
  /** Re-plans of the day the checks reject (checkReplanRun on each, through onReplan), ours and push-later's. */
  invalid: number;
  pushLaterInvalid: number;
  /** The first few distinct problems of those (the first check that failed, with how many re-plans repeat it). */
  problems: string[];
  /** Wall time of the simulateDay call (the checks of its re-plans included). */
  elapsedMs: number;
  /** Of that, the time spent checking its re-plans (ours and push-later's). */
  checkMs: number;
  /** The uncounted warm-up re-plan before it. */
  warmupMs: number | null;
};

/** The child's last line. */
export type ReplanChildDone =
  | { ok: true; loadMs: number; warmupMs: number | null; peakMB: number; simulate?: SimulateReport }
  | { ok: false; error: string };

export const SCENARIO_MARKER = '@@bench-replan-scenario ';
/** The simulated day's progress: one line per re-plan of ours, `{ replans, at, elapsedMs }`. */
export const PROGRESS_MARKER = '@@bench-replan-progress ';
export type SimulateProgress = { replans: number; at: string; elapsedMs: number };
export const DONE_MARKER = '@@bench-replan-done ';

/** The optimized day of one size. */
export type ReplanDay = {
  requests: number;
  scheduled: number;
  score: number;
  bound: number;
  gap: number;
  /** Wall time of the optimize child process. */
  wallMs: number;
};

/** The simulated day of one size: a report, or why there is none. */
export type SimulatedDay = { kind: 'ok'; report: SimulateReport; peakMB: number } | { kind: 'missing' } | { kind: 'failed'; error: string };

/** Everything the re-plan section measured for one clinic size. */
export type ReplanSizeOutcome = {
  providers: number;
  day?: ReplanDay;
  /** Why the size has no scenarios (the optimized day failed, say). */
  error?: string;
  scenarios: ScenarioReport[];
  /** Scenarios planned but never reported (the child crashed or was killed). */
  missing: number;
  childError?: string;
  loadMs?: number;
  warmupMs?: number | null;
  peakMB?: number;
  wallMs?: number;
  simulated?: SimulatedDay;
};

/** A scenario that ran (a disruption was drawn) and produced numbers. */
export const ran = (s: ScenarioReport) => s.disruption !== null && s.error === undefined && s.latencyMs !== undefined;
/** A scenario that counts as a failure: an error, or a re-plan the checks reject. */
export const failed = (s: ScenarioReport) => s.error !== undefined || (s.problems?.length ?? 0) > 0;
