// 200 concurrent bookings of one contested resource through HTTP, split across two API processes:
// exactly one 201, 199 × 409 naming the resource, and exactly one appointment stored. For a provider,
// a room, a staff member, an equipment unit and a patient, each also with partly overlapping times.
// MEDSCHED_RACE_ROUNDS sets how many rounds (default 3, to keep the file well under a minute; each round uses fresh clinics).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listDay } from '../src/store/day.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const ROUNDS = Number(process.env.MEDSCHED_RACE_ROUNDS ?? 3);
const N = 200;
const t = testRedis('api-race');
let apis: ApiProcess[] = [];

beforeAll(async () => {
  apis = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix }), startApi({ MEDSCHED_PREFIX: t.prefix })]);
}, 60_000);
afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop()));
  await t.cleanup();
});

/** Lengths and starts that all contain 09:15-09:30, so every pair overlaps, each pair differently. */
const OVERLAPPING: [string, number][] = [
  ['08:30', 60], ['08:45', 45], ['09:00', 30], ['09:15', 15], ['09:15', 30], ['09:15', 45], ['09:00', 45], ['08:45', 60],
];

type Body = Record<string, unknown>;
type Scenario = { name: string; resource: string; body: (i: number) => Body };

const visit = (i: number, patient: string, extra: Body, service = 'visit', minutes?: number): Body => ({
  request: { patientId: patient, serviceId: service, urgency: 'routine', ...(minutes ? { minutes } : {}) },
  ...extra,
});
const partly = (i: number) => OVERLAPPING[i % OVERLAPPING.length]!;

const SCENARIOS: Scenario[] = [
  { name: 'provider', resource: 'provider:dr-0', body: (i) => visit(i, `p-${i}`, { providerId: 'dr-0', roomId: `room-${i}`, start: at('09:00') }) },
  { name: 'room', resource: 'room:room-0', body: (i) => visit(i, `p-${i}`, { providerId: `dr-${i}`, roomId: 'room-0', start: at('09:00') }) },
  {
    name: 'staff member',
    resource: 'staff:st-0',
    body: (i) => visit(i, `p-${i}`, { providerId: null, roomId: `room-${i}`, start: at('09:00'), staff: [{ staffId: 'st-0' }] }, 'draw'),
  },
  { name: 'equipment unit', resource: 'equipment:ecg', body: (i) => visit(i, `p-${i}`, { providerId: `dr-${i}`, roomId: `room-${i}`, start: at('09:00') }, 'ecg-visit') },
  { name: 'patient', resource: 'patient:p-0', body: (i) => visit(i, 'p-0', { providerId: `dr-${i}`, roomId: `room-${i}`, start: at('09:00') }) },
  {
    name: 'provider, partly overlapping',
    resource: 'provider:dr-0',
    body: (i) => visit(i, `p-${i}`, { providerId: 'dr-0', roomId: `room-${i}`, start: at(partly(i)[0]) }, 'visit', partly(i)[1]),
  },
  {
    name: 'room, partly overlapping',
    resource: 'room:room-0',
    body: (i) => visit(i, `p-${i}`, { providerId: `dr-${i}`, roomId: 'room-0', start: at(partly(i)[0]) }, 'visit', partly(i)[1]),
  },
  {
    name: 'equipment unit, partly overlapping',
    resource: 'equipment:ecg',
    body: (i) => visit(i, `p-${i}`, { providerId: `dr-${i}`, roomId: `room-${i}`, start: at(partly(i)[0]) }, 'ecg-visit', partly(i)[1]),
  },
  {
    name: 'patient, partly overlapping',
    resource: 'patient:p-0',
    body: (i) => visit(i, 'p-0', { providerId: `dr-${i}`, roomId: `room-${i}`, start: at(partly(i)[0]) }, 'visit', partly(i)[1]),
  },
];

it(
  `${N} concurrent bookings of one resource from two API processes: one 201, ${N - 1} × 409, one appointment (${ROUNDS} rounds × ${SCENARIOS.length} resources)`,
  async () => {
    const violations: string[] = [];
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [s, scenario] of SCENARIOS.entries()) {
        const clinicId = `race-${round}-${s}`;
        const created = await call(apis[0]!.url, 'PUT', `/clinics/${clinicId}`, serviceClinic(clinicId, N));
        expect(created.status, created.text).toBe(201);
        const replies = await Promise.all(
          Array.from({ length: N }, (_, i) => call(apis[i % 2]!.url, 'POST', `/clinics/${clinicId}/appointments`, scenario.body(i))),
        );
        const created201 = replies.filter((r) => r.status === 201);
        const conflicts = replies.filter((r) => r.status === 409);
        const other = replies.filter((r) => r.status !== 201 && r.status !== 409);
        const stored = await listDay(t, clinicId, DAY);
        const label = `round ${round}, ${scenario.name}`;
        if (created201.length !== 1) violations.push(`${label}: ${created201.length} × 201`);
        if (conflicts.length !== N - 1) violations.push(`${label}: ${conflicts.length} × 409`);
        if (other.length > 0) violations.push(`${label}: other answers ${other.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join(' | ')}`);
        const unnamed = conflicts.filter((r) => !r.body?.conflicts?.some((c: { resource: string }) => c.resource === scenario.resource));
        if (unnamed.length > 0) violations.push(`${label}: ${unnamed.length} × 409 not naming ${scenario.resource}, e.g. ${unnamed[0]!.text.slice(0, 300)}`);
        if (stored.appointments.length !== 1 || stored.appointments[0]!.id !== created201[0]?.body?.id)
          violations.push(`${label}: stored ${stored.appointments.map((a) => a.id).join(', ')} for the 201 of ${created201.map((r) => r.body?.id).join(', ')}`);
      }
    }
    // The suite never checks speed; this line is for the report (MEDSCHED_RACE_ROUNDS=200).
    console.log(`race: ${ROUNDS} rounds × ${SCENARIOS.length} resources × ${N} bookings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(violations).toEqual([]);
  },
  60_000 + ROUNDS * 20_000,
);
