// A fast-check arbitrary of tiny re-plan cases: a tiny clinic, a VALID day of 3-6 appointments with
// statuses that fit `now`, and 1-2 events that pass checkReplanInput. Small enough for exhaustiveReplan.
//
// Everything is built from fc combinators (no randomness of our own), so a failing case shrinks.
// References are drawn as plain numbers and resolved with `% length`. The day is built by placing each
// drafted appointment at the first place, from the drafted one on, that clashes with nothing placed
// (a quick check of the hard constraints); the batch validator (validateResult) then checks the whole day
// against an instance whose requests are the day's, and a day it rejects is left out.
//
// Cases where the README's semantics could be read two ways are left out (see `unambiguous`):
// a disruption never overlaps what history uses of the same resource.
import fc from 'fast-check';
import type { Appointment } from '../../src/contract/appointment.js';
import type { Instance, InstanceInput } from '../../src/contract/instance.js';
import { formatProblems, parseInstance } from '../../src/contract/parse.js';
import type { ReplanEvent, ReplanInput } from '../../src/contract/replan.js';
import { checkReplanInput } from '../../src/contract/replanChecks.js';
import { validateResult } from '../../src/validator/validateResult.js';
import { at } from './tinyClinic.js';

const SPECIALTIES = ['family-medicine', 'orthopedics'] as const;
const CAPABILITIES = ['exam', 'procedure'] as const;
const SKILLS = ['phlebotomy', 'procedure-assist'] as const;
const PATIENTS = ['pt-a', 'pt-b', 'pt-c', 'pt-d', 'pt-e'] as const;
const MINUTE = 60_000;
const instant = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export type TinyReplan = {
  /** The instance JSON (paste it into a file to run the CLI on it). */
  instanceInput: InstanceInput;
  instance: Instance;
  input: ReplanInput;
};

/** `arb` in `present` out of `present + absent` cases, else undefined (which it shrinks towards). */
const maybe = <T>(arb: fc.Arbitrary<T>, present: number, absent: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });

type Span = [number, number]; // minutes after the horizon start

/** Availability in slots, resolved against the horizon: all of it, ending early, starting late, or with a break. */
const availabilityDraft = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'all' as const, a: 0, b: 0 }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ends' as const), a: fc.nat(), b: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('starts' as const), a: fc.nat(), b: fc.constant(0) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('break' as const), a: fc.nat(), b: fc.nat() }) },
);
type AvailabilityDraft = { kind: 'all' | 'ends' | 'starts' | 'break'; a: number; b: number };

function availabilityOf(d: AvailabilityDraft, slots: number, slot: number): Span[] {
  const H = slots * slot;
  const k = (x: number, lo: number, hi: number) => (lo + (x % (hi - lo + 1))) * slot; // lo..hi slots
  switch (d.kind) {
    case 'all':
      return [[0, H]];
    case 'ends':
      return [[0, k(d.a, Math.ceil(slots / 2), slots - 1)]];
    case 'starts':
      return [[k(d.a, 1, 3), H]];
    case 'break': {
      const a = k(d.a, 2, slots - 3);
      return [[0, a], [a + k(d.b, 1, 2), H]];
    }
  }
}

const interval = ([start, end]: Span) => ({ start: at(start), end: at(end) });

const apptDraft = fc.record({
  service: fc.nat(),
  patient: fc.nat({ max: PATIENTS.length - 1 }),
  urgency: fc.constantFrom('routine', 'routine', 'urgent') as fc.Arbitrary<'routine' | 'urgent'>,
  provider: fc.nat(),
  room: fc.nat(),
  startSlot: fc.nat(),
  earliestBack: maybe(fc.nat({ max: 3 }), 1, 3),
  /** 0: the usual status for its time; 1, 2: the alternatives (late patient, checked in early); 3: already cancelled. */
  status: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constantFrom(1, 2) }, { weight: 1, arbitrary: fc.constant(3) }),
  earlierOk: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  hasId: fc.boolean(),
});
type ApptDraft = typeof apptDraft extends fc.Arbitrary<infer T> ? T : never;

