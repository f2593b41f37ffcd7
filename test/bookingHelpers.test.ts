// The pure booking helpers: counters an appointment claims, what it must satisfy on its own, the
// instance of one clinic-local day.
import { describe, expect, it } from 'vitest';
import { Instance } from '../src/contract/instance.js';
import { parseWith } from '../src/contract/parse.js';
import { dayBounds, isLocalDate, localDateOf } from '../src/booking/dayGrid.js';
import { instanceForDay } from '../src/booking/instanceForDay.js';
import { placementProblems } from '../src/booking/placementProblems.js';
import { parseField } from '../src/booking/usageFields.js';
import { usageOf } from '../src/booking/usageOf.js';
import { conflictsOf } from '../src/store/claimPlan.js';
import { DATE, minutesAt, storeClinic, visit } from './support/storeClinic.js';

const setup = storeClinic('helpers');
// 08:00 local is slot 96 of the 5-minute grid that starts at local midnight.
const S0 = 96;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const fields = <T extends { field: string }>(list: T[], prefix: string): T[] => list.filter((u) => u.field.startsWith(prefix));

describe('usageOf', () => {
  it('claims provider, room with turnover, the staff task, equipment against downtime, the patient, the day and the request', () => {
    // A procedure at 13:00-13:30: one of the two pumps is down 13:00-14:00, so the pump's cap is 1.
    const a = visit({ requestId: 'r1', patientId: 'p1', serviceId: 'proc', roomId: 'proc-1', start: 300, staffId: 'nurse-2' });
    const use = usageOf(setup, a, DATE);
    const s = S0 + 60;
    expect(fields(use, 'provider:')).toEqual(range(s, s + 6).map((t) => ({ field: `provider:dr-a@${t}`, units: 1, cap: 1 })));
    expect(fields(use, 'room:').map((u) => u.field)).toEqual(range(s, s + 8).map((t) => `room:proc-1@${t}`)); // + 10 min turnover
    expect(fields(use, 'staff:').map((u) => u.field)).toEqual([`staff:nurse-2@${s + 2}`, `staff:nurse-2@${s + 3}`]);
    expect(fields(use, 'equipment:')).toEqual(range(s, s + 6).map((t) => ({ field: `equipment:pump@${t}`, units: 1, cap: 1 })));
    expect(fields(use, 'patient:').map((u) => u.field)).toEqual(range(s, s + 6).map((t) => `patient:p1@${t}`));
    expect(fields(use, 'provider-day:')).toEqual([{ field: 'provider-day:dr-a', units: 1, cap: 1_000_000 }]);
    expect(fields(use, 'request:')).toEqual([{ field: 'request:r1', units: 1, cap: 1 }]);
  });

  it('counts turnover only where the room is open, caps by maxAppointments, and equipment fully down as 0', () => {
    // proc-1 closes 12:00-12:05: a procedure 11:30-12:00 blocks only 12:05-12:10 of its turnover.
    const late = usageOf(setup, visit({ requestId: 'r', patientId: 'p', serviceId: 'proc', roomId: 'proc-1', start: 210 }), DATE);
    const end = S0 + 48;
    expect(fields(late, 'room:').map((u) => u.field).slice(-2)).toEqual([`room:proc-1@${end - 1}`, `room:proc-1@${end + 1}`]);
    const drc = usageOf(setup, visit({ requestId: 'r', patientId: 'p', serviceId: 'visit', providerId: 'dr-c', roomId: 'exam-1', start: 0 }), DATE);
    expect(fields(drc, 'provider-day:')).toEqual([{ field: 'provider-day:dr-c', units: 1, cap: 2 }]);
    const ecg = usageOf(setup, visit({ requestId: 'r', patientId: 'p', serviceId: 'ecg-test', roomId: 'exam-1', start: 415 }), DATE);
    expect(fields(ecg, 'equipment:').map((u) => u.cap)).toEqual([1, 0, 0]); // 14:55-15:10, down from 15:00
    expect(fields(ecg, 'provider')).toEqual([]); // the ECG needs no provider
  });

  it('sums a resource used twice by one visit, so it cannot fit', () => {
    const a = visit({ requestId: 'r', patientId: 'p', serviceId: 'double-pump', roomId: 'exam-1', start: 0 });
    expect(fields(usageOf(setup, a, DATE), 'equipment:')[0]).toEqual({ field: `equipment:pump@${S0}`, units: 2, cap: 2 });
  });

  it('names counters that parseField reads back, even with odd ids', () => {
    expect(parseField('staff:a:b@c@12')).toEqual({ kind: 'staff', id: 'a:b@c', slot: 12 });
    expect(parseField('request:x@y')).toEqual({ kind: 'request', id: 'x@y', slot: null });
  });
});

