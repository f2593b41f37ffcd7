// `npm run bench`: runs first-fit and the optimizer (each backend) on generated clinics, one child process
// per run, validates every result, then re-plans disrupted days (the RE-PLAN section, replanBench.ts), then
// puts the 40-provider clinic behind the HTTP API under load (the SERVICE section, serviceBench.ts), and
// writes bench/results/latest.md (+ latest.json, gap-40.svg).
// Flags: see USAGE in config.ts. Exit 1 when a run is INVALID, TIMEOUT or CRASH or a re-plan is invalid or
// fails, or the service section fails or finds a double booking (and, with --strict, when a target fails); exit 2 on bad flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gapChart, type Series } from './chart.js';
import { FIRST_FIT_KILL_MS, KILL_GRACE_MS, LOAD, parsePlan, USAGE, type BenchPlan } from './config.js';
import { describeEnvironment } from './env.js';
import { percent, seconds } from './format.js';
import { runOverbookingSection } from './overbookingBench.js';
import { overbookingFailures, overbookingSection } from './overbookingTable.js';
import type { OverbookingOutcome } from './overbookingTypes.js';
import { runReplanSection } from './replanBench.js';
import { replanFailures, replanSection, summarize } from './replanTable.js';
import { SCENARIOS_PER_SIZE, type ReplanSizeOutcome } from './replanTypes.js';
import { runServiceSection } from './serviceBench.js';
import { serviceFailures, serviceSection } from './serviceTable.js';
import type { ServiceOutcome } from './serviceTypes.js';
import { Results, validLabel } from './results.js';
import { spawnRun } from './spawnRun.js';
import { problemsSection, sizeTable } from './table.js';
import { backendRatioSection, evaluateTargets, targetsSection } from './targets.js';
import { isValid, type RunConfig, type RunOutcome } from './types.js';

const DEFAULT_OUT_DIR = fileURLToPath(new URL('./results', import.meta.url));
const CHART_SIZE = 40;
const CHART_COLORS: Record<string, string> = { auto: '#2ca02c', highs: '#1f77b4', jsl: '#d62728' };
const SEED_DASHES = [undefined, '7 4', '2 3', '10 3 2 3'];
const log = (text: string) => process.stderr.write(`${text}\n`);

function plannedRuns(plan: BenchPlan): RunConfig[] {
  return plan.sizes.flatMap((providers) =>
    plan.seeds.flatMap((seed) =>
      plan.methods.map((method) => ({ providers, seed, load: LOAD, method, timeLimitMs: plan.limitMs(providers) })),
    ),
  );
}

function describeOutcome(o: RunOutcome): string {
  if (!o.report) return `${validLabel(o)} after ${seconds(o.wallMs)} s`;
  const r = o.report;
  return `${r.scheduled}/${r.requests} scheduled, score ${r.score.toFixed(2)}, gap ${percent(r.gap)}, ${seconds(r.elapsedMs)} s, ${r.peakMB.toFixed(0)} MB, ${validLabel(o)}`;
}

function chartFor(results: Results, plan: BenchPlan): string | null {
  const series: Series[] = [];
  for (const method of plan.methods.filter((m) => m !== 'first-fit'))
    for (const o of results.of(CHART_SIZE, method)) {
      if (!o.report) continue;
      const points = o.report.progress.map((p) => ({ x: p.elapsedMs / 1000, y: 100 * p.gap }));
      points.push({ x: o.report.elapsedMs / 1000, y: 100 * o.report.gap });
      series.push({
        label: `${method}, seed ${o.config.seed}: ${percent(o.report.gap)}`,
        color: CHART_COLORS[method] ?? '#555',
        dash: SEED_DASHES[plan.seeds.indexOf(o.config.seed) % SEED_DASHES.length],
        points,
      });
    }
  if (series.length === 0) return null;
  return gapChart(series, {
    title: `Optimality gap over time, ${CHART_SIZE} providers`,
    subtitle: `load ${LOAD}, time limit ${seconds(plan.limitMs(CHART_SIZE))} s, seeds ${plan.seeds.join(', ')}; gap = (bound − objective) / max(1, |bound|)`,
    limit: plan.limitMs(CHART_SIZE) / 1000,
    xMax: Math.max(plan.limitMs(CHART_SIZE) / 1000, ...series.flatMap((s) => s.points.map((p) => p.x))),
    target: { y: 2, label: 'target 2%' },
    yCap: 20,
  });
}

