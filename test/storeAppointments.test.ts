// The store's writes one by one against the real Redis: status changes and their history, stale
// versions, holds and their expiry, reschedules, plans, set-up changes, requests and idempotency keys;
// and that a refused write leaves everything as it was.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { AppointmentStatus } from '../src/contract/appointment.js';
import {
  abandonIdempotent,
  applyDay,
  beginIdempotent,
  book,
  changeStatus,
  deleteRequest,
  finishIdempotent,
  getAppointment,
  getSetup,
  hold,
  listDay,
  listRequests,
  putRequest,
  requestsScheduledElsewhere,
  putSetup,
  releaseHold,
  reschedule,
  type Store,
} from '../src/store/index.js';
import { clinicKeys } from '../src/store/keys.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { optimize } from '../solver/optimize.js';
import { holdsCapacity } from '../src/contract/appointment.js';
import { instanceForDay } from '../src/booking/instanceForDay.js';
import { validateResult } from '../src/validator/validateResult.js';
import { testRedis } from './support/redis.js';
import { DATE, minutesAt, storeClinic, visit } from './support/storeClinic.js';

const tr = testRedis('storeAppointments');
const other = new Redis(tr.url, { maxRetriesPerRequest: null });
afterAll(async () => {
  other.disconnect();
  await tr.cleanup();
});
const store: Store = { redis: tr.redis, prefix: tr.prefix };
let clinics = 0;

async function newClinic(): Promise<string> {
  const id = `clinic-${clinics++}`;
  expect(await putSetup(store, id, storeClinic(id), null)).toEqual({ ok: true, version: 1 });
  return id;
}

/** Everything the clinic has in Redis, to show that a refused write changed nothing. */
async function snapshot(clinicId: string): Promise<Record<string, unknown>> {
  const keys = (await tr.redis.keys(`${clinicKeys(tr.prefix, clinicId).base}*`)).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const type = await tr.redis.type(k);
    out[k] =
      type === 'hash' ? await tr.redis.hgetall(k) : type === 'set' ? (await tr.redis.smembers(k)).sort() : type === 'zset' ? await tr.redis.zrange(k, '0', '-1', 'WITHSCORES') : await tr.redis.get(k);
  }
  return out;
}

const aVisit = (start = 0, over: Partial<Parameters<typeof visit>[0]> = {}) =>
  visit({ requestId: `req-${start}-${over.patientId ?? 'p1'}`, patientId: 'p1', serviceId: 'visit', roomId: 'exam-1', start, ...over });

async function booked(clinicId: string, start = 0, over: Partial<Parameters<typeof visit>[0]> = {}) {
  const result = await book(store, clinicId, aVisit(start, over), { actor: 'desk-1', reason: 'phone' });
  if (!result.ok) throw new Error(`could not book: ${JSON.stringify(result)}`);
  return result.appointment;
}

