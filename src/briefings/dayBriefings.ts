// The day's briefings, from the clinic's set-up and the date's appointments (pure: no I/O, no clock).
// Each provider's agenda is their appointments; a staff member's is the appointments of services without
// a provider that they do (a blood draw), and their tasks are their assignments inside someone else's
// appointment (the 10:30 draw inside Dr. Okafor's physical). Cancelled, no-show and held (not yet booked)
// places are left out: nobody needs to be there.
import { holdsCapacity, type Appointment } from '../contract/appointment.js';
import type { AgendaItem, DayBriefings, PersonBriefing, PersonKind, PrepList, TaskItem } from '../contract/briefing.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { dayBounds, localDateOf } from '../booking/dayGrid.js';
import { formatInZone, localTime, toMs } from '../domain/time.js';

/** An appointment as stored (version and history when known; `hold` marks a place held, not booked). */
export type BriefingAppointment = Appointment & { id: string; version?: number; history?: readonly { at: string }[]; hold?: unknown };

export type BriefingInput = {
  setup: ClinicSetup;
  /** The clinic-local date, YYYY-MM-DD. */
  date: string;
  appointments: readonly BriefingAppointment[];
  /** Patients' names by id, when the clinic keeps their details (else patients appear by id only). */
  patientNames?: ReadonlyMap<string, string>;
};

/** Whether an appointment belongs on the date's briefings: booked or under way or done, on that local date. */
export function onBriefing(a: BriefingAppointment, date: string, timeZone: string): boolean {
  return holdsCapacity(a.status) && a.hold === undefined && localDateOf(toMs(a.start), timeZone) === date;
}

