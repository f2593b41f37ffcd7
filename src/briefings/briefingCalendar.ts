// One person's briefings over several days as an iCalendar feed (pure), written by ical-generator (RFC 5545
// folding and escaping are its job). Each appointment and each task keeps one UID for as long as it
// exists, its SEQUENCE is the appointment's version and LAST-MODIFIED its latest change, so a subscribed
// calendar updates the event in place when the visit moves. Times are written in UTC (the library's advice:
// no VTIMEZONE to get wrong); apps show them in the viewer's zone, and the description repeats the clinic's
// local time. Patients appear by id only: a feed leaves the clinic for calendar providers' servers.
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { AgendaItem, PersonBriefing, TaskItem } from '../contract/briefing.js';
import { toMs } from '../domain/time.js';

export type CalendarInput = {
  clinicId: string;
  clinicName?: string;
  timezone: string;
  personId: string;
  personName?: string;
  /** The person's briefings, one per day (two per day if the id is both a provider's and a staff member's). */
  briefings: readonly PersonBriefing[];
  /** The DTSTAMP of events whose last change is not known (the feed's making). */
  generatedAt: number;
  /** How often calendar apps should fetch the feed again. */
  refreshMinutes: number;
};

/** The UID of a person's agenda item or task: the same for as long as the appointment exists. */
export function eventUid(clinicId: string, personId: string, item: { appointmentId: string }, what: string): string {
  return `${item.appointmentId}.${what}.${personId}.${clinicId}@medsched`;
}

const named = (id: string, name: string | undefined) => name ?? id;

export function briefingCalendar(input: CalendarInput): string {
  const calendar = ical({
    prodId: { company: 'medsched', product: 'briefings', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    name: `${input.clinicName ?? input.clinicId}: ${input.personName ?? input.personId}`,
    description: `Agenda and tasks of ${input.personName ?? input.personId} at ${input.clinicName ?? input.clinicId}`,
    ttl: input.refreshMinutes * 60,
    x: { 'X-WR-TIMEZONE': input.timezone },
  });

  const add = (b: PersonBriefing, item: AgendaItem | TaskItem, uid: string, summary: string, details: string[]) => {
    const modified = item.lastModified !== null ? new Date(toMs(item.lastModified)) : null;
    const prep = b.prep.visits.find((v) => v.appointmentId === item.appointmentId)?.items ?? [];
    calendar.createEvent({
      id: uid,
      start: new Date(toMs(item.start)),
      end: new Date(toMs(item.end)),
      summary,
      location: named(item.roomId, item.roomName),
      description: [
        `${item.startLocal}–${item.endLocal} (${input.timezone})`,
        ...details,
        `Patient: ${item.patientId}`,
        ...(prep.length > 0 ? [`Prep: ${prep.join(', ')}`] : []),
        `Appointment: ${item.appointmentId} (${item.status})`,
      ].join('\n'),
      sequence: item.version,
      stamp: modified ?? new Date(input.generatedAt),
      lastModified: modified,
      status: ICalEventStatus.CONFIRMED,
    });
  };

  for (const b of input.briefings) {
    for (const a of b.agenda) {
      const service = named(a.serviceId, a.serviceName);
      add(b, a, eventUid(input.clinicId, input.personId, a, b.kind), `${service} · ${named(a.roomId, a.roomName)}`, [
        `Service: ${service}`,
        ...a.staff.filter((s) => !(b.kind === 'staff' && s.staffId === b.personId)).map((s) => `With ${named(s.staffId, s.staffName)} (${s.skill}) ${s.startLocal}–${s.endLocal}`),
        ...(a.equipment.length > 0 ? [`Equipment: ${a.equipment.map((e) => `${e.count} × ${named(e.equipmentId, e.name)}`).join(', ')}`] : []),
      ]);
    }
    // A person with two assignments in one appointment gets one event per assignment, numbered in time order.
    const seen = new Map<string, number>();
    for (const t of b.tasks) {
      const n = seen.get(t.appointmentId) ?? 0;
      seen.set(t.appointmentId, n + 1);
      const service = named(t.serviceId, t.serviceName);
      const host = t.providerId !== null ? ` with ${named(t.providerId, t.providerName)}` : '';
      add(b, t, eventUid(input.clinicId, input.personId, t, `task${n}`), `${t.skill}: ${service}${host} · ${named(t.roomId, t.roomName)}`, [
        `Task: ${t.skill}, inside ${service}${host}`,
      ]);
    }
  }
  return calendar.toString();
}
