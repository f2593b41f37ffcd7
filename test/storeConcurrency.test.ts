// 200 concurrent bookings of one resource-slot over several connections: exactly one wins (two for an
// item with two units), the rest get a conflict naming it, and the store holds exactly the winners.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Appointment } from '../src/contract/appointment.js';
import type { ClinicSetup } from '../src/contract/clinicSetup.js';
import { book, putSetup, listDay, type Store } from '../src/store/index.js';
import { clinicKeys } from '../src/store/keys.js';
import { usageOf } from '../src/booking/usageOf.js';
import { testRedis } from './support/redis.js';
import { DATE, minutesAt, ZONE } from './support/storeClinic.js';

const N = 200;
const ROUNDS = 3;
const CONNECTIONS = 4;
const tr = testRedis('storeConcurrency');
const extra = Array.from({ length: CONNECTIONS - 1 }, () => new Redis(tr.url, { maxRetriesPerRequest: null }));
const stores: Store[] = [tr.redis, ...extra].map((redis) => ({ redis, prefix: tr.prefix }));
afterAll(async () => {
  for (const r of extra) r.disconnect();
  await tr.cleanup();
});

const day = [{ start: minutesAt(0), end: minutesAt(9 * 60) }];
const ids = (p: string) => Array.from({ length: N }, (_, i) => `${p}${i}`);

