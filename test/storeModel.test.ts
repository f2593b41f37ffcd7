// Model-based test of the store: random sequences of slot searches (booking the best option found),
// holds, bookings (from a hold and direct),
// releases, cancellations and other status changes, reschedules, clock jumps that expire holds, and
// plans applied on the right or a stale version, run against the real Redis and an in-memory model.
// The model predicts each answer with the contract's validator (an independent judge of collisions),
// and after every command: the stored day equals the model's, no two live appointments collide on any
// resource, the usage counters are exactly what the live appointments claim, versions are as counted.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { holdsCapacity, type Appointment, type AppointmentStatus } from '../src/contract/appointment.js';
import { instanceForDay } from '../src/booking/instanceForDay.js';
import { appointmentFromOption } from '../src/booking/appointmentFromOption.js';
import { placementProblems } from '../src/booking/placementProblems.js';
import { searchSlots } from '../src/booking/searchSlots.js';
import type { Request } from '../src/contract/instance.js';
import { canTransition } from '../src/booking/statusTransitions.js';
import { usageOf } from '../src/booking/usageOf.js';
import { validateResult } from '../src/validator/validateResult.js';
import { placementJson } from '../src/store/appointmentRecord.js';
import { clinicKeys } from '../src/store/keys.js';
import {
  applyDay,
  book,
  changeStatus,
  hold,
  listDay,
  putSetup,
  releaseHold,
  reschedule,
  sweepHolds,
  type Store,
} from '../src/store/index.js';
import { testRedis } from './support/redis.js';
import { DATE, storeClinic, visit, type Visit } from './support/storeClinic.js';

const tr = testRedis('storeModel');
afterAll(() => tr.cleanup());

/** desk-1 may hold two at once, desk-2 one. */
const MAX_HOLDS: Record<string, number> = { 'desk-1': 2, 'desk-2': 1 };
const MINUTE = 60_000;

type ModelAppt = {
  id: string;
  appt: Appointment;
  status: AppointmentStatus;
  version: number;
  hold?: { caller: string; bornAt: number; ttl: number };
};
type Model = {
  setup: ReturnType<typeof storeClinic>;
  appts: Map<string, ModelAppt>;
  expired: Set<string>;
  /** virtual minutes since the run began */
  clock: number;
  dayVersion: number;
  fresh: number;
};
type Real = { store: Store; clinicId: string };

// ---- what the model expects ----

const live = (m: Model) => [...m.appts.values()].filter((a) => holdsCapacity(a.status));
const asStored = (a: ModelAppt): Appointment => ({ ...a.appt, id: a.id, status: a.status });

/** The validator's verdict on a set of live appointments: any violation is a collision. */
function collides(m: Model, appointments: Appointment[]): boolean {
  const instance = instanceForDay(m.setup, DATE, appointments, []);
  return validateResult(instance, { appointments }).violations.length > 0;
}

type Placement = Omit<Visit, 'requestId'> & { request: string | null };

function appointmentOf(m: Model, p: Placement): Appointment {
  const rooms = ROOMS[p.serviceId]!;
  const roomId = p.roomId === 'fitting' ? rooms[m.fresh % rooms.length]! : p.roomId;
  return visit({ ...p, roomId, requestId: p.request ?? `fresh-${m.fresh++}` });
}

// Mostly a room the service can use (proc needs proc-1), sometimes any room.
const ROOMS: Record<string, string[]> = { visit: ['exam-1', 'exam-2', 'proc-1'], proc: ['proc-1'], 'ecg-test': ['exam-1', 'exam-2'], 'double-pump': ['exam-1', 'proc-1'] };
const placementArb: fc.Arbitrary<Placement> = fc.record({
  serviceId: fc.constantFrom('visit', 'proc', 'ecg-test', 'double-pump'),
  providerId: fc.constantFrom('dr-a', 'dr-b', 'dr-c'),
  roomId: fc.constantFrom('exam-1', 'exam-2', 'proc-1', 'fitting'),
  patientId: fc.constantFrom('p1', 'p2', 'p3'),
  // Mostly a busy morning hour; then dr-c's and proc-1's edges at noon, the pump's and the ECG's downtime, the evening.
  start: fc.constantFrom(0, 0, 10, 20, 20, 30, 45, 230, 235, 300, 420, 530),
  staffId: fc.constantFrom('nurse-1', 'nurse-2'),
  request: fc.option(fc.constantFrom('shared-1', 'shared-2'), { freq: 5 }),
});

