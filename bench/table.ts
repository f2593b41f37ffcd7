// The markdown tables: one per clinic size, and the problems of runs that did not produce a valid result.
import { change, fixed, percent, ratio, seconds } from './format.js';
import { Results, validLabel } from './results.js';
import { isValid, type RunOutcome } from './types.js';

const HEADER = [
  'providers', 'seed', 'method', 'requests', 'scheduled', 'score', 'bound', 'gap %', 'seconds', 'peak MB', 'valid',
  'scheduled vs first-fit', 'score vs first-fit',
];
const ALIGN = ['---:', '---:', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---:'];

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

function cells(results: Results, o: RunOutcome): string[] {
  const { providers, seed, method } = o.config;
  const r = o.report;
  if (o.kind !== 'ok' || !r)
    return [String(providers), String(seed), method, '—', '—', '—', '—', '—', seconds(o.wallMs), '—', validLabel(o), '—', '—'];
  const base = method === 'first-fit' ? undefined : results.baseline(o);
  const vsScheduled = method === 'first-fit' ? 'baseline' : base?.report ? change(r.scheduled, base.report.scheduled) : 'n/a';
  const vsScore = method === 'first-fit' ? 'baseline' : base?.report ? ratio(r.score, base.report.score) : 'n/a';
  return [
    String(providers), String(seed), method, String(r.requests), String(r.scheduled), fixed(r.score, 2), fixed(r.bound, 2),
    fixed(100 * r.gap, 2), seconds(r.elapsedMs), fixed(r.peakMB, 0), validLabel(o), vsScheduled, vsScore,
  ];
}

export function sizeTable(results: Results, providers: number, seeds: number[], methods: string[], limitMs: number): string {
  const lines = [`### ${providers} providers (time limit ${seconds(limitMs)} s)`, '', row(HEADER), row(ALIGN)];
  for (const seed of seeds)
    for (const method of methods) {
      const o = results.outcomes.find((x) => x.config.providers === providers && x.config.seed === seed && x.config.method === method);
      if (o) lines.push(row(cells(results, o)));
    }
  return lines.join('\n');
}

/** The runs that are INVALID, TIMEOUT or CRASH, with what went wrong; empty when there are none. */
export function problemsSection(results: Results): string {
  const bad = results.outcomes.filter((o) => !isValid(o));
  if (bad.length === 0) return '';
  const lines = ['## Problems', ''];
  for (const o of bad) {
    const what = o.kind === 'ok' ? (o.report?.problems ?? []) : [o.error ?? ''];
    lines.push(`- ${o.config.providers} providers, seed ${o.config.seed}, ${o.config.method}: **${validLabel(o)}**`);
    for (const text of what.flatMap((t) => t.split('\n')).filter(Boolean).slice(0, 12)) lines.push(`  - \`${text.replace(/`/g, "'")}\``);
  }
  return lines.join('\n');
}

/** Used when a gap is shown outside the tables. */
export const gapText = (o: RunOutcome | undefined) => (o?.report ? percent(o.report.gap) : '—');
