// The OVERBOOKING section's runs: the 10-provider clinic planned without overbooking and at each limit
// (`medsched optimize` in a child process each, the same time limit and seed), then every plan played
// through the same simulated days (overbookingOne.ts, one child process). Files go to a fresh temporary
// directory, removed at the end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Appointment } from '../src/contract/appointment.js';
import type { InstanceInput } from '../src/contract/instance.js';
import { sharingProvider } from '../src/contract/overbooking.js';
import { parseInstance } from '../src/contract/parse.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { validateResult } from '../src/validator/validateResult.js';
import { LOAD } from './config.js';
import { percent, seconds } from './format.js';
import {
  DAY_MARKER, OVERBOOKING_CLINIC_SEED, OVERBOOKING_DONE_MARKER, OVERBOOKING_LIMITS, OVERBOOKING_OPTIMIZE_S, OVERBOOKING_PROVIDERS, OVERBOOKING_SIM_SEEDS,
  type OverbookingChildConfig, type OverbookingDay, type OverbookingOutcome, type OverbookingPlan, type OverbookingPlanFiles, type OverbookingVariant,
} from './overbookingTypes.js';
import { exitText, runChild } from './replanBench.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const ONE = fileURLToPath(new URL('./overbookingOne.ts', import.meta.url));
/** The optimize child stops itself 5 s past its limit at the latest. */
const OPTIMIZE_KILL_MS = (OVERBOOKING_OPTIMIZE_S + 30) * 1000;
/** A simulated 10-provider day is some 60 re-plans: well under a minute each; killed when one line takes this long. */
const DAYS_IDLE_MS = 5 * 60_000;
const DAYS_KILL_MS = 45 * 60_000;

export async function runOverbookingSection(log: (text: string) => void): Promise<OverbookingOutcome> {
  const started = performance.now();
  const dir = mkdtempSync(join(os.tmpdir(), 'medsched-bench-overbooking-'));
  try {
    const clinic = generateClinic({ providers: OVERBOOKING_PROVIDERS, seed: OVERBOOKING_CLINIC_SEED, load: LOAD });
    const variants: OverbookingVariant[] = [];
    const files: OverbookingPlanFiles[] = [];
    for (const limit of [null, ...OVERBOOKING_LIMITS]) {
      const variant: OverbookingVariant = { limit, days: [] };
      variants.push(variant);
      const name = limit === null ? 'off' : String(limit);
      log(`overbooking ${name}: optimizing the ${OVERBOOKING_PROVIDERS}-provider day (${OVERBOOKING_OPTIMIZE_S} s) … `);
      const input: InstanceInput = limit === null ? clinic : { ...clinic, overbooking: { maxExpectedLoad: limit } };
      const instanceFile = join(dir, `clinic-${name}.json`);
      const dayFile = join(dir, `day-${name}.json`);
      writeFileSync(instanceFile, JSON.stringify(input));
      const args = [CLI, 'optimize', instanceFile, '--backend', 'auto', '--seed', '1', '--time-limit', String(OVERBOOKING_OPTIMIZE_S), '--out', dayFile];
      const exit = await runChild(args, OPTIMIZE_KILL_MS);
      if (exit.killed !== null || exit.code !== 0 || !existsSync(dayFile)) {
        variant.error = `medsched optimize: ${exitText(exit)}`;
        log('FAILED\n');
        continue;
      }
      variant.plan = describePlan(input, JSON.parse(readFileSync(dayFile, 'utf8')), exit.wallMs);
      const p = variant.plan;
      log(`${p.scheduled}/${p.requests} scheduled, ${p.overbookedVisits} visits overbooked, gap ${percent(p.gap)}, ${p.violations} violations\n`);
      files.push({ limit, instanceFile, dayFile });
    }

    log(`overbooking: simulating ${files.length} plans × ${OVERBOOKING_SIM_SEEDS.length} days …\n`);
    const config: OverbookingChildConfig = { plans: files, seeds: [...OVERBOOKING_SIM_SEEDS] };
    let done: { ok: boolean; error?: string } | undefined;
    const exit = await runChild(
      [ONE, JSON.stringify(config)],
      DAYS_KILL_MS,
      (line) => {
        if (line.startsWith(DAY_MARKER)) {
          const day = JSON.parse(line.slice(DAY_MARKER.length)) as OverbookingDay;
          variants.find((v) => v.limit === day.limit)!.days.push(day);
          const t = day.ours;
          log(`  ${day.limit ?? 'off'}, day ${day.seed}: ${t.seen} seen, ${t.noShows} no-shows, ${t.waitedForOverbooked} waited, lateness ${t.latenessMinutes} min, ${day.replans} re-plans in ${seconds(day.elapsedMs)} s${day.invalid > 0 ? `, ${day.invalid} INVALID` : ''}\n`);
        }
        if (line.startsWith(OVERBOOKING_DONE_MARKER)) done = JSON.parse(line.slice(OVERBOOKING_DONE_MARKER.length)) as typeof done;
      },
      DAYS_IDLE_MS,
    );
    const error = done?.ok ? undefined : (done?.error ?? exitText(exit));
    return { providers: OVERBOOKING_PROVIDERS, variants, ...(error !== undefined ? { error } : {}), wallMs: performance.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describePlan(input: InstanceInput, result: { objective: number; bound: number; gap: number; appointments: Appointment[] }, wallMs: number): OverbookingPlan {
  const parsed = parseInstance(input);
  if (!parsed.ok) throw new Error('the generated clinic is not a valid instance');
  const inst = parsed.value;
  const check = validateResult(inst, result);
  const probability = new Map(inst.requests.map((r) => [r.id, r.noShowProbability ?? 0]));
  const visits = result.appointments;
  return {
    requests: inst.requests.length,
    scheduled: visits.length,
    score: result.objective,
    bound: result.bound,
    gap: result.gap,
    overbookedVisits: sharingProvider(visits).length,
    expectedNoShows: visits.reduce((s, a) => s + (probability.get(a.requestId) ?? 0), 0),
    violations: check.violations.length,
    wallMs,
  };
}
