// The RE-PLAN section's runs: per clinic size, the optimized day (`medsched optimize` in a child process,
// a fixed number of rounds), then the disruption scenarios in one child process (replanOne.ts), then the
// simulated day in another. Files go to a fresh temporary directory, removed at the end: nothing is cached
// between bench runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateClinic } from '../src/generate/generateClinic.js';
import { LOAD } from './config.js';
import { percent, seconds } from './format.js';
import {
  DAY_MAX_ROUNDS, DAY_TIME_LIMIT_S, DONE_MARKER, REPLAN_BACKEND, REPLAN_CLINIC_SEED, PROGRESS_MARKER, SCENARIO_MARKER, SCENARIOS_PER_SIZE,
  SIMULATE_DAY_FILE, failed, ran, type ReplanChildConfig, type ReplanChildDone, type ReplanDay, type ReplanSizeOutcome, type ScenarioReport, type SimulateProgress,
} from './replanTypes.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPLAN_ONE = fileURLToPath(new URL('./replanOne.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const STDERR_TAIL = 4000;
/** The optimize child is killed this long after its own time limit (it stops itself 5 s after at the latest). */
const DAY_KILL_MS = (DAY_TIME_LIMIT_S + 30) * 1000;
/** The scenario child: start-up and warm-up, plus this much per scenario (replanDay's safety limit is 2 s per solve). */
const SCENARIOS_KILL_BASE_MS = 120_000;
const SCENARIOS_KILL_PER_MS = 30_000;
/**
 * The simulated day is killed when a re-plan has not finished for this long, or after SIMULATE_KILL_MS in
 * all (a 100-provider day is some 500 re-plans, each checked: about 20 min on 2 cores).
 */
const SIMULATE_IDLE_MS = 5 * 60_000;
const SIMULATE_KILL_MS = 90 * 60_000;
/** Log the simulated day's progress every this many re-plans. */
const PROGRESS_EVERY = 50;

type ChildExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it was killed, if it was. */
  killed: string | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  spawnError?: Error;
};

/**
 * Runs `node --import tsx ARGS`; calls onLine for each stdout line as it arrives. Kills it after killAfterMs,
 * or (idleMs) when no line has come for that long.
 */
export function runChild(args: string[], killAfterMs: number, onLine: (line: string) => void = () => {}, idleMs = Infinity): Promise<ChildExit> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let pending = '';
  let stderr = '';
  let killed: string | null = null;
  const kill = (why: string) => {
    killed = why;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => kill(`killed after ${seconds(killAfterMs)} s`), killAfterMs);
  let idle: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(idle);
    if (Number.isFinite(idleMs)) idle = setTimeout(() => kill(`killed: no progress for ${seconds(idleMs)} s`), idleMs);
  };
  watch();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    watch();
    stdout = (stdout + chunk).slice(-STDERR_TAIL);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
  return new Promise((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      clearTimeout(timer);
      clearTimeout(idle);
      if (pending) onLine(pending);
      resolve({ code, signal, killed, stdout, stderr, wallMs: performance.now() - started, ...(spawnError ? { spawnError } : {}) });
    };
    child.on('error', (error) => done(null, null, error));
    child.on('close', (code, signal) => done(code, signal));
  });
}

export const exitText = (e: ChildExit) =>
  e.killed !== null
    ? e.killed
    : (e.spawnError?.message ?? `exited with ${e.signal ?? `code ${e.code}`}`) + (e.stderr.trim() ? `\n${e.stderr.trim()}` : '');

/** The optimized day: the instance and the optimize result, written to dir. */
async function optimizeDay(providers: number, dir: string): Promise<{ day: ReplanDay; instanceFile: string; dayFile: string } | { error: string }> {
  const instanceFile = join(dir, `clinic-${providers}.json`);
  const dayFile = join(dir, `day-${providers}.json`);
  const instance = generateClinic({ providers, seed: REPLAN_CLINIC_SEED, load: LOAD });
  writeFileSync(instanceFile, JSON.stringify(instance));
  const args = [
    CLI, 'optimize', instanceFile, '--backend', REPLAN_BACKEND, '--seed', String(REPLAN_CLINIC_SEED),
    '--max-rounds', String(DAY_MAX_ROUNDS), '--time-limit', String(DAY_TIME_LIMIT_S), '--out', dayFile,
  ];
  const exit = await runChild(args, DAY_KILL_MS);
  if (exit.killed !== null || exit.code !== 0 || !existsSync(dayFile)) return { error: `medsched optimize: ${exitText(exit)}` };
  const result = JSON.parse(readFileSync(dayFile, 'utf8')) as { objective: number; bound: number; gap: number; appointments: { requestId: string }[] };
  return {
    instanceFile,
    dayFile,
    day: {
      requests: instance.requests?.length ?? 0,
      scheduled: new Set(result.appointments.map((a) => a.requestId)).size,
      score: result.objective,
      bound: result.bound,
      gap: result.gap,
      wallMs: exit.wallMs,
    },
  };
}

function parseMarked<T>(line: string, marker: string): T | undefined {
  if (!line.startsWith(marker)) return undefined;
  try {
    return JSON.parse(line.slice(marker.length)) as T;
  } catch {
    return undefined;
  }
}

