// Daily briefings for providers and staff, and what tells them their day changed:
// - GET /clinics/{id}/briefings?date=[&person=][&format=html]: everyone's (or one person's) agenda, tasks
//   inside other people's appointments and prep list, as JSON or a printable page;
//   GET .../briefings/{personId}.html?date=: one person's printable page.
// - GET .../briefings/{personId}.ics?key=: the person's calendar feed for the next days. Calendar apps send
//   no bearer token, so the URL carries a signed key instead (POST .../briefings/{personId}/subscription
//   issues the link, DELETE revokes every link of that person).
// - GET /clinics/{id}/notifications[?person=]: the agenda changes recorded when plans were applied and
//   appointments moved or cancelled (see agendaNotices.ts).
// A clinician reads and links only their own (their provider id).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { roleActions } from '../auth/actions.js';
import { calendarLinkKey, calendarLinkKeyMatches } from '../auth/calendarLinks.js';
import { StreamId } from '../audit/auditEntry.js';
import { localDateOf } from '../booking/dayGrid.js';
import { briefingCalendar } from '../briefings/briefingCalendar.js';
import { BRIEFING_PAGE_CSP, briefingPage } from '../briefings/briefingHtml.js';
import { dayBriefings } from '../briefings/dayBriefings.js';
import { AgendaNotification, DayBriefings, type PersonBriefing } from '../contract/briefing.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { calendarLinkGeneration, revokeCalendarLinks } from '../store/calendarLinks.js';
import { listDay } from '../store/day.js';
import { clinicKeys } from '../store/keys.js';
import { readNotifications } from '../store/notifications.js';
import { patientFromRecord } from '../store/patients.js';
import { forbidden, principalOf } from './access.js';
import { auditLinkHolder, auditPatients } from './auditTrail.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, notFound } from './errors.js';
import { ClinicId, ClinicParams, ItemId, LocalDate } from './params.js';

/** Calendar apps are asked to fetch a feed again this often. */
const FEED_REFRESH_MINUTES = 15;
const MAX_FEED_DAYS = 62;

const PersonParams = z.object({ id: ClinicId, personId: ItemId });
const BriefingsQuery = z.object({
  date: LocalDate.describe('the clinic-local day, YYYY-MM-DD'),
  person: ItemId.optional().describe("one provider's or staff member's id (a clinician: their own, the default)"),
  format: z.enum(['json', 'html']).default('json').describe('html: a printable page, one sheet per person'),
});
const PageQuery = z.object({ date: LocalDate.describe('the clinic-local day, YYYY-MM-DD') });
const FeedQuery = z.object({
  key: z.string().max(200).optional().describe("the subscription link's key"),
  from: LocalDate.optional().describe("the first day (default: today in the clinic's time zone)"),
  days: z.coerce.number().int().min(1).max(MAX_FEED_DAYS).optional().describe('how many days (default FEED_DEFAULT_DAYS, 14)'),
});
const Subscription = z
  .object({
    personId: z.string(),
    url: z.string().describe('the feed to subscribe to (give it to the person; it is a credential: anyone with it reads their agenda)'),
    webcalUrl: z.string().describe('the same as webcal://, which calendar apps open as a subscription'),
    path: z.string(),
    days: z.number().int().describe('days the feed covers from today'),
    refreshMinutes: z.number().int(),
  })
  .meta({ id: 'CalendarSubscription' });