// ---- the checks after every command ----

async function checkInvariants(m: Model, r: Real): Promise<void> {
  const day = await listDay(r.store, r.clinicId, DATE);
  expect(day.version).toBe(m.dayVersion);
  const expected = [...m.appts.values()].sort((a, b) => a.id.localeCompare(b.id));
  const got = [...day.appointments].sort((a, b) => a.id.localeCompare(b.id));
  expect(got.map((a) => [a.id, a.status, a.version, a.hold !== undefined, placementJson(a)])).toEqual(
    expected.map((a) => [a.id, a.status, a.version, a.hold !== undefined, placementJson(a.appt)]),
  );
  for (const a of got) expect(a.history.filter((h) => h.action === 'status').length).toBeLessThanOrEqual(a.version);

  const holding = got.filter((a) => holdsCapacity(a.status));
  const instance = instanceForDay(m.setup, DATE, holding, []);
  expect(validateResult(instance, { appointments: holding }).violations).toEqual([]);

  const usage = await r.store.redis.hgetall(clinicKeys(r.store.prefix, r.clinicId).usage(DATE));
  const claimed = new Map<string, number>();
  for (const a of holding) for (const u of usageOf(m.setup, a, DATE)) claimed.set(u.field, (claimed.get(u.field) ?? 0) + u.units);
  expect(Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Number(v)]))).toEqual(Object.fromEntries(claimed));
}

// ---- commands ----

type Cmd = fc.AsyncCommand<Model, Real>;

/** How often each command met each outcome, so the test can show it reached them all. */
const seen = new Map<string, number>();
const note = (what: string, outcome: string) => seen.set(`${what}:${outcome}`, (seen.get(`${what}:${outcome}`) ?? 0) + 1);
const always = () => true;

class HoldCmd implements Cmd {
  constructor(readonly p: Placement, readonly caller: string, readonly ttl: number) {}
  check = always;
  async run(m: Model, r: Real) {
    const appt = appointmentOf(m, this.p);
    const result = await hold(r.store, r.clinicId, appt, { caller: this.caller, ttlMs: this.ttl * MINUTE, maxHoldsPerCaller: MAX_HOLDS[this.caller]! });
    note('hold', result.ok ? 'ok' : result.reason);
    if (placementProblems(m.setup, appt).length > 0) expect(result.ok ? 'ok' : result.reason).toBe('invalid');
    else if ([...m.appts.values()].filter((a) => a.hold?.caller === this.caller).length >= MAX_HOLDS[this.caller]!)
      expect(result.ok ? 'ok' : result.reason).toBe('too-many-holds');
    else if (collides(m, [...live(m).map(asStored), appt])) expect(result.ok ? 'ok' : result.reason).toBe('conflict');
    else {
      expect(result.ok ? 'ok' : result.reason).toBe('ok');
      if (!result.ok) return;
      expect(result.appointment.version).toBe(1);
      expect(result.appointment.history).toEqual([]);
      m.appts.set(result.appointment.id, { id: result.appointment.id, appt, status: 'booked', version: 1, hold: { caller: this.caller, bornAt: m.clock, ttl: this.ttl } });
    }
    await checkInvariants(m, r);
  }
  toString = () => `hold(${JSON.stringify(this.p)}, ${this.caller}, ${this.ttl} min)`;
}

