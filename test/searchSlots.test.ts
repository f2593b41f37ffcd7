// Slot search (src/booking/searchSlots.ts): hand-written clinic days, then properties on tiny random
// clinics against the independent validator and an exhaustive enumeration of every placement
// (test/support/exhaustiveSearch.ts enumerateOptions; the validator decides which fit the day).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstFit } from '../solver/firstFit.js';
import { compileModel } from '../solver/model/compile.js';
import { emptyUsage, fits } from '../solver/usage.js';
import { holdsCapacity } from '../src/contract/appointment.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { appointmentFromOption } from '../src/booking/appointmentFromOption.js';
import { freeRuns } from '../src/booking/freeSpans.js';
import { pickDiverse } from '../src/booking/pickDiverse.js';
import { searchRequestProblems } from '../src/booking/searchRequestProblems.js';
import { searchSlots, type SearchOptions } from '../src/booking/searchSlots.js';
import type { Appointment, Booking } from '../src/contract/appointment.js';
import type { Instance, InstanceInput, Request } from '../src/contract/instance.js';
import { formatProblems, parseInstance, parseWith } from '../src/contract/parse.js';
import { SlotSearchResult, type SlotOption } from '../src/contract/slotOption.js';
import { validateResult } from '../src/validator/validateResult.js';
import { enumerateOptions, type Option } from './support/exhaustiveSearch.js';
import { tinyClinic } from './support/tinyClinic.js';

const TOL = 1e-6;
const FC_SEED = 20261124;

// ---------------------------------------------------------------------------------------------------
// A small hand-written clinic: 08:00-12:00 in Chicago on a 15-minute grid.

const T = (hhmm: string) => `2026-11-24T${hhmm}:00-06:00`;
const ms = (hhmm: string) => Date.parse(T(hhmm));
const morning = [{ start: T('08:00'), end: T('12:00') }];

function clinic(change: (base: InstanceInput) => InstanceInput = (x) => x): Instance {
  const base: InstanceInput = {
    version: 1,
    clinic: { id: 'lakeside', timezone: 'America/Chicago' },
    horizon: { start: T('08:00'), end: T('12:00') },
    slotMinutes: 15,
    providers: [
      { id: 'dr-a', name: 'Dr. Ada', specialties: ['family'], availability: morning },
      { id: 'dr-b', name: 'Dr. Bo', specialties: ['family'], availability: morning },
    ],
    rooms: [
      { id: 'exam-1', capabilities: ['exam'], availability: morning },
      { id: 'exam-2', capabilities: ['exam'], availability: morning },
      { id: 'proc-1', capabilities: ['procedure'], availability: morning },
    ],
    equipment: [{ id: 'us', name: 'ultrasound', count: 1 }],
    staff: [{ id: 'phleb-1', skills: ['phlebotomy'], availability: morning }],
    services: [
      { id: 'visit', minutes: 30, specialty: 'family', roomCapability: 'exam' },
      { id: 'minor-proc', minutes: 30, specialty: 'family', roomCapability: 'procedure', turnoverMinutes: 15 },
      { id: 'labs-visit', minutes: 30, specialty: 'family', roomCapability: 'exam', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 15 }] },
      { id: 'scan', minutes: 30, specialty: 'family', roomCapability: 'exam', equipment: [{ id: 'us', count: 1 }] },
      { id: 'draw', minutes: 15, roomCapability: 'exam', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 15 }] },
    ],
  };
  const parsed = parseInstance(change(base));
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  return parsed.value;
}

const request = (fields: Partial<Request> & { serviceId: string }): Request => ({
  id: 'new',
  patientId: 'pt-new',
  urgency: 'routine',
  preferredProviderIds: [],
  ...fields,
});

let bookingCount = 0;
/** A live booking on the day (pinned or not: search treats every live booking as fixed). */
function booking(fields: Partial<Booking> & { serviceId: string; roomId: string; start: string; end: string }): Booking {
  bookingCount++;
  return {
    requestId: `booked-${bookingCount}`,
    patientId: `pt-booked-${bookingCount}`,
    providerId: null,
    equipment: [],
    staff: [],
    status: 'booked',
    ...fields,
  };
}

const withBookings = (inst: Instance, bookings: Booking[]): Instance => ({ ...inst, bookings });

