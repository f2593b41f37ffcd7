// The RE-PLAN section of the report: per clinic size the numbers over its scenarios, a table per size with
// one row per scenario and a summary row, the simulated day, and the problems.
import { fixed, percent, seconds } from './format.js';
import {
  DAY_MAX_ROUNDS, DRAW_SEEDS, REPLAN_BACKEND, REPLAN_CLINIC_SEED, REPLAN_TIMES, SCENARIOS_PER_SIZE, SIMULATE_SEED, failed, ran,
  type DayTotals, type ReplanSizeOutcome, type ScenarioReport,
} from './replanTypes.js';

/** Nearest-rank percentile (p in 0..1) of the values; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

/** The median: the mean of the two middle values when their count is even; NaN when there are none. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

export type ReplanSummary = {
  /** Scenarios with a disruption drawn that produced numbers (valid or not). */
  ran: number;
  /** Scenarios where the day offered nothing of that type to disrupt. */
  nothingDrawn: number;
  /** Scenarios that threw or whose drawn input was rejected. */
  errors: number;
  /** Re-plans the checks reject (our result). */
  invalid: number;
  /** Push-later results the checks reject (the baseline). */
  pushLaterInvalid: number;
  /** Planned scenarios never reported (the child crashed or was killed), or all when the day failed. */
  missing: number;
  p50: number;
  p95: number;
  max: number;
  medianGap: number;
  /** Mean of cost ÷ push-later cost over the scenarios where push-later costs > 0. */
  meanRatio: number;
  ratioCount: number;
  /** Scenarios where push-later costs 0: nothing to fix. */
  zeroBaseline: number;
  /** Σ cost ÷ Σ push-later cost over the scenarios that ran. */
  totalRatio: number;
};

export function summarize(o: ReplanSizeOutcome): ReplanSummary {
  const done = o.scenarios.filter(ran);
  const latencies = done.map((s) => s.latencyMs!);
  const withBase = done.filter((s) => s.pushLaterCost! > 0);
  const sum = (f: (s: ScenarioReport) => number) => done.reduce((t, s) => t + f(s), 0);
  return {
    ran: done.length,
    nothingDrawn: o.scenarios.filter((s) => s.disruption === null && s.error === undefined).length,
    errors: o.scenarios.filter((s) => s.error !== undefined).length,
    invalid: done.filter((s) => (s.problems?.length ?? 0) > 0).length,
    pushLaterInvalid: done.filter((s) => (s.pushLaterProblems?.length ?? 0) > 0).length,
    missing: o.missing,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    max: latencies.length > 0 ? Math.max(...latencies) : NaN,
    medianGap: median(done.map((s) => s.gap!)),
    meanRatio: mean(withBase.map((s) => s.cost! / s.pushLaterCost!)),
    ratioCount: withBase.length,
    zeroBaseline: done.length - withBase.length,
    totalRatio: sum((s) => s.pushLaterCost!) > 0 ? sum((s) => s.cost!) / sum((s) => s.pushLaterCost!) : NaN,
  };
}

/**
 * Whatever makes a size's re-plan numbers untrustworthy, as short text; empty when there is nothing.
 * `baseline`: count invalid push-later results too (the targets judge our re-plans and leave them out).
 */
export function sizeTrouble(o: ReplanSizeOutcome, s: ReplanSummary = summarize(o), baseline = true): string[] {
  const trouble: string[] = [];
  if (o.error !== undefined) trouble.push('the optimized day failed');
  if (s.invalid > 0) trouble.push(`${s.invalid} invalid re-plan(s)`);
  if (baseline && s.pushLaterInvalid > 0) trouble.push(`${s.pushLaterInvalid} invalid push-later result(s)`);
  if (s.errors > 0) trouble.push(`${s.errors} scenario error(s)`);
  if (s.missing > 0 && o.error === undefined) trouble.push(`${s.missing} scenario(s) not reported`);
  return trouble;
}

/**
 * Failures that make the bench exit 1: invalid re-plans (ours or push-later's, scenarios and simulated day),
 * scenarios that threw or were never reported, a failed optimized day, a failed simulated day.
 */