describe('status changes', () => {
  it('follow FHIR, each advancing the version by one and recorded with who, when and why', async () => {
    const c = await newClinic();
    const a = await booked(c);
    expect(a.version).toBe(1);
    expect(a.history).toEqual([{ status: 'booked', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), by: 'desk-1', reason: 'phone', action: 'book' }]);
    let version = 1;
    for (const to of ['checked-in', 'in-progress', 'fulfilled'] as const) {
      const r = await changeStatus(store, c, a.id, version, { to, actor: `nurse-${to}`, reason: `now ${to}` });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      version++;
      expect(r.appointment.status).toBe(to);
      expect(r.appointment.version).toBe(version);
      expect(r.appointment.history.at(-1)).toMatchObject({ status: to, by: `nurse-${to}`, reason: `now ${to}`, action: 'status' });
    }
    const stored = await getAppointment(store, c, a.id);
    expect(stored?.history.map((h) => h.status)).toEqual(['booked', 'checked-in', 'in-progress', 'fulfilled']);
    expect((await listDay(store, c, DATE)).version).toBe(4); // the booking and three changes
  });

  it('refuse what FHIR does not allow, and change nothing', async () => {
    const c = await newClinic();
    const cases: [AppointmentStatus[], AppointmentStatus][] = [
      [[], 'fulfilled'],
      [[], 'in-progress'],
      [[], 'booked'],
      [['checked-in'], 'booked'],
      [['checked-in', 'in-progress'], 'cancelled'],
      [['checked-in', 'in-progress'], 'noshow'],
      [['cancelled'], 'booked'],
      [['cancelled'], 'checked-in'],
      [['noshow'], 'cancelled'],
      [['checked-in', 'in-progress', 'fulfilled'], 'cancelled'],
    ];
    let start = 0;
    for (const [path, to] of cases) {
      const a = await booked(c, (start += 20));
      for (const [i, step] of path.entries()) expect((await changeStatus(store, c, a.id, i + 1, { to: step, actor: 'x' })).ok).toBe(true);
      const before = await snapshot(c);
      const from = path.at(-1) ?? 'booked';
      expect(await changeStatus(store, c, a.id, path.length + 1, { to, actor: 'x' })).toEqual({ ok: false, reason: 'invalid-transition', from, to });
      expect(await snapshot(c)).toEqual(before);
    }
  });

  it('on a stale version answer stale with the current appointment', async () => {
    const c = await newClinic();
    const a = await booked(c);
    expect((await changeStatus(store, c, a.id, 1, { to: 'checked-in', actor: 'x' })).ok).toBe(true);
    const before = await snapshot(c);
    const stale = await changeStatus(store, c, a.id, 1, { to: 'cancelled', actor: 'y' });
    expect(stale).toEqual({ ok: false, reason: 'stale', current: await getAppointment(store, c, a.id) });
    expect(stale.ok === false && stale.reason === 'stale' && stale.current.version).toBe(2);
    expect(await snapshot(c)).toEqual(before);
    expect(await changeStatus(store, c, 'a-nobody', 1, { to: 'cancelled', actor: 'y' })).toEqual({ ok: false, reason: 'not-found' });
  });

  it('cancel and no-show free the capacity; check-in keeps it', async () => {
    const c = await newClinic();
    const a = await booked(c, 0);
    expect((await book(store, c, aVisit(0, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(false);
    expect((await changeStatus(store, c, a.id, 1, { to: 'cancelled', actor: 'x', reason: 'patient called' })).ok).toBe(true);
    const b = await booked(c, 0, { patientId: 'p2' });
    expect((await changeStatus(store, c, b.id, 1, { to: 'checked-in', actor: 'x' })).ok).toBe(true);
    expect((await book(store, c, aVisit(0, { patientId: 'p3' }), { actor: 'x' })).ok).toBe(false);
    expect((await changeStatus(store, c, b.id, 2, { to: 'noshow', actor: 'x' })).ok).toBe(true);
    expect((await book(store, c, aVisit(0, { patientId: 'p3' }), { actor: 'x' })).ok).toBe(true);
  });
});

describe('booking', () => {
  it('refuses a collision naming the resources and times, and writes nothing', async () => {
    const c = await newClinic();
    await booked(c, 0);
    const before = await snapshot(c);
    const r = await book(store, c, aVisit(10, { patientId: 'p1', roomId: 'exam-2', providerId: 'dr-b' }), { actor: 'x' });
    expect(r).toEqual({ ok: false, reason: 'conflict', conflicts: [{ resource: 'patient:p1', start: '2026-11-23T08:10:00-06:00', end: '2026-11-23T08:20:00-06:00' }] });
    expect(await snapshot(c)).toEqual(before);
  });

  it('refuses an invalid appointment with its problems, and an unknown clinic', async () => {
    const c = await newClinic();
    const before = await snapshot(c);
    const r = await book(store, c, aVisit(0, { roomId: 'exam-9' }), { actor: 'x' });
    expect(r).toEqual({ ok: false, reason: 'invalid', problems: [{ path: '$.roomId', message: expect.stringMatching(/unknown room 'exam-9'/) }] });
    expect(await snapshot(c)).toEqual(before);
    expect(await book(store, 'no-such-clinic', aVisit(0), { actor: 'x' })).toEqual({ ok: false, reason: 'not-found' });
  });

  it('is one round trip to Redis once the set-up is known', async () => {
    const c = await newClinic();
    await booked(c, 0);
    const counting = new Redis(tr.url, { maxRetriesPerRequest: null });
    try {
      const s: Store = { redis: counting, prefix: tr.prefix };
      expect((await book(s, c, aVisit(30, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(true); // reads the set-up once
      const sent: string[] = [];
      const send = counting.sendCommand.bind(counting);
      counting.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
        sent.push(command.name);
        return (send as (...args: unknown[]) => unknown)(command, ...rest);
      }) as typeof counting.sendCommand;
      expect((await book(s, c, aVisit(60, { patientId: 'p3' }), { actor: 'x' })).ok).toBe(true);
      expect((await book(s, c, aVisit(60, { patientId: 'p4' }), { actor: 'x' })).ok).toBe(false);
      expect(sent).toEqual(['evalsha', 'evalsha']);
    } finally {
      counting.disconnect();
    }
  });

  it('books each request at most once a day', async () => {
    const c = await newClinic();
    await booked(c, 0, { patientId: 'p1' });
    const again = visit({ requestId: 'req-0-p1', patientId: 'p1', serviceId: 'visit', roomId: 'exam-2', providerId: 'dr-b', start: 120 });
    const r = await book(store, c, again, { actor: 'x' });
    expect(r.ok === false && r.reason === 'conflict' && r.conflicts.map((x) => x.resource)).toEqual(['request:req-0-p1']);
  });

  it('uses the set-up as it is now, even when another process changed it after this one read it', async () => {
    const c = await newClinic();
    await booked(c, 0); // this process now has version 1 in its cache
    const fewer = storeClinic(c);
    fewer.equipment = fewer.equipment.map((e) => (e.id === 'pump' ? { ...e, downtime: [{ start: minutesAt(60), end: minutesAt(120), units: 1 }] } : e));
    const elsewhere: Store = { redis: other, prefix: tr.prefix };
    expect(await putSetup(elsewhere, c, fewer, 1)).toEqual({ ok: true, version: 2 });
    // Both pumps at 09:00: free on version 1, but version 2 takes one down then.
    const r = await book(store, c, visit({ requestId: 'dp', patientId: 'p9', serviceId: 'double-pump', providerId: 'dr-b', roomId: 'exam-2', start: 60 }), { actor: 'x' });
    expect(r.ok === false && r.reason === 'conflict' && r.conflicts).toEqual([{ resource: 'equipment:pump', start: minutesAt(60), end: minutesAt(80) }]);
    expect((await getSetup(store, c))?.version).toBe(2);
  });
});

describe('holds', () => {
  it('hold capacity until they expire by Redis time, then give it back', async () => {
    const c = await newClinic();
    const s: Store = { ...store, clockOffsetMs: 0 };
    const h = await hold(s, c, aVisit(0), { caller: 'desk-1', ttlMs: 5 * 60_000, maxHoldsPerCaller: 3 });
    expect(h.ok && h.appointment.hold?.caller).toBe('desk-1');
    if (!h.ok) return;
    expect(h.appointment.version).toBe(1);
    expect((await book(s, c, aVisit(0, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(false);
    expect((await listDay(s, c, DATE)).appointments.map((a) => a.id)).toEqual([h.appointment.id]);
    expect((await listDay(s, c, DATE)).version).toBe(0); // a hold is not a change to the schedule
    s.clockOffsetMs = 5 * 60_000 - 2_000; // still 2 s to go
    expect((await book(s, c, aVisit(0, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(false);
    s.clockOffsetMs = 5 * 60_000;
    expect((await listDay(s, c, DATE)).appointments).toEqual([]);
    expect(await getAppointment(s, c, h.appointment.id)).toBeNull();
    expect((await book(s, c, aVisit(0, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(true);
    expect(await book(s, c, { holdId: h.appointment.id }, { actor: 'x' })).toEqual({ ok: false, reason: 'hold-expired' });
    expect(await releaseHold(s, c, h.appointment.id)).toEqual({ ok: false, reason: 'hold-expired' });
  });

  it('become a booking with the same id, or are released', async () => {
    const c = await newClinic();
    const h = await hold(store, c, aVisit(0), { caller: 'desk-1', ttlMs: 60_000, maxHoldsPerCaller: 3 });
    if (!h.ok) throw new Error('hold');
    const b = await book(store, c, { holdId: h.appointment.id }, { actor: 'desk-1', reason: 'confirmed' });
    expect(b.ok && b.appointment).toMatchObject({ id: h.appointment.id, version: 2, status: 'booked', history: [{ status: 'booked', by: 'desk-1', reason: 'confirmed', action: 'book' }] });
    expect(b.ok && b.appointment.hold).toBeUndefined();
    expect(await book(store, c, { holdId: h.appointment.id }, { actor: 'x' })).toEqual({ ok: false, reason: 'not-found' });
    const h2 = await hold(store, c, aVisit(60), { caller: 'desk-1', ttlMs: 60_000, maxHoldsPerCaller: 3 });
    if (!h2.ok) throw new Error('hold');
    expect((await releaseHold(store, c, h2.appointment.id)).ok).toBe(true);
    expect((await book(store, c, aVisit(60, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(true);
    expect(await book(store, c, { holdId: 'a-never' }, { actor: 'x' })).toEqual({ ok: false, reason: 'not-found' });
  });

  it('are capped per caller', async () => {
    const c = await newClinic();
    const opts = (caller: string) => ({ caller, ttlMs: 60_000, maxHoldsPerCaller: 2 });
    expect((await hold(store, c, aVisit(0), opts('desk-1'))).ok).toBe(true);
    expect((await hold(store, c, aVisit(60), opts('desk-1'))).ok).toBe(true);
    expect(await hold(store, c, aVisit(120), opts('desk-1'))).toEqual({ ok: false, reason: 'too-many-holds' });
    expect((await hold(store, c, aVisit(120), opts('desk-2'))).ok).toBe(true);
  });
});

describe('reschedule', () => {
  it('moves in one step (its staff task moves along), even to another date', async () => {
    const c = await newClinic();
    const a = await booked(c, 60, { serviceId: 'proc', roomId: 'proc-1' });
    // A 20-minute shift onto itself: fine, its own slots do not count against it.
    const shifted = await reschedule(store, c, a.id, 1, { providerId: 'dr-a', roomId: 'proc-1', start: minutesAt(80), end: minutesAt(110) }, { actor: 'desk', reason: 'asked' });
    expect(shifted.ok && shifted.appointment.staff).toEqual([{ staffId: 'nurse-1', skill: 'nursing', start: minutesAt(90), end: minutesAt(100) }]);
    expect(shifted.ok && shifted.appointment.history.at(-1)).toMatchObject({ action: 'reschedule', by: 'desk', reason: 'asked', status: 'booked' });
    const next = await reschedule(store, c, a.id, 2, { providerId: 'dr-a', roomId: 'proc-1', start: '2026-11-24T09:00:00-06:00', end: '2026-11-24T09:30:00-06:00' }, { actor: 'desk' });
    // storeClinic has no availability on the 24th: refused, and nothing moved.
    expect(next.ok === false && next.reason).toBe('invalid');
    expect((await getAppointment(store, c, a.id))?.start).toBe(minutesAt(80));
  });

  it('to another date advances both dates', async () => {
    const c = `clinic-${clinics++}`;
    const two = storeClinic(c);
    const days = [{ start: minutesAt(0), end: '2026-11-24T17:00:00-06:00' }];
    two.providers = two.providers.map((p) => ({ ...p, availability: days }));
    two.rooms = two.rooms.map((r) => ({ ...r, availability: days }));
    expect((await putSetup(store, c, two, null)).ok).toBe(true);
    const a = await booked(c, 0);
    const moved = await reschedule(store, c, a.id, 1, { providerId: 'dr-a', roomId: 'exam-1', start: '2026-11-24T09:00:00-06:00', end: '2026-11-24T09:20:00-06:00' }, { actor: 'desk' });
    expect(moved.ok && moved.appointment.date).toBe('2026-11-24');
    expect(await listDay(store, c, DATE)).toEqual({ version: 2, appointments: [] });
    expect((await listDay(store, c, '2026-11-24')).version).toBe(1);
    expect((await book(store, c, aVisit(0, { patientId: 'p2' }), { actor: 'x' })).ok).toBe(true);
  });

  it('refuses a collision, a stale version and a cancelled appointment, changing nothing', async () => {
    const c = await newClinic();
    const a = await booked(c, 0);
    await booked(c, 60, { patientId: 'p2' });
    const before = await snapshot(c);
    const onto = { providerId: 'dr-a', roomId: 'exam-1', start: minutesAt(70), end: minutesAt(90) };
    const r = await reschedule(store, c, a.id, 1, onto, { actor: 'x' });
    expect(r.ok === false && r.reason === 'conflict' && r.conflicts.map((x) => x.resource).sort()).toEqual(['provider:dr-a', 'room:exam-1']);
    expect(await reschedule(store, c, a.id, 7, onto, { actor: 'x' })).toMatchObject({ ok: false, reason: 'stale', current: { id: a.id, version: 1 } });
    expect(await snapshot(c)).toEqual(before);
    expect((await changeStatus(store, c, a.id, 1, { to: 'cancelled', actor: 'x' })).ok).toBe(true);
    expect(await reschedule(store, c, a.id, 2, { ...onto, start: minutesAt(200), end: minutesAt(220) }, { actor: 'x' })).toEqual({ ok: false, reason: 'invalid-transition', from: 'cancelled', to: 'booked' });
  });
});

describe('a request is one visit', () => {
  it('is held on one date at most: another date refuses it until the first place is cancelled', async () => {
    const id = `clinic-${clinics++}`;
    const setup = storeClinic(id);
    // Dr. A and exam-1 work the next day too.
    const next = (iso: string) => iso.replace(DATE, '2026-11-24');
    const twoDays = {
      ...setup,
      providers: setup.providers.map((p) => (p.id === 'dr-a' ? { ...p, availability: [...p.availability, ...p.availability.map((iv) => ({ start: next(iv.start), end: next(iv.end) }))] } : p)),
      rooms: setup.rooms.map((r) => (r.id === 'exam-1' ? { ...r, availability: [...r.availability, ...r.availability.map((iv) => ({ start: next(iv.start), end: next(iv.end) }))] } : r)),
    };
    expect(await putSetup(store, id, twoDays, null)).toEqual({ ok: true, version: 1 });
    const today = aVisit(0, { requestId: 'req-once' });
    const tomorrow = { ...today, start: next(today.start), end: next(today.end) };
    const first = await book(store, id, today, { actor: 'desk' });
    expect(first.ok).toBe(true);
    expect(await book(store, id, tomorrow, { actor: 'desk' })).toMatchObject({ ok: false, reason: 'conflict', conflicts: [{ resource: 'request:req-once' }] });
    expect(await hold(store, id, tomorrow, { caller: 'desk', ttlMs: 60_000, maxHoldsPerCaller: 5 })).toMatchObject({ ok: false, reason: 'conflict' });
    // A plan for tomorrow may not add it either.
    expect(await applyDay(store, id, '2026-11-24', 0, [tomorrow], { actor: 'optimizer' })).toMatchObject({ ok: false, reason: 'conflict' });
    // Once today's place is cancelled, tomorrow takes it.
    expect((await changeStatus(store, id, first.ok ? first.appointment.id : '', 1, { to: 'cancelled', actor: 'desk' })).ok).toBe(true);
    expect((await book(store, id, tomorrow, { actor: 'desk' })).ok).toBe(true);
  });
});

describe('applyDay', () => {
  it('replaces the live appointments on the version it read, and only on it', async () => {
    const c = await newClinic();
    const a = await booked(c, 0, { patientId: 'p1' });
    const b = await booked(c, 60, { patientId: 'p2' });
    const gone = await booked(c, 120, { patientId: 'p3' });
    const read = await listDay(store, c, DATE);
    expect(read.version).toBe(3);
    const plan = [
      { ...a, status: 'booked' as const }, // unchanged
      { ...aVisit(90, { patientId: 'p2', requestId: b.requestId, roomId: 'exam-2' }), id: b.id, status: 'checked-in' as const },
      aVisit(200, { patientId: 'p4' }),
    ];
    const applied = await applyDay(store, c, DATE, 3, plan, { actor: 'optimizer', reason: 'nightly' });
    expect(applied.ok && applied.version).toBe(4);
    const after = await listDay(store, c, DATE);
    expect(after.version).toBe(4);
    const byId = new Map(after.appointments.map((x) => [x.id, x]));
    expect(byId.get(a.id)?.version).toBe(1);
    expect(byId.get(b.id)).toMatchObject({ version: 2, status: 'checked-in', start: minutesAt(90), roomId: 'exam-2' });
    expect(byId.get(b.id)?.history.at(-1)).toMatchObject({ status: 'checked-in', by: 'optimizer', action: 'plan' });
    expect(byId.get(gone.id)).toMatchObject({ version: 2, status: 'cancelled' });
    expect(after.appointments).toHaveLength(4);
    // The old read is stale now.
    const before = await snapshot(c);
    expect(await applyDay(store, c, DATE, 3, plan, { actor: 'optimizer' })).toEqual({ ok: false, reason: 'stale', version: 4 });
    expect(await snapshot(c)).toEqual(before);
  });

  it("lets a re-plan's plan run a provider past availability, up to the clinic's overtime cap, and only then", async () => {
    const c = await newClinic();
    const a = await booked(c, 0);
    // 11:50-12:10 with Dr. C, whose morning ends at 12:00 (exam-1 stays open: rooms have no overtime).
    const late = [{ ...aVisit(230, { requestId: a.requestId, providerId: 'dr-c' }), id: a.id }];
    const refused = await applyDay(store, c, DATE, 1, late, { actor: 'optimizer' });
    expect(refused).toMatchObject({ ok: false, reason: 'invalid', problems: [expect.objectContaining({ path: expect.stringMatching(/^\$\[0\]/) })] });
    const tooLate = [{ ...aVisit(300, { requestId: a.requestId, providerId: 'dr-c' }), id: a.id }]; // 13:00-13:20: past the 60-minute cap
    expect(await applyDay(store, c, DATE, 1, tooLate, { actor: 're-plan', allowOvertime: true })).toMatchObject({ ok: false, reason: 'invalid' });
    const applied = await applyDay(store, c, DATE, 1, late, { actor: 're-plan', allowOvertime: true });
    expect(applied.ok && applied.version).toBe(2);
    expect((await listDay(store, c, DATE)).appointments.find((x) => x.id === a.id)).toMatchObject({ start: minutesAt(230), providerId: 'dr-c', version: 2 });
  });

  it('refuses a plan that collides with a hold, leaving everything as it was', async () => {
    const c = await newClinic();
    const a = await booked(c, 0);
    expect((await hold(store, c, aVisit(60, { patientId: 'p9' }), { caller: 'desk', ttlMs: 60_000, maxHoldsPerCaller: 5 })).ok).toBe(true);
    const before = await snapshot(c);
    const r = await applyDay(store, c, DATE, 1, [{ ...aVisit(60, { requestId: a.requestId }), id: a.id }], { actor: 'optimizer' });
    expect(r.ok === false && r.reason === 'conflict' && r.conflicts.map((x) => x.resource).sort()).toEqual(['provider:dr-a', 'room:exam-1']);
    expect(await snapshot(c)).toEqual(before);
  });

  it('refuses invalid items with paths into the plan, and unknown ids', async () => {
    const c = await newClinic();
    const a = await booked(c, 0);
    const r = await applyDay(store, c, DATE, 1, [{ ...aVisit(0, { requestId: a.requestId }), id: a.id }, aVisit(60, { roomId: 'exam-9', patientId: 'p7' })], { actor: 'o' });
    expect(r).toEqual({ ok: false, reason: 'invalid', problems: [{ path: '$[1].roomId', message: expect.stringMatching(/unknown room 'exam-9'/) }] });
    expect(await applyDay(store, c, DATE, 1, [{ ...aVisit(0), id: 'a-ghost' }], { actor: 'o' })).toMatchObject({ ok: false, reason: 'invalid', problems: [{ path: '$[0].id' }] });
    const done = await booked(c, 100, { patientId: 'p5' });
    expect((await changeStatus(store, c, done.id, 1, { to: 'checked-in', actor: 'x' })).ok).toBe(true);
    expect(await applyDay(store, c, DATE, 3, [{ ...aVisit(100, { patientId: 'p5', requestId: done.requestId }), id: done.id, status: 'booked' }], { actor: 'o' })).toMatchObject({
      ok: false,
      reason: 'invalid',
      problems: [{ path: '$[0].status', message: "appointment '" + done.id + "' cannot go from 'checked-in' to 'booked'" }],
    });
  });
});

describe('applyDay with the optimizer', () => {
  it("applies the optimizer's plan of the day read (holds and visits under way listed as they are), and nothing collides", async () => {
    const c = await newClinic();
    const a = await booked(c, 0, { patientId: 'p1' });
    const started = await booked(c, 60, { patientId: 'p2', serviceId: 'proc', roomId: 'proc-1' });
    expect((await changeStatus(store, c, started.id, 1, { to: 'checked-in', actor: 'x' })).ok).toBe(true);
    expect((await changeStatus(store, c, started.id, 2, { to: 'in-progress', actor: 'x' })).ok).toBe(true);
    const held = await hold(store, c, aVisit(30, { patientId: 'p3', providerId: 'dr-b' }), { caller: 'desk', ttlMs: 3_600_000, maxHoldsPerCaller: 5 });
    expect(held.ok).toBe(true);
    for (const [i, serviceId] of (['visit', 'proc', 'ecg-test', 'visit', 'double-pump', 'visit'] as const).entries())
      expect((await putRequest(store, c, { id: `w${i}`, patientId: `q${i}`, serviceId, urgency: i % 2 ? 'urgent' : 'routine', preferredProviderIds: [] })).ok).toBe(true);

    const setup = (await getSetup(store, c))!.setup;
    const read = await listDay(store, c, DATE);
    const instance = instanceForDay(setup, DATE, read.appointments, await listRequests(store, c, DATE), { movable: true });
    const result = optimize(instance, { timeLimitMs: 5_000, seed: 1, backend: jsLpSolverBackend, clock: () => Date.now(), maxRounds: 3 });
    expect(result.appointments.length).toBeGreaterThan(read.appointments.length);
    const applied = await applyDay(store, c, DATE, read.version, result.appointments, { actor: 'optimizer', reason: 'nightly' });
    expect(applied.ok, JSON.stringify(applied)).toBe(true);

    const after = await listDay(store, c, DATE);
    expect(after.version).toBe(read.version + 1);
    const live = after.appointments.filter((x) => holdsCapacity(x.status));
    expect(validateResult(instanceForDay(setup, DATE, live, []), { appointments: live }).violations).toEqual([]);
    expect(live.map((x) => x.requestId).sort()).toEqual(result.appointments.map((x) => x.requestId).sort());
    expect(after.appointments.find((x) => x.id === started.id)).toMatchObject({ status: 'in-progress', version: 3 });
    expect(after.appointments.find((x) => x.id === (held.ok ? held.appointment.id : ''))?.hold).toBeDefined();
    expect(after.appointments.find((x) => x.id === a.id)?.status).toBe('booked');
    // On another date, every request placed here (and the hold's) is already scheduled; not on this one.
    const elsewhere = await requestsScheduledElsewhere(store, c, '2026-11-24');
    expect([...elsewhere].sort()).toEqual([...new Set(after.appointments.filter((x) => holdsCapacity(x.status)).map((x) => x.requestId))].sort());
    expect(await requestsScheduledElsewhere(store, c, DATE)).toEqual(new Set());
    // A plan that changes a visit under way is refused.
    const tampered = result.appointments.map((x) => (x.id === started.id ? { ...x, roomId: 'exam-2' } : x));
    expect(await applyDay(store, c, DATE, after.version, tampered, { actor: 'optimizer' })).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('set-up', () => {
  it('is versioned: created once, replaced only on the version read', async () => {
    const c = `clinic-${clinics++}`;
    expect(await getSetup(store, c)).toBeNull();
    expect(await putSetup(store, c, storeClinic(c), null)).toEqual({ ok: true, version: 1 });
    expect(await putSetup(store, c, storeClinic(c), null)).toEqual({ ok: false, reason: 'stale', version: 1 });
    expect(await putSetup(store, c, storeClinic(c), 1)).toEqual({ ok: true, version: 2 });
    expect(await putSetup(store, c, storeClinic(c), 1)).toEqual({ ok: false, reason: 'stale', version: 2 });
    expect((await getSetup(store, c))?.version).toBe(2);
  });

  it('refuses to remove what live appointments use, or to change their grid, until they are gone', async () => {
    const c = await newClinic();
    const a = await booked(c, 60, { serviceId: 'proc', roomId: 'proc-1', staffId: 'nurse-2' });
    const without = storeClinic(c);
    without.rooms = without.rooms.filter((r) => r.id !== 'proc-1');
    without.staff = without.staff.filter((s) => s.id !== 'nurse-2');
    without.services = without.services.filter((s) => s.id !== 'proc');
    const r = await putSetup(store, c, without, 1);
    expect(r.ok === false && r.reason === 'in-use' && r.problems.map((p) => p.path).sort()).toEqual(['$.rooms', '$.services', '$.staff']);
    const elsewhere = storeClinic(c);
    elsewhere.clinic.timezone = 'America/New_York';
    expect(await putSetup(store, c, elsewhere, 1)).toMatchObject({ ok: false, reason: 'in-use', problems: [{ path: '$.slotMinutes', message: expect.stringMatching(/5-minute grid in America\/Chicago/) }] });
    expect((await changeStatus(store, c, a.id, 1, { to: 'cancelled', actor: 'x' })).ok).toBe(true);
    expect(await putSetup(store, c, without, 1)).toEqual({ ok: true, version: 2 });
  });

  it('is checked by the contract rules, for the clinic it is stored as', async () => {
    const bad = storeClinic('x');
    bad.services = [...bad.services, { ...bad.services[0]!, id: 'odd', roomCapability: 'laser' }];
    expect(await putSetup(store, 'x', bad, null)).toEqual({ ok: false, reason: 'invalid', problems: [{ path: '$.services[4].roomCapability', message: "no room has the capability 'laser'" }] });
    expect(await putSetup(store, 'y', storeClinic('x'), null)).toMatchObject({ ok: false, reason: 'invalid', problems: [{ path: '$.clinic.id' }] });
  });
});

describe('requests', () => {
  it('are checked against the set-up, listed by date and deleted', async () => {
    const c = await newClinic();
    const request = { id: 'q1', patientId: 'p1', serviceId: 'visit', urgency: 'routine' as const, preferredProviderIds: [], earliestStart: minutesAt(60), latestEnd: minutesAt(240) };
    expect(await putRequest(store, c, request)).toEqual({ ok: true, request });
    expect(await putRequest(store, c, { ...request, id: 'q2', serviceId: 'nope', minutes: 7 })).toEqual({
      ok: false,
      reason: 'invalid',
      problems: [
        { path: '$.serviceId', message: "unknown service 'nope'" },
        { path: '$.minutes', message: 'duration 7 min is off the 5-minute grid (use a multiple of 5)' },
      ],
    });
    expect(await putRequest(store, 'no-such-clinic', request)).toEqual({ ok: false, reason: 'not-found' });
    expect(await listRequests(store, c, DATE)).toEqual([request]);
    expect(await listRequests(store, c, '2026-11-24')).toEqual([]);
    expect(await deleteRequest(store, c, 'q1')).toBe(true);
    expect(await deleteRequest(store, c, 'q1')).toBe(false);
    expect(await listRequests(store, c)).toEqual([]);
  });
});

describe('idempotency keys', () => {
  it('are new, then in flight, then done with the same answer; another body is a mismatch', async () => {
    const c = await newClinic();
    expect(await beginIdempotent(store, c, 'key-1', 'hash-a')).toEqual({ state: 'new' });
    expect(await beginIdempotent(store, c, 'key-1', 'hash-a')).toEqual({ state: 'in-flight' });
    expect(await beginIdempotent(store, c, 'key-1', 'hash-b')).toEqual({ state: 'mismatch' });
    await finishIdempotent(store, c, 'key-1', 'hash-b', 500, { no: 'not its key' }); // not the holder: ignored
    expect(await beginIdempotent(store, c, 'key-1', 'hash-a')).toEqual({ state: 'in-flight' });
    await finishIdempotent(store, c, 'key-1', 'hash-a', 201, { id: 'a1', version: 1 });
    expect(await beginIdempotent(store, c, 'key-1', 'hash-a')).toEqual({ state: 'done', status: 201, body: { id: 'a1', version: 1 } });
    expect(await beginIdempotent(store, c, 'key-1', 'hash-b')).toEqual({ state: 'mismatch' });
    const ttl = await tr.redis.pttl(clinicKeys(tr.prefix, c).idempotency('key-1'));
    expect(ttl).toBeGreaterThan(23 * 3_600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('can be abandoned while in flight so a retry runs, but not once done', async () => {
    const c = await newClinic();
    expect(await beginIdempotent(store, c, 'k', 'h')).toEqual({ state: 'new' });
    await abandonIdempotent(store, c, 'k', 'other');
    expect(await beginIdempotent(store, c, 'k', 'h')).toEqual({ state: 'in-flight' });
    await abandonIdempotent(store, c, 'k', 'h');
    expect(await beginIdempotent(store, c, 'k', 'h')).toEqual({ state: 'new' });
    await finishIdempotent(store, c, 'k', 'h', 200, 'ok');
    await abandonIdempotent(store, c, 'k', 'h');
    expect(await beginIdempotent(store, c, 'k', 'h')).toEqual({ state: 'done', status: 200, body: 'ok' });
    // In flight lapses on its own if the process died.
    expect(await beginIdempotent(store, c, 'k2', 'h')).toEqual({ state: 'new' });
    const ttl = await tr.redis.pttl(clinicKeys(tr.prefix, c).idempotency('k2'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('answer exactly one of many concurrent claims of a key as new', async () => {
    const c = await newClinic();
    const states = await Promise.all(Array.from({ length: 50 }, (_, i) => beginIdempotent(i % 2 ? store : { redis: other, prefix: tr.prefix }, c, 'race', 'h')));
    expect(states.filter((s) => s.state === 'new')).toHaveLength(1);
    expect(states.filter((s) => s.state === 'in-flight')).toHaveLength(49);
  });
});