const off = fc.constantFrom(0, 0, 0, 5, 10);
const eventDraft = fc.oneof(
  fc.record({ type: fc.constant('delay' as const), provider: fc.nat(), until: fc.nat({ max: 3 }), off }),
  fc.record({ type: fc.constant('overrun' as const), target: fc.nat(), extra: fc.integer({ min: 1, max: 2 }), off }),
  fc.record({
    type: fc.constant('emergency' as const),
    service: fc.nat(),
    urgency: fc.constantFrom('emergency', 'emergency', 'emergency', 'urgent', 'routine') as fc.Arbitrary<'emergency' | 'urgent' | 'routine'>,
    earliest: maybe(fc.record({ slots: fc.nat({ max: 4 }), off }), 1, 2),
    provider: maybe(fc.nat(), 1, 3),
    patient: maybe(fc.nat({ max: PATIENTS.length - 1 }), 1, 3),
  }),
  fc.record({ type: fc.constant('cancellation' as const), target: fc.nat(), before: fc.nat({ max: 8 }) }),
  fc.record({ type: fc.constant('noshow' as const), target: fc.nat() }),
  fc.record({
    type: fc.constant('resource-down' as const),
    kind: fc.constantFrom('room', 'room', 'equipment', 'provider') as fc.Arbitrary<'room' | 'equipment' | 'provider'>,
    id: fc.nat(),
    start: fc.nat(),
    length: fc.integer({ min: 1, max: 4 }),
    off,
    units: maybe(fc.integer({ min: 1, max: 2 }), 1, 1),
  }),
  fc.record({ type: fc.constant('staff-absence' as const), start: fc.nat(), length: fc.integer({ min: 1, max: 4 }), off }),
);
type EventDraft = typeof eventDraft extends fc.Arbitrary<infer T> ? T : never;

const replanSettings = maybe(
  fc.record({
    maxOvertimeMinutes: fc.constantFrom(0, 30, 60, 90),
    lateness: fc.record({ emergency: fc.integer({ min: 5, max: 20 }), urgent: fc.integer({ min: 1, max: 4 }), routine: fc.integer({ min: 0, max: 2 }) }),
    reassignProvider: fc.constantFrom(0, 10, 30, 60),
    changeRoom: fc.constantFrom(0, 5, 20),
    bump: fc.record({ routine: fc.constantFrom(100, 500), urgent: fc.constantFrom(300, 2000) }),
    overtimePerMinute: fc.constantFrom(0, 1, 2, 5),
  }),
  1,
  2,
);

/** Mostly both specialties, so that a second provider can often take over. */
const specialtiesDraft = fc.oneof(
  { weight: 2, arbitrary: fc.constant<string[]>([...SPECIALTIES]) },
  { weight: 1, arbitrary: fc.subarray<string>([...SPECIALTIES], { minLength: 1, maxLength: 1 }) },
);

