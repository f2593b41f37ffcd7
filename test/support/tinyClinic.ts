// A fast-check arbitrary of tiny, valid clinic instances, small enough for an exhaustive search.
//
// Everything is built from fc combinators (no randomness of our own), so a failing case shrinks.
// References are drawn as plain numbers and resolved with `% length` afterwards, so every
// combination of drawn values is a valid instance; `tinyClinic` asserts it through parseInstance.
import fc from 'fast-check';
import type { Instance, InstanceInput } from '../../src/contract/instance.js';
import { formatProblems, parseInstance } from '../../src/contract/parse.js';

export const SLOT = 15;
/** 08:00 in Chicago (CST), on a day without a daylight-saving change anywhere we use. */
export const HORIZON_START_MS = Date.parse('2026-11-24T14:00:00Z');

const SPECIALTIES = ['family-medicine', 'orthopedics'] as const;
const CAPABILITIES = ['exam', 'procedure'] as const;
const SKILLS = ['phlebotomy', 'procedure-assist'] as const;
const PATIENTS = ['pt-a', 'pt-b', 'pt-c', 'pt-d'] as const;

/** An instant `minutes` after the horizon start, RFC 3339 in UTC. */
export function at(minutes: number): string {
  return new Date(HORIZON_START_MS + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

type Span = [number, number]; // minutes after the horizon start

/** `arb` in `present` out of `present + absent` cases, else undefined (which it shrinks towards). */
const maybe = <T>(arb: fc.Arbitrary<T>, present: number, absent: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });

/** A minute of the horizon: mostly on the 15-minute grid, sometimes on a 5-minute one. */
const minuteOf = (horizonMinutes: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: Math.floor(horizonMinutes / SLOT) }).map((k) => k * SLOT) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: Math.floor(horizonMinutes / 5) }).map((k) => k * 5) },
  );

/** Sorted distinct minutes of the horizon. */
const points = (horizonMinutes: number, n: number) =>
  fc.uniqueArray(minuteOf(horizonMinutes), { minLength: n, maxLength: n }).map((xs) => [...xs].sort((a, b) => a - b));

/** The whole horizon (most often), the horizon less a break, one interval, or two intervals with a gap. */
const availability = (horizonMinutes: number): fc.Arbitrary<Span[]> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant<Span[]>([[0, horizonMinutes]]) },
    {
      weight: 2,
      arbitrary: points(horizonMinutes, 2).map(([a, b]) => ([[0, a!], [b!, horizonMinutes]] as Span[]).filter(([s, e]) => e > s)),
    },
    { weight: 1, arbitrary: points(horizonMinutes, 2).map(([a, b]) => [[a!, b!]] as Span[]) },
    { weight: 1, arbitrary: points(horizonMinutes, 4).map(([a, b, c, d]) => [[a!, b!], [c!, d!]] as Span[]) },
  );

const interval = ([start, end]: Span) => ({ start: at(start), end: at(end) });

type Raw = fc.Arbitrary<InstanceInput>;

