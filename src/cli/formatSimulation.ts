import type { Instance } from '../contract/instance.js';
import { localTime, toMs } from '../domain/time.js';
import type { DayTotals, SimulationReport } from '../simulate/simulateDay.js';
import { formatScore } from './formatSummary.js';

/**
 * A simulated day as a reader compares it: each disruption in the clinic's local time with our re-plan's
 * latency and cost next to push-later's, then the day's totals side by side, then the latency percentiles.
 */
export function formatSimulation(instance: Instance, report: SimulationReport): string {
  const zone = instance.clinic.timezone;
  const title = instance.clinic.name ? `${instance.clinic.name} (${instance.clinic.id})` : instance.clinic.id;
  const lines = [
    `${title}: a simulated day, seed ${report.seed}: ${count(report.replans, 'disruption')} re-planned on our day, ${report.pushLaterReplans} on push-later's`,
    '',
  ];

  if (report.events.length === 0) lines.push('No disruption was drawn: the day ran as planned.');
  else
    lines.push(
      ...table(
        ['time', 'event', 're-plan', 'cost', 'push-later', 'what happened'],
        report.events.map((e) => [
          localTime(toMs(e.at), zone),
          e.type,
          e.on === 'pushLater' ? '—' : formatLatency(e.ms),
          e.on === 'pushLater' ? '—' : formatScore(e.cost),
          e.on === 'ours' ? '—' : formatScore(e.pushLaterCost),
          e.summary,
        ]),
        [false, false, true, true, true, false],
      ),
    );

  const rows: [string, (t: DayTotals) => number, (x: number) => string][] = [
    ['cost', (t) => t.cost, formatScore],
    ['lateness (min)', (t) => t.latenessMinutes, String],
    ['patients moved', (t) => t.patientsMoved, String],
    ['reassignments', (t) => t.reassignments, String],
    ['overtime (min)', (t) => t.overtimeMinutes, String],
    ['bumps', (t) => t.bumps, String],
    ['emergencies not seen', (t) => t.unscheduled, String],
  ];
  lines.push(
    '',
    ...table(
      ['day total', 'ours', 'push-later', 'ours / push-later'],
      rows.map(([name, of, show]) => [name, show(of(report.ours)), show(of(report.pushLater)), ratio(of(report.ours), of(report.pushLater))]),
      [false, true, true, true],
    ),
    '',
    `Re-plan latency: p50 ${formatLatency(report.latencyMs.p50)}, p95 ${formatLatency(report.latencyMs.p95)}, max ${formatLatency(report.latencyMs.max)}`,
    'Costs are what each re-plan adds to the day; overtime counts once, as it changes.',
  );
  lines.push("A visit's no-show or overrun happens as it starts on each day: where the days differ, '—' marks the day it did not happen on.");
  if (report.pushLaterSkipped > 0)
    lines.push(`Push-later's day could not take ${count(report.pushLaterSkipped, 'planned disruption')} (a visit it had already started).`);
  return `${lines.join('\n')}\n`;
}

/** Ours over push-later; '—' when push-later's is 0 (nothing to compare with). */
function ratio(ours: number, pushLater: number): string {
  return pushLater === 0 ? (ours === 0 ? '1.00' : '—') : (ours / pushLater).toFixed(2);
}

function formatLatency(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function table(header: string[], rows: string[][], numeric: boolean[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  // Numbers right-aligned; the last column (free text) is never padded.
  return all.map((row) => `  ${row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