const Revoked = z.object({ personId: z.string(), revoked: z.literal(true), message: z.string() }).meta({ id: 'CalendarLinksRevoked' });
const NotificationsQuery = z.object({
  person: ItemId.optional().describe("one provider's or staff member's id (a clinician: their own, the default)"),
  date: LocalDate.optional().describe('only changes to this clinic-local day'),
  after: StreamId.optional().describe("the page before's `next`"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const NotificationsPage = z
  .object({
    clinicId: z.string(),
    notifications: z.array(AgendaNotification.extend({ id: StreamId })),
    next: StreamId.nullable().describe('pass as `after` for the next page; null when there is none yet'),
  })
  .meta({ id: 'NotificationsPage' });

export function registerBriefingRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store, config } = deps;
  const table = roleActions(config.access.integrationActions);

  /** A clinician may only name their own provider id; `person` defaults to it. */
  const ownPerson = (request: FastifyRequest, person: string | undefined, what: string): string | undefined => {
    const principal = principalOf(request);
    if (principal.role !== 'clinician') return person;
    if (person !== undefined && person !== principal.providerId) throw forbidden(`a clinician may only ${what} their own (provider '${principal.providerId}')`);
    return principal.providerId;
  };

  const requirePerson = (setup: ClinicSetup, clinicId: string, personId: string, day?: DayBriefings) => {
    const known = setup.providers.some((p) => p.id === personId) || setup.staff.some((s) => s.id === personId) || day?.people.some((p) => p.personId === personId);
    if (!known) throw notFound(`provider or staff member '${personId}' of clinic '${clinicId}'`);
  };

  /** Patients' names when the clinic keeps their details and the caller may read them. */
  const namesFor = async (request: FastifyRequest, clinicId: string, patientIds: string[]): Promise<Map<string, string> | undefined> => {
    if (!table[principalOf(request).role].has('read-patients') || patientIds.length === 0) return undefined;
    const raws = await store.redis.hmget(clinicKeys(store.prefix, clinicId).patients, ...patientIds);
    const names = new Map<string, string>();
    raws.forEach((raw, i) => {
      if (raw === null) return;
      const read = patientFromRecord(raw, clinicId, config.patientCipher, patientIds[i]);
      if (read.ok) names.set(read.patient.id, read.patient.name);
    });
    return names;
  };

  const briefingsOf = async (request: FastifyRequest, clinicId: string, date: string): Promise<DayBriefings> => {
    const { setup } = await clinicSetupOf(store, clinicId);
    const { appointments } = await listDay(store, clinicId, date);
    const patientNames = await namesFor(request, clinicId, [...new Set(appointments.map((a) => a.patientId))]);
    return dayBriefings({ setup, date, appointments, ...(patientNames ? { patientNames } : {}) });
  };

  const sendPage = (request: FastifyRequest, reply: FastifyReply, day: DayBriefings, people: readonly PersonBriefing[]) => {
    auditPatients(request, patientsOf(people));
    return reply
      .header('content-security-policy', BRIEFING_PAGE_CSP)
      .type('text/html; charset=utf-8')
      .serializer((page: unknown) => page as string)
      .send(briefingPage(day, people));
  };

  app.get(
    '/clinics/:id/briefings',
    {
      config: { audit: { action: 'briefing.read', object: 'briefing', patientData: true }, access: { action: 'read-briefings' } },
      schema: {
        tags: ['briefings'],
        operationId: 'getBriefings',
        summary: "The day's briefing of every provider and staff member (or one): agenda, tasks in others' appointments, prep",
        description:
          'Agenda: their own appointments (a staff member\'s: the services without a provider they do). Tasks: their assignments inside other people\'s appointments, at the task\'s own time. ' +
          'Prep: forms and supplies from the services\' `prep`, and equipment to stage per room and time; the top-level `prep` is the whole day\'s (one person\'s with `person`). ' +
          'Times are instants in the clinic\'s zone and `HH:mm` local times. Patients appear by id, and by name when the clinic keeps their details and the caller may read them. ' +
          '`format=html` answers a printable page (one sheet per person with something on the day). A clinician gets their own briefing only.',
        params: ClinicParams,
        querystring: BriefingsQuery,
        response: { 200: DayBriefings, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { date, format } = request.query;
      const person = ownPerson(request, request.query.person, 'read the briefing');
      const day = await briefingsOf(request, id, date);
      let answer = day;
      if (person !== undefined) {
        const { setup } = await clinicSetupOf(store, id);
        requirePerson(setup, id, person, day);
        const people = day.people.filter((p) => p.personId === person);
        answer = { ...day, people, prep: people.length === 1 ? people[0]!.prep : mergedPrep(people, day) };
      }
      if (format === 'html')
        return sendPage(request, reply, answer, person !== undefined ? answer.people : answer.people.filter((p) => p.agenda.length > 0 || p.tasks.length > 0));
      return answer;
    },
  );

  app.get(
    '/clinics/:id/briefings/:personId.html',
    {
      config: { audit: { action: 'briefing.read', object: 'briefing', patientData: true }, access: { action: 'read-briefings' } },
      schema: {
        tags: ['briefings'],
        operationId: 'getBriefingPage',
        summary: "One person's briefing of the day as a printable HTML page",
        params: PersonParams,
        querystring: PageQuery,
        response: { 200: z.string().describe('text/html'), ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id, personId } = request.params;
      ownPerson(request, personId, 'read the briefing');
      const day = await briefingsOf(request, id, request.query.date);
      const { setup } = await clinicSetupOf(store, id);
      requirePerson(setup, id, personId, day);
      return sendPage(request, reply, day, day.people.filter((p) => p.personId === personId));
    },
  );

  const linkSecret = () => {
    if (!config.briefings.linkSecret)
      throw new ApiError(503, { error: 'not-configured', message: 'calendar links need a secret: set MEDSCHED_FEED_SECRET (or MEDSCHED_JWT_SECRET) on the API' });
    return config.briefings.linkSecret;
  };
  const linkRefused = () =>
    new ApiError(401, { error: 'unauthenticated', message: 'this calendar link is not valid (its key is wrong, or the link was revoked); ask for a new link' });

  app.get(
    '/clinics/:id/briefings/:personId.ics',
    {
      config: { audit: { action: 'briefing.feed', object: 'briefing', patientData: true }, access: 'signed-link' },
      schema: {
        tags: ['briefings'],
        operationId: 'getBriefingFeed',
        summary: "One person's agenda and tasks as an iCalendar feed, for calendar apps to subscribe to (signed link)",
        description:
          'No bearer token: the URL\'s `key` is the credential (POST .../briefings/{personId}/subscription issues the link; DELETE revokes every link issued so far). ' +
          'One event per appointment and per task, each with a UID that stays while the appointment exists, SEQUENCE = the appointment\'s version and LAST-MODIFIED = its last change, ' +
          'so subscribed calendars update moved visits in place and drop cancelled ones. Times in UTC; patients by id only.',
        params: PersonParams,
        querystring: FeedQuery,
        response: { 200: z.string().describe('text/calendar'), ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id, personId } = request.params;
      const secret = linkSecret();
      const { key } = request.query;
      // The key first: without a valid one, nothing is said about the clinic or the person.
      if (key === undefined || !calendarLinkKeyMatches(secret, id, personId, await calendarLinkGeneration(store, id, personId), key)) throw linkRefused();
      auditLinkHolder(request, `calendar-link:${personId}`);
      const { setup } = await clinicSetupOf(store, id);
      requirePerson(setup, id, personId);
      const zone = setup.clinic.timezone;
      const from = request.query.from ?? localDateOf(deps.now(), zone);
      const dates = Array.from({ length: request.query.days ?? config.briefings.feedDefaultDays }, (_, i) => addDays(from, i));
      const days = await Promise.all(dates.map((date) => listDay(store, id, date)));
      const briefings = dates.flatMap((date, i) => dayBriefings({ setup, date, appointments: days[i]!.appointments }).people.filter((p) => p.personId === personId));
      auditPatients(request, patientsOf(briefings));
      const known = setup.providers.find((p) => p.id === personId) ?? setup.staff.find((s) => s.id === personId);
      const feed = briefingCalendar({
        clinicId: id,
        ...(setup.clinic.name !== undefined ? { clinicName: setup.clinic.name } : {}),
        timezone: zone,
        personId,
        ...(known?.name !== undefined ? { personName: known.name } : {}),
        briefings,
        generatedAt: deps.now(),
        refreshMinutes: FEED_REFRESH_MINUTES,
      });
      return reply.type('text/calendar; charset=utf-8').serializer((text: unknown) => text as string).send(feed);
    },
  );

  app.post(
    '/clinics/:id/briefings/:personId/subscription',
    {
      config: { audit: { action: 'calendar-link.issue', object: 'calendar-link', patientData: false }, access: { action: 'manage-calendar-links' } },
      schema: {
        tags: ['briefings'],
        operationId: 'issueCalendarLink',
        summary: "The person's calendar subscription link (the same link until it is revoked)",
        description:
          'The link carries a key signed with the API\'s link secret over the clinic, the person and their link generation; it reaches that one feed only. ' +
          'Hand it to the person (their calendar app subscribes to `webcalUrl`). The address is MEDSCHED_PUBLIC_URL when set, else the one this request came to.',
        params: PersonParams,
        response: { 200: Subscription, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, personId } = request.params;
      ownPerson(request, personId, 'link the calendar');
      const secret = linkSecret();
      const { setup } = await clinicSetupOf(store, id);
      requirePerson(setup, id, personId);
      const key = calendarLinkKey(secret, id, personId, await calendarLinkGeneration(store, id, personId));
      const path = `/clinics/${encodeURIComponent(id)}/briefings/${encodeURIComponent(personId)}.ics?key=${key}`;
      const url = `${config.briefings.publicUrl ?? `${request.protocol}://${request.host}`}${path}`;
      return { personId, url, webcalUrl: url.replace(/^https?:/, 'webcal:'), path, days: config.briefings.feedDefaultDays, refreshMinutes: FEED_REFRESH_MINUTES };
    },
  );

  app.delete(
    '/clinics/:id/briefings/:personId/subscription',
    {
      config: { audit: { action: 'calendar-link.revoke', object: 'calendar-link', patientData: false }, access: { action: 'manage-calendar-links' } },
      schema: {
        tags: ['briefings'],
        operationId: 'revokeCalendarLinks',
        summary: "Revoke every calendar link of the person issued so far (a lost phone); the next POST issues a new one",
        params: PersonParams,
        response: { 200: Revoked, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, personId } = request.params;
      ownPerson(request, personId, 'revoke the calendar links of');
      const { setup } = await clinicSetupOf(store, id);
      requirePerson(setup, id, personId);
      await revokeCalendarLinks(store, id, personId);
      return { personId, revoked: true as const, message: `every calendar link of '${personId}' issued so far no longer works; POST .../subscription for a new one` };
    },
  );

  app.get(
    '/clinics/:id/notifications',
    {
      config: { audit: { action: 'notification.read', object: 'notification', patientData: false }, access: { action: 'read-briefings' } },
      schema: {
        tags: ['briefings'],
        operationId: 'getNotifications',
        summary: 'Agenda changes: one notification per provider or staff member whose agenda a change touched',
        description:
          'Recorded when an optimization or re-plan is applied (a re-plan\'s own list of the staff to notify included) and when an appointment is rescheduled, cancelled or marked no-show: ' +
          'who, which date, which appointments, what caused it (ids only). Oldest first; page on with `after` = `next`. A clinician reads their own only.',
        params: ClinicParams,
        querystring: NotificationsQuery,
        response: { 200: NotificationsPage, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { date, after, limit } = request.query;
      const personId = ownPerson(request, request.query.person, 'read the notifications');
      const { setup } = await clinicSetupOf(store, id);
      if (personId !== undefined) requirePerson(setup, id, personId);
      const page = await readNotifications(store, id, { personId, date, after, limit });
      return { clinicId: id, ...page };
    },
  );
}

/** The patients a set of briefings shows. */
function patientsOf(briefings: readonly PersonBriefing[]): Set<string> {
  return new Set(briefings.flatMap((b) => [...b.agenda.map((a) => a.patientId), ...b.tasks.map((t) => t.patientId)]));
}

/** The prep of several briefings of one id (a provider's and a staff member's): the day's, kept to their visits. */
function mergedPrep(people: readonly PersonBriefing[], day: DayBriefings): DayBriefings['prep'] {
  const ids = new Set(people.flatMap((p) => [...p.agenda.map((a) => a.appointmentId), ...p.tasks.map((t) => t.appointmentId)]));
  const visits = day.prep.visits.filter((v) => ids.has(v.appointmentId));
  const totals = new Map<string, number>();
  for (const v of visits) for (const item of v.items) totals.set(item, (totals.get(item) ?? 0) + 1);
  return {
    visits,
    totals: [...totals].sort(([x], [y]) => x.localeCompare(y)).map(([item, count]) => ({ item, count })),
    equipment: day.prep.equipment.filter((e) => ids.has(e.appointmentId)),
  };
}

/** The calendar date `n` days after `date` (YYYY-MM-DD). */
function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
