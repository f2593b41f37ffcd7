// The SERVICE section's bookings: front desks booking at once. Each wave takes fresh requests (new
// patients, cycling over the services) and searches them through the API; each request takes the best
// of its options that no earlier request of the wave took (searched together, they are mostly offered
// the same few places: left as they are, most attempts would collide by accident and the rate would
// count that). Then the waves book through POST .../appointments (direct bookings): each request its
// place, and right beside it in the queue RACERS rival clients (other patients) booking that same place
// and the same patient booking its next option too: the collisions are deliberate. First a sequential
// baseline (one client, the requests' places only), then concurrent waves until the day is full or time.
import { performance } from 'node:perf_hooks';
import type { ClinicSetup } from '../src/contract/clinicSetup.js';
import { MINUTE_MS, formatInZone } from '../src/domain/time.js';
import type { Request } from '../src/contract/instance.js';
import type { SlotOption } from '../src/contract/slotOption.js';
import { seconds } from './format.js';
import { callJson, fire, latencyOf, pool, type Shot } from './serviceLoad.js';
import {
  BOOK_CONNECTIONS, BOOK_SECONDS, BOOKING_K, MAX_WAVES, RACERS, SEQUENTIAL_WAVES, WAVE_REQUESTS,
  type BookingMeasure, type BookingRun, type RaceCounts, type StatusCounts,
} from './serviceTypes.js';

/** A booking the API acknowledged (201): the appointment id it answered and the request it was for. */
export type Acknowledged = { id: string; request: Request };

type Attempt = { request: Request; option: SlotOption };

const HOUR_MS = 3_600_000;
/** Patients ask for any hour of the clinic's day (from opening, 11 hours). */
const HOURS = 11;

/** The fresh requests of one wave: new patients, the services in turn, not before an hour of the day spread over the wave. */
function waveRequests(setup: ClinicSetup, wave: number, opensAt: number): Request[] {
  return Array.from({ length: WAVE_REQUESTS }, (_, i) => {
    const service = setup.services[(wave * WAVE_REQUESTS + i) % setup.services.length]!;
    const earliestStart = formatInZone(opensAt + ((wave + 7 * i) % HOURS) * HOUR_MS, setup.clinic.timezone);
    return { id: `bench-w${wave}-${i}`, patientId: `bench-pt-w${wave}-${i}`, serviceId: service.id, urgency: 'routine', earliestStart, preferredProviderIds: [] };
  });
}