/** N providers, N rooms and N nurses, so that one test can make exactly one resource shared. */
function wideClinic(id: string): ClinicSetup {
  return {
    clinic: { id, timezone: ZONE },
    slotMinutes: 5,
    providers: ids('dr-').map((p) => ({ id: p, specialties: ['fm'], availability: day })),
    rooms: ids('room-').map((r) => ({ id: r, capabilities: ['exam'], availability: day })),
    staff: ids('nurse-').map((s) => ({ id: s, skills: ['nursing'], availability: day })),
    equipment: [
      { id: 'ecg', count: 1, downtime: [] },
      { id: 'pump', count: 2, downtime: [] },
    ],
    services: [
      { id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam', equipment: [], staffTasks: [], turnoverMinutes: 10, prep: [] },
      { id: 'nursed', minutes: 30, specialty: 'fm', roomCapability: 'exam', equipment: [], staffTasks: [{ skill: 'nursing', offsetMinutes: 10, minutes: 10 }], turnoverMinutes: 0, prep: [] },
      { id: 'ecg', minutes: 30, specialty: 'fm', roomCapability: 'exam', equipment: [{ id: 'ecg', count: 1 }], staffTasks: [], turnoverMinutes: 0, prep: [] },
      { id: 'pump', minutes: 30, specialty: 'fm', roomCapability: 'exam', equipment: [{ id: 'pump', count: 1 }], staffTasks: [], turnoverMinutes: 0, prep: [] },
    ],
    weights: { urgency: { emergency: 1000, urgent: 100, routine: 10 }, preferredProvider: 2, waitPerHour: 0.25 },
    replan: { maxOvertimeMinutes: 60, lateness: { emergency: 10, urgent: 2, routine: 1 }, reassignProvider: 30, changeRoom: 5, bump: { routine: 500, urgent: 2000 }, overtimePerMinute: 2 },
  };
}

type Shape = { service: string; provider: (i: number) => string; room: (i: number) => string; patient: (i: number) => string; start: (i: number) => number; nurse?: (i: number) => string };

function appointment(s: Shape, i: number): Appointment {
  const start = s.start(i);
  const nurse = s.nurse?.(i);
  return {
    requestId: `req-${i}`,
    patientId: s.patient(i),
    serviceId: s.service,
    providerId: s.provider(i),
    roomId: s.room(i),
    start: minutesAt(start),
    end: minutesAt(start + 30),
    equipment: s.service === 'ecg' ? [{ id: 'ecg', count: 1 }] : s.service === 'pump' ? [{ id: 'pump', count: 1 }] : [],
    staff: nurse ? [{ staffId: nurse, skill: 'nursing', start: minutesAt(start + 10), end: minutesAt(start + 20) }] : [],
  };
}

const own = (p: string) => (i: number) => `${p}${i}`;
const shared = (id: string) => () => id;
const at = (minutes: number) => () => minutes;

const CASES: { name: string; shape: Shape; winners: number; resource: string }[] = [
  { name: 'one provider', shape: { service: 'visit', provider: shared('dr-0'), room: own('room-'), patient: own('pt-'), start: at(60) }, winners: 1, resource: 'provider:dr-0' },
  { name: 'one room', shape: { service: 'visit', provider: own('dr-'), room: shared('room-0'), patient: own('pt-'), start: at(60) }, winners: 1, resource: 'room:room-0' },
  {
    name: 'one staff member',
    shape: { service: 'nursed', provider: own('dr-'), room: own('room-'), patient: own('pt-'), start: at(60), nurse: shared('nurse-0') },
    winners: 1,
    resource: 'staff:nurse-0',
  },
  { name: 'an equipment item with one unit', shape: { service: 'ecg', provider: own('dr-'), room: own('room-'), patient: own('pt-'), start: at(60) }, winners: 1, resource: 'equipment:ecg' },
  { name: 'an equipment item with two units', shape: { service: 'pump', provider: own('dr-'), room: own('room-'), patient: own('pt-'), start: at(60) }, winners: 2, resource: 'equipment:pump' },
  { name: 'one patient', shape: { service: 'visit', provider: own('dr-'), room: own('room-'), patient: shared('pt-0'), start: at(60) }, winners: 1, resource: 'patient:pt-0' },
  // Every start in 60..85 overlaps every other 30-minute visit (they all cover 85-90).
  { name: 'one provider, partial overlaps', shape: { service: 'visit', provider: shared('dr-0'), room: own('room-'), patient: own('pt-'), start: (i) => 60 + 5 * (i % 6) }, winners: 1, resource: 'provider:dr-0' },
  {
    name: 'one staff member, partial overlaps of the task',
    shape: { service: 'nursed', provider: own('dr-'), room: own('room-'), patient: own('pt-'), start: (i) => 60 + 5 * (i % 2), nurse: shared('nurse-0') },
    winners: 1,
    resource: 'staff:nurse-0',
  },
  // 30 minutes and 10 of turnover: any two starts within 35 minutes of each other collide in the room.
  { name: 'one room, overlaps within the turnover', shape: { service: 'visit', provider: own('dr-'), room: shared('room-0'), patient: own('pt-'), start: (i) => 60 + 5 * (i % 8) }, winners: 1, resource: 'room:room-0' },
];

describe(`${N} concurrent bookings over ${CONNECTIONS} connections`, () => {
  for (const c of CASES)
    it(`of ${c.name}: exactly ${c.winners} booked, ${N - c.winners} conflicts, ${ROUNDS} rounds`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const clinicId = `wide-${c.name.replace(/\W+/g, '-')}-${round}`;
        const setup = wideClinic(clinicId);
        expect(await putSetup(stores[0]!, clinicId, setup, null)).toEqual({ ok: true, version: 1 });
        const results = await Promise.all(
          Array.from({ length: N }, (_, i) => book(stores[i % CONNECTIONS]!, clinicId, appointment(c.shape, i), { actor: `desk-${i % CONNECTIONS}` })),
        );
        const ok = results.filter((r) => r.ok);
        const conflicts = results.filter((r) => !r.ok && r.reason === 'conflict');
        expect(ok).toHaveLength(c.winners);
        expect(conflicts).toHaveLength(N - c.winners);
        for (const r of conflicts) if (!r.ok && r.reason === 'conflict') expect(r.conflicts.map((x) => x.resource)).toContain(c.resource);

        const stored = await listDay(stores[1]!, clinicId, DATE);
        expect(stored.appointments.map((a) => a.id).sort()).toEqual(ok.map((r) => (r.ok ? r.appointment.id : '')).sort());
        expect(stored.version).toBe(c.winners);
        // The counters are exactly what the stored appointments claim.
        const usage = await tr.redis.hgetall(clinicKeys(tr.prefix, clinicId).usage(DATE));
        const expected = new Map<string, number>();
        for (const a of stored.appointments) for (const u of usageOf(setup, a, DATE)) expected.set(u.field, (expected.get(u.field) ?? 0) + u.units);
        expect(Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Number(v)]))).toEqual(Object.fromEntries(expected));
      }
    });
});
