// The SERVICE section of the report: slot search over HTTP against the same searches in-process, bookings
// by concurrent clients against one sequential client, the day read back and validated; its problems.
import { fixed, ratio, seconds } from './format.js';
import { NO_ANSWER } from './serviceLoad.js';
import {
  BASELINE_PASSES, BOOK_SECONDS, BOOKING_K, LOAD_CONNECTIONS, MAX_WAVES, RACERS, SEARCH_K, SEARCH_P95_TARGET_MS, SERVICE_CLINIC_SEED,
  SERVICE_DAY_ROUNDS, WAVE_REQUESTS, type Latency, type ScheduleCheck, type ServiceOutcome, type StatusCounts,
} from './serviceTypes.js';

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const ms = (n: number) => fixed(n, 1);
const count = (s: StatusCounts, status: string) => s[status] ?? 0;
const total = (s: StatusCounts) => Object.values(s).reduce((a, b) => a + b, 0);
const clip = (t: string) => `\`${t.replace(/`/g, "'").replace(/\|/g, '/').split('\n')[0]!.slice(0, 400)}\``;

/** "3 × HTTP 503, 1 × no answer", or "0". */
function statusText(s: StatusCounts, except: string[]): string {
  const other = Object.entries(s).filter(([status]) => !except.includes(status));
  return other.length === 0 ? '0' : `**${other.map(([status, n]) => `${n} × ${status === NO_ANSWER ? status : `HTTP ${status}`}`).join(', ')}**`;
}

const violationsOf = (c: ScheduleCheck) => Object.values(c.byConstraint).reduce((a, b) => a + b, 0);

/** Why the section's numbers cannot be trusted, as short text; empty when nothing. */
export function serviceTrouble(o: ServiceOutcome): string[] {
  const trouble: string[] = [];
  if (o.error !== undefined) trouble.push(`the section failed (${o.error.split('\n')[0]})`);
  for (const c of o.checks ?? []) {
    if (c.missing > 0) trouble.push(`${c.clinicId}: ${c.missing} acknowledged booking(s) missing`);
    if (c.live !== c.expected) trouble.push(`${c.clinicId}: ${c.live} live appointments read back, ${c.expected} acknowledged`);
    if (violationsOf(c) > 0) trouble.push(`${c.clinicId}: ${violationsOf(c)} validator violation(s)`);
  }
  if ((o.bookings?.concurrent.races.manyWinners ?? 0) > 0) trouble.push(`${o.bookings!.concurrent.races.manyWinners} place(s) booked more than once`);
  return trouble;
}

/** Failures that make the bench exit 1: the section failed, or the schedule check found anything wrong. */
export const serviceFailures = (o: ServiceOutcome | null): number => (o ? serviceTrouble(o).length : 0);