class BookCmd implements Cmd {
  constructor(readonly p: Placement) {}
  check = always;
  async run(m: Model, r: Real) {
    const appt = appointmentOf(m, this.p);
    const result = await book(r.store, r.clinicId, appt, { actor: 'desk', reason: 'phone call' });
    note('book', result.ok ? 'ok' : result.reason);
    if (placementProblems(m.setup, appt).length > 0) expect(result.ok ? 'ok' : result.reason).toBe('invalid');
    else if (collides(m, [...live(m).map(asStored), appt])) expect(result.ok ? 'ok' : result.reason).toBe('conflict');
    else {
      expect(result.ok ? 'ok' : result.reason).toBe('ok');
      if (!result.ok) return;
      expect(result.appointment.version).toBe(1);
      expect(result.appointment.history).toMatchObject([{ status: 'booked', by: 'desk', reason: 'phone call', action: 'book' }]);
      m.appts.set(result.appointment.id, { id: result.appointment.id, appt, status: 'booked', version: 1 });
      m.dayVersion++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `book(${JSON.stringify(this.p)})`;
}

/** A patient asks for a service: slot search on the stored day, and its best option is booked. */
class SearchBookCmd implements Cmd {
  constructor(readonly serviceId: string, readonly patientId: string) {}
  check = always;
  async run(m: Model, r: Real) {
    const request: Request = { id: `sought-${m.fresh++}`, patientId: this.patientId, serviceId: this.serviceId, urgency: 'routine', preferredProviderIds: [] };
    const day = await listDay(r.store, r.clinicId, DATE);
    const holding = day.appointments.filter((a) => holdsCapacity(a.status));
    const found = searchSlots(instanceForDay(m.setup, DATE, holding, [request]), request, { k: 3 });
    const best = found.options[0];
    if (!best) {
      note('search', 'none');
      expect(found.reasons.length).toBeGreaterThan(0);
      return;
    }
    // What the search offers is free: the model sees no collision, and the store books it.
    const appt = appointmentFromOption(request, best);
    expect(collides(m, [...live(m).map(asStored), appt])).toBe(false);
    const result = await book(r.store, r.clinicId, appt, { actor: 'desk', reason: 'searched', request });
    note('search', result.ok ? 'booked' : result.reason);
    expect(result.ok ? 'ok' : result.reason).toBe('ok');
    if (!result.ok) return;
    m.appts.set(result.appointment.id, { id: result.appointment.id, appt, status: 'booked', version: 1 });
    m.dayVersion++;
    await checkInvariants(m, r);
  }
  toString = () => `searchAndBook(${this.serviceId}, ${this.patientId})`;
}

/** Picks the k-th of a list, or an id nobody has when the list is empty. */
function pick<T extends { id: string }>(list: T[], k: number): string {
  return list.length === 0 ? 'a-none' : list[k % list.length]!.id;
}

class BookHoldCmd implements Cmd {
  constructor(readonly k: number, readonly fromExpired: boolean) {}
  check = always;
  async run(m: Model, r: Real) {
    const id = this.fromExpired && m.expired.size > 0 ? [...m.expired][this.k % m.expired.size]! : pick([...m.appts.values()].filter((a) => a.hold), this.k);
    const result = await book(r.store, r.clinicId, { holdId: id }, { actor: 'desk' });
    note('bookHold', result.ok ? 'ok' : result.reason);
    const held = m.appts.get(id);
    if (m.expired.has(id)) expect(result.ok ? 'ok' : result.reason).toBe('hold-expired');
    else if (!held?.hold) expect(result.ok ? 'ok' : result.reason).toBe('not-found');
    else {
      expect(result.ok ? 'ok' : result.reason).toBe('ok');
      expect(result.ok && result.appointment.id).toBe(id);
      delete held.hold;
      held.version++;
      m.dayVersion++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `bookHold(#${this.k}${this.fromExpired ? ', an expired one' : ''})`;
}

class ReleaseHoldCmd implements Cmd {
  constructor(readonly k: number) {}
  check = always;
  async run(m: Model, r: Real) {
    const id = pick([...m.appts.values()].filter((a) => a.hold), this.k);
    const result = await releaseHold(r.store, r.clinicId, id);
    note('releaseHold', result.ok ? 'ok' : result.reason);
    if (!m.appts.get(id)?.hold) expect(result.ok ? 'ok' : result.reason).toBe('not-found');
    else {
      expect(result.ok ? 'ok' : result.reason).toBe('ok');
      m.appts.delete(id);
    }
    await checkInvariants(m, r);
  }
  toString = () => `releaseHold(#${this.k})`;
}

class StatusCmd implements Cmd {
  constructor(readonly k: number, readonly to: AppointmentStatus, readonly stale: boolean) {}
  check = always;
  async run(m: Model, r: Real) {
    const target = m.appts.get(pick([...m.appts.values()].filter((a) => !a.hold), this.k));
    const version = (target?.version ?? 1) - (this.stale ? 1 : 0);
    const result = await changeStatus(r.store, r.clinicId, target?.id ?? 'a-none', version, { to: this.to, actor: 'nurse', reason: 'at the desk' });
    note('status', result.ok ? 'ok' : result.reason);
    if (!target) expect(result.ok ? 'ok' : result.reason).toBe('not-found');
    else if (this.stale) {
      expect(result.ok ? 'ok' : result.reason).toBe('stale');
      if (!result.ok && result.reason === 'stale') expect(result.current.version).toBe(target.version);
    } else if (!canTransition(target.status, this.to)) {
      expect(result).toEqual({ ok: false, reason: 'invalid-transition', from: target.status, to: this.to });
    } else {
      expect(result.ok ? 'ok' : result.reason).toBe('ok');
      if (result.ok) expect(result.appointment.history.at(-1)).toMatchObject({ status: this.to, by: 'nurse', reason: 'at the desk', action: 'status' });
      target.status = this.to;
      target.version++;
      m.dayVersion++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `status(#${this.k} → ${this.to}${this.stale ? ', stale' : ''})`;
}

class RescheduleCmd implements Cmd {
  constructor(readonly k: number, readonly p: Pick<Placement, 'providerId' | 'roomId' | 'start'>, readonly stale: boolean) {}
  check = always;
  async run(m: Model, r: Real) {
    const target = m.appts.get(pick([...m.appts.values()].filter((a) => !a.hold), this.k));
    const version = (target?.version ?? 1) - (this.stale ? 1 : 0);
    const moved = target
      ? visit({ requestId: target.appt.requestId, patientId: target.appt.patientId, serviceId: target.appt.serviceId as Visit['serviceId'], providerId: this.p.providerId, roomId: this.p.roomId, start: this.p.start, staffId: target.appt.staff[0]?.staffId })
      : undefined;
    const placement = moved ?? visit({ requestId: 'x', patientId: 'x', serviceId: 'visit', roomId: 'exam-1', start: 0 });
    const result = await reschedule(r.store, r.clinicId, target?.id ?? 'a-none', version, { providerId: placement.providerId, roomId: placement.roomId, start: placement.start, end: placement.end }, { actor: 'desk' });
    const outcome = result.ok ? 'ok' : result.reason;
    note('reschedule', outcome);
    if (!target || !moved) expect(outcome).toBe('not-found');
    else if (this.stale) expect(outcome).toBe('stale');
    else if (target.status !== 'booked') expect(result).toEqual({ ok: false, reason: 'invalid-transition', from: target.status, to: 'booked' });
    else if (placementProblems(m.setup, moved).length > 0) expect(outcome).toBe('invalid');
    else if (collides(m, [...live(m).filter((a) => a.id !== target.id).map(asStored), moved])) expect(outcome).toBe('conflict');
    else {
      expect(outcome).toBe('ok');
      target.appt = moved;
      target.version++;
      m.dayVersion++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `reschedule(#${this.k} to ${JSON.stringify(this.p)}${this.stale ? ', stale' : ''})`;
}

class AdvanceClockCmd implements Cmd {
  constructor(readonly minutes: number) {}
  check = always;
  async run(m: Model, r: Real) {
    m.clock += this.minutes;
    r.store.clockOffsetMs = m.clock * MINUTE;
    let due = 0;
    for (const a of [...m.appts.values()])
      if (a.hold && m.clock - a.hold.bornAt >= a.hold.ttl) {
        m.appts.delete(a.id);
        m.expired.add(a.id);
        due++;
      }
    // Reads leave expired holds out at once; the sweep gives their counters back, as any write would.
    const day = await listDay(r.store, r.clinicId, DATE);
    expect(day.appointments.filter((a) => a.hold).length).toBe([...m.appts.values()].filter((a) => a.hold).length);
    expect(await sweepHolds(r.store, r.clinicId)).toBe(due);
    if (due > 0) note('expire', 'ok');
    await checkInvariants(m, r);
  }
  toString = () => `advanceClock(${this.minutes} min)`;
}

type PlanStep = { action: 'keep' | 'move' | 'cancel' | 'omit'; start: number; roomId: string };

class ApplyDayCmd implements Cmd {
  constructor(readonly steps: PlanStep[], readonly added: Placement[], readonly stale: boolean) {}
  check = always;
  async run(m: Model, r: Real) {
    const replaced = [...m.appts.values()].filter((a) => !a.hold && (a.status === 'booked' || a.status === 'checked-in'));
    const items: { appt: Appointment; from?: ModelAppt }[] = [];
    replaced.forEach((a, i) => {
      const step = this.steps[i % Math.max(1, this.steps.length)] ?? { action: 'keep', start: 0, roomId: 'exam-1' };
      if (step.action === 'omit') return;
      if (step.action === 'cancel') items.push({ appt: { ...a.appt, id: a.id, status: 'cancelled' }, from: a });
      else if (step.action === 'keep') items.push({ appt: { ...a.appt, id: a.id, status: a.status }, from: a });
      else {
        const moved = visit({ requestId: a.appt.requestId, patientId: a.appt.patientId, serviceId: a.appt.serviceId as Visit['serviceId'], providerId: a.appt.providerId ?? undefined, roomId: step.roomId, start: step.start, staffId: a.appt.staff[0]?.staffId });
        items.push({ appt: { ...moved, id: a.id, status: a.status }, from: a });
      }
    });
    for (const p of this.added) items.push({ appt: { ...appointmentOf(m, p), status: 'booked' } });
    const expectedVersion = m.dayVersion - (this.stale ? 1 : 0);
    const result = await applyDay(r.store, r.clinicId, DATE, expectedVersion, items.map((x) => x.appt), { actor: 'optimizer', reason: 'nightly plan' });

    const planned = items.filter((x) => holdsCapacity(x.appt.status));
    const outcome = result.ok ? 'ok' : result.reason;
    note('applyDay', outcome);
    const stays = live(m).filter((a) => !replaced.includes(a)).map(asStored);
    if (planned.some((x) => placementProblems(m.setup, x.appt, { date: DATE }).length > 0)) expect(outcome).toBe('invalid');
    else if (this.stale) expect(result).toEqual({ ok: false, reason: 'stale', version: m.dayVersion });
    else if (collides(m, [...stays, ...planned.map((x) => x.appt)])) expect(outcome).toBe('conflict');
    else {
      expect(outcome).toBe('ok');
      if (!result.ok) return;
      expect(result.version).toBe(m.dayVersion + 1);
      m.dayVersion++;
      const given = new Set(items.filter((x) => x.from).map((x) => x.from!.id));
      for (const a of replaced)
        if (!given.has(a.id)) {
          a.status = 'cancelled';
          a.version++;
        }
      const fresh = result.appointments.filter((s) => !m.appts.has(s.id));
      expect(fresh).toHaveLength(items.filter((x) => !x.from).length);
      for (const x of items) {
        if (x.from) {
          const before = x.from;
          const status = x.appt.status!;
          if (placementJson(x.appt) !== placementJson(before.appt) && holdsCapacity(status)) {
            before.appt = { ...x.appt, id: undefined, status: undefined };
            before.version++;
          } else if (status !== before.status) before.version++;
          before.status = status;
        }
      }
      items.filter((x) => !x.from).forEach((x, i) => {
        const stored = fresh[i]!;
        m.appts.set(stored.id, { id: stored.id, appt: { ...x.appt, status: undefined }, status: 'booked', version: 1 });
      });
    }
    await checkInvariants(m, r);
  }
  toString = () => `applyDay(${JSON.stringify(this.steps)}, +${JSON.stringify(this.added)}${this.stale ? ', stale' : ''})`;
}

// Moves mostly into the busy morning, where they may collide.
const moveArb = fc.record({ providerId: fc.constantFrom('dr-a', 'dr-b', 'dr-c'), roomId: fc.constantFrom('exam-1', 'proc-1', 'proc-1'), start: fc.constantFrom(0, 10, 20, 30, 235, 530) });
const rescheduleArb = fc
  .tuple(fc.nat(20), moveArb, fc.boolean())
  .map(([k, p, s]) => new RescheduleCmd(k, p, s));
const statusArb = fc
  .tuple(fc.nat(20), fc.constantFrom<AppointmentStatus>('cancelled', 'checked-in', 'checked-in', 'in-progress', 'fulfilled', 'noshow', 'booked'), fc.boolean())
  .map(([k, to, s]) => new StatusCmd(k, to, s));
const holdArb = fc.tuple(placementArb, fc.constantFrom('desk-1', 'desk-2'), fc.constantFrom(5, 5, 15)).map(([p, c, t]) => new HoldCmd(p, c, t));
const bookArb = placementArb.map((p) => new BookCmd(p));
// Repeated entries weigh the draw: holds and bookings first fill the day the other commands work on.
const searchArb = fc.tuple(fc.constantFrom('visit', 'proc', 'ecg-test', 'double-pump'), fc.constantFrom('p1', 'p2', 'p3', 'p4')).map(([svc, p]) => new SearchBookCmd(svc, p));
const commands = [
  searchArb,
  searchArb,
  holdArb,
  holdArb,
  bookArb,
  bookArb,
  bookArb,
  fc.tuple(fc.nat(20), fc.boolean()).map(([k, e]) => new BookHoldCmd(k, e)),
  fc.tuple(fc.nat(20), fc.boolean()).map(([k, e]) => new BookHoldCmd(k, e)),
  fc.nat(20).map((k) => new ReleaseHoldCmd(k)),
  statusArb,
  statusArb,
  rescheduleArb,
  rescheduleArb,
  rescheduleArb,
  fc.constantFrom(1, 4, 5, 10, 14, 15).map((n) => new AdvanceClockCmd(n)),
  fc.constantFrom(5, 15).map((n) => new AdvanceClockCmd(n)),
  fc
    .tuple(
      fc.array(fc.record({ action: fc.constantFrom<PlanStep['action']>('keep', 'keep', 'move', 'cancel', 'omit'), start: fc.constantFrom(0, 10, 20, 60, 90, 120), roomId: fc.constantFrom('exam-1', 'exam-2', 'proc-1') }), { maxLength: 4 }),
      fc.array(placementArb, { maxLength: 2 }),
      fc.boolean(),
    )
    .map(([steps, added, stale]) => new ApplyDayCmd(steps, added, stale)),
];

let runs = 0;

describe('the store against an in-memory model', () => {
  it('1,000 random command sequences: predicted answers, searches offer only what books, no collisions, exact counters and versions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12, size: 'medium' }), async (cmds) => {
        const clinicId = `model-${runs++}`;
        const setup = storeClinic(clinicId);
        const store: Store = { redis: tr.redis, prefix: tr.prefix, clockOffsetMs: 0 };
        expect(await putSetup(store, clinicId, setup, null)).toEqual({ ok: true, version: 1 });
        const model: Model = { setup, appts: new Map(), expired: new Set(), clock: 0, dayVersion: 0, fresh: 0 };
        await fc.asyncModelRun(() => ({ model, real: { store, clinicId } }), cmds);
      }),
      { numRuns: 1000 },
    );
    expect(runs).toBeGreaterThanOrEqual(1000);
    // Every outcome the commands can meet was met (the rarest about ten times in a thousand runs).
    const outcomes = ['search:booked', 'hold:ok', 'hold:conflict', 'hold:invalid', 'hold:too-many-holds', 'book:ok', 'book:conflict', 'book:invalid', 'bookHold:ok', 'bookHold:hold-expired', 'bookHold:not-found', 'releaseHold:ok', 'status:ok', 'status:stale', 'status:invalid-transition', 'reschedule:ok', 'reschedule:conflict', 'reschedule:invalid', 'reschedule:stale', 'reschedule:invalid-transition', 'expire:ok', 'applyDay:ok', 'applyDay:stale', 'applyDay:conflict', 'applyDay:invalid'];
    for (const o of outcomes) expect(seen.get(o) ?? 0, o).toBeGreaterThan(0);
  }, 120_000);
});