export function dayBriefings({ setup, date, appointments, patientNames }: BriefingInput): DayBriefings {
  const zone = setup.clinic.timezone;
  const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((i) => [i.id, i]));
  const providers = byId(setup.providers);
  const staff = byId(setup.staff);
  const rooms = byId(setup.rooms);
  const services = byId(setup.services);
  const equipment = byId(setup.equipment);
  const timed = (start: string, end: string) => {
    const [s, e] = [toMs(start), toMs(end)];
    return { start: formatInZone(s, zone), end: formatInZone(e, zone), startLocal: localTime(s, zone), endLocal: localTime(e, zone) };
  };
  const named = <K extends string>(key: K, name: string | undefined) => (name !== undefined ? ({ [key]: name } as Record<K, string>) : {});

  const day = appointments
    .filter((a) => onBriefing(a, date, zone))
    .sort((a, b) => toMs(a.start) - toMs(b.start) || a.id.localeCompare(b.id));

  const visitOf = (a: BriefingAppointment) => ({
    appointmentId: a.id,
    version: a.version ?? 1,
    lastModified: a.history?.at(-1)?.at ?? null,
    status: a.status ?? 'booked',
    serviceId: a.serviceId,
    ...named('serviceName', services.get(a.serviceId)?.name),
    roomId: a.roomId,
    ...named('roomName', rooms.get(a.roomId)?.name),
    patientId: a.patientId,
    ...named('patientName', patientNames?.get(a.patientId)),
  });

  const agendaItem = (a: BriefingAppointment): AgendaItem => ({
    ...visitOf(a),
    ...timed(a.start, a.end),
    providerId: a.providerId,
    ...named('providerName', a.providerId !== null ? providers.get(a.providerId)?.name : undefined),
    staff: a.staff.map((s) => ({ staffId: s.staffId, ...named('staffName', staff.get(s.staffId)?.name), skill: s.skill, ...timed(s.start, s.end) })),
    equipment: a.equipment.map((e) => ({ equipmentId: e.id, ...named('name', equipment.get(e.id)?.name), count: e.count })),
  });

  const taskItem = (a: BriefingAppointment, task: Appointment['staff'][number]): TaskItem => ({
    ...visitOf(a),
    ...timed(task.start, task.end),
    skill: task.skill,
    providerId: a.providerId,
    ...named('providerName', a.providerId !== null ? providers.get(a.providerId)?.name : undefined),
    appointmentStart: formatInZone(toMs(a.start), zone),
    appointmentEnd: formatInZone(toMs(a.end), zone),
  });

  // Who does what: a provider their appointments; staff the provider-less ones they do, else a task.
  const people = new Map<string, { kind: PersonKind; id: string; agenda: BriefingAppointment[]; tasks: [BriefingAppointment, Appointment['staff'][number]][] }>();
  const personOf = (kind: PersonKind, id: string) => {
    const key = `${kind}:${id}`;
    let person = people.get(key);
    if (!person) people.set(key, (person = { kind, id, agenda: [], tasks: [] }));
    return person;
  };
  for (const p of setup.providers) personOf('provider', p.id);
  for (const s of setup.staff) personOf('staff', s.id);
  for (const a of day) {
    if (a.providerId !== null) personOf('provider', a.providerId).agenda.push(a);
    for (const task of a.staff) {
      const member = personOf('staff', task.staffId);
      if (a.providerId !== null) member.tasks.push([a, task]);
      else if (!member.agenda.includes(a)) member.agenda.push(a);
    }
  }

  const { start: dayStart, end: dayEnd } = dayBounds(date, zone);
  const hoursOf = (availability: readonly { start: string; end: string }[]) =>
    availability
      .map((i) => [Math.max(toMs(i.start), dayStart), Math.min(toMs(i.end), dayEnd)] as const)
      .filter(([s, e]) => s < e)
      .sort((x, y) => x[0] - y[0])
      .map(([s, e]) => ({ start: formatInZone(s, zone), end: formatInZone(e, zone), startLocal: localTime(s, zone), endLocal: localTime(e, zone) }));

  const prepOf = (visits: readonly BriefingAppointment[]): PrepList => {
    const totals = new Map<string, number>();
    const list: PrepList = { visits: [], totals: [], equipment: [] };
    for (const a of visits) {
      const items = services.get(a.serviceId)?.prep ?? [];
      if (items.length > 0) {
        list.visits.push({
          appointmentId: a.id,
          ...timed(a.start, a.end),
          roomId: a.roomId,
          ...named('roomName', rooms.get(a.roomId)?.name),
          serviceId: a.serviceId,
          ...named('serviceName', services.get(a.serviceId)?.name),
          patientId: a.patientId,
          ...named('patientName', patientNames?.get(a.patientId)),
          items: [...items],
        });
        for (const item of items) totals.set(item, (totals.get(item) ?? 0) + 1);
      }
      for (const e of a.equipment)
        list.equipment.push({
          equipmentId: e.id,
          ...named('name', equipment.get(e.id)?.name),
          count: e.count,
          roomId: a.roomId,
          ...named('roomName', rooms.get(a.roomId)?.name),
          appointmentId: a.id,
          ...timed(a.start, a.end),
        });
    }
    list.totals = [...totals].sort(([x], [y]) => x.localeCompare(y)).map(([item, count]) => ({ item, count }));
    return list;
  };

  const briefings: PersonBriefing[] = [...people.values()].map((person) => {
    const known = person.kind === 'provider' ? providers.get(person.id) : staff.get(person.id);
    const involved = [...new Set([...person.agenda, ...person.tasks.map(([a]) => a)])].sort(
      (a, b) => toMs(a.start) - toMs(b.start) || a.id.localeCompare(b.id),
    );
    return {
      personId: person.id,
      kind: person.kind,
      ...named('name', known?.name),
      date,
      hours: hoursOf(known?.availability ?? []),
      agenda: person.agenda.map(agendaItem),
      tasks: person.tasks.map(([a, task]) => taskItem(a, task)).sort((x, y) => toMs(x.start) - toMs(y.start) || x.appointmentId.localeCompare(y.appointmentId)),
      prep: prepOf(involved),
    };
  });

  return {
    clinicId: setup.clinic.id,
    ...named('clinicName', setup.clinic.name),
    date,
    timezone: zone,
    people: briefings,
    prep: prepOf(day),
  };
}
