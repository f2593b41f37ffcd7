// A daily briefing: for one provider or staff member, their agenda (their own appointments), the tasks
// they do inside other people's appointments (the phlebotomist's draw in exam 3 inside Dr. X's physical),
// what to prepare, and their working hours; every time also written the clinic's local way (HH:mm).
// Patients appear by id, and by name only when the clinic keeps their details. Not part of the shared contract.
import { z } from 'zod';
import { AppointmentStatus } from './appointment.js';
import { Id, Instant } from './primitives.js';

export const PersonKind = z.enum(['provider', 'staff']);
export type PersonKind = z.infer<typeof PersonKind>;

/** An interval as an instant in the clinic's zone and its local wall-clock time. */
const Timed = {
  start: Instant,
  end: Instant,
  startLocal: z.string().describe('HH:mm in the clinic\'s time zone'),
  endLocal: z.string().describe('HH:mm in the clinic\'s time zone'),
};

const Named = (what: string) => z.string().optional().describe(`the ${what}'s name in the set-up, when it has one`);

const Visit = {
  appointmentId: Id,
  /** The appointment's version: it advances with every change (a calendar's SEQUENCE). */
  version: z.number().int().positive(),
  /** When it last changed (its latest history entry), when known. */
  lastModified: Instant.nullable(),
  status: AppointmentStatus,
  serviceId: Id,
  serviceName: Named('service'),
  roomId: Id,
  roomName: Named('room'),
  patientId: Id,
  patientName: z.string().optional().describe("only when the clinic keeps the patient's details"),
};

export const HelperTask = z.object({ staffId: Id, staffName: Named('staff member'), skill: Id, ...Timed });

export const AgendaItem = z
  .object({
    ...Visit,
    ...Timed,
    providerId: Id.nullable(),
    providerName: Named('provider'),
    /** Who else works in it, and when (a provider sees the phlebotomist coming at 10:30). */
    staff: z.array(HelperTask),
    equipment: z.array(z.object({ equipmentId: Id, name: Named('equipment item'), count: z.number().int().positive() })),
  })
  .meta({ id: 'BriefingAgendaItem' });
export type AgendaItem = z.infer<typeof AgendaItem>;

export const TaskItem = z
  .object({
    ...Visit,
    /** The task's own time inside the appointment. */
    ...Timed,
    skill: Id,
    /** Whose appointment it is (null: a service without a provider). */
    providerId: Id.nullable(),
    providerName: Named('provider'),
    appointmentStart: Instant,
    appointmentEnd: Instant,
  })
  .meta({ id: 'BriefingTask' });
export type TaskItem = z.infer<typeof TaskItem>;

export const PrepVisit = z.object({
  appointmentId: Id,
  ...Timed,
  roomId: Id,
  roomName: Named('room'),
  serviceId: Id,
  serviceName: Named('service'),
  patientId: Id,
  patientName: z.string().optional(),
  /** Forms and supplies, from the service's `prep`. */
  items: z.array(z.string()),
});
export type PrepVisit = z.infer<typeof PrepVisit>;

export const StageEquipment = z.object({ equipmentId: Id, name: Named('equipment item'), count: z.number().int().positive(), roomId: Id, roomName: Named('room'), appointmentId: Id, ...Timed });
export type StageEquipment = z.infer<typeof StageEquipment>;

export const PrepList = z
  .object({
    visits: z.array(PrepVisit).describe('each visit with forms or supplies to prepare, in start order'),
    totals: z.array(z.object({ item: z.string(), count: z.number().int().positive() })).describe('how many of each item the day needs'),
    equipment: z.array(StageEquipment).describe('equipment to stage: which item, in which room, from when to when'),
  })
  .meta({ id: 'PrepList' });
export type PrepList = z.infer<typeof PrepList>;

export const PersonBriefing = z
  .object({
    personId: Id,
    kind: PersonKind,
    name: z.string().optional(),
    date: z.string(),
    /** Their availability on the date. */
    hours: z.array(z.object(Timed)),
    agenda: z.array(AgendaItem),
    tasks: z.array(TaskItem),
    prep: PrepList,
  })
  .meta({ id: 'PersonBriefing' });
export type PersonBriefing = z.infer<typeof PersonBriefing>;

export const DayBriefings = z
  .object({
    clinicId: Id,
    clinicName: z.string().optional(),
    date: z.string(),
    timezone: z.string(),
    people: z.array(PersonBriefing),
    /** The whole clinic's prep for the day. */
    prep: PrepList,
  })
  .meta({ id: 'DayBriefings' });
export type DayBriefings = z.infer<typeof DayBriefings>;

/** What changed a schedule so that someone's agenda changed. */
export const NotificationCause = z.enum(['optimization.apply', 'replan.apply', 'appointment.reschedule', 'appointment.cancel', 'appointment.no-show']);
export type NotificationCause = z.infer<typeof NotificationCause>;

/** One person's agenda changed: ids only (read their briefing for the rest). */
export const AgendaNotification = z
  .object({
    personId: Id,
    kind: PersonKind,
    date: z.string().describe('the clinic-local date whose agenda changed'),
    cause: NotificationCause,
    sourceId: z.string().describe('the applied job, or the appointment rescheduled or cancelled'),
    appointmentIds: z.array(Id).describe("the appointments that came onto, left or moved within the person's agenda"),
    at: Instant,
  })
  .meta({ id: 'AgendaNotification' });
export type AgendaNotification = z.infer<typeof AgendaNotification>;