/** The day with the option added, as the validator sees it. */
function dayWith(day: Instance, r: Request, appointment: Appointment | null) {
  const live = day.bookings.filter((b) => b.requestId !== r.id).map(({ pinned: _pinned, ...a }) => a);
  const instance: Instance = { ...day, requests: [r], bookings: day.bookings.filter((b) => b.requestId !== r.id) };
  return { instance, result: { appointments: appointment ? [...live, appointment] : live } };
}

/** Every option is valid on the day and scores what the validator says it adds; ranks and order hold. */
function expectSound(day: Instance, r: Request, found: ReturnType<typeof searchSlots>, k: number): void {
  expect(SlotSearchResult.safeParse(found).success).toBe(true);
  expect(found.options.length).toBeLessThanOrEqual(k);
  const before = dayWith(day, r, null);
  const baseScore = validateResult(before.instance, before.result).score;
  found.options.forEach((o, i) => {
    const { instance, result } = dayWith(day, r, appointmentFromOption(r, o));
    const report = validateResult(instance, result);
    expect(report.violations, `option ${i + 1}: ${JSON.stringify(o)}`).toEqual([]);
    expect(Math.abs(report.score - baseScore - o.score)).toBeLessThanOrEqual(TOL);
    expect(o.rank).toBe(i + 1);
    if (i > 0) expect(o.score).toBeLessThanOrEqual(found.options[i - 1]!.score + TOL);
  });
  const places = found.options.map((o) => `${o.providerId}@${Date.parse(o.start)}`);
  expect(new Set(places).size).toBe(places.length);
  if (found.options.length === 0) expect(found.reasons.length).toBeGreaterThan(0);
  else expect(found.reasons).toEqual([]);
}

function search(day: Instance, r: Request, options: SearchOptions = {}) {
  const found = searchSlots(day, r, options);
  expectSound(day, r, found, options.k ?? 5);
  return found;
}

const startsOf = (options: SlotOption[]) => options.map((o) => Date.parse(o.start));