const clinicDraft = fc.record({
  providers: fc.array(fc.record({ specialties: specialtiesDraft, availability: availabilityDraft }), {
    minLength: 1,
    maxLength: 2,
  }),
  rooms: fc.array(
    fc.record({
      capabilities: fc.subarray([...CAPABILITIES], { minLength: 1 }),
      availability: fc.oneof({ weight: 4, arbitrary: fc.constant({ kind: 'all' as const, a: 0, b: 0 }) }, { weight: 1, arbitrary: availabilityDraft }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  staff: maybe(fc.record({ skills: fc.subarray([...SKILLS], { minLength: 1 }), availability: availabilityDraft }), 1, 1),
  equipment: maybe(
    fc.record({ count: fc.integer({ min: 1, max: 2 }), downtime: maybe(fc.record({ start: fc.nat(), length: fc.integer({ min: 1, max: 3 }), units: maybe(fc.integer({ min: 1, max: 2 }), 1, 1) }), 1, 2) }),
    1,
    1,
  ),
  services: fc.array(
    fc.record({
      slots: fc.integer({ min: 1, max: 3 }),
      specialty: maybe(fc.nat(), 4, 1),
      capability: fc.nat(),
      equipment: maybe(fc.integer({ min: 1, max: 2 }), 1, 2),
      task: maybe(fc.record({ skill: fc.nat(), offset: fc.nat(), length: fc.nat() }), 1, 1),
      turnover: fc.constantFrom(0, 0, 5, 15),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  replan: replanSettings,
  timezone: fc.constantFrom('America/Chicago', 'UTC'),
});
type ClinicDraft = typeof clinicDraft extends fc.Arbitrary<infer T> ? T : never;

type Draft = {
  slot: number;
  slots: number;
  clinic: ClinicDraft;
  appointments: ApptDraft[];
  now: { slot: number; off: number };
  events: EventDraft[];
};

const draft: fc.Arbitrary<Draft> = fc
  .constantFrom(15, 15, 30)
  .chain((slot) => fc.record({ slot: fc.constant(slot), slots: slot === 15 ? fc.integer({ min: 10, max: 16 }) : fc.integer({ min: 8, max: 10 }) }))
  .chain(({ slot, slots }) =>
    fc.record({
      slot: fc.constant(slot),
      slots: fc.constant(slots),
      clinic: clinicDraft,
      appointments: fc.array(apptDraft, { minLength: 3, maxLength: 6, size: 'max' }),
      // Mostly in the first half of the day, so that most of it is still ahead.
      now: fc.record({
        slot: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: Math.ceil(slots / 2) }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: slots - 3 }) }),
        off: slot === 30 ? fc.constantFrom(0, 0, 5, 20) : off,
      }),
      events: fc.array(eventDraft, { minLength: 1, maxLength: 2 }),
    }),
  );

/** The instance JSON without requests (they come from the day's appointments). */
function clinicOf(d: Draft): InstanceInput {
  const { slot, slots, clinic } = d;
  const H = slots * slot;
  const providers = clinic.providers.map((p, i) => ({ id: `dr-${i}`, specialties: p.specialties, availability: availabilityOf(p.availability, slots, slot).map(interval) }));
  const rooms = clinic.rooms.map((r, i) => ({ id: `room-${i}`, capabilities: r.capabilities, availability: availabilityOf(r.availability, slots, slot).map(interval) }));
  const staff = clinic.staff ? [{ id: 'st-0', skills: clinic.staff.skills, availability: availabilityOf(clinic.staff.availability, slots, slot).map(interval) }] : [];
  const equipment = clinic.equipment
    ? [
        {
          id: 'eq-0',
          count: clinic.equipment.count,
          downtime: clinic.equipment.downtime
            ? [
                {
                  ...interval([(clinic.equipment.downtime.start % slots) * slot, Math.min(H, ((clinic.equipment.downtime.start % slots) + clinic.equipment.downtime.length) * slot)]),
                  ...(clinic.equipment.downtime.units !== undefined ? { units: Math.min(clinic.equipment.downtime.units, clinic.equipment.count) } : {}),
                },
              ]
            : [],
        },
      ]
    : [];
  const specialties = [...new Set(providers.flatMap((p) => p.specialties))];
  const capabilities = [...new Set(rooms.flatMap((r) => r.capabilities))];
  const skills = staff[0]?.skills ?? [];
  const services = clinic.services.map((s, i) => {
    const length = slot === 30 ? Math.min(s.slots, 2) : s.slots;
    const task =
      s.task && skills.length > 0
        ? (() => {
            const offset = s.task.offset % length;
            return [{ skill: skills[s.task.skill % skills.length]!, offsetMinutes: offset * slot, minutes: (1 + (s.task.length % (length - offset))) * slot }];
          })()
        : [];
    return {
      id: `svc-${i}`,
      minutes: length * slot,
      ...(s.specialty !== undefined ? { specialty: specialties[s.specialty % specialties.length]! } : {}),
      roomCapability: capabilities[s.capability % capabilities.length]!,
      equipment: equipment[0] && s.equipment !== undefined ? [{ id: 'eq-0', count: Math.min(s.equipment, equipment[0].count) }] : [],
      staffTasks: task,
      turnoverMinutes: s.turnover,
    };
  });
  return {
    version: 1,
    clinic: { id: 'tiny-replan', timezone: clinic.timezone },
    horizon: interval([0, H]),
    slotMinutes: slot,
    providers,
    rooms,
    equipment,
    staff,
    services,
    requests: [],
    ...(clinic.replan ? { replan: clinic.replan } : {}),
  };
}

function parse(json: InstanceInput): Instance {
  const parsed = parseInstance(json);
  if (!parsed.ok) throw new Error(`tinyReplan generated an invalid instance:\n${formatProblems(parsed.problems)}\n${JSON.stringify(json)}`);
  return parsed.value;
}

/** Places each drafted appointment at the first place, from the drafted one on, that keeps the day valid. */
function placeDay(d: Draft, json: InstanceInput): { json: InstanceInput; day: Appointment[]; valid: boolean } {
  const { slot, slots } = d;
  const services = json.services!;
  const requests = d.appointments.map((a, i) => {
    const service = services[a.service % services.length]!;
    const earliest = a.earliestBack === undefined ? undefined : Math.max(0, (a.startSlot % slots) - a.earliestBack);
    return {
      id: `req-${i}`,
      patientId: PATIENTS[a.patient]!,
      serviceId: service.id,
      urgency: a.urgency,
      ...(earliest !== undefined ? { earliestStart: at(earliest * slot) } : {}),
    };
  });
  const withRequests = parse({ ...json, requests });
  const day: Appointment[] = [];
  const placedRequests: typeof requests = [];
  d.appointments.forEach((a, i) => {
    const service = withRequests.services.find((s) => s.id === requests[i]!.serviceId)!;
    const rotate = <T>(xs: T[], k: number) => xs.map((_, j) => xs[(j + k) % xs.length]!);
    const providers: (string | null)[] =
      service.specialty === undefined
        ? [null]
        : rotate(withRequests.providers.filter((p) => p.specialties.includes(service.specialty!)).map((p) => p.id), a.provider);
    const rooms = rotate(withRequests.rooms.filter((r) => r.capabilities.includes(service.roomCapability)).map((r) => r.id), a.room);
    for (let t = 0; t < slots; t++) {
      const startMin = ((a.startSlot + t) % slots) * slot;
      if (startMin + service.minutes > slots * slot) continue;
      for (const providerId of providers)
        for (const roomId of rooms) {
          const candidate: Appointment = {
            ...(a.hasId ? { id: `ap-${i}` } : {}),
            requestId: requests[i]!.id,
            patientId: requests[i]!.patientId,
            serviceId: service.id,
            providerId,
            roomId,
            start: at(startMin),
            end: at(startMin + service.minutes),
            equipment: service.equipment.map((e) => ({ id: e.id, count: e.count })),
            staff: service.staffTasks.map((task) => ({
              staffId: 'st-0',
              skill: task.skill,
              start: at(startMin + task.offsetMinutes),
              end: at(startMin + task.offsetMinutes + task.minutes),
            })),
          };
          if (!clashes(withRequests, day, candidate)) {
            day.push(candidate);
            placedRequests.push(requests[i]!);
            return;
          }
        }
    }
  });
  // The batch validator has the last word: a day it rejects is left out (by the filter below).
  const valid = validateResult(withRequests, { appointments: day }).violations.length === 0;
  return { json: { ...json, requests: placedRequests }, day, valid };
}

/**
 * Whether the candidate breaks a hard constraint next to what is placed: provider, room (with turnover),
 * staff or patient double-booked, a closed provider, room or staff member, equipment over capacity, or a
 * start before the request's earliest. (The batch validator is far slower; it checks the whole day once.)
 */
function clashes(inst: Instance, day: readonly Appointment[], c: Appointment): boolean {
  const span = (x: { start: string; end: string }) => ({ start: Date.parse(x.start), end: Date.parse(x.end) });
  const cs = span(c);
  const turnover = (a: Appointment) => (inst.services.find((s) => s.id === a.serviceId)?.turnoverMinutes ?? 0) * MINUTE;
  const open = (intervals: readonly { start: string; end: string }[], x: { start: number; end: number }) =>
    intervals.some((iv) => Date.parse(iv.start) <= x.start && x.end <= Date.parse(iv.end));
  const request = inst.requests.find((r) => r.id === c.requestId);
  if (request?.earliestStart && cs.start < Date.parse(request.earliestStart)) return true;
  const provider = inst.providers.find((p) => p.id === c.providerId);
  if (provider && !open(provider.availability, cs)) return true;
  if (!open(inst.rooms.find((r) => r.id === c.roomId)!.availability, cs)) return true;
  for (const t of c.staff) if (!open(inst.staff.find((m) => m.id === t.staffId)!.availability, span(t))) return true;
  const clash = day.some((a) => {
    const as = span(a);
    if ((a.patientId === c.patientId || (c.providerId !== null && a.providerId === c.providerId)) && overlaps(as, cs)) return true;
    if (a.staff.some((x) => c.staff.some((y) => x.staffId === y.staffId && overlaps(span(x), span(y))))) return true;
    return a.roomId === c.roomId && as.start < cs.end + turnover(c) && cs.start < as.end + turnover(a);
  });
  if (clash) return true;
  for (const need of c.equipment) {
    const item = inst.equipment.find((e) => e.id === need.id)!;
    const uses = day.flatMap((a) => a.equipment.filter((e) => e.id === need.id).map((e) => ({ ...span(a), count: e.count })));
    const downs = item.downtime.map((d) => ({ ...span(d), count: d.units ?? item.count }));
    for (let t = cs.start; t < cs.end; t += 5 * MINUTE) {
      const at = (xs: { start: number; end: number; count: number }[]) => xs.filter((x) => x.start <= t && t < x.end).reduce((n, x) => n + x.count, 0);
      if (at(uses) + need.count > item.count - Math.min(item.count, at(downs))) return true;
    }
  }
  return false;
}

const HISTORY = new Set(['in-progress', 'fulfilled', 'cancelled', 'noshow']);

/** Statuses by the time of day: what ended is fulfilled, what runs now is in progress, the rest is ahead. */
function withStatuses(d: Draft, day: Appointment[], now: number): Appointment[] {
  return day.map((a) => {
    const pref = d.appointments[Number(a.requestId.slice(4))]!;
    const start = Date.parse(a.start);
    const end = Date.parse(a.end);
    let status: Appointment['status'];
    if (pref.status === 3) status = 'cancelled';
    else if (end <= now) status = pref.status === 1 ? 'booked' : 'fulfilled'; // booked: the patient never came (yet)
    else if (start <= now) status = (['in-progress', 'booked', 'checked-in'] as const)[pref.status]!;
    else status = (['booked', 'checked-in', 'booked'] as const)[pref.status]!;
    const earlierOk = pref.earlierOk && status === 'booked' ? { earlierOk: true } : {};
    return { ...a, status, ...earlierOk };
  });
}

function eventsOf(d: Draft, inst: Instance, day: Appointment[], now: number): ReplanEvent[] {
  const { slot, slots } = d;
  const h0 = Date.parse(inst.horizon.start);
  const nowSlot = Math.floor((now - h0) / (slot * MINUTE));
  const ref = (a: Appointment) => a.id ?? a.requestId;
  const taken = new Set<number>();
  const pick = (k: number, ok: (a: Appointment) => boolean): Appointment | undefined => {
    const eligible = day.map((a, i) => [a, i] as const).filter(([a, i]) => ok(a) && !taken.has(i));
    const chosen = eligible[k % Math.max(1, eligible.length)];
    if (!chosen) return undefined;
    taken.add(chosen[1]);
    return chosen[0];
  };
  const minute = (m: number) => at(m);
  const events: ReplanEvent[] = [];
  let emergencies = 0;
  for (const e of d.events) {
    switch (e.type) {
      case 'delay': {
        const p = inst.providers[e.provider % inst.providers.length]!;
        events.push({ type: 'delay', providerId: p.id, availableFrom: minute((nowSlot + 1 + e.until) * slot - e.off) });
        break;
      }
      case 'overrun': {
        const a = pick(e.target, (x) => x.status === 'in-progress' || x.status === 'booked' || x.status === 'checked-in');
        if (a) events.push({ type: 'overrun', appointmentId: ref(a), expectedEnd: instant(Date.parse(a.end) + (e.extra * slot - e.off) * MINUTE) });
        break;
      }
      case 'emergency': {
        if (emergencies++ > 0) break;
        const service = inst.services[e.service % inst.services.length]!;
        const eligible = service.specialty === undefined ? [] : inst.providers.filter((p) => p.specialties.includes(service.specialty!));
        events.push({
          type: 'emergency',
          request: {
            id: 'em-0',
            patientId: e.patient === undefined ? 'pt-new' : PATIENTS[e.patient]!,
            serviceId: service.id,
            urgency: e.urgency,
            ...(e.earliest ? { earliestStart: minute((nowSlot + e.earliest.slots) * slot + e.earliest.off) } : {}),
            ...(e.provider !== undefined && eligible.length > 0 ? { providerId: eligible[e.provider % eligible.length]!.id } : {}),
            preferredProviderIds: [],
          },
        });
        break;
      }
      case 'cancellation': {
        const a = pick(e.target, (x) => x.status === 'booked' || x.status === 'checked-in');
        if (a) events.push({ type: 'cancellation', appointmentId: ref(a), at: instant(now - e.before * 15 * MINUTE) });
        break;
      }
      case 'noshow': {
        const a = pick(e.target, (x) => x.status === 'booked' && Date.parse(x.start) <= now);
        if (a) events.push({ type: 'noshow', appointmentId: ref(a) });
        break;
      }
      case 'resource-down': {
        const ids = e.kind === 'room' ? inst.rooms.map((r) => r.id) : e.kind === 'provider' ? inst.providers.map((p) => p.id) : inst.equipment.map((x) => x.id);
        if (ids.length === 0) break;
        const start = (Math.max(0, nowSlot - 1) + (e.start % Math.max(1, slots - nowSlot))) * slot + e.off;
        const item = inst.equipment[0];
        events.push({
          type: 'resource-down',
          kind: e.kind,
          id: ids[e.id % ids.length]!,
          start: minute(start),
          end: minute(start + e.length * slot),
          ...(e.kind === 'equipment' && e.units !== undefined && item ? { units: Math.min(e.units, item.count) } : {}),
        });
        break;
      }
      case 'staff-absence': {
        const member = inst.staff[0];
        if (!member) break;
        const start = (Math.max(0, nowSlot - 1) + (e.start % Math.max(1, slots - nowSlot))) * slot + e.off;
        events.push({ type: 'staff-absence', staffId: member.id, start: minute(start), end: minute(start + e.length * slot) });
        break;
      }
    }
  }
  return events;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * True when the README's semantics cannot be read two ways on this case: no disruption touches what the
 * history uses of the same resource (a room down under a visit in progress), and an in-progress overrun
 * ends inside the horizon.
 */
export function unambiguous(inst: Instance, input: ReplanInput): boolean {
  const h0 = Date.parse(inst.horizon.start);
  const h1 = Date.parse(inst.horizon.end);
  const byRef = (ref: string) => input.appointments.find((a) => a.id === ref) ?? input.appointments.find((a) => a.id === undefined && a.requestId === ref);
  const endOf = new Map<Appointment, number>();
  for (const e of input.events)
    if (e.type === 'overrun') {
      const a = byRef(e.appointmentId)!;
      if (a.status === 'in-progress') {
        if (Date.parse(e.expectedEnd) > h1) return false;
        endOf.set(a, Date.parse(e.expectedEnd));
      }
    }
  const history = input.appointments.filter((a) => a.status === 'in-progress' || a.status === 'fulfilled');
  const span = (a: Appointment) => ({ start: Date.parse(a.start), end: endOf.get(a) ?? Date.parse(a.end) });
  for (const e of input.events) {
    let touches: (a: Appointment) => boolean = () => false;
    if (e.type === 'delay') {
      const b = { start: h0, end: Date.parse(e.availableFrom) };
      touches = (a) => a.providerId === e.providerId && overlaps(span(a), b);
    } else if (e.type === 'resource-down') {
      const b = { start: Date.parse(e.start), end: Date.parse(e.end) };
      if (e.kind === 'provider') touches = (a) => a.providerId === e.id && overlaps(span(a), b);
      else if (e.kind === 'room') touches = (a) => a.roomId === e.id && overlaps(span(a), b);
      else touches = (a) => a.equipment.some((x) => x.id === e.id) && overlaps(span(a), b);
    } else if (e.type === 'staff-absence') {
      const b = { start: Date.parse(e.start), end: Date.parse(e.end) };
      touches = (a) => a.staff.some((s) => s.staffId === e.staffId && overlaps({ start: Date.parse(s.start), end: Date.parse(s.end) }, b));
    }
    if (history.some(touches)) return false;
  }
  return true;
}

/** Tiny re-plan cases that pass checkReplanInput; throws (failing the property) if one does not. */
export const tinyReplan: fc.Arbitrary<TinyReplan> = draft
  .map((d) => {
    const { json, day, valid } = placeDay(d, clinicOf(d));
    const instance = parse(json);
    const h0 = Date.parse(instance.horizon.start);
    const now = h0 + (d.now.slot * d.slot + d.now.off) * MINUTE;
    const appointments = withStatuses(d, day, now);
    const events = eventsOf(d, instance, appointments, now);
    const input: ReplanInput = { now: instant(now), appointments, events };
    return { instanceInput: json, instance, input, valid };
  })
  .filter(({ instance, input, valid }) => {
    if (!valid) return false;
    if (input.appointments.length < 3 || input.events.length === 0) return false;
    const movable = input.appointments.filter((a) => !HISTORY.has(a.status ?? 'booked')).length;
    if (movable === 0 && !input.events.some((e) => e.type === 'emergency')) return false;
    return unambiguous(instance, input);
  })
  .map(({ valid: _, ...c }) => {
    const problems = checkReplanInput(c.instance, c.input);
    if (problems.length > 0) throw new Error(`tinyReplan generated an invalid re-plan input:\n${formatProblems(problems)}\n${JSON.stringify(c)}`);
    return { ...c, [fc.toStringMethod]: () => JSON.stringify({ instance: c.instanceInput, replan: c.input }) };
  });
