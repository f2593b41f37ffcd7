// The simulated days of the OVERBOOKING section in their own process (started by overbookingBench.ts):
// each plan plays the same seeded days (simulateDay), and every re-plan of ours is checked. Input: an
// OverbookingChildConfig as JSON in argv[2]. Output on stdout: one line per day after DAY_MARKER as soon as
// it is done, then one line after OVERBOOKING_DONE_MARKER.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatProblems, parseInstance, parseWith } from '../src/contract/parse.js';
import { OptimizationResult } from '../src/contract/result.js';
import { simulateDay } from '../src/simulate/simulateDay.js';
import { loadBackend } from '../solver/backends/load.js';
import { checkReplanRun } from './checkReplanRun.js';
import { DAY_MARKER, OVERBOOKING_DONE_MARKER, type OverbookingChildConfig, type OverbookingDay } from './overbookingTypes.js';

const MAX_PROBLEMS = 5;
const emit = (marker: string, value: unknown) =>
  new Promise<void>((resolve) => process.stdout.write(`\n${marker}${JSON.stringify(value)}\n`, () => resolve()));

async function main(config: OverbookingChildConfig): Promise<void> {
  const backend = await loadBackend('auto');
  for (const files of config.plans) {
    const inst = parseInstance(JSON.parse(readFileSync(files.instanceFile, 'utf8')));
    if (!inst.ok) throw new Error(`the clinic is not a valid instance:\n${formatProblems(inst.problems)}`);
    const day = parseWith(OptimizationResult, JSON.parse(readFileSync(files.dayFile, 'utf8')));
    if (!day.ok) throw new Error(`the plan is not a valid result:\n${formatProblems(day.problems)}`);
    for (const seed of config.seeds) {
      let invalid = 0;
      const problems: string[] = [];
      const start = performance.now();
      const out = simulateDay(inst.value, day.value.appointments, {
        seed,
        backend,
        clock: () => performance.now(),
        onReplan: ({ track, instance, input, result }) => {
          if (track !== 'ours') return;
          const found = checkReplanRun(instance, input, result);
          if (found.length === 0) return;
          invalid++;
          if (problems.length < MAX_PROBLEMS) problems.push(`re-plan at ${input.now} (${input.events.map((e) => e.type).join(', ')}): ${found[0]}`);
        },
      });
      const report: OverbookingDay = {
        limit: files.limit,
        seed,
        ours: out.ours,
        replans: out.replans,
        latencyMs: out.latencyMs,
        invalid,
        problems,
        elapsedMs: performance.now() - start,
      };
      await emit(DAY_MARKER, report);
    }
  }
}

let done: { ok: true } | { ok: false; error: string };
try {
  await main(JSON.parse(process.argv[2] ?? '') as OverbookingChildConfig);
  done = { ok: true };
} catch (error) {
  done = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
await emit(OVERBOOKING_DONE_MARKER, done);
process.exit(done.ok ? 0 : 2);