export function replanFailures(outcomes: ReplanSizeOutcome[]): number {
  return outcomes.reduce((n, o) => {
    const s = summarize(o);
    const sim = o.simulated;
    const simFailures = sim?.kind === 'failed' ? 1 : sim?.kind === 'ok' ? sim.report.invalid + sim.report.pushLaterInvalid : 0;
    return n + (o.error !== undefined ? 1 : 0) + s.invalid + s.pushLaterInvalid + s.errors + (o.error === undefined ? s.missing : 0) + simFailures;
  }, 0);
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '—');
const ratioText = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');
const latencyText = (s: { p50: number; p95: number; max: number }) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.max)}`;

function changesText(s: ScenarioReport): string {
  const c = s.changes;
  if (!c) return '—';
  const parts = [
    c.moved ? `${c.moved} moved` : '',
    c.reassigned ? `${c.reassigned} reassigned` : '',
    c.bumped ? `${c.bumped} bumped` : '',
    c.added ? `${c.added} added` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function scenarioCells(s: ScenarioReport): string[] {
  const head = [s.time, s.type, String(s.seed)];
  if (s.error !== undefined) return [...head, s.disruption ?? '—', '—', '—', '—', '—', '—', '—', '—', `ERROR: ${s.error.split('\n')[0]!.replace(/\|/g, '/')}`];
  if (!ran(s)) return [...head, 'nothing to disrupt', '—', '—', '—', '—', '—', '—', '—', '—'];
  const base = s.pushLaterCost!;
  const valid = failed(s) ? `INVALID (${s.problems!.length})` : 'yes';
  return [
    ...head, s.disruption!, ms(s.latencyMs!), fixed(s.cost!, 0), fixed(s.bound!, 0), fixed(100 * s.gap!, 2), fixed(base, 0),
    base > 0 ? ratioText(s.cost! / base) : '— (0)', changesText(s), (s.pushLaterProblems?.length ?? 0) > 0 ? `${valid}; push-later INVALID` : valid,
  ];
}

const HEADER = ['time', 'type', 'seed', 'disruption', 're-plan ms', 'cost', 'bound', 'gap %', 'push-later cost', 'ratio', 'changes', 'valid'];
const ALIGN = ['---', '---', '---:', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---'];

function sizeTable(o: ReplanSizeOutcome): string {
  const d = o.day;
  const title = `### Re-plan, ${o.providers} providers`;
  if (!d) return `${title}\n\nNot run: ${(o.error ?? 'no optimized day').split('\n')[0]}`;
  const s = summarize(o);
  const lines = [
    title,
    '',
    `Day: ${d.scheduled}/${d.requests} requests scheduled, score ${fixed(d.score, 2)}, gap ${percent(d.gap)} (optimized in ${seconds(d.wallMs)} s). ` +
      `Scenario child: backend loaded in ${ms(o.loadMs ?? NaN)} ms, warm-up re-plan ${ms(o.warmupMs ?? NaN)} ms (not counted), ` +
      `peak ${o.peakMB !== undefined ? fixed(o.peakMB, 0) : '—'} MB, ${o.wallMs !== undefined ? seconds(o.wallMs) : '—'} s in all.`,
    '',
    row(HEADER),
    row(ALIGN),
    ...o.scenarios.map((x) => row(scenarioCells(x))),
  ];
  const notes = [
    `${s.ran} re-plans`,
    s.nothingDrawn ? `${s.nothingDrawn} nothing to disrupt` : '',
    s.errors ? `${s.errors} errors` : '',
    s.missing ? `${s.missing} not reported` : '',
  ].filter(Boolean);
  lines.push(
    row([
      '**summary**', '', '', notes.join(', '), `p50 / p95 / max: ${latencyText(s)}`, '', '', `median ${fixed(100 * s.medianGap, 2)}`, '',
      `mean ${ratioText(s.meanRatio)} (${s.ratioCount} with push-later > 0, ${s.zeroBaseline} with 0)`, '',
      `${s.invalid} invalid${s.pushLaterInvalid ? `, ${s.pushLaterInvalid} push-later invalid` : ''}`,
    ]),
  );
  if (o.childError) lines.push('', `Scenario child failed: \`${o.childError.split('\n')[0]!.replace(/`/g, "'")}\``);
  return lines.join('\n');
}

