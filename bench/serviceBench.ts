// The SERVICE section: the scheduling service under load, over real HTTP against real API processes and
// a real Redis. The 40-provider generated clinic (seed 1) on tomorrow's date is optimized in a child
// process (`medsched optimize`, a fixed number of rounds), two API processes start on free ports under a
// fresh key prefix, the set-up is PUT and the optimized day is loaded through POST .../appointments.
// Then: slot search on that day under a fixed concurrency (autocannon) and from one connection, against
// the same searches in-process; bookings by concurrent clients racing for the same places, against one
// sequential client, on a second clinic with the same set-up and an empty day; both days read back and
// checked by the independent validator. Everything it made is removed at the end (keys, processes, files).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { holdsCapacity, type Appointment } from '../src/contract/appointment.js';
import type { ClinicSetup } from '../src/contract/clinicSetup.js';
import type { Request } from '../src/contract/instance.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import type { SlotOption } from '../src/contract/slotOption.js';
import { localDateOf } from '../src/booking/dayGrid.js';
import { instanceForDay } from '../src/booking/instanceForDay.js';
import { searchRequestProblems } from '../src/booking/searchRequestProblems.js';
import { searchSlots } from '../src/booking/searchSlots.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import type { StoredAppointment } from '../src/store/storedAppointment.js';
import { validateResult } from '../src/validator/validateResult.js';
import { startApi, type ApiProcess } from '../test/support/apiProcess.js';
import { LOAD } from './config.js';
import { seconds } from './format.js';
import { exitText, runChild } from './replanBench.js';
import { runBookings, type Acknowledged } from './serviceBookings.js';
import { callJson, fire, latencyOf, type Shot } from './serviceLoad.js';
import {
  API_PROCESSES, BASELINE_PASSES, LOAD_CONNECTIONS, SEARCH_CONNECTIONS, SEARCH_K, SEARCH_SECONDS, SERVICE_CLINIC_SEED, SERVICE_DAY_ROUNDS,
  SERVICE_DAY_TIME_LIMIT_S, SERVICE_PROVIDERS, SERVICE_ZONE, SINGLE_SECONDS, type ScheduleCheck, type SearchMeasure, type ServiceOutcome,
} from './serviceTypes.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const HOUR_MS = 3_600_000;
/** Violations shown in the report. */
const EXAMPLES = 8;

type Search = { request: Request; k: number };

