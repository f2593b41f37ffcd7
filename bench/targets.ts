// The bench's targets, each judged PASS / FAIL (NOT RUN when its clinic size was not in the run),
// and the jsl vs highs score ratio per size.
import { change, fixed, percent, ratio, seconds } from './format.js';
import { sizeTrouble, summarize, type ReplanSummary } from './replanTable.js';
import type { ReplanSizeOutcome } from './replanTypes.js';
import { Results, validLabel } from './results.js';
import { serviceTrouble } from './serviceTable.js';
import { SEARCH_P95_TARGET_MS, type ServiceOutcome } from './serviceTypes.js';
import { isValid, type Method, type RunOutcome } from './types.js';

export type Verdict = 'PASS' | 'FAIL' | 'NOT RUN';
export type TargetResult = { verdict: Verdict; text: string; detail: string };
type Check = (o: RunOutcome, results: Results) => { ok: boolean; text: string };

const MEMORY_LIMIT_MB = 2048;

function target(results: Results, providers: number, method: Method, text: string, check: Check): TargetResult {
  const label = `${providers} providers (${method}): ${text}`;
  const runs = results.of(providers, method);
  if (runs.length === 0) return { verdict: 'NOT RUN', text: label, detail: `no ${providers}-provider ${method} run` };
  const checks = runs.map((o) => ({ seed: o.config.seed, ...check(o, results) }));
  return {
    verdict: checks.every((c) => c.ok) ? 'PASS' : 'FAIL',
    text: label,
    detail: checks.map((c) => `seed ${c.seed}: ${c.text}`).join(', '),
  };
}

const valid: Check = (o) => ({ ok: isValid(o), text: validLabel(o) });

const gapAtMost = (limit: number): Check => (o) =>
  isValid(o) ? { ok: o.report!.gap <= limit + 1e-12, text: percent(o.report!.gap) } : { ok: false, text: validLabel(o) };

const moreScheduledThanFirstFit = (fraction: number): Check => (o, results) => {
  if (!isValid(o)) return { ok: false, text: validLabel(o) };
  const base = results.baseline(o);
  if (!base?.report) return { ok: false, text: 'no valid first-fit run' };
  const { scheduled } = o.report!;
  const baseScheduled = base.report.scheduled;
  return { ok: scheduled >= (1 + fraction) * baseScheduled - 1e-9, text: `${change(scheduled, baseScheduled)} (${scheduled} vs ${baseScheduled})` };
};

const withinLimit: Check = (o) => {
  if (o.kind !== 'ok' || !o.report) return { ok: false, text: validLabel(o) };
  const over = o.report.elapsedMs - o.config.timeLimitMs;
  return {
    ok: over <= 0,
    text: `${seconds(o.report.elapsedMs)} s of ${seconds(o.config.timeLimitMs)} s${over > 0 ? ` (${fixed(over, 0)} ms over)` : ''}`,
  };
};

const validWithGap: Check = (o) => {
  if (!isValid(o)) return { ok: false, text: validLabel(o) };
  const { gap, bound } = o.report!;
  const reported = Number.isFinite(gap) && Number.isFinite(bound);
  return { ok: reported, text: reported ? `valid, gap ${percent(gap)}` : 'valid, no gap reported' };
};

const memoryBelow2GB: Check = (o) =>
  o.report ? { ok: o.report.peakMB < MEMORY_LIMIT_MB, text: `${fixed(o.report.peakMB, 0)} MB` } : { ok: false, text: validLabel(o) };

/**
 * A re-plan target on one size's scenarios; NOT RUN when the size was not re-planned (`skipped` says why).
 * It fails, whatever its numbers, when a re-plan was invalid or failed: numbers from those prove nothing.
 */
