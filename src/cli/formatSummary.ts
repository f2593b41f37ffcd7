import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import { sharingProvider } from '../contract/overbooking.js';
import type { OptimizationResult } from '../contract/result.js';
import { toMs } from '../domain/time.js';

export type SummaryOptions = {
  /** Wall time of the whole run, when it differs from the solver's solveMs. */
  elapsedMs?: number;
};

export const formatScore = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : String(value));
export const formatGap = (gap: number): string => (Number.isFinite(gap) ? `${(gap * 100).toFixed(2)}%` : String(gap));
export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * A readable report of a result in the clinic's local time: each provider's agenda and utilisation,
 * the appointments that need no provider, the unscheduled requests with their reasons, and the numbers.
 */
export function formatSummary(instance: Instance, result: OptimizationResult, options: SummaryOptions = {}): string {
  const zone = instance.clinic.timezone;
  const h0 = toMs(instance.horizon.start);
  const h1 = toMs(instance.horizon.end);
  const multiDay = localDay(h0, zone) !== localDay(h1 - 1, zone);
  const clock = (ms: number) => format(new TZDate(ms, zone), multiDay ? 'EEE d MMM HH:mm' : 'HH:mm');
  const span = (start: string, end: string) => `${clock(toMs(start))}-${clock(toMs(end))}`;

  const requests = new Map(instance.requests.map((r) => [r.id, r]));
  const pinned = new Set(instance.bookings.filter((b) => b.pinned).map((b) => b.requestId));
  const byProvider = groupBy(
    [...result.appointments].sort((a, b) => toMs(a.start) - toMs(b.start) || a.requestId.localeCompare(b.requestId)),
    (a) => a.providerId,
  );

  const widths = {
    request: maxLength(result.appointments.map((a) => a.requestId)),
    service: maxLength(result.appointments.map((a) => a.serviceId)),
    patient: maxLength(result.appointments.map((a) => a.patientId)),
    room: maxLength(result.appointments.map((a) => a.roomId)),
  };
  const agendaLine = (a: Appointment) => {
    const extras: string[] = [];
    if (a.staff.length > 0) extras.push(`staff ${a.staff.map((s) => `${s.staffId} ${span(s.start, s.end)}`).join(', ')}`);
    if (a.equipment.length > 0) extras.push(`equipment ${a.equipment.map((e) => (e.count > 1 ? `${e.id}×${e.count}` : e.id)).join(', ')}`);
    const urgency = requests.get(a.requestId)?.urgency;
    if (urgency && urgency !== 'routine') extras.push(urgency);
    if (pinned.has(a.requestId)) extras.push('pinned');
    const columns = [
      span(a.start, a.end),
      `${a.requestId.padEnd(widths.request)} ${a.serviceId.padEnd(widths.service)}`,
      a.patientId.padEnd(widths.patient),
      a.roomId.padEnd(widths.room),
      extras.join('; '),
    ];
    return `  ${columns.join('  ').trimEnd()}`;
  };

  const lines: string[] = [];
  const title = instance.clinic.name ? `${instance.clinic.name} (${instance.clinic.id})` : instance.clinic.id;
  lines.push(`${title}: ${format(new TZDate(h0, zone), 'EEE yyyy-MM-dd')} ${span(instance.horizon.start, instance.horizon.end)} ${zone}`);

  for (const provider of instance.providers) {
    const agenda = byProvider.get(provider.id) ?? [];
    byProvider.delete(provider.id);
    const available = provider.availability.reduce(
      (sum, iv) => sum + Math.max(0, Math.min(toMs(iv.end), h1) - Math.max(toMs(iv.start), h0)),
      0,
    );
    const booked = agenda.reduce((sum, a) => sum + (toMs(a.end) - toMs(a.start)), 0);
    const utilisation = available > 0 ? `${Math.round((100 * booked) / available)}% of ${available / 60_000} min available` : 'no availability';
    const cap = provider.maxAppointments !== undefined ? ` (max ${provider.maxAppointments})` : '';
    const name = provider.name ? ` (${provider.name})` : '';
    const paired = instance.overbooking ? sharingProvider(agenda).length : 0;
    const overbooked = paired > 0 ? `, ${paired} overbooked` : '';
    lines.push('', `${provider.id}${name}: ${count(agenda.length, 'appointment')}${cap}, ${booked / 60_000} min booked, ${utilisation}${overbooked}`);
    lines.push(...agenda.map(agendaLine));
  }
  const withoutProvider = byProvider.get(null) ?? [];
  byProvider.delete(null);
  if (withoutProvider.length > 0) {
    lines.push('', `No provider needed: ${count(withoutProvider.length, 'appointment')}`);
    lines.push(...withoutProvider.map(agendaLine));
  }
  for (const [providerId, agenda] of byProvider) {
    lines.push('', `${providerId} (not a provider of this instance): ${count(agenda.length, 'appointment')}`);
    lines.push(...agenda.map(agendaLine));
  }

  if (result.unscheduled.length > 0) {
    lines.push('', `Unscheduled: ${count(result.unscheduled.length, 'request')}`);
    for (const u of result.unscheduled) {
      const r = requests.get(u.requestId);
      lines.push(`  ${[u.requestId, r?.serviceId, r?.patientId, r?.urgency].filter(Boolean).join('  ')}`);
      lines.push(...u.reasons.map((reason) => `    - ${reason}`));
    }
  }

  const scheduled = result.appointments.filter((a) => requests.has(a.requestId)).length;
  const time =
    options.elapsedMs !== undefined && Math.abs(options.elapsedMs - result.solveMs) >= 100
      ? `solved in ${formatSeconds(result.solveMs)} (${formatSeconds(options.elapsedMs)} in all)`
      : `solved in ${formatSeconds(result.solveMs)}`;
  const overbookedAll = instance.overbooking
    ? [`overbooking up to an expected load of ${instance.overbooking.maxExpectedLoad}: ${count(sharingProvider(result.appointments).length, 'visit')} share their provider's time`]
    : [];
  lines.push(
    '',
    `${scheduled}/${instance.requests.length} requests scheduled`,
    ...overbookedAll,
    `status ${result.status}  score ${formatScore(result.objective)}  bound ${formatScore(result.bound)}  gap ${formatGap(result.gap)}  ${time}`,
  );
  return `${lines.join('\n')}\n`;
}

function localDay(ms: number, zone: string): string {
  return format(new TZDate(ms, zone), 'yyyy-MM-dd');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function maxLength(texts: string[]): number {
  return texts.reduce((max, t) => Math.max(max, t.length), 0);
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