describe('placementProblems', () => {
  const ok = visit({ requestId: 'r', patientId: 'p', serviceId: 'proc', roomId: 'proc-1', start: 60 });

  it('accepts a well-formed appointment', () => {
    expect(placementProblems(setup, ok)).toEqual([]);
  });

  it('names each problem with its path', () => {
    const cases: [object, string, RegExp][] = [
      [{ roomId: 'exam-1' }, '$.roomId', /does not have the capability 'proc'/],
      [{ roomId: 'nowhere' }, '$.roomId', /unknown room 'nowhere'/],
      [{ providerId: 'dr-z' }, '$.providerId', /unknown provider 'dr-z'/],
      [{ serviceId: 'nope' }, '$.serviceId', /unknown service 'nope'/],
      [{ equipment: [] }, '$.equipment', /does not reserve the 1 unit of 'pump'/],
      [{ staff: [{ ...ok.staff[0]!, start: minutesAt(75), end: minutesAt(85) }] }, '$.staff[0]', /must run 09:10-09:20/],
      [{ staff: [{ ...ok.staff[0]!, skill: 'surgery' }] }, '$.staff', /nobody is assigned the 'nursing' task/],
      [{ start: minutesAt(62), end: minutesAt(92) }, '$.start', /off the 5-minute grid/],
      [{ end: minutesAt(92) }, '$.end', /off the 5-minute grid/],
      [{ end: minutesAt(75) }, '$.end', /staff tasks of 'proc' run until minute 20/],
    ];
    for (const [change, path, message] of cases) {
      const problems = placementProblems(setup, { ...ok, ...change });
      expect(problems.find((p) => p.path === path && message.test(p.message)), `${JSON.stringify(change)} → ${JSON.stringify(problems)}`).toBeDefined();
    }
  });

  it('checks availability of provider, room and staff, and the local day', () => {
    const afternoon = visit({ requestId: 'r', patientId: 'p', serviceId: 'visit', providerId: 'dr-c', roomId: 'exam-1', start: 300 });
    expect(placementProblems(setup, afternoon)).toEqual([{ path: '$.providerId', message: expect.stringMatching(/provider 'dr-c' is not available 13:00-13:20/) }]);
    const gap = visit({ requestId: 'r', patientId: 'p', serviceId: 'visit', roomId: 'proc-1', start: 235 });
    expect(placementProblems(setup, gap)).toEqual([{ path: '$.roomId', message: expect.stringMatching(/room 'proc-1' is not available 12:00-12:05/) }]);
    const night = visit({ requestId: 'r', patientId: 'p', serviceId: 'visit', roomId: 'exam-1', start: 16 * 60 - 10 });
    expect(placementProblems(setup, night).map((p) => p.path)).toContain('$.end');
    expect(placementProblems(setup, ok, { date: '2026-11-24' }).map((p) => p.path)).toContain('$.start');
  });

  it('holds a booking to its request: window, length, the named provider', () => {
    const request = { id: 'r', patientId: 'p', serviceId: 'proc', urgency: 'routine' as const, preferredProviderIds: [], earliestStart: minutesAt(90), providerId: 'dr-b' };
    const problems = placementProblems(setup, ok, { request });
    expect(problems.map((p) => p.path).sort()).toEqual(['$.providerId', '$.start']);
    expect(placementProblems(setup, { ...ok, end: minutesAt(100) }, { request: { ...request, earliestStart: undefined, providerId: undefined, minutes: 40 } })).toEqual([]);
  });
});

describe('instanceForDay', () => {
  it('is a valid contract instance of the local day: live appointments pinned, holds too, cancelled ones left out', () => {
    const a = { ...visit({ requestId: 'r1', patientId: 'p1', serviceId: 'visit', roomId: 'exam-1', start: 0 }), id: 'a1', status: 'booked' as const };
    const h = { ...visit({ requestId: 'r2', patientId: 'p2', serviceId: 'visit', roomId: 'exam-2', start: 0 }), id: 'a2', status: 'booked' as const, hold: { expiresAt: 'x', caller: 'c' } };
    const c = { ...visit({ requestId: 'r3', patientId: 'p3', serviceId: 'visit', roomId: 'exam-1', start: 0 }), id: 'a3', status: 'cancelled' as const };
    const request = { id: 'r9', patientId: 'p9', serviceId: 'visit', urgency: 'urgent' as const, preferredProviderIds: [] };
    const inst = instanceForDay(setup, DATE, [a, h, c], [request]);
    expect(inst.horizon).toEqual({ start: '2026-11-23T00:00:00-06:00', end: '2026-11-24T00:00:00-06:00' });
    expect(inst.bookings.map((b) => [b.id, b.pinned])).toEqual([['a1', true], ['a2', true]]);
    expect(inst.bookings[1]).not.toHaveProperty('hold');
    expect(inst.requests).toEqual([request]);
    expect(parseWith(Instance, JSON.parse(JSON.stringify(inst))).ok).toBe(true);
    expect(instanceForDay(setup, DATE, [a, h], [], { movable: true }).bookings.map((b) => b.pinned)).toEqual([false, true]);
  });
});

describe('day grid', () => {
  it('knows local days, DST included', () => {
    expect(isLocalDate('2026-02-29')).toBe(false);
    const spring = dayBounds('2026-03-08', 'America/Chicago');
    expect((spring.end - spring.start) / 3_600_000).toBe(23);
    expect(localDateOf(spring.end - 1, 'America/Chicago')).toBe('2026-03-08');
    expect(localDateOf(spring.end, 'America/Chicago')).toBe('2026-03-09');
  });

  it('turns full counters into merged resource spans in local time', () => {
    expect(conflictsOf(setup, [`${DATE}|room:exam-1@${S0}`, `${DATE}|room:exam-1@${S0 + 1}`, `${DATE}|room:exam-1@${S0 + 3}`, `${DATE}|request:r1`])).toEqual([
      { resource: 'room:exam-1', start: '2026-11-23T08:00:00-06:00', end: '2026-11-23T08:10:00-06:00' },
      { resource: 'room:exam-1', start: '2026-11-23T08:15:00-06:00', end: '2026-11-23T08:20:00-06:00' },
      { resource: 'request:r1', start: '2026-11-23T00:00:00-06:00', end: '2026-11-24T00:00:00-06:00' },
    ]);
  });
});
