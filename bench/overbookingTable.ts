// The OVERBOOKING section of latest.md: each plan, and what its simulated days added up to, against no overbooking.
import { fixed, ratio, seconds } from './format.js';
import {
  OVERBOOKING_CLINIC_SEED, OVERBOOKING_OPTIMIZE_S, OVERBOOKING_PROVIDERS, OVERBOOKING_SIM_SEEDS,
  type OverbookingDay, type OverbookingOutcome, type OverbookingVariant,
} from './overbookingTypes.js';

const name = (v: OverbookingVariant) => (v.limit === null ? 'no overbooking' : `limit ${v.limit}`);
const mean = (days: OverbookingDay[], pick: (d: OverbookingDay) => number) => (days.length === 0 ? NaN : days.reduce((s, d) => s + pick(d), 0) / days.length);

type Row = { label: string; value: (v: OverbookingVariant) => number; digits: number; ratio?: boolean };

const PLAN_ROWS: Row[] = [
  { label: 'requests scheduled', value: (v) => v.plan?.scheduled ?? NaN, digits: 0, ratio: true },
  { label: 'visits overbooked (sharing their provider’s time)', value: (v) => v.plan?.overbookedVisits ?? NaN, digits: 0 },
  { label: 'expected no-shows (sum of the estimates)', value: (v) => v.plan?.expectedNoShows ?? NaN, digits: 1, ratio: true },
  { label: 'score', value: (v) => v.plan?.score ?? NaN, digits: 2, ratio: true },
  { label: 'gap %', value: (v) => 100 * (v.plan?.gap ?? NaN), digits: 2 },
  { label: 'validator violations', value: (v) => v.plan?.violations ?? NaN, digits: 0 },
];

const DAY_ROWS: Row[] = [
  { label: '**patients seen**', value: (v) => mean(v.days, (d) => d.ours.seen), digits: 1, ratio: true },
  { label: 'no-shows', value: (v) => mean(v.days, (d) => d.ours.noShows), digits: 1, ratio: true },
  { label: 'came while their provider saw another (waited)', value: (v) => mean(v.days, (d) => d.ours.waitedForOverbooked), digits: 1 },
  { label: 'bumped to another day', value: (v) => mean(v.days, (d) => d.ours.bumps), digits: 1, ratio: true },
  { label: 'patients moved', value: (v) => mean(v.days, (d) => d.ours.patientsMoved), digits: 1, ratio: true },
  { label: 'lateness, minutes (all patients)', value: (v) => mean(v.days, (d) => d.ours.latenessMinutes), digits: 0, ratio: true },
  { label: 'overtime, provider minutes', value: (v) => mean(v.days, (d) => d.ours.overtimeMinutes), digits: 0, ratio: true },
  { label: 're-plan cost', value: (v) => mean(v.days, (d) => d.ours.cost), digits: 0, ratio: true },
  { label: 're-plans', value: (v) => mean(v.days, (d) => d.replans), digits: 1 },
  { label: 're-plan ms p95 (worst day)', value: (v) => Math.max(...v.days.map((d) => d.latencyMs.p95)), digits: 0, ratio: true },
  { label: 'invalid re-plans (all days)', value: (v) => v.days.reduce((s, d) => s + d.invalid, 0), digits: 0 },
];

function table(rows: Row[], variants: OverbookingVariant[]): string {
  const base = variants[0]!;
  const others = variants.slice(1);
  const head = ['', ...variants.map(name), ...others.map((v) => `${v.limit} ÷ none`)];
  const lines = [`| ${head.join(' | ')} |`, `| --- | ${head.slice(1).map(() => '---:').join(' | ')} |`];
  for (const row of rows) {
    const cells = variants.map((v) => fixed(row.value(v), row.digits));
    const ratios = others.map((v) => (row.ratio ? ratio(row.value(v), row.value(base)) : ''));
    lines.push(`| ${row.label} | ${[...cells, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function overbookingSection(outcome: OverbookingOutcome | null, skipped: string | null): string {
  const title = '## Overbooking';
  if (outcome === null) return `${title}\n\nNot run: ${skipped ?? 'not asked for'}.`;
  const explain =
    `The ${OVERBOOKING_PROVIDERS}-provider clinic (generateClinic seed ${OVERBOOKING_CLINIC_SEED}, load 1.1; each request carries the no-show estimate a clinic's model would give, ` +
    `mean about 13 %) planned by \`medsched optimize --backend auto --seed 1 --time-limit ${OVERBOOKING_OPTIMIZE_S}\` without overbooking and with \`overbooking.maxExpectedLoad\` at each limit. ` +
    `Each plan then plays the same ${OVERBOOKING_SIM_SEEDS.length} simulated days (simulateDay, seeds ${OVERBOOKING_SIM_SEEDS.join(', ')}): each patient misses at their own estimate (the same patients on every plan), ` +
    `visits run over, emergencies walk in, a room or device goes down; where both patients of an overbooked pair come, the later one waits and the rest of the day is re-planned. ` +
    `Day figures are means over the days, on our re-planner's track; every re-plan is checked by validateReplan. Ratios compare with no overbooking on the same days.`;
  const failed = outcome.variants.filter((v) => v.error !== undefined).map((v) => `- ${name(v)}: ${v.error!.split('\n')[0]}`);
  const problems = outcome.variants.flatMap((v) => v.days.flatMap((d) => d.problems.map((p) => `- ${name(v)}, day ${d.seed}: ${p}`)));
  const base = outcome.variants[0]!;
  const best = outcome.variants.slice(1).filter((v) => v.days.length > 0);
  const seenBase = mean(base.days, (d) => d.ours.seen);
  const summary = best.length > 0 && base.days.length > 0
    ? `Patients seen per day: ${fixed(seenBase, 1)} without overbooking; ${best.map((v) => `${fixed(mean(v.days, (d) => d.ours.seen), 1)} at limit ${v.limit} (${ratio(mean(v.days, (d) => d.ours.seen), seenBase)})`).join(', ')}. ` +
      `Lateness over the day: ${fixed(mean(base.days, (d) => d.ours.latenessMinutes), 0)} min without; ${best.map((v) => `${fixed(mean(v.days, (d) => d.ours.latenessMinutes), 0)} min at ${v.limit}`).join(', ')}.`
    : '';
  return [
    title,
    explain,
    '### The plans',
    table(PLAN_ROWS, outcome.variants),
    `### The simulated days (mean of ${OVERBOOKING_SIM_SEEDS.length})`,
    table(DAY_ROWS, outcome.variants),
    summary,
    `Section wall time ${seconds(outcome.wallMs)} s.`,
    outcome.error ? `**The simulation child failed:** ${outcome.error.split('\n')[0]}` : '',
    failed.length > 0 ? `**Plans that failed:**\n${failed.join('\n')}` : '',
    problems.length > 0 ? `**Re-plan problems:**\n${problems.join('\n')}` : '',
  ].filter(Boolean).join('\n\n');
}

/** Failures that make the bench exit 1: a plan or the child failed, a plan broke the contract, a re-plan was invalid. */
export function overbookingFailures(outcome: OverbookingOutcome | null): number {
  if (outcome === null) return 0;
  return (outcome.error ? 1 : 0) + outcome.variants.reduce((n, v) => n + (v.error ? 1 : 0) + (v.plan?.violations ? 1 : 0) + v.days.reduce((k, d) => k + d.invalid, 0), 0);
}
