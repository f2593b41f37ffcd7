// One bench run in its own process (started by spawnRun.ts), so peak memory is this run's alone and a
// crash cannot take the bench down. Input: a RunConfig as JSON in argv[2]. Output: one JSON line on
// stdout, after RESULT_MARKER. Only the project's public functions are called.
import { performance } from 'node:perf_hooks';
import type { Progress } from '../solver/api.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import type { OptimizationResult } from '../src/contract/result.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { optimizeInThread } from '../src/runtime/optimizeInThread.js';
import { checkRun } from './checkRun.js';
import { RESULT_MARKER, type ChildReport, type ProgressPoint, type RunConfig } from './types.js';

/** Keep at most one progress point per this many ms (plus the last one). */
const PROGRESS_EVERY_MS = 100;


function progressLog() {
  const points: ProgressPoint[] = [];
  let pending: ProgressPoint | null = null;
  return {
    add(p: Progress) {
      const point = { elapsedMs: p.elapsedMs, gap: p.gap, objective: p.objective, bound: p.bound };
      const last = points[points.length - 1];
      if (!last || point.elapsedMs - last.elapsedMs >= PROGRESS_EVERY_MS) {
        points.push(point);
        pending = null;
      } else pending = point;
    },
    done(): ProgressPoint[] {
      if (pending) points.push(pending);
      return points;
    },
  };
}

async function run(config: RunConfig): Promise<ChildReport> {
  const setupStart = performance.now();
  const parsed = parseInstance(generateClinic({ providers: config.providers, seed: config.seed, load: config.load }));
  if (!parsed.ok) return { ok: false, error: `the generated clinic is not a valid instance:\n${formatProblems(parsed.problems)}` };
  const instance = parsed.value;
  const { firstFit } = await import('../solver/firstFit.js');
  const setupMs = performance.now() - setupStart;

  // The optimizer runs as the CLI runs it: in a worker thread (loading its backend out of the time
  // limit), with the bound computed in a second thread beside the search.
  const progress = progressLog();
  const start = performance.now();
  const result: OptimizationResult =
    config.method === 'first-fit'
      ? firstFit(instance, () => performance.now() - start)
      : (
          await optimizeInThread(instance, {
            timeLimitMs: config.timeLimitMs,
            seed: config.seed,
            backend: config.method,
            onProgress: (p) => progress.add(p),
          })
        ).result;
  const elapsedMs = performance.now() - start;
  const peakMB = process.resourceUsage().maxRSS / 1024;

  const check = checkRun(instance, result);
  return {
    ok: true,
    requests: instance.requests.length,
    scheduled: check.scheduled,
    score: check.score,
    status: result.status,
    objective: result.objective,
    bound: result.bound,
    gap: result.gap,
    elapsedMs,
    setupMs,
    peakMB,
    violations: check.violations,
    contractProblems: check.contractProblems,
    problems: check.problems,
    ...(result.stats ? { stats: result.stats } : {}),
    progress: progress.done(),
  };
}

let report: ChildReport;
try {
  report = await run(JSON.parse(process.argv[2] ?? '') as RunConfig);
} catch (error) {
  report = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
// Exit explicitly once the line is out: nothing left behind (e.g. a Wasm runtime) may keep the child alive.
process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(report)}\n`, () => process.exit(report.ok ? 0 : 2));