describe('searchSlots on a hand-written day', () => {
  it('offers the first start after a busy provider', () => {
    const day = withBookings(clinic(), [booking({ serviceId: 'visit', providerId: 'dr-a', roomId: 'exam-2', start: T('08:00'), end: T('09:00') })]);
    const found = search(day, request({ serviceId: 'visit', providerId: 'dr-a' }));
    expect(found.options.length).toBe(5);
    expect(found.options.every((o) => o.providerId === 'dr-a')).toBe(true);
    expect(found.options[0]!.start).toBe(T('09:00'));
    expect(found.options[0]!.end).toBe(T('09:30'));
  });

  it('puts a visit only in a room with the capability it needs, after the room turnover', () => {
    const day = withBookings(clinic(), [booking({ serviceId: 'minor-proc', providerId: 'dr-b', roomId: 'proc-1', start: T('08:00'), end: T('08:30') })]);
    const found = search(day, request({ serviceId: 'minor-proc', providerId: 'dr-a' }));
    expect(found.options.every((o) => o.roomId === 'proc-1')).toBe(true);
    expect(found.options[0]!.start).toBe(T('08:45')); // 08:30 + 15 min turnover
    // Its own turnover counts too: a visit just before a booked procedure must leave the room free in time.
    const later = withBookings(clinic(), [booking({ serviceId: 'minor-proc', providerId: 'dr-b', roomId: 'proc-1', start: T('09:00'), end: T('12:00') })]);
    const early = search(later, request({ serviceId: 'minor-proc', providerId: 'dr-a', latestEnd: T('09:00') }));
    expect(startsOf(early.options)).toEqual([ms('08:00'), ms('08:15')]); // 08:30-09:00 would need the room until 09:15
  });

  it('waits for the staff member a task needs', () => {
    const day = withBookings(clinic(), [
      booking({ serviceId: 'draw', roomId: 'exam-2', start: T('08:00'), end: T('08:15'), staff: [{ staffId: 'phleb-1', skill: 'phlebotomy', start: T('08:00'), end: T('08:15') }] }),
      booking({ serviceId: 'draw', roomId: 'exam-2', start: T('08:15'), end: T('08:30'), staff: [{ staffId: 'phleb-1', skill: 'phlebotomy', start: T('08:15'), end: T('08:30') }] }),
    ]);
    const found = search(day, request({ serviceId: 'labs-visit' }));
    expect(found.options[0]!.start).toBe(T('08:30'));
    expect(found.options[0]!.staff).toEqual([{ staffId: 'phleb-1', skill: 'phlebotomy', start: T('08:30'), end: T('08:45') }]);
  });

  it('counts equipment units', () => {
    const scanBooked = (providerId: string, roomId: string) =>
      booking({ serviceId: 'scan', providerId, roomId, start: T('08:00'), end: T('09:00'), equipment: [{ id: 'us', count: 1 }] });
    const one = withBookings(clinic(), [scanBooked('dr-a', 'exam-1')]);
    expect(search(one, request({ serviceId: 'scan' })).options[0]!.start).toBe(T('09:00'));
    const twoUnits = (base: InstanceInput) => ({ ...base, equipment: [{ id: 'us', name: 'ultrasound', count: 2 }] });
    const spare = withBookings(clinic(twoUnits), [scanBooked('dr-a', 'exam-1')]);
    const found = search(spare, request({ serviceId: 'scan' }));
    expect(found.options[0]).toMatchObject({ start: T('08:00'), providerId: 'dr-b', roomId: 'exam-2', equipment: [{ id: 'us', count: 1 }] });
    const full = withBookings(clinic(twoUnits), [scanBooked('dr-a', 'exam-1'), scanBooked('dr-b', 'exam-2')]);
    expect(search(full, request({ serviceId: 'scan' })).options[0]!.start).toBe(T('09:00'));
  });

  it("keeps clear of the patient's own other appointment", () => {
    const day = withBookings(clinic(), [booking({ serviceId: 'visit', patientId: 'pt-new', providerId: 'dr-b', roomId: 'exam-2', start: T('08:00'), end: T('09:00') })]);
    const found = search(day, request({ serviceId: 'visit' }));
    expect(found.options[0]!.start).toBe(T('09:00'));
    expect(startsOf(found.options).every((s) => s >= ms('09:00'))).toBe(true);
  });

  it('starts nothing before notBefore, and still measures the wait from earliestStart', () => {
    const day = clinic();
    const found = search(day, request({ serviceId: 'visit' }), { notBefore: ms('09:07') });
    expect(found.options[0]!.start).toBe(T('09:15'));
    expect(startsOf(found.options).every((s) => s >= ms('09:07'))).toBe(true);
    expect(found.options[0]!.score).toBeCloseTo(10 - 0.25 * 1.25, 9);
    const none = search(day, request({ serviceId: 'visit' }), { notBefore: ms('11:50') });
    expect(none.options).toEqual([]);
    expect(none.reasons.join(' ')).toMatch(/window/);
  });

  it('ranks a preferred provider first at the same time, even when the preference is worth nothing', () => {
    const found = search(clinic(), request({ serviceId: 'visit', preferredProviderIds: ['dr-b'] }));
    expect(found.options[0]).toMatchObject({ providerId: 'dr-b', start: T('08:00'), rank: 1 });
    expect(found.options[0]!.score).toBeCloseTo(12, 9);
    const noWeight = clinic((base) => ({ ...base, weights: { preferredProvider: 0 } }));
    const tie = search(noWeight, request({ serviceId: 'visit', preferredProviderIds: ['dr-b'] }));
    expect(tie.options.slice(0, 2).map((o) => [o.providerId, o.start])).toEqual([
      ['dr-b', T('08:00')],
      ['dr-a', T('08:00')],
    ]);
  });

  it('offers only the provider a request requires', () => {
    const found = search(clinic(), request({ serviceId: 'visit', providerId: 'dr-b' }), { k: 3 });
    expect(found.options.map((o) => o.providerId)).toEqual(['dr-b', 'dr-b', 'dr-b']);
    // One provider cannot be in two places: its options do not overlap each other.
    expect(startsOf(found.options)).toEqual([ms('08:00'), ms('08:30'), ms('09:00')]);
  });

  it('spreads options across providers and times', () => {
    const found = search(clinic(), request({ serviceId: 'visit' }), { k: 4 });
    expect(found.options.length).toBe(4);
    const perStart = new Map<string, number>();
    for (const o of found.options) perStart.set(o.start, (perStart.get(o.start) ?? 0) + 1);
    expect(Math.max(...perStart.values())).toBeLessThanOrEqual(2);
    // Needs no provider: at most one option per start, and never the same minute in another room.
    const draws = search(clinic(), request({ serviceId: 'draw' }), { k: 3 });
    expect(new Set(draws.options.map((o) => o.start)).size).toBe(3);
    expect(draws.options.every((o) => o.providerId === null)).toBe(true);
  });

  it('looks for another place for a booked request, its own place counting as free', () => {
    const own = booking({ serviceId: 'visit', requestId: 'new', patientId: 'pt-new', providerId: 'dr-a', roomId: 'exam-1', start: T('08:00'), end: T('12:00') });
    const other = booking({ serviceId: 'visit', providerId: 'dr-b', roomId: 'exam-2', start: T('08:00'), end: T('12:00') });
    const found = search(withBookings(clinic(), [own, other]), request({ serviceId: 'visit', providerId: 'dr-a' }));
    expect(found.options[0]).toMatchObject({ providerId: 'dr-a', start: T('08:00') });
  });

  it('ignores cancelled and no-show appointments', () => {
    const gone = booking({ serviceId: 'visit', providerId: 'dr-a', roomId: 'exam-1', start: T('08:00'), end: T('12:00'), status: 'cancelled' });
    const noshow = booking({ serviceId: 'visit', providerId: 'dr-a', roomId: 'exam-2', start: T('08:00'), end: T('12:00'), status: 'noshow' });
    const found = search(withBookings(clinic(), [gone, noshow]), request({ serviceId: 'visit', providerId: 'dr-a' }));
    expect(found.options[0]!.start).toBe(T('08:00'));
  });

  describe('with no option, says what blocks the request', () => {
    it('the provider it requires is fully booked', () => {
      const day = withBookings(clinic(), [booking({ serviceId: 'visit', providerId: 'dr-a', roomId: 'exam-2', start: T('08:00'), end: T('12:00') })]);
      const found = search(day, request({ serviceId: 'visit', providerId: 'dr-a' }));
      expect(found.options).toEqual([]);
      expect(found.reasons).toEqual(['Dr. Ada, the provider this request requires, is fully booked between 08:00 and 12:00']);
    });

    it('every room with the capability is taken', () => {
      const day = withBookings(clinic(), [booking({ serviceId: 'minor-proc', providerId: 'dr-b', roomId: 'proc-1', start: T('08:00'), end: T('12:00') })]);
      const found = search(day, request({ serviceId: 'minor-proc', providerId: 'dr-a' }));
      expect(found.options).toEqual([]);
      expect(found.reasons.join('\n')).toMatch(/every room with capability 'procedure' is taken/);
    });

    it('the only unit of the equipment is down', () => {
      const down = clinic((base) => ({ ...base, equipment: [{ id: 'us', name: 'ultrasound', count: 1, downtime: [{ start: T('08:00'), end: T('12:00') }] }] }));
      const found = search(down, request({ serviceId: 'scan' }));
      expect(found.options).toEqual([]);
      expect(found.reasons).toEqual(['the ultrasound is down 08:00-12:00']);
    });

    it("the patient's own appointments fill the window", () => {
      const day = withBookings(clinic(), [booking({ serviceId: 'visit', patientId: 'pt-new', providerId: 'dr-b', roomId: 'exam-2', start: T('08:00'), end: T('10:00') })]);
      const found = search(day, request({ serviceId: 'visit', latestEnd: T('10:00') }));
      expect(found.options).toEqual([]);
      expect(found.reasons.join('\n')).toMatch(/the patient's other appointments fill the window between 08:00 and 10:00/);
    });

    it('the provider has reached maxAppointments', () => {
      const capped = clinic((base) => ({ ...base, providers: [{ id: 'dr-a', name: 'Dr. Ada', specialties: ['family'], availability: morning, maxAppointments: 1 }] }));
      const day = withBookings(capped, [booking({ serviceId: 'visit', providerId: 'dr-a', roomId: 'exam-2', start: T('08:00'), end: T('08:30') })]);
      const found = search(day, request({ serviceId: 'visit' }));
      expect(found.options).toEqual([]);
      expect(found.reasons.join('\n')).toMatch(/Dr\. Ada has reached the maximum of 1 appointments/);
    });

    it('the provider and a room are each free at some time, never together', () => {
      const three = clinic((base) => ({ ...base, providers: [...base.providers!, { id: 'dr-c', name: 'Dr. Cy', specialties: ['family'], availability: morning }] }));
      const day = withBookings(three, [
        booking({ serviceId: 'minor-proc', providerId: 'dr-a', roomId: 'proc-1', start: T('09:00'), end: T('12:00') }),
        booking({ serviceId: 'visit', providerId: 'dr-b', roomId: 'exam-1', start: T('08:00'), end: T('09:00') }),
        booking({ serviceId: 'visit', providerId: 'dr-c', roomId: 'exam-2', start: T('08:00'), end: T('09:00') }),
      ]);
      const found = search(day, request({ serviceId: 'visit', providerId: 'dr-a' }));
      expect(found.options).toEqual([]);
      expect(found.reasons).toEqual(['no time between 08:00 and 12:00 when a provider, a room, the staff and the equipment it needs are all free together']);
    });

    it('its window lies outside the day', () => {
      const found = search(clinic(), request({ serviceId: 'visit', earliestStart: '2026-11-25T08:00:00-06:00', latestEnd: '2026-11-25T12:00:00-06:00' }));
      expect(found.options).toEqual([]);
      expect(found.reasons).toEqual(['its window (2026-11-25 08:00 to 2026-11-25 12:00) lies outside this clinic day (2026-11-24 08:00 to 2026-11-24 12:00)']);
    });
  });

  it('reports what is wrong with a request it cannot read, path by path, and refuses to search it', () => {
    const day = clinic();
    expect(searchRequestProblems(day, request({ serviceId: 'visit' }))).toEqual([]);
    expect(searchRequestProblems(day, request({ serviceId: 'nope' }))).toEqual([{ path: '$.serviceId', message: "unknown service 'nope'" }]);
    expect(searchRequestProblems(day, request({ serviceId: 'visit', minutes: 20, providerId: 'dr-z' }))).toEqual([
      { path: '$.minutes', message: 'duration 20 min is off the 15-minute grid (use a multiple of 15)' },
      { path: '$.providerId', message: "unknown provider 'dr-z'" },
    ]);
    expect(searchRequestProblems(day, request({ serviceId: 'draw', providerId: 'dr-a' }))[0]!.path).toBe('$.providerId');
    // A window reaching past the day is fine: the search uses the part inside it.
    expect(searchRequestProblems(day, request({ serviceId: 'visit', latestEnd: '2026-11-25T12:00:00-06:00' }))).toEqual([]);
    expect(() => searchSlots(day, request({ serviceId: 'nope' }))).toThrow(/\$\.serviceId: unknown service 'nope'/);
    expect(() => searchSlots(day, request({ serviceId: 'visit' }), { k: 0 })).toThrow(/k must be/);
  });
});

describe('pickDiverse', () => {
  const c = (provider: string | null, start: number, length = 2) => ({ provider, start, end: start + length });
  it('keeps the best, avoids overlapping options of one provider and crowding one start, and fills up when it must', () => {
    const ranked = [c('a', 0), c('b', 0), c('c', 0), c('a', 1), c('b', 1), c('a', 2), c('b', 2)];
    expect(pickDiverse(ranked, 4, () => true)).toEqual([c('a', 0), c('b', 0), c('a', 2), c('b', 2)]);
    expect(pickDiverse(ranked, 6, () => true)).toEqual([c('a', 0), c('b', 0), c('c', 0), c('a', 1), c('a', 2), c('b', 2)]);
    expect(pickDiverse(ranked, 3, (x) => x.provider !== 'b')).toEqual([c('a', 0), c('c', 0), c('a', 2)]);
    expect(pickDiverse(ranked, 3, () => false)).toEqual([]);
  });
  it('asks about each candidate at most once', () => {
    const asked: number[] = [];
    const ranked = [c('a', 0), c('a', 1), c('a', 2), c('a', 3)];
    pickDiverse(ranked, 4, (x) => (asked.push(x.start), true));
    expect(asked.sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('freeRuns', () => {
  const s = (start: number, end: number) => ({ start, end });
  it('cuts the open and allowed time by what is busy and keeps runs long enough', () => {
    expect(freeRuns([s(0, 100)], [s(10, 90)], [s(20, 30), s(25, 50), s(80, 95)], 10)).toEqual([s(10, 20), s(50, 80)]);
    expect(freeRuns([s(0, 40), s(60, 100)], [s(30, 70)], [], 10)).toEqual([s(30, 40), s(60, 70)]);
    expect(freeRuns([s(0, 40), s(60, 100)], [s(30, 70)], [s(35, 65)], 5)).toEqual([s(30, 35), s(65, 70)]);
    expect(freeRuns([s(0, 100)], [s(0, 100)], [s(0, 100)], 1)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties on tiny random clinics: the day is first-fit's schedule of all but the first request,
// and the search is for the first request.

type Case = { day: Instance; target: Request; options: SearchOptions & { k: number } };

const tinyCase: fc.Arbitrary<Case> = fc
  .record({
    clinic: tinyClinic,
    k: fc.integer({ min: 1, max: 4 }),
    notBeforeSlot: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    pin: fc.boolean(),
    cancelFirst: fc.boolean(),
  })
  .map(({ clinic: c, k, notBeforeSlot, pin, cancelFirst }) => {
    const [target, ...others] = c.instance.requests;
    const scheduled = firstFit({ ...c.instance, requests: others }).appointments;
    const bookings: Booking[] = scheduled.map((a, i) => ({ ...a, ...(pin ? { pinned: true } : {}), ...(cancelFirst && i === 0 ? { status: 'cancelled' as const } : {}) }));
    const h0 = Date.parse(c.instance.horizon.start);
    const notBefore = notBeforeSlot === undefined ? undefined : h0 + notBeforeSlot * 7 * 60_000; // off the grid too
    return {
      day: { ...c.instance, requests: others, bookings },
      target: target!,
      options: { k, ...(notBefore !== undefined ? { notBefore } : {}) },
      [fc.toStringMethod]: () => JSON.stringify({ input: c.input, k, notBefore, pin, cancelFirst }),
    };
  });

/** Every concrete placement of the target that the validator accepts on the day (and starts no earlier than notBefore). */
function exhaustive({ day, target, options }: Case): { option: Option; appointment: Appointment }[] {
  const all = enumerateOptions({ ...day, requests: [target], bookings: [] })[0]!;
  return all
    .filter((o) => options.notBefore === undefined || o.start >= options.notBefore)
    .map((option) => {
      const appointment: Appointment = {
        requestId: target.id,
        patientId: target.patientId,
        serviceId: target.serviceId,
        providerId: option.providerId,
        roomId: option.roomId,
        start: new Date(option.start).toISOString(),
        end: new Date(option.end).toISOString(),
        equipment: option.equipment,
        staff: option.staff.map((s) => ({ staffId: s.staffId, skill: s.skill, start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() })),
        status: 'booked',
      };
      return { option, appointment };
    })
    .filter(({ appointment }) => {
      const { instance, result } = dayWith(day, target, appointment);
      return validateResult(instance, result).violations.length === 0;
    });
}

describe('searchSlots on tiny random clinics', () => {
  it('returns only valid options, best first, the exhaustive best among them, and as many as there are distinct places up to k', () => {
    let withOptions = 0;
    let without = 0;
    fc.assert(
      fc.property(tinyCase, (c) => {
        const found = searchSlots(c.day, c.target, c.options);
        expectSound(c.day, c.target, found, c.options.k);
        if (c.options.notBefore !== undefined) for (const o of found.options) expect(Date.parse(o.start)).toBeGreaterThanOrEqual(c.options.notBefore);
        const feasible = exhaustive(c);
        if (feasible.length === 0) {
          without++;
          expect(found.options).toEqual([]);
          for (const reason of found.reasons) expect(reason.trim().length).toBeGreaterThan(0);
          return;
        }
        withOptions++;
        const best = Math.max(...feasible.map((f) => f.option.value));
        expect(found.options.length).toBeGreaterThanOrEqual(1);
        expect(Math.abs(found.options[0]!.score - best)).toBeLessThanOrEqual(TOL);
        const places = new Set(feasible.map((f) => `${f.option.providerId}@${f.option.start}`));
        expect(found.options.length).toBe(Math.min(c.options.k, places.size));
      }),
      { numRuns: 250, seed: FC_SEED },
    );
    // The property must have seen both kinds of case to mean anything.
    expect(withOptions).toBeGreaterThan(50);
    expect(without).toBeGreaterThan(5);
  }, 120_000);

  it('finds the same options whether the bookings are pinned or not, and whatever other requests wait', () => {
    fc.assert(
      fc.property(tinyCase, (c) => {
        const pinned = { ...c.day, bookings: c.day.bookings.map((b) => ({ ...b, pinned: true })) };
        const loose = { ...c.day, requests: [], bookings: c.day.bookings.map(({ pinned: _p, ...b }) => b) };
        expect(searchSlots(loose, c.target, c.options)).toEqual(searchSlots(pinned, c.target, c.options));
      }),
      { numRuns: 100, seed: FC_SEED + 1 },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------
// Generated clinics (specialties, many rooms, staff tasks inside visits, equipment with downtime): the
// day is first-fit's schedule. Cutting the day down to what a request can use (narrowDay.ts) must never
// hide a place: the best score equals the best over the whole day compiled as it is.

/** The best score of any place for the request on the whole day, by the solver's own model, every start tried. */
function bestOnWholeDay(day: Instance, r: Request, notBefore: number | undefined): number | null {
  const bookings = day.bookings.filter((b) => holdsCapacity(b.status) && b.requestId !== r.id).map((b) => ({ ...b, pinned: true }));
  const model = compileModel({ ...day, requests: [r], bookings });
  const compiled = model.requests[0]!;
  const usage = emptyUsage(model);
  const es = r.earliestStart ? Date.parse(r.earliestStart) : Date.parse(day.horizon.start);
  const w = day.weights;
  let best: number | null = null;
  compiled.modes.forEach((mode, m) => {
    for (const start of mode.starts) {
      const at = model.origin + start * model.slotMinutes * 60_000;
      if (notBefore !== undefined && at < notBefore) continue;
      if (!fits(model, usage, compiled, { mode: m, start })) continue;
      const preferred = mode.providerId !== null && r.preferredProviderIds.includes(mode.providerId);
      const score = w.urgency[r.urgency] + (preferred ? w.preferredProvider : 0) - (w.waitPerHour * (at - es)) / 3_600_000;
      if (best === null || score > best) best = score;
    }
  });
  return best;
}

describe('searchSlots on generated clinics', () => {
  it.each([
    [4, 1],
    [4, 2],
    [10, 3],
  ])('%i providers, seed %i: every option valid, and nothing hidden by narrowing the day', (providers, seed) => {
    const parsed = parseInstance(generateClinic({ providers, seed, load: 1.1 }));
    if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
    const clinicDay = parsed.value;
    const result = firstFit(clinicDay);
    const day: Instance = { ...clinicDay, bookings: result.appointments.map((a) => ({ ...a, pinned: true })) };
    const byId = new Map(clinicDay.requests.map((r) => [r.id, r]));
    const noon = Date.parse(clinicDay.horizon.start) + 5 * 3_600_000;
    const searches: { r: Request; notBefore?: number }[] = [
      ...result.unscheduled.map((u) => ({ r: byId.get(u.requestId)! })),
      // A booked request looks for another place (its own counts as free).
      ...result.appointments.slice(0, 10).map((a) => ({ r: byId.get(a.requestId)!, notBefore: noon })),
      ...clinicDay.services.map((service, i) => ({
        r: request({ id: `fresh-${i}`, patientId: clinicDay.requests[i]!.patientId, serviceId: service.id, preferredProviderIds: clinicDay.providers.slice(i % 3, (i % 3) + 1).map((p) => p.id) }),
      })),
    ];
    let found = 0;
    for (const { r, notBefore } of searches) {
      const options = notBefore === undefined ? { k: 3 } : { k: 3, notBefore };
      const answer = search(day, r, options);
      const best = bestOnWholeDay(day, r, notBefore);
      if (best === null) expect(answer.options, r.id).toEqual([]);
      else {
        found++;
        expect(answer.options.length, r.id).toBeGreaterThan(0);
        expect(Math.abs(answer.options[0]!.score - best), r.id).toBeLessThanOrEqual(TOL);
      }
    }
    expect(found).toBeGreaterThan(5);
  }, 120_000);
});

describe('SlotSearchResult', () => {
  it('is the zod shape of what searchSlots returns', () => {
    const found = searchSlots(clinic(), request({ serviceId: 'labs-visit' }), { k: 2 });
    const parsed = parseWith(SlotSearchResult, found);
    expect(parsed.ok).toBe(true);
    expect(found.options[0]).toEqual({
      providerId: 'dr-a',
      roomId: 'exam-1',
      start: T('08:00'),
      end: T('08:30'),
      staff: [{ staffId: 'phleb-1', skill: 'phlebotomy', start: T('08:00'), end: T('08:15') }],
      equipment: [],
      score: 10,
      rank: 1,
    });
  });
});