function replanTarget(
  replan: ReplanSizeOutcome[] | null,
  skipped: string | null,
  providers: number,
  text: string,
  check: (s: ReplanSummary) => { ok: boolean; text: string },
): TargetResult {
  const label = `${providers} providers, re-plan: ${text}`;
  const o = replan?.find((x) => x.providers === providers);
  if (!o) return { verdict: 'NOT RUN', text: label, detail: replan === null || replan.length === 0 ? `section not run (${skipped ?? 'no re-plan size'})` : `no ${providers}-provider re-plan run` };
  const s = summarize(o);
  if (s.ran === 0) return { verdict: 'FAIL', text: label, detail: `no re-plan ran${o.error ? ' (the optimized day failed)' : ''}` };
  const c = check(s);
  const trouble = sizeTrouble(o, s, false);
  return {
    verdict: c.ok && trouble.length === 0 ? 'PASS' : 'FAIL',
    text: label,
    detail: `${c.text} over ${s.ran} re-plans${trouble.length > 0 ? `; ${trouble.join(', ')}` : ''}`,
  };
}

const ms = (n: number) => `${fixed(n, 0)} ms`;

/** The re-plan section's targets (README "Re-planning the rest of the day"; the bench issue). */
export function replanTargets(replan: ReplanSizeOutcome[] | null, skipped: string | null): TargetResult[] {
  return [
    replanTarget(replan, skipped, 40, 'p95 latency < 1 s', (s) => ({ ok: s.p95 < 1000, text: `p95 ${ms(s.p95)} (p50 ${ms(s.p50)}, max ${ms(s.max)})` })),
    replanTarget(replan, skipped, 40, 'median gap ≤ 1%', (s) => ({ ok: s.medianGap <= 0.01 + 1e-12, text: `median gap ${percent(s.medianGap)}` })),
    replanTarget(replan, skipped, 40, 'cost ≤ 60% of push-later on average', (s) => ({
      ok: s.ratioCount > 0 && s.meanRatio <= 0.6 + 1e-12,
      text:
        (s.ratioCount > 0
          ? `mean cost ratio ${fixed(s.meanRatio, 3)} on the ${s.ratioCount} scenarios where push-later costs > 0 (${s.zeroBaseline} with nothing to fix)`
          : `no scenario where push-later costs > 0 (${s.zeroBaseline} with nothing to fix)`) +
        (s.pushLaterInvalid > 0 ? ` — note: ${s.pushLaterInvalid} push-later result(s) invalid` : ''),
    })),
    replanTarget(replan, skipped, 100, 'every re-plan within 3 s', (s) => ({ ok: s.max <= 3000, text: `max ${ms(s.max)} (p50 ${ms(s.p50)}, p95 ${ms(s.p95)})` })),
  ];
}

/** The service section's targets (issue 4): slot search p95 over HTTP, and no double booking under concurrent booking. */
export function serviceTargets(o: ServiceOutcome | null, skipped: string | null): TargetResult[] {
  const search = `40 providers, service: slot search p95 < ${SEARCH_P95_TARGET_MS} ms over HTTP`;
  const doubles = '40 providers, service: 0 double bookings under concurrent booking';
  if (o === null) return [search, doubles].map((text) => ({ verdict: 'NOT RUN' as const, text, detail: `section not run (${skipped ?? 'not asked for'})` }));
  const failed = o.error !== undefined ? `the section failed (${o.error.split('\n')[0]})` : 'not measured';
  const s = o.search;
  const non200 = s ? Object.entries(s.http.statuses).filter(([status]) => status !== '200').reduce((n, [, k]) => n + k, 0) : 0;
  const searchResult: TargetResult = s
    ? {
        verdict: s.http.latency.p95 < SEARCH_P95_TARGET_MS && non200 === 0 && s.http.errors === 0 ? 'PASS' : 'FAIL',
        text: search,
        detail:
          `p95 ${ms(s.http.latency.p95)} (p50 ${ms(s.http.latency.p50)}, p99 ${ms(s.http.latency.p99)}, max ${ms(s.http.latency.max)}) over ${s.http.answered} searches, ` +
          `${s.http.connections} connections, ${o.apiProcesses} API processes; in-process p95 ${ms(s.inProcess.latency.p95)}` +
          (non200 + s.http.errors > 0 ? `; ${non200} non-200 answer(s), ${s.http.errors} connection error(s)` : ''),
      }
    : { verdict: 'FAIL', text: search, detail: failed };
  const checks = o.checks;
  const b = o.bookings;
  const trouble = serviceTrouble(o);
  const doubleBookings = (checks ?? []).reduce((n, c) => n + c.doubleBookings, 0);
  const doublesResult: TargetResult = checks && b
    ? {
        verdict: doubleBookings === 0 && trouble.length === 0 ? 'PASS' : 'FAIL',
        text: doubles,
        detail:
          `${doubleBookings} double bookings among ${checks.map((c) => `${c.live} (${c.clinicId})`).join(' and ')} appointments read back (validator), after ${b.concurrent.statuses['201'] ?? 0} concurrent bookings ` +
          `(${fixed(b.concurrent.bookedPerSecond, 1)}/s) and ${b.concurrent.statuses['409'] ?? 0} × 409 over ${b.concurrent.races.groups} contested places` +
          (trouble.length > 0 ? `; ${trouble.join(', ')}` : ''),
      }
    : { verdict: 'FAIL', text: doubles, detail: failed };
  return [searchResult, doublesResult];
}