/** Each request's options (searched through the API, outside the timed runs). */
async function searchWave(urls: string[], clinicId: string, date: string, requests: Request[]): Promise<SlotOption[][]> {
  return pool(requests, 8, async (request, i) => {
    const reply = await callJson(urls[i % urls.length]!, 'POST', `/clinics/${encodeURIComponent(clinicId)}/slots/search`, { request, k: BOOKING_K, date });
    if (reply.status !== 200) throw new Error(`slot search for a booking answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
    return (reply.body as { options: SlotOption[] }).options;
  });
}

const bookingShot = (clinicId: string, a: Attempt): Shot => ({
  method: 'POST',
  path: `/clinics/${encodeURIComponent(clinicId)}/appointments`,
  body: {
    request: a.request,
    providerId: a.option.providerId,
    roomId: a.option.roomId,
    start: a.option.start,
    end: a.option.end,
    staff: a.option.staff.map((s) => ({ staffId: s.staffId, skill: s.skill, start: s.start, end: s.end })),
    equipment: a.option.equipment,
  },
});

type Taken = { option: SlotOption; turnoverMs: number };

const overlap = (a: { start: string; end: string }, b: { start: string; end: string }, padA = 0, padB = 0) =>
  Date.parse(a.start) < Date.parse(b.end) + padB && Date.parse(b.start) < Date.parse(a.end) + padA;

/** Would the two places compete for a provider, a room (with its turnover), a staff member or an equipment item? */
function clash(a: Taken, b: Taken): boolean {
  const x = a.option;
  const y = b.option;
  if (x.providerId !== null && x.providerId === y.providerId && overlap(x, y)) return true;
  if (x.roomId === y.roomId && overlap(x, y, a.turnoverMs, b.turnoverMs)) return true;
  if (x.staff.some((s) => y.staff.some((t) => s.staffId === t.staffId && overlap(s, t)))) return true;
  return x.equipment.some((e) => y.equipment.some((f) => e.id === f.id)) && overlap(x, y);
}

/**
 * Each request's place: its best option that no earlier request of the wave took. Racing: with its rivals
 * (other patients, the same place) and the same patient's next option right after it.
 */
function attemptsOf(setup: ClinicSetup, requests: Request[], options: SlotOption[][], racing: boolean): Attempt[] {
  const turnover = new Map(setup.services.map((s) => [s.id, (s.turnoverMinutes ?? 0) * MINUTE_MS]));
  const taken: Taken[] = [];
  return requests.flatMap((request, i) => {
    const mine = options[i]!.map((option) => ({ option, turnoverMs: turnover.get(request.serviceId) ?? 0 }));
    const at = mine.findIndex((o) => !taken.some((t) => clash(o, t)));
    if (at < 0) return [];
    taken.push(mine[at]!);
    const place = mine[at]!.option;
    if (!racing) return [{ request, option: place }];
    const rivals = Array.from({ length: RACERS }, (_, j) => ({
      request: { ...request, id: `${request.id}-rival${j + 1}`, patientId: `${request.patientId}-rival${j + 1}` },
      option: place,
    }));
    const next = mine[at + 1]?.option ?? mine[at - 1]?.option;
    const again = next ? [{ request: { ...request, id: `${request.id}-next` }, option: next }] : [];
    return [{ request, option: place }, ...rivals, ...again];
  });
}

const placeKey = (o: SlotOption) => `${o.providerId ?? '-'}|${o.roomId}|${o.start}`;

type Tally = { statuses: StatusCounts; times: number[]; errors: number; seconds: number; attempts: number; waves: number };

const emptyTally = (): Tally => ({ statuses: {}, times: [], errors: 0, seconds: 0, attempts: 0, waves: 0 });

/** Books the attempts (one request each, as many at once as connections), adding to the tally; the 201s out. */
async function book(urls: string[], clinicId: string, attempts: Attempt[], connections: number, tally: Tally, places: Map<string, number[]>): Promise<Acknowledged[]> {
  const fired = await fire(urls, attempts.map((a) => bookingShot(clinicId, a)), { connections, amount: attempts.length, keepAnswers: true });
  for (const [status, n] of Object.entries(fired.run.statuses)) tally.statuses[status] = (tally.statuses[status] ?? 0) + n;
  tally.times.push(...fired.times);
  tally.errors += fired.run.errors;
  tally.seconds += fired.run.seconds;
  tally.attempts += attempts.length;
  tally.waves++;
  const acknowledged: Acknowledged[] = [];
  attempts.forEach((a, i) => {
    const answer = fired.answers[i];
    const key = placeKey(a.option);
    places.set(key, [...(places.get(key) ?? []), answer?.status ?? 0]);
    if (answer?.status === 201) acknowledged.push({ id: (JSON.parse(answer.body) as { id: string }).id, request: a.request });
  });
  return acknowledged;
}

function bookingRun(t: Tally, connections: number): BookingRun {
  const booked = t.statuses['201'] ?? 0;
  return {
    answered: t.times.length,
    statuses: t.statuses,
    errors: t.errors,
    seconds: t.seconds,
    connections,
    latency: latencyOf(t.times),
    bookedPerSecond: t.seconds > 0 ? booked / t.seconds : NaN,
    attemptsPerSecond: t.seconds > 0 ? t.attempts / t.seconds : NaN,
  };
}

function racesOf(places: Map<string, number[]>): RaceCounts {
  const races = [...places.values()].filter((s) => s.length >= 2);
  const wins = (s: number[]) => s.filter((x) => x === 201).length;
  return {
    groups: races.length,
    oneWinner: races.filter((s) => wins(s) === 1).length,
    noWinner: races.filter((s) => wins(s) === 0).length,
    manyWinners: races.filter((s) => wins(s) > 1).length,
  };
}

/** The sequential baseline, then the concurrent waves; every 201 with its request. */
export async function runBookings(
  urls: string[],
  clinicId: string,
  date: string,
  setup: ClinicSetup,
  /** The day's opening time (epoch ms): requests ask for hours after it. */
  opensAt: number,
  log: (text: string) => void,
): Promise<{ measure: BookingMeasure; acknowledged: Acknowledged[] }> {
  const acknowledged: Acknowledged[] = [];
  const began = performance.now();
  const elapsed = () => seconds(performance.now() - began);
  let wave = 0;

  const sequential = emptyTally();
  for (let w = 0; w < SEQUENTIAL_WAVES; w++, wave++) {
    const requests = waveRequests(setup, wave, opensAt);
    const options = await searchWave(urls, clinicId, date, requests);
    const attempts = attemptsOf(setup, requests, options, false);
    if (attempts.length > 0) acknowledged.push(...(await book(urls.slice(0, 1), clinicId, attempts, 1, sequential, new Map())));
  }
  log(`sequential ${sequential.attempts} attempts, ${sequential.statuses['201'] ?? 0} booked (${elapsed()} s) … `);

  const concurrent = emptyTally();
  const places = new Map<string, number[]>();
  let stoppedBecause = `${MAX_WAVES} waves`;
  for (let w = 0; w < MAX_WAVES; w++, wave++) {
    if (concurrent.seconds >= BOOK_SECONDS) {
      stoppedBecause = `${BOOK_SECONDS} s of booking`;
      break;
    }
    const requests = waveRequests(setup, wave, opensAt);
    const options = await searchWave(urls, clinicId, date, requests);
    const attempts = attemptsOf(setup, requests, options, true);
    if (attempts.length === 0) {
      stoppedBecause = 'no options left';
      break;
    }
    acknowledged.push(...(await book(urls, clinicId, attempts, BOOK_CONNECTIONS, concurrent, places)));
  }
  log(`concurrent ${concurrent.waves} waves, ${concurrent.attempts} attempts, ${concurrent.statuses['201'] ?? 0} booked (${elapsed()} s in all)\n`);

  return {
    measure: {
      sequential: { ...bookingRun(sequential, 1), waves: sequential.waves },
      concurrent: { ...bookingRun(concurrent, BOOK_CONNECTIONS), waves: concurrent.waves, races: racesOf(places), stoppedBecause },
    },
    acknowledged,
  };
}