function body(slots: number): Raw {
  const horizonMinutes = slots * SLOT;
  const providers = fc.array(
    fc.record({
      specialties: fc.subarray([...SPECIALTIES], { minLength: 1 }),
      availability: availability(horizonMinutes),
      maxAppointments: maybe(fc.integer({ min: 0, max: 3 }), 1, 3),
    }),
    { minLength: 1, maxLength: 2 },
  );
  const rooms = fc.array(
    fc.record({ capabilities: fc.subarray([...CAPABILITIES], { minLength: 1 }), availability: availability(horizonMinutes) }),
    { minLength: 1, maxLength: 3 },
  );
  const equipment = maybe(
    fc.record({
      count: fc.integer({ min: 1, max: 2 }),
      downtime: maybe(fc.record({ span: points(horizonMinutes, 2), units: maybe(fc.integer({ min: 1, max: 2 }), 1, 1) }), 1, 1),
    }),
    1,
    1,
  );
  const staff = fc.array(
    fc.record({ skills: fc.subarray([...SKILLS], { minLength: 1 }), availability: availability(horizonMinutes) }),
    { maxLength: 2 },
  );
  const task = fc.record({ skill: fc.nat(), offset: fc.nat(), length: fc.nat() });
  const services = fc.array(
    fc.record({
      slots: fc.integer({ min: 1, max: 4 }),
      specialty: maybe(fc.nat(), 3, 1),
      capability: fc.nat(),
      equipmentCount: maybe(fc.integer({ min: 1, max: 2 }), 1, 1),
      tasks: fc.oneof(
        { weight: 3, arbitrary: fc.constant<{ skill: number; offset: number; length: number }[]>([]) },
        { weight: 4, arbitrary: fc.array(task, { minLength: 1, maxLength: 2 }) },
      ),
      turnover: fc.constantFrom(0, 0, 5, 10, 15),
    }),
    { minLength: 1, maxLength: 3 },
  );
  const window = fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: minuteOf(horizonMinutes / 2).map((es) => ({ es })) },
    { weight: 1, arbitrary: minuteOf(horizonMinutes / 2).map((le) => ({ le: horizonMinutes - le })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(minuteOf(horizonMinutes - 5), fc.integer({ min: 1, max: horizonMinutes / SLOT }))
        .map(([es, width]) => ({ es, le: Math.min(horizonMinutes, es + width * SLOT) })),
    },
  ) as fc.Arbitrary<{ es?: number; le?: number }>;
  const requests = fc.array(
    fc.record({
      service: fc.nat(),
      patient: fc.integer({ min: 0, max: PATIENTS.length - 1 }),
      urgency: fc.constantFrom('routine', 'routine', 'urgent', 'emergency') as fc.Arbitrary<'routine' | 'urgent' | 'emergency'>,
      window,
      slots: maybe(fc.integer({ min: 1, max: 4 }), 1, 3),
      providerId: maybe(fc.nat(), 1, 2),
      preferred: fc.array(fc.nat(), { maxLength: 2 }),
      noShow: maybe(fc.constantFrom(0, 0.1, 0.25, 0.35, 0.5, 0.8, 1), 1, 1),
    }),
    { minLength: 1, maxLength: 6 },
  );
  // Overbooking (an extension) in a quarter of the clinics, so the exact search checks it too.
  const overbooking = maybe(fc.constantFrom(1, 1.3, 1.5, 1.65, 2), 1, 3);
  const weights = maybe(
    fc.record({
      emergency: fc.integer({ min: 1, max: 2000 }),
      urgent: fc.integer({ min: 1, max: 300 }),
      routine: fc.integer({ min: 1, max: 50 }),
      preferredProvider: fc.integer({ min: 0, max: 20 }),
      waitPerHour: fc.constantFrom(0, 0.25, 1, 2.5),
    }),
    1,
    1,
  );
  const timezone = fc.constantFrom('America/Chicago', 'UTC', 'Europe/Berlin');

  return fc
    .record({ providers, rooms, equipment, staff, services, requests, weights, timezone, overbooking })
    .map((raw) => {
      const providerList = raw.providers.map((p, i) => ({
        id: `dr-${i}`,
        specialties: p.specialties,
        availability: p.availability.map(interval),
        ...(p.maxAppointments !== undefined ? { maxAppointments: p.maxAppointments } : {}),
      }));
      const roomList = raw.rooms.map((r, i) => ({ id: `room-${i}`, capabilities: r.capabilities, availability: r.availability.map(interval) }));
      const equipmentList = raw.equipment
        ? [
            {
              id: 'eq-0',
              count: raw.equipment.count,
              downtime: raw.equipment.downtime
                ? [
                    {
                      ...interval(raw.equipment.downtime.span as Span),
                      ...(raw.equipment.downtime.units !== undefined
                        ? { units: Math.min(raw.equipment.downtime.units, raw.equipment.count) }
                        : {}),
                    },
                  ]
                : [],
            },
          ]
        : [];
      const staffList = raw.staff.map((s, i) => ({ id: `st-${i}`, skills: s.skills, availability: s.availability.map(interval) }));

      const specialties = [...new Set(providerList.flatMap((p) => p.specialties))];
      const capabilities = [...new Set(roomList.flatMap((r) => r.capabilities))];
      const skills = [...new Set(staffList.flatMap((s) => s.skills))];
      const serviceList = raw.services.map((s, i) => {
        const minutes = s.slots * SLOT;
        const tasks =
          skills.length === 0
            ? []
            : s.tasks.map((t) => {
                const offset = t.offset % s.slots;
                return { skill: skills[t.skill % skills.length]!, offsetMinutes: offset * SLOT, minutes: (1 + (t.length % (s.slots - offset))) * SLOT };
              });
        const item = equipmentList[0];
        return {
          id: `svc-${i}`,
          minutes,
          ...(s.specialty !== undefined ? { specialty: specialties[s.specialty % specialties.length]! } : {}),
          roomCapability: capabilities[s.capability % capabilities.length]!,
          equipment: item && s.equipmentCount !== undefined ? [{ id: item.id, count: Math.min(s.equipmentCount, item.count) }] : [],
          staffTasks: tasks,
          turnoverMinutes: s.turnover,
        };
      });

      const requestList = raw.requests.map((r, i) => {
        const service = serviceList[r.service % serviceList.length]!;
        const taskEnd = Math.max(0, ...service.staffTasks.map((t) => t.offsetMinutes + t.minutes));
        const eligible = service.specialty === undefined ? [] : providerList.filter((p) => p.specialties.includes(service.specialty!));
        const preferred = [...new Set(r.preferred.map((k) => providerList[k % providerList.length]!.id))];
        return {
          id: `req-${i}`,
          patientId: PATIENTS[r.patient]!,
          serviceId: service.id,
          urgency: r.urgency,
          ...(r.window.es !== undefined ? { earliestStart: at(r.window.es) } : {}),
          ...(r.window.le !== undefined ? { latestEnd: at(r.window.le) } : {}),
          ...(r.slots !== undefined ? { minutes: Math.max(r.slots * SLOT, Math.ceil(taskEnd / SLOT) * SLOT) } : {}),
          ...(r.providerId !== undefined && eligible.length > 0 ? { providerId: eligible[r.providerId % eligible.length]!.id } : {}),
          ...(preferred.length > 0 ? { preferredProviderIds: preferred } : {}),
          ...(r.noShow !== undefined ? { noShowProbability: r.noShow } : {}),
        };
      });

      // Weights must make every request worth scheduling: each urgency above waitPerHour × horizon hours.
      const floor = raw.weights ? Math.floor(raw.weights.waitPerHour * (horizonMinutes / 60)) + 1 : 0;
      const weights = raw.weights && {
        urgency: {
          emergency: Math.max(raw.weights.emergency, floor),
          urgent: Math.max(raw.weights.urgent, floor),
          routine: Math.max(raw.weights.routine, floor),
        },
        preferredProvider: raw.weights.preferredProvider,
        waitPerHour: raw.weights.waitPerHour,
      };

      const input: InstanceInput = {
        version: 1,
        clinic: { id: 'tiny', timezone: raw.timezone },
        horizon: interval([0, horizonMinutes]),
        slotMinutes: SLOT,
        providers: providerList,
        rooms: roomList,
        equipment: equipmentList,
        staff: staffList,
        services: serviceList,
        requests: requestList,
        ...(weights ? { weights } : {}),
        ...(raw.overbooking !== undefined ? { overbooking: { maxExpectedLoad: raw.overbooking } } : {}),
      };
      return input;
    });
}

/** Raw JSON of a tiny clinic: 15-minute grid, a 2-3 hour horizon, at most 6 requests. */
export const tinyClinicInput: Raw = fc.integer({ min: 8, max: 12 }).chain(body);

export type TinyClinic = { input: InstanceInput; instance: Instance };

/** A tiny clinic and its parsed instance; fails the property if the instance does not parse. */
export const tinyClinic: fc.Arbitrary<TinyClinic> = tinyClinicInput.map((input) => {
  const parsed = parseInstance(input);
  if (!parsed.ok) throw new Error(`tinyClinic generated an invalid instance:\n${formatProblems(parsed.problems)}\n${JSON.stringify(input)}`);
  // A failing property prints the JSON input only (paste it into a file and run the CLI on it).
  return { input, instance: parsed.value, [fc.toStringMethod]: () => JSON.stringify(input) };
});