function report(
  plan: BenchPlan,
  results: Results,
  replan: ReplanSizeOutcome[] | null,
  service: ServiceOutcome | null,
  overbooking: OverbookingOutcome | null,
  env: ReturnType<typeof describeEnvironment>,
  chartFile: string | null,
): { markdown: string; failedTargets: number } {
  const scaled = plan.quick || plan.timeScale !== 1;
  const caveat = scaled
    ? `Time limits are not the defaults (${[plan.quick ? '--quick' : '', plan.timeScale !== 1 ? `--time-scale ${plan.timeScale}` : ''].filter(Boolean).join(' ')}), so these verdicts are indicative only.`
    : null;
  const targets = evaluateTargets(results, replan, plan.replanSkipped, service, plan.serviceSkipped);
  const optimizers = plan.methods.filter((m) => m !== 'first-fit');
  const batch = plan.batch;
  const sections = [
    '# medsched bench',
    env.lines.join('\n'),
    batch
      ? `Clinics: generateClinic at load ${LOAD}, sizes ${plan.sizes.join(', ')} providers, seeds ${plan.seeds.join(', ')}. ` +
        `Methods: first-fit (the baseline), then optimize with ${optimizers.join(', ') || 'no backend'} (search seed = clinic seed). ` +
        `Every run in its own process; the optimizer runs as the CLI runs it (a worker thread for the search, one for the bound, the backend loaded inside the time limit). \`seconds\` is the wall time of that run / the firstFit call, \`peak MB\` the process's maxRSS ` +
        `(MiB) when it returned; \`score\` and \`scheduled\` are recomputed by validateResult; the ratios compare with first-fit on the same clinic.`
      : `Only the ${plan.only === '--service-only' ? 'service' : plan.only === '--overbooking-only' ? 'overbooking' : 're-plan'} section (\`${plan.only}\`): no batch runs, so their targets are NOT RUN.`,
    batch ? '## Results' : '',
    ...(batch ? plan.sizes.map((p) => sizeTable(results, p, plan.seeds, plan.methods, plan.limitMs(p))) : []),
    problemsSection(results),
    replanSection(replan, plan.replanSkipped),
    serviceSection(service, plan.serviceSkipped),
    overbookingSection(overbooking, plan.overbookingSkipped),
    targetsSection(targets, caveat),
    batch && optimizers.includes('jsl') && optimizers.includes('highs') ? backendRatioSection(results, plan.sizes, plan.seeds) : '',
    chartFile ? `## Gap over time, ${CHART_SIZE} providers\n\n![gap against elapsed seconds](${chartFile})` : '',
  ];
  return { markdown: `${sections.filter(Boolean).join('\n\n')}\n`, failedTargets: targets.filter((t) => t.verdict === 'FAIL').length };
}

/** The re-plan section in latest.json: what was measured, and the summary per size. */
function replanJson(replan: ReplanSizeOutcome[] | null) {
  if (replan === null) return null;
  return replan.map((o) => ({ ...o, summary: summarize(o) }));
}

