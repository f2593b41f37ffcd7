import { holdsCapacity, type Appointment } from '../contract/appointment.js';
import type { Equipment, Instance, Provider, Room, Service, Staff } from '../contract/instance.js';
import { jsonPath } from '../contract/parse.js';
import { formatInZone, toMs } from '../domain/time.js';
import { demandsOf, type Demand } from './demands.js';
import type { Violation } from './validateResult.js';

/** Numbered as in the contract's "Hard constraints". */
export type Constraint = 1 | 2 | 3 | 4 | 5 | 6 | 7;


/** An appointment of the result that holds capacity, with its times parsed. */
export type Placed = {
  /** Position in result.appointments. */
  index: number;
  appt: Appointment;
  start: number;
  end: number;
  /** The request (or booking) it schedules, if the instance has one with that id. */
  demand: Demand | undefined;
  /** The service of the request, else the one the appointment names, if it exists. */
  service: Service | undefined;
};

export type Context = {
  instance: Instance;
  horizon: { start: number; end: number };
  slotMs: number;
  providers: Map<string, Provider>;
  rooms: Map<string, Room>;
  staff: Map<string, Staff>;
  equipment: Map<string, Equipment>;
  services: Map<string, Service>;
  demands: Map<string, Demand>;
  placed: Placed[];
  report(constraint: Constraint, path: (string | number)[], message: string): void;
  /** Local clinic time, "10:40" (with the date when it is not the horizon's first day). */
  time(ms: number): string;
  /** "10:00-10:40" in local clinic time. */
  span(start: number, end: number): string;
  /** "request 'req-003' (10:00-10:40)". */
  label(p: Placed): string;
};

export function buildContext(instance: Instance, appointments: readonly Appointment[], violations: Violation[]): Context {
  const services = new Map(instance.services.map((s) => [s.id, s]));
  const demands = demandsOf(instance);
  const zone = instance.clinic.timezone;
  const firstDay = formatInZone(toMs(instance.horizon.start), zone).slice(0, 10);
  const report: Context['report'] = (constraint, path, message) =>
    violations.push({ constraint, path: jsonPath(['appointments', ...path]), message });
  const time = (ms: number) => localTime(ms, zone, firstDay);
  const span = (start: number, end: number) => `${time(start)}-${time(end)}`;

  const placed: Placed[] = [];
  appointments.forEach((appt, index) => {
    if (!holdsCapacity(appt.status)) return;
    const start = toMs(appt.start);
    const end = toMs(appt.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      const field = Number.isFinite(start) ? 'end' : 'start';
      report(2, [index, field], `request '${appt.requestId}': '${appt[field]}' is not a valid date-time`);
      return;
    }
    const demand = demands.get(appt.requestId);
    placed.push({ index, appt, start, end, demand, service: services.get(demand?.serviceId ?? appt.serviceId) });
  });

  return {
    instance,
    horizon: { start: toMs(instance.horizon.start), end: toMs(instance.horizon.end) },
    slotMs: instance.slotMinutes * 60_000,
    providers: new Map(instance.providers.map((p) => [p.id, p])),
    rooms: new Map(instance.rooms.map((r) => [r.id, r])),
    staff: new Map(instance.staff.map((s) => [s.id, s])),
    equipment: new Map(instance.equipment.map((e) => [e.id, e])),
    services,
    demands,
    placed,
    report,
    time,
    span,
    label: (p) => `request '${p.appt.requestId}' (${span(p.start, p.end)})`,
  };
}

function localTime(ms: number, zone: string, firstDay: string): string {
  if (!Number.isFinite(ms)) return '(invalid time)';
  const iso = formatInZone(ms, zone); // 2026-11-23T10:40:00-06:00, in the clinic's zone
  const seconds = iso.slice(17, 19);
  const clock = iso.slice(11, 16) + (seconds === '00' ? '' : `:${seconds}`);
  const day = iso.slice(0, 10);
  return day === firstDay ? clock : `${day} ${clock}`;
}

export function spansOf(intervals: readonly { start: string; end: string }[]): { start: number; end: number }[] {
  return intervals.map((iv) => ({ start: toMs(iv.start), end: toMs(iv.end) }));
}

/** "1 unit", "2 units". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