function describeScenario(s: ScenarioReport): string {
  const head = `${s.time} ${s.type} seed ${s.seed}`;
  if (s.error !== undefined) return `${head}: ERROR ${s.error.split('\n')[0]}`;
  if (!ran(s)) return `${head}: nothing to disrupt`;
  const bad = [
    failed(s) ? `, INVALID (${s.problems!.length})` : '',
    (s.pushLaterProblems?.length ?? 0) > 0 ? `, push-later INVALID (${s.pushLaterProblems!.length})` : '',
  ].join('');
  return `${head}: ${s.latencyMs!.toFixed(0)} ms, cost ${s.cost!.toFixed(0)}, gap ${percent(s.gap!)}, push-later ${s.pushLaterCost!.toFixed(0)}${bad}`;
}

async function runSize(providers: number, dir: string, log: (text: string) => void): Promise<ReplanSizeOutcome> {
  const outcome: ReplanSizeOutcome = { providers, scenarios: [], missing: 0 };
  log(`re-plan, ${providers} providers: optimizing the day (--max-rounds ${DAY_MAX_ROUNDS}) … `);
  const optimized = await optimizeDay(providers, dir);
  if ('error' in optimized) {
    log(`FAILED\n`);
    return { ...outcome, error: optimized.error, missing: SCENARIOS_PER_SIZE };
  }
  const d = optimized.day;
  outcome.day = d;
  log(`${d.scheduled}/${d.requests} scheduled, score ${d.score.toFixed(2)}, gap ${percent(d.gap)}, ${seconds(d.wallMs)} s\n`);

  const config: ReplanChildConfig = { providers, mode: 'scenarios', instanceFile: optimized.instanceFile, dayFile: optimized.dayFile };
  const killAfter = SCENARIOS_KILL_BASE_MS + SCENARIOS_PER_SIZE * SCENARIOS_KILL_PER_MS;
  let done: ReplanChildDone | undefined;
  const exit = await runChild([REPLAN_ONE, JSON.stringify(config)], killAfter, (line) => {
    const s = parseMarked<ScenarioReport>(line, SCENARIO_MARKER);
    if (s) {
      outcome.scenarios.push(s);
      log(`  [${outcome.scenarios.length}/${SCENARIOS_PER_SIZE}] ${describeScenario(s)}\n`);
    }
    done = parseMarked<ReplanChildDone>(line, DONE_MARKER) ?? done;
  });
  outcome.wallMs = exit.wallMs;
  outcome.missing = Math.max(0, SCENARIOS_PER_SIZE - outcome.scenarios.length);
  if (done?.ok) Object.assign(outcome, { loadMs: done.loadMs, warmupMs: done.warmupMs, peakMB: done.peakMB });
  else outcome.childError = done && !done.ok ? done.error : exitText(exit);

  if (!existsSync(SIMULATE_DAY_FILE)) {
    outcome.simulated = { kind: 'missing' };
    log(`  simulated day: not run (simulateDay missing)\n`);
  } else {
    log(`  simulated day … `);
    let sim: ReplanChildDone | undefined;
    let progress: SimulateProgress | undefined;
    const simExit = await runChild(
      [REPLAN_ONE, JSON.stringify({ ...config, mode: 'simulate' })],
      SIMULATE_KILL_MS,
      (line) => {
        sim = parseMarked<ReplanChildDone>(line, DONE_MARKER) ?? sim;
        const p = parseMarked<SimulateProgress>(line, PROGRESS_MARKER);
        if (p) {
          progress = p;
          if (p.replans % PROGRESS_EVERY === 0) log(`${p.replans} re-plans (${p.at}, ${seconds(p.elapsedMs)} s) … `);
        }
      },
      SIMULATE_IDLE_MS,
    );
    if (sim?.ok && sim.simulate) {
      outcome.simulated = { kind: 'ok', report: sim.simulate, peakMB: sim.peakMB };
      const r = sim.simulate;
      const bad = r.invalid + r.pushLaterInvalid > 0 ? `, INVALID: ${r.invalid} ours, ${r.pushLaterInvalid} push-later` : '';
      log(`${r.replans} re-plans, latency p50 ${r.latencyMs.p50.toFixed(0)} / p95 ${r.latencyMs.p95.toFixed(0)} / max ${r.latencyMs.max.toFixed(0)} ms, cost ${r.ours.cost.toFixed(0)} vs push-later ${r.pushLater.cost.toFixed(0)}${bad}, ${seconds(r.elapsedMs)} s\n`);
    } else if (sim && !sim.ok && sim.error === 'simulateDay missing') {
      outcome.simulated = { kind: 'missing' };
      log(`not run (simulateDay missing)\n`);
    } else {
      const reached = progress ? ` (it had re-planned ${progress.replans} times, up to ${progress.at} of the day, in ${seconds(progress.elapsedMs)} s)` : '';
      outcome.simulated = { kind: 'failed', error: (sim && !sim.ok ? sim.error : exitText(simExit)) + reached };
      log(`FAILED\n`);
    }
  }
  return outcome;
}

/** Runs the section for the given sizes, one after the other. */
export async function runReplanSection(sizes: number[], log: (text: string) => void): Promise<ReplanSizeOutcome[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'medsched-bench-replan-'));
  try {
    const outcomes: ReplanSizeOutcome[] = [];
    for (const providers of sizes) outcomes.push(await runSize(providers, dir, log));
    return outcomes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