async function main(): Promise<number> {
  let plan: BenchPlan | null;
  try {
    plan = parsePlan(process.argv.slice(2), DEFAULT_OUT_DIR);
  } catch (error) {
    log(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (plan === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = describeEnvironment();
  const runs = plan.batch ? plannedRuns(plan) : [];
  const budgetMs = runs.reduce((t, r) => t + (r.method === 'first-fit' ? 0 : r.timeLimitMs), 0);
  const replanText = plan.replanSizes.length > 0
    ? `re-plan section on ${plan.replanSizes.join(', ')} providers (up to ${SCENARIOS_PER_SIZE} re-plans each, plus optimizing each day)`
    : `no re-plan section (${plan.replanSkipped})`;
  const serviceText = plan.service ? 'service section (about 2 min)' : `no service section (${plan.serviceSkipped})`;
  const overbookingText = plan.overbooking ? 'overbooking section (about 8 min)' : `no overbooking section (${plan.overbookingSkipped})`;
  log(`bench: ${runs.length} runs, about ${Math.ceil(budgetMs / 60_000)} min of optimizer time plus start-up; ${replanText}; ${serviceText}; ${overbookingText}`);

  const outcomes: RunOutcome[] = [];
  for (const [i, config] of runs.entries()) {
    const killAfter = config.method === 'first-fit' ? FIRST_FIT_KILL_MS : config.timeLimitMs + KILL_GRACE_MS;
    process.stderr.write(`[${i + 1}/${runs.length}] ${config.providers} providers, seed ${config.seed}, ${config.method}${config.method === 'first-fit' ? '' : ` (${seconds(config.timeLimitMs)} s)`} … `);
    const outcome = await spawnRun(config, killAfter);
    outcomes.push(outcome);
    log(describeOutcome(outcome));
  }

  const replan = plan.replanSizes.length > 0 ? await runReplanSection(plan.replanSizes, (text) => process.stderr.write(text)) : null;
  const service = plan.service ? await runServiceSection((text) => process.stderr.write(text)) : null;
  const overbooking = plan.overbooking ? await runOverbookingSection((text) => process.stderr.write(text)) : null;

  const results = new Results(outcomes);
  mkdirSync(plan.outDir, { recursive: true });
  const svg = chartFor(results, plan);
  const chartName = `gap-${CHART_SIZE}.svg`;
  if (svg) writeFileSync(join(plan.outDir, chartName), svg);
  const { markdown, failedTargets } = report(plan, results, replan, service, overbooking, env, svg ? chartName : null);
  writeFileSync(join(plan.outDir, 'latest.md'), markdown);
  writeFileSync(join(plan.outDir, 'latest.json'), `${JSON.stringify({ date: env.date, plan: { ...plan, limitMs: Object.fromEntries(plan.sizes.map((p) => [p, plan.limitMs(p)])) }, outcomes, replan: replanJson(replan), service, overbooking }, null, 1)}\n`);
  process.stdout.write(markdown);
  const rel = relative(process.cwd(), plan.outDir);
  const where = rel === '' ? '.' : rel.startsWith('..') ? plan.outDir : rel;
  log(`\nwrote ${join(where, 'latest.md')}, ${join(where, 'latest.json')}${svg ? `, ${join(where, chartName)}` : ` (no ${CHART_SIZE}-provider runs, so no chart)`}`);

  const broken = outcomes.filter((o) => !isValid(o));
  if (broken.length > 0) log(`bench: ${broken.length} run(s) INVALID, TIMEOUT or CRASH (see Problems)`);
  const replanBroken = replan ? replanFailures(replan) : 0;
  if (replanBroken > 0) log(`bench: ${replanBroken} re-plan failure(s): invalid, error, not reported or failed (see Re-plan problems)`);
  const serviceBroken = serviceFailures(service);
  if (serviceBroken > 0) log(`bench: the service section failed or its schedule check found problems (see Service)`);
  const overbookingBroken = overbookingFailures(overbooking);
  if (overbookingBroken > 0) log(`bench: the overbooking section failed or found invalid plans or re-plans (see Overbooking)`);
  if (plan.strict && failedTargets > 0) log(`bench: ${failedTargets} target(s) FAIL (--strict)`);
  return broken.length > 0 || replanBroken > 0 || serviceBroken > 0 || overbookingBroken > 0 || (plan.strict && failedTargets > 0) ? 1 : 0;
}

process.exitCode = await main();