function overviewTable(outcomes: ReplanSizeOutcome[]): string {
  const lines = [
    row(['providers', 're-plans', 'nothing to disrupt', 'latency ms p50 / p95 / max', 'median gap %', 'mean cost ratio to push-later', 'Σ cost ÷ Σ push-later', 'invalid', 'peak MB']),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:']),
  ];
  for (const o of outcomes) {
    const s = summarize(o);
    const trouble = sizeTrouble(o, s);
    lines.push(
      row([
        String(o.providers), String(s.ran), String(s.nothingDrawn), latencyText(s), fixed(100 * s.medianGap, 2),
        `${ratioText(s.meanRatio)} (n = ${s.ratioCount}; ${s.zeroBaseline} at 0)`, ratioText(s.totalRatio),
        trouble.length > 0 ? `**${trouble.join(', ')}**` : '0', o.peakMB !== undefined ? fixed(o.peakMB, 0) : '—',
      ]),
    );
  }
  return lines.join('\n');
}

const totalsText = (t: DayTotals) =>
  `${fixed(t.cost, 0)} (${fixed(t.latenessMinutes, 0)} min late, ${t.patientsMoved} moved, ${t.reassignments} reassigned, ${fixed(t.overtimeMinutes, 0)} min overtime, ${t.bumps} bumped)`;

function simulatedTable(outcomes: ReplanSizeOutcome[]): string {
  const lines = [
    `### Simulated day (simulateDay, seed ${SIMULATE_SEED})`,
    '',
    'A whole day played in 10-minute steps with seeded disruptions (each visit\'s no-show or overrun drawn once and played as it starts on each day, 2-4 emergencies, an outage, maybe a late provider, ' +
      'a staff member out, cancellations), each re-planned on our day and on the push-later day; totals per track as simulateDay reports them, ' +
      'ratio = our cost ÷ push-later cost; latency as simulateDay measures it (the clock around replanDay), after one uncounted warm-up re-plan. ' +
      'Every re-plan of both tracks is checked (onReplan).',
    '',
    row(['providers', 're-plans ours / push-later', 'latency ms p50 / p95 / max', 'slowest', 'ours: cost (totals)', 'push-later: cost (totals)', 'ratio', 'invalid', 'seconds', 'peak MB']),
    row(['---:', '---:', '---:', '---', '---', '---', '---:', '---', '---:', '---:']),
  ];
  const blank = (text: string) => ['—', '—', '—', text, '—', '—', '—', '—', '—'];
  for (const o of outcomes) {
    const sim = o.simulated;
    if (!sim) lines.push(row([String(o.providers), ...blank('not run (no optimized day)')]));
    else if (sim.kind === 'missing') lines.push(row([String(o.providers), ...blank('**TODO — simulated day: not run (simulateDay missing)**')]));
    else if (sim.kind === 'failed') lines.push(row([String(o.providers), ...blank(`**FAILED**: ${sim.error.split('\n')[0]!.replace(/\|/g, '/')}`)]));
    else {
      const r = sim.report;
      const invalid = r.invalid + r.pushLaterInvalid === 0 ? '0' : `**${r.invalid} ours, ${r.pushLaterInvalid} push-later**`;
      lines.push(
        row([
          String(o.providers), `${r.replans} / ${r.pushLaterReplans}${r.pushLaterSkipped ? ` (${r.pushLaterSkipped} skipped there)` : ''}`, latencyText(r.latencyMs),
          r.slowest.map((e) => `${e.at} ${e.type} ${ms(e.ms)} ms`).join(', '), totalsText(r.ours), totalsText(r.pushLater),
          r.pushLater.cost > 0 ? ratioText(r.ours.cost / r.pushLater.cost) : '— (0)', invalid, `${seconds(r.elapsedMs)} (checks ${seconds(r.checkMs)})`, fixed(sim.peakMB, 0),
        ]),
      );
    }
  }
  return lines.join('\n');
}