/** The clinic-local date after today's there. */
function tomorrow(zone: string): string {
  const [y, m, d] = localDateOf(Date.now(), zone).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The searches, cycled by the load generator: the day's waiting requests, every 8th booked one again (a new id), fresh ones per service. */
function searchesOf(setup: ClinicSetup, requests: Request[], unscheduled: Set<string>, horizonStart: number): { searches: Search[]; mix: SearchMeasure['mix'] } {
  const waiting = requests.filter((r) => unscheduled.has(r.id)).map((request) => ({ request, k: SEARCH_K }));
  const again = requests
    .filter((r) => !unscheduled.has(r.id))
    .filter((_, i) => i % 8 === 0)
    .map((r) => ({ request: { ...r, id: `${r.id}-again` }, k: SEARCH_K }));
  const lateMorning = new Date(horizonStart + 3.5 * HOUR_MS).toISOString();
  const fresh = setup.services.flatMap((service, i): Search[] => {
    const able = service.specialty ? setup.providers.filter((p) => p.specialties.includes(service.specialty!)) : [];
    const base = { patientId: `bench-search-pt-${i}`, serviceId: service.id, urgency: 'routine' as const, preferredProviderIds: [] as string[] };
    return [
      { request: { ...base, id: `bench-search-${i}-plain` }, k: SEARCH_K },
      { request: { ...base, id: `bench-search-${i}-preferred`, urgency: 'urgent', earliestStart: lateMorning, preferredProviderIds: able.slice(-1).map((p) => p.id) }, k: SEARCH_K },
      ...(able.length > 0 ? [{ request: { ...base, id: `bench-search-${i}-required`, providerId: able[i % able.length]!.id }, k: 3 }] : []),
    ];
  });
  return { searches: [...waiting, ...again, ...fresh], mix: { waiting: waiting.length, again: again.length, fresh: fresh.length } };
}

/** The day as the API holds it (every status, holds included), sorted as the store lists it. */
async function readDay(url: string, clinicId: string, date: string): Promise<StoredAppointment[]> {
  const reply = await callJson(url, 'GET', `/clinics/${encodeURIComponent(clinicId)}/schedule?date=${date}&by=room&include=all`);
  if (reply.status !== 200) throw new Error(`GET schedule answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
  const body = reply.body as { groups: { appointments: StoredAppointment[] }[]; unassigned: StoredAppointment[] };
  const byId = new Map<string, StoredAppointment>();
  for (const a of [...body.groups.flatMap((g) => g.appointments), ...body.unassigned]) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/** The route's own work on one search, in this process: the day instance, the request's checks, the search. */
function searchInProcess(setup: ClinicSetup, date: string, day: StoredAppointment[], s: Search) {
  const instance = instanceForDay(setup, date, day, [s.request]);
  const problems = searchRequestProblems(instance, s.request);
  if (problems.length > 0) throw new Error(`search '${s.request.id}' is not searchable:\n${formatProblems(problems)}`);
  return searchSlots(instance, s.request, { k: s.k, notBefore: Date.now() });
}

async function measureSearch(urls: string[], clinicId: string, date: string, setup: ClinicSetup, day: StoredAppointment[], searches: Search[], mix: SearchMeasure['mix'], log: (text: string) => void): Promise<SearchMeasure> {
  const shots: Shot[] = searches.map((s) => ({ method: 'POST', path: `/clinics/${encodeURIComponent(clinicId)}/slots/search`, body: { request: s.request, k: s.k, date } }));
  // Warm both processes (each gets about half the searches), keeping the answers to compare with the in-process ones.
  const warm = await fire(urls, shots, { connections: SEARCH_CONNECTIONS, amount: shots.length, keepAnswers: true });
  const apiOptions = warm.answers.map((a) => (a?.status === 200 ? (JSON.parse(a.body) as { options: SlotOption[] }).options : undefined));
  const refused = warm.answers.map((a, i) => (a && a.status !== 200 ? `${searches[i]!.request.id}: HTTP ${a.status} ${a.body.slice(0, 200)}` : '')).filter(Boolean);
  if (refused.length > 0) throw new Error(`slot search refused ${refused.length} of the searches, e.g. ${refused[0]}`);
  log(`warm … `);

  // The baseline: one untimed pass, then BASELINE_PASSES timed ones, in this process while the API idles.
  const local = searches.map((s) => searchInProcess(setup, date, day, s));
  const times: number[] = [];
  const began = performance.now();
  for (let pass = 0; pass < BASELINE_PASSES; pass++)
    for (const s of searches) {
      const t = performance.now();
      searchInProcess(setup, date, day, s);
      times.push(performance.now() - t);
    }
  const inProcess = { searches: times.length, seconds: (performance.now() - began) / 1000, latency: latencyOf(times) };
  let same = 0;
  let firstDifference: string | undefined;
  local.forEach((result, i) => {
    if (JSON.stringify(result.options) === JSON.stringify(apiOptions[i])) same++;
    else firstDifference ??= `${searches[i]!.request.id}: API ${JSON.stringify(apiOptions[i]).slice(0, 200)} vs in-process ${JSON.stringify(result.options).slice(0, 200)}`;
  });
  log(`in-process p95 ${inProcess.latency.p95.toFixed(1)} ms … `);

  const single = await fire(urls.slice(0, 1), shots, { connections: 1, seconds: SINGLE_SECONDS });
  log(`one connection p95 ${single.run.latency.p95.toFixed(1)} ms … `);
  const timed = await fire(urls, shots, { connections: SEARCH_CONNECTIONS, seconds: SEARCH_SECONDS });
  log(`${SEARCH_CONNECTIONS} connections: ${timed.run.answered} searches, p95 ${timed.run.latency.p95.toFixed(1)} ms\n`);
  return {
    mix,
    http: timed.run,
    single: single.run,
    inProcess,
    withOptions: apiOptions.filter((o) => o !== undefined && o.length > 0).length / searches.length,
    sameOptions: { compared: searches.length, same, ...(firstDifference !== undefined ? { firstDifference } : {}) },
  };
}

const asAppointment = (a: StoredAppointment): Appointment => ({
  id: a.id, requestId: a.requestId, patientId: a.patientId, serviceId: a.serviceId, providerId: a.providerId, roomId: a.roomId,
  start: a.start, end: a.end, equipment: a.equipment, staff: a.staff, status: a.status,
});

/** A day read back (from another API process than most writes went to) against the 201s it got, through the validator. */
async function checkDay(what: string, url: string, clinicId: string, date: string, setup: ClinicSetup, acknowledged: Acknowledged[]): Promise<ScheduleCheck> {
  const began = performance.now();
  const live = (await readDay(url, clinicId, date)).filter((a) => a.hold === undefined && holdsCapacity(a.status));
  const liveIds = new Set(live.map((a) => a.id));
  const instance = instanceForDay(setup, date, [], acknowledged.map((a) => a.request));
  const report = validateResult(instance, { appointments: live.map(asAppointment) });
  const byConstraint: Record<string, number> = {};
  for (const v of report.violations) byConstraint[v.constraint] = (byConstraint[v.constraint] ?? 0) + 1;
  return {
    what,
    clinicId,
    live: live.length,
    expected: acknowledged.length,
    missing: acknowledged.filter((a) => !liveIds.has(a.id)).length,
    byConstraint,
    doubleBookings: report.violations.filter((v) => v.constraint === 4 || v.constraint === 5).length,
    examples: report.violations.slice(0, EXAMPLES).map((v) => `constraint ${v.constraint} at ${v.path}: ${v.message}`),
    checkMs: performance.now() - began,
  };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

/** Runs the whole section; never throws: a failure is the outcome's `error`, after cleaning up. */
export async function runServiceSection(log: (text: string) => void): Promise<ServiceOutcome> {
  const began = performance.now();
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const date = tomorrow(SERVICE_ZONE);
  const outcome: ServiceOutcome = { providers: SERVICE_PROVIDERS, date, apiProcesses: API_PROCESSES, redisUrl, wallMs: 0, problems: [] };
  const prefix = `medsched-bench:service:${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(os.tmpdir(), 'medsched-bench-service-'));
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {}); // reported by the ping below
  const apis: ApiProcess[] = [];
  let step = 'start';
  try {
    step = 'reaching Redis';
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new Error(`no Redis answers at ${redisUrl} (start redis-server, or set REDIS_URL): ${(error as Error).message}`);
    }

    step = 'optimizing the day';
    log(`service, ${SERVICE_PROVIDERS} providers, ${date}: optimizing the day (--max-rounds ${SERVICE_DAY_ROUNDS}) … `);
    const generated = generateClinic({ providers: SERVICE_PROVIDERS, seed: SERVICE_CLINIC_SEED, load: LOAD, date, timezone: SERVICE_ZONE });
    const parsed = parseInstance(generated);
    if (!parsed.ok) throw new Error(`the generated clinic is not valid:\n${formatProblems(parsed.problems)}`);
    const clinic = parsed.value;
    const clinicId = clinic.clinic.id;
    const instanceFile = join(dir, 'clinic.json');
    const dayFile = join(dir, 'day.json');
    writeFileSync(instanceFile, JSON.stringify(generated));
    const exit = await runChild(
      [CLI, 'optimize', instanceFile, '--backend', 'auto', '--seed', String(SERVICE_CLINIC_SEED), '--max-rounds', String(SERVICE_DAY_ROUNDS), '--time-limit', String(SERVICE_DAY_TIME_LIMIT_S), '--out', dayFile],
      (SERVICE_DAY_TIME_LIMIT_S + 30) * 1000,
    );
    if (exit.killed !== null || exit.code !== 0) throw new Error(`medsched optimize: ${exitText(exit)}`);
    const optimized = JSON.parse(readFileSync(dayFile, 'utf8')) as { appointments: Appointment[]; unscheduled: { requestId: string }[] };
    outcome.day = { requests: clinic.requests.length, scheduled: optimized.appointments.length, optimizeMs: exit.wallMs };
    log(`${optimized.appointments.length}/${clinic.requests.length} scheduled, ${seconds(exit.wallMs)} s\n`);

    step = 'starting the API processes';
    log(`service: ${API_PROCESSES} API processes (key prefix ${prefix}) … `);
    const env = { REDIS_URL: redisUrl, MEDSCHED_PREFIX: prefix, READY_REQUIRE_WORKERS: 'false', LOG_LEVEL: 'warn' };
    const started = await Promise.allSettled(Array.from({ length: API_PROCESSES }, () => startApi(env)));
    for (const s of started) if (s.status === 'fulfilled') apis.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const urls = apis.map((a) => a.url);

    step = 'putting the clinic set-up';
    const { version: _version, horizon, requests: _requests, bookings: _bookings, ...setupBody } = generated;
    const put = await callJson(urls[0]!, 'PUT', `/clinics/${encodeURIComponent(clinicId)}`, setupBody);
    if (put.status !== 201) throw new Error(`PUT /clinics/${clinicId} answered ${put.status}: ${JSON.stringify(put.body).slice(0, 500)}`);
    const setup = (put.body as { setup: ClinicSetup }).setup;
    const bookingClinicId = `${clinicId}-bookings`;
    const bookingBody = { ...setupBody, clinic: { ...setupBody.clinic, id: bookingClinicId } };
    const putBooking = await callJson(urls[0]!, 'PUT', `/clinics/${encodeURIComponent(bookingClinicId)}`, bookingBody);
    if (putBooking.status !== 201) throw new Error(`PUT /clinics/${bookingClinicId} answered ${putBooking.status}: ${JSON.stringify(putBooking.body).slice(0, 500)}`);
    const bookingSetup = (putBooking.body as { setup: ClinicSetup }).setup;

    step = 'loading the day';
    const requestsById = new Map(clinic.requests.map((r) => [r.id, r]));
    const loadShots: Shot[] = optimized.appointments.map((a) => ({
      method: 'POST',
      path: `/clinics/${encodeURIComponent(clinicId)}/appointments`,
      body: { request: requestsById.get(a.requestId), providerId: a.providerId, roomId: a.roomId, start: a.start, end: a.end, staff: a.staff, equipment: a.equipment },
    }));
    const loaded = await fire(urls, loadShots, { connections: LOAD_CONNECTIONS, amount: loadShots.length, keepAnswers: true });
    outcome.load = loaded.run;
    const dayAcknowledged = loaded.answers.flatMap((a, i): Acknowledged[] =>
      a?.status === 201 ? [{ id: (JSON.parse(a.body) as { id: string }).id, request: requestsById.get(optimized.appointments[i]!.requestId)! }] : [],
    );
    const refusedLoad = loaded.answers.map((a, i) => (a?.status === 201 ? '' : `${optimized.appointments[i]!.requestId}: ${a ? `HTTP ${a.status} ${a.body.slice(0, 200)}` : 'no answer'}`)).filter(Boolean);
    if (refusedLoad.length > 0) outcome.problems.push(`${refusedLoad.length} of the day's ${loadShots.length} bookings refused, e.g. ${refusedLoad[0]}`);
    log(`day loaded: ${dayAcknowledged.length}/${loadShots.length} booked in ${seconds(1000 * loaded.run.seconds)} s\n`);

    step = 'slot search';
    log('service, slot search: ');
    const day = await readDay(urls[0]!, clinicId, date);
    const { searches, mix } = searchesOf(setup, clinic.requests, new Set(optimized.unscheduled.map((u) => u.requestId)), Date.parse(horizon.start));
    outcome.search = await measureSearch(urls, clinicId, date, setup, day, searches, mix, log);

    step = 'bookings';
    log('service, bookings: ');
    const { measure, acknowledged } = await runBookings(urls, bookingClinicId, date, bookingSetup, Date.parse(horizon.start), log);
    outcome.bookings = measure;

    step = 'checking the days';
    const readFrom = urls[urls.length - 1]!;
    outcome.checks = [
      await checkDay('the loaded day (slot search)', readFrom, clinicId, date, setup, dayAcknowledged),
      await checkDay("the booking clinic's day", readFrom, bookingClinicId, date, bookingSetup, acknowledged),
    ];
    for (const c of outcome.checks)
      log(`service, ${c.clinicId}: read back ${c.live} live (expected ${c.expected}), ${c.missing} missing, ${c.doubleBookings} double bookings, ${Object.values(c.byConstraint).reduce((a, b) => a + b, 0)} violations\n`);
  } catch (error) {
    outcome.error = `${step}: ${error instanceof Error ? error.message : String(error)}`;
    log(`FAILED (${step})\n`);
  } finally {
    const apiExitCodes = await Promise.all(apis.map((a) => a.stop()));
    let keysDeleted = 0;
    try {
      if (redis.status === 'ready') keysDeleted = await deleteKeys(redis, prefix);
    } catch (error) {
      outcome.problems.push(`deleting the keys under ${prefix}: ${(error as Error).message}`);
    }
    outcome.cleanup = { keysDeleted, apiExitCodes };
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
    const crashed = apis.filter((_, i) => apiExitCodes[i] !== 0);
    if (crashed.length > 0) outcome.problems.push(`API process(es) exited with ${apiExitCodes.join(', ')}: ${crashed[0]!.output().slice(-500)}`);
  }
  outcome.wallMs = performance.now() - began;
  return outcome;
}