export function evaluateTargets(
  results: Results,
  replan: ReplanSizeOutcome[] | null = null,
  replanSkipped: string | null = null,
  service: ServiceOutcome | null = null,
  serviceSkipped: string | null = null,
): TargetResult[] {
  return [
    target(results, 40, 'auto', 'every result valid', valid),
    target(results, 40, 'auto', 'gap ≤ 2%', gapAtMost(0.02)),
    target(results, 40, 'auto', '≥ 8% more patients scheduled than first-fit', moreScheduledThanFirstFit(0.08)),
    target(results, 20, 'auto', 'gap ≤ 1%', gapAtMost(0.01)),
    target(results, 100, 'auto', 'completes within its time limit', withinLimit),
    target(results, 100, 'auto', 'valid schedule with a reported gap', validWithGap),
    target(results, 100, 'auto', 'peak memory < 2 GB', memoryBelow2GB),
    ...replanTargets(replan, replanSkipped),
    ...serviceTargets(service, serviceSkipped),
  ];
}

export function targetsSection(targets: TargetResult[], caveat: string | null): string {
  const count = (v: Verdict) => targets.filter((t) => t.verdict === v).length;
  const lines = ['## Targets', ''];
  if (caveat) lines.push(`> ${caveat}`, '');
  for (const t of targets) lines.push(`- **${t.verdict}** ${t.text} — ${t.detail}`);
  lines.push('', `${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('NOT RUN')} NOT RUN.`);
  return lines.join('\n');
}

/** Score of jsl ÷ score of highs on the same clinic, per size and seed (both runs valid). */
export function backendRatioSection(results: Results, sizes: number[], seeds: number[]): string {
  const lines = [
    '## jsl vs highs',
    '',
    'Score of the jsl run ÷ score of the highs run on the same clinic.',
    '',
    `| providers | ${seeds.map((s) => `seed ${s}`).join(' | ')} | mean |`,
    `|---:|${seeds.map(() => '---:|').join('')}---:|`,
  ];
  for (const providers of sizes) {
    const values = seeds.map((seed) => {
      const jsl = results.find(providers, seed, 'jsl');
      const highs = results.find(providers, seed, 'highs');
      return jsl && highs && isValid(jsl) && isValid(highs) && highs.report!.score !== 0 ? jsl.report!.score / highs.report!.score : null;
    });
    const known = values.filter((v): v is number => v !== null);
    const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : null;
    const cell = (v: number | null) => (v === null ? 'n/a' : ratio(v, 1));
    lines.push(`| ${providers} | ${values.map(cell).join(' | ')} | ${cell(mean)} |`);
  }
  return lines.join('\n');
}