function problemsList(outcomes: ReplanSizeOutcome[]): string {
  const lines: string[] = [];
  const clip = (t: string) => `\`${t.replace(/`/g, "'")}\``;
  for (const o of outcomes) {
    if (o.error !== undefined) lines.push(`- ${o.providers} providers: the optimized day failed`, ...o.error.split('\n').filter(Boolean).slice(0, 8).map((t) => `  - ${clip(t)}`));
    if (o.childError) lines.push(`- ${o.providers} providers: scenario child failed (${o.missing} scenario(s) not reported)`, ...o.childError.split('\n').filter(Boolean).slice(0, 8).map((t) => `  - ${clip(t)}`));
    if (o.simulated?.kind === 'failed') lines.push(`- ${o.providers} providers, simulated day: **FAILED**`, ...o.simulated.error.split('\n').filter(Boolean).slice(0, 8).map((t) => `  - ${clip(t)}`));
    if (o.simulated?.kind === 'ok' && o.simulated.report.problems.length > 0) {
      const r = o.simulated.report;
      lines.push(`- ${o.providers} providers, simulated day: **${r.invalid} invalid re-plan(s), ${r.pushLaterInvalid} invalid push-later result(s)**`, ...r.problems.map((t) => `  - ${clip(t)}`));
    }
    for (const s of o.scenarios) {
      const where = `${o.providers} providers, ${s.time} ${s.type} seed ${s.seed} (${s.disruption ?? 'no disruption'})`;
      if (s.error !== undefined) lines.push(`- ${where}: **ERROR**`, ...s.error.split('\n').filter(Boolean).slice(0, 8).map((t) => `  - ${clip(t)}`));
      if ((s.problems?.length ?? 0) > 0) lines.push(`- ${where}: re-plan **INVALID**`, ...s.problems!.map((t) => `  - ${clip(t)}`));
      if ((s.pushLaterProblems?.length ?? 0) > 0) lines.push(`- ${where}: push-later **INVALID**`, ...s.pushLaterProblems!.map((t) => `  - ${clip(t)}`));
    }
  }
  return lines.length > 0 ? ['### Re-plan problems', '', ...lines].join('\n') : '';
}

/** The whole section; `skipped` says why it did not run (--no-replan, or no size of 10/40/100 asked). */
export function replanSection(outcomes: ReplanSizeOutcome[] | null, skipped: string | null): string {
  const title = '## Re-plan';
  if (outcomes === null || outcomes.length === 0) return `${title}\n\nNot run: ${skipped ?? 'no re-plan size'}.`;
  const explain =
    `The day: the generated clinic of that size (seed ${REPLAN_CLINIC_SEED}, load 1.1) optimized by \`medsched optimize --backend ${REPLAN_BACKEND} --seed ${REPLAN_CLINIC_SEED} --max-rounds ${DAY_MAX_ROUNDS}\` ` +
    `in a child process (the bench's own runs keep no appointments; a fixed number of rounds makes the day the same on any machine). ` +
    `Scenarios: at ${REPLAN_TIMES.map((t) => `${t.name} (horizon start + ${t.hours} h)`).join(', ')} the day as it stands (dayAt), ` +
    `one disruption of each type drawn by drawDisruption with ${DRAW_SEEDS.length} seeds: up to ${SCENARIOS_PER_SIZE} re-plans per size, ` +
    `all in one child process per size after one uncounted warm-up re-plan. ` +
    `\`re-plan ms\` is the wall time of the replanDay call alone (backend ${REPLAN_BACKEND}, loaded before); \`cost\`, \`bound\` and \`gap\` are its result's; ` +
    `push-later (pushLater, the baseline) runs on the same input; \`ratio\` = cost ÷ push-later cost, defined where push-later costs > 0 ` +
    `("— (0)": nothing to fix). Every result (ours and push-later's) is checked by validateReplan, its cost recomputed, its bound ≤ cost. ` +
    `Latency percentiles are nearest-rank over the re-plans of that size.`;
  return [title, explain, overviewTable(outcomes), simulatedTable(outcomes), ...outcomes.map(sizeTable), problemsList(outcomes)].filter(Boolean).join('\n\n');
}