function searchTable(o: ServiceOutcome): string {
  const s = o.search!;
  const h = s.http;
  const one = s.single;
  const p = s.inProcess;
  const latencyRow = (name: string, pick: (l: Latency) => number) =>
    row([name, ms(pick(h.latency)), ms(pick(one.latency)), ms(pick(p.latency)), ratio(pick(h.latency), pick(p.latency)), ratio(pick(one.latency), pick(p.latency))]);
  const httpRate = h.answered / h.seconds;
  const oneRate = one.answered / one.seconds;
  const localRate = p.searches / p.seconds;
  const verdict = h.latency.p95 < SEARCH_P95_TARGET_MS && total(h.statuses) === count(h.statuses, '200') ? 'PASS' : 'FAIL';
  return [
    '### Slot search',
    '',
    `Searches: ${s.mix.waiting} requests the optimized day left waiting, ${s.mix.again} booked requests searched again (every 8th, as a new request of the same patient), ` +
      `${s.mix.fresh} fresh requests (each service: plain; urgent after 10:30 preferring a provider; a required provider), k = ${SEARCH_K} (3 for a required provider): ` +
      `${s.mix.waiting + s.mix.again + s.mix.fresh} distinct bodies, cycled. ${fixed(100 * s.withOptions, 0)}% of them have an option; the API's options equal the in-process ones for ` +
      `${s.sameOptions.same} of ${s.sameOptions.compared}${s.sameOptions.firstDifference ? ` (first difference: ${clip(s.sameOptions.firstDifference)})` : ''}.`,
    '',
    row([
      'slot search', `**HTTP: ${o.apiProcesses} API processes, ${h.connections} connections**, ${seconds(1000 * h.seconds)} s`, `HTTP: 1 API process, 1 connection, ${seconds(1000 * one.seconds)} s`,
      `in-process baseline (${BASELINE_PASSES} passes, one thread)`, `${h.connections} connections ÷ in-process`, '1 connection ÷ in-process',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
    row(['searches timed', String(h.answered), String(one.answered), String(p.searches), '', '']),
    latencyRow('p50 ms', (l) => l.p50),
    latencyRow('p95 ms', (l) => l.p95),
    latencyRow('p99 ms', (l) => l.p99),
    latencyRow('max ms', (l) => l.max),
    latencyRow('mean ms', (l) => l.mean),
    row(['searches/s', fixed(httpRate, 0), fixed(oneRate, 0), fixed(localRate, 0), ratio(httpRate, localRate), ratio(oneRate, localRate)]),
    row(['non-200 answers', statusText(h.statuses, ['200']), statusText(one.statuses, ['200']), '—', '', '']),
    row(['connection errors', h.errors > 0 ? `**${h.errors}**` : '0', one.errors > 0 ? `**${one.errors}**` : '0', '—', '', '']),
    '',
    `Target: slot search p95 < ${SEARCH_P95_TARGET_MS} ms over HTTP (${h.connections} connections): **${verdict}** (p95 ${ms(h.latency.p95)} ms).`,
  ].join('\n');
}

function bookingTable(o: ServiceOutcome): string {
  const b = o.bookings!;
  const c = b.concurrent;
  const q = b.sequential;
  const lat = (l: Latency) => `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.max)}`;
  const r = c.races;
  return [
    '### Bookings',
    '',
    `On a second clinic with the same set-up and an empty day (the loaded day has few places left, so there the rate would count free places). Each wave: ${WAVE_REQUESTS} fresh requests ` +
      `(new patients, the services in turn, each not before an hour of the day spread over the wave) searched through the API (k = ${BOOKING_K}, not timed); each takes the best of its options that no earlier request of the wave took; ` +
      `then direct bookings (POST .../appointments with the option's provider, room, start and staff). Concurrent waves: each request's place, and right beside it in the queue ` +
      `${RACERS} rival clients (other patients) booking that same place and the same patient booking its next option: deliberate collisions. ` +
      `Waves go on until ${BOOK_SECONDS} s of booking, ${MAX_WAVES} waves, or no option is left. Sequential baseline (first): the requests' places only, one client. ` +
      `Rates are per second of load-generator time, first request to last answer (the searches between waves not counted).`,
    '',
    row(['bookings', `concurrent: ${c.connections} connections over ${o.apiProcesses} API processes`, 'sequential: 1 client, 1 connection, 1 API process', 'concurrent ÷ sequential']),
    row(['---', '---:', '---:', '---:']),
    row(['waves', `${c.waves} (stopped: ${c.stoppedBecause})`, String(q.waves), '']),
    row(['attempts', String(total(c.statuses)), String(total(q.statuses)), '']),
    row(['201 booked', String(count(c.statuses, '201')), String(count(q.statuses, '201')), '']),
    row(['409 taken', String(count(c.statuses, '409')), String(count(q.statuses, '409')), '']),
    row(['other answers', statusText(c.statuses, ['201', '409']), statusText(q.statuses, ['201', '409']), '']),
    row(['seconds', seconds(1000 * c.seconds), seconds(1000 * q.seconds), '']),
    row(['**bookings/s** (201s)', `**${fixed(c.bookedPerSecond, 1)}**`, fixed(q.bookedPerSecond, 1), ratio(c.bookedPerSecond, q.bookedPerSecond)]),
    row(['attempts/s', fixed(c.attemptsPerSecond, 1), fixed(q.attemptsPerSecond, 1), ratio(c.attemptsPerSecond, q.attemptsPerSecond)]),
    row(['latency ms p50 / p95 / max', lat(c.latency), lat(q.latency), ratio(c.latency.p95, q.latency.p95)]),
    row(['places two or more attempts went for', `${r.groups}: ${r.oneWinner} with one 201, ${r.noWinner} with none, ${r.manyWinners > 0 ? `**${r.manyWinners} with more than one**` : '0 with more than one'}`, '—', '']),
  ].join('\n');
}

function checkTable(o: ServiceOutcome): string {
  const checks = o.checks!;
  const cells = (f: (c: ScheduleCheck) => string) => checks.map(f);
  const bold = (n: number) => (n > 0 ? `**${n}**` : '0');
  const verdict = serviceTrouble(o).length === 0 && checks.every((c) => c.doubleBookings === 0) ? 'PASS' : 'FAIL';
  const examples = checks.flatMap((c) => c.examples.map((e) => `- ${c.clinicId}: ${clip(e)}`));
  return [
    '### The days read back',
    '',
    'Each day read back with GET .../schedule?include=all from the last API process, and checked by validateResult against every request booked on it.',
    '',
    row(['check', ...cells((c) => `${c.what} (\`${c.clinicId}\`)`)]),
    row(['---', ...cells(() => '---:')]),
    row(['appointments holding capacity read back', ...cells((c) => String(c.live))]),
    row(['bookings acknowledged (201)', ...cells((c) => String(c.expected))]),
    row(['acknowledged bookings missing', ...cells((c) => bold(c.missing))]),
    row([
      'validator violations, all constraints',
      ...cells((c) => (violationsOf(c) > 0 ? `**${violationsOf(c)}** (${Object.entries(c.byConstraint).map(([k, n]) => `${n} of constraint ${k}`).join(', ')})` : '0')),
    ]),
    row(['**double bookings** (constraint 4: provider, room with turnover, staff, equipment units; 5: patient)', ...cells((c) => (c.doubleBookings > 0 ? `**${c.doubleBookings}**` : '**0**'))]),
    row(['check seconds', ...cells((c) => seconds(c.checkMs))]),
    '',
    `Target: 0 double bookings: **${verdict}**.`,
    ...(examples.length > 0 ? ['', 'Violations (first few):', '', ...examples] : []),
  ].join('\n');
}

/** The whole section; `skipped` says why it did not run. */
export function serviceSection(o: ServiceOutcome | null, skipped: string | null): string {
  const title = '## Service';
  if (o === null) return `${title}\n\nNot run: ${skipped ?? 'not asked for'}.`;
  const day = o.day
    ? `${o.day.scheduled}/${o.day.requests} requests scheduled by \`medsched optimize --backend auto --seed ${SERVICE_CLINIC_SEED} --max-rounds ${SERVICE_DAY_ROUNDS}\` in a child process (${seconds(o.day.optimizeMs)} s)`
    : 'not optimized';
  const load = o.load
    ? `loaded as bookings through POST .../appointments over ${LOAD_CONNECTIONS} connections (no collisions): ${count(o.load.statuses, '201')}/${total(o.load.statuses)} booked in ${seconds(1000 * o.load.seconds)} s ` +
      `(${fixed(count(o.load.statuses, '201') / o.load.seconds, 0)}/s, p95 ${ms(o.load.latency.p95)} ms)`
    : 'not loaded';
  const explain =
    `The generated clinic with ${o.providers} providers (seed ${SERVICE_CLINIC_SEED}, load 1.1) on ${o.date}, tomorrow in the clinic's zone (the API offers nothing that starts before now): ` +
    `${day}; ${load}. ${o.apiProcesses} API processes (\`src/api/main.ts\`, each on a free port, READY_REQUIRE_WORKERS=false) share the Redis at ${o.redisUrl} under a fresh key prefix, ` +
    `deleted afterwards${o.cleanup && o.cleanup.apiExitCodes.length > 0 ? ` (${o.cleanup.keysDeleted} keys; API exit codes ${o.cleanup.apiExitCodes.join(', ')})` : ''}. ` +
    `Load generator: autocannon in the bench process, keep-alive connections spread evenly over the API processes, each sending its next request when the last is answered; ` +
    `every response time is kept (percentiles nearest-rank over all of them). The machine's other load shares the cores with both sides. Section wall time ${seconds(o.wallMs)} s.`;
  const parts = [title, explain];
  if (o.search) parts.push(searchTable(o));
  if (o.bookings) parts.push(bookingTable(o));
  if (o.checks) parts.push(checkTable(o));
  const item = (lead: string, text: string) => `- ${lead}${text.split('\n').filter(Boolean).slice(0, 6).map((l, i) => (i === 0 ? clip(l) : `\n  - ${clip(l)}`)).join('')}`;
  const problems = [...(o.error !== undefined ? [item('**FAILED** while ', o.error)] : []), ...o.problems.map((p) => item('', p))];
  if (problems.length > 0) parts.push(['### Service problems', '', ...problems].join('\n'));
  return parts.join('\n\n');
}
