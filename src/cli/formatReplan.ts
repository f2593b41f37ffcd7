import type { Instance, Request } from '../contract/instance.js';
import type { Change, ReplanInput, ReplanResult } from '../contract/replan.js';
import { localTime, toMs } from '../domain/time.js';
import { formatGap, formatScore, formatSeconds } from './formatSummary.js';

/**
 * A readable report of a re-plan in the clinic's local time: the summary and the numbers, then what a
 * front desk acts on: the changes, whom to call, billing flags, rebooking proposals, new requests left out.
 */
export function formatReplan(instance: Instance, input: ReplanInput, result: ReplanResult): string {
  const zone = instance.clinic.timezone;
  const clock = (instant: string) => localTime(toMs(instant), zone);
  const span = (start: string, end: string) => `${clock(start)}-${clock(end)}`;
  // New requests (walk-ins, emergencies) live in the events, not the instance.
  const requests = new Map<string, Request>([
    ...instance.requests.map((r) => [r.id, r] as const),
    ...input.events.flatMap((e) => (e.type === 'emergency' ? [[e.request.id, e.request] as const] : [])),
  ]);

  const { cost, bound, gap, solveMs, costBreakdown: b } = result;
  const lines: string[] = [
    result.summary,
    `status ${result.status}  cost ${formatScore(cost)}  bound ${formatScore(bound)}  gap ${formatGap(gap)}  solved in ${formatSeconds(solveMs)}`,
    `cost: lateness ${formatScore(b.lateness)}, reassignments ${formatScore(b.reassignments)}, room changes ${formatScore(b.roomChanges)}, ` +
      `bumps ${formatScore(b.bumps)}, overtime ${formatScore(b.overtime)}`,
    '',
  ];

  if (result.changes.length === 0) lines.push('No changes: the rest of the day stands as planned.');
  else lines.push(`Changes: ${count(result.changes.length, 'appointment')}`, ...table(result.changes.map((c) => changeRow(c, clock))));

  const { patients, staff } = result.notifications;
  if (patients.length > 0) {
    lines.push('', `Patients to notify: ${patients.length}`);
    lines.push(...patients.map((n) => `  ${n.patientId} (${n.requestId}, ${n.kind}): ${n.message}`));
  }
  if (staff.length > 0) {
    lines.push('', `Staff to notify: ${staff.length}`);
    for (const n of staff) {
      // The message usually names them already.
      const name = n.name && n.name !== n.id && !n.message.includes(n.name) ? ` (${n.name})` : '';
      lines.push(`  ${n.id}${name}, ${n.kind}: ${n.message}`);
      const agenda = n.agenda.map((a) => `${span(a.start, a.end)} ${a.requestId} ${a.roomId}`).join(', ');
      lines.push(`    agenda: ${agenda || 'nothing left today'}`);
    }
  }

  if (result.billing.length > 0) {
    lines.push('', `Billing: ${count(result.billing.length, 'late cancellation')}`);
    for (const f of result.billing) {
      const fee = f.fee === null ? 'no fee set' : `fee ${f.fee}`;
      lines.push(
        `  ${f.requestId}  ${f.patientId}  ${f.serviceId}: cancelled at ${clock(f.cancelledAt)}, ${hours(f.hoursBefore)} before its ` +
          `${clock(f.start)} start (window ${hours(f.windowHours)}); ${fee}`,
        `    - ${f.reason}`,
      );
    }
  }

  if (result.rebooking.length > 0) {
    lines.push('', `Rebooking proposals: ${result.rebooking.length}`);
    for (const r of result.rebooking) {
      const p = r.proposal;
      const where = p ? `${span(p.start, p.end)} ${p.providerId ?? 'no provider'} ${p.roomId}` : 'no place later today';
      lines.push(`  ${r.requestId}  ${r.patientId}: ${where}${r.reason ? ` (${r.reason})` : ''}`);
    }
  }

  if (result.unscheduled.length > 0) {
    lines.push('', `Cannot be seen today (fits nowhere): ${result.unscheduled.length}`);
    for (const u of result.unscheduled) {
      const r = requests.get(u.requestId);
      lines.push(`  ${[u.requestId, r?.serviceId, r?.patientId, r?.urgency].filter(Boolean).join('  ')}`);
      lines.push(...u.reasons.map((reason) => `    - ${reason}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

const HEADER = ['kind', 'patient', 'request', 'from → to', 'provider', 'room', 'delay'];

/** A change as table cells; provider and room only when they change (or for a new appointment, where it goes). */
function changeRow(c: Change, clock: (instant: string) => string): string[] {
  const { from, to } = c;
  const time = `${from ? clock(from.start) : '—'} → ${to ? clock(to.start) : '—'}`;
  const shift = (before: string | null | undefined, after: string | null | undefined): string => {
    if (!to) return '';
    if (!from) return after ?? '';
    return before === after ? '' : `${before ?? 'none'} → ${after ?? 'none'}`;
  };
  const delay = from && to ? `${c.delayMinutes > 0 ? '+' : ''}${c.delayMinutes} min` : '';
  return [c.kind, c.patientId, c.requestId, time, shift(from?.providerId, to?.providerId), shift(from?.roomId, to?.roomId), delay];
}

function table(rows: string[][]): string[] {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  // The delay column is numbers: right-aligned.
  const last = HEADER.length - 1;
  return all.map((row) => `  ${row.map((cell, i) => (i === last ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

/** 1.25 → "1 h 15 min": a front desk reads hours and minutes, not decimals. */
function hours(h: number): string {
  const minutes = Math.round(h * 60);
  const [whole, rest] = [Math.floor(minutes / 60), minutes % 60];
  return [whole > 0 || rest === 0 ? `${whole} h` : '', rest > 0 ? `${rest} min` : ''].filter(Boolean).join(' ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
