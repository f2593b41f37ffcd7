// Reminders over HTTP:
// - GET/POST /r/{token}/confirm and /r/{token}/cancel: a reminder's links, for the patient, without a login
//   (access 'public'; the signed token is the proof, src/reminders/linkTokens.ts). GET shows what the link
//   does (an HTML page with a button for a browser, JSON otherwise) and changes nothing, so a mail scanner
//   that follows links cancels nothing; POST does it: a confirmation is recorded, a cancellation cancels the
//   appointment as the patient (its history says so) and takes its remaining reminders away. A link that
//   was altered is 401; one past the appointment's start, or for an appointment that changed since (moved),
//   410. Audited in the clinic's trail like every change.
// - GET /clinics/{id}/appointments/{aid}/reminders: each reminder of an appointment (when it goes out, its
//   job, its delivery) and the patient's confirmation.
// - GET /clinics/{id}/reminders/postcards?date=: the postcards to print and send that day (JSON, or a
//   printable page with format=html).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppointmentStatus } from '../contract/appointment.js';
import { offsetKey, offsetsOf, ReminderChannel } from '../contract/reminderSettings.js';
import { formatInZone } from '../domain/time.js';
import { PostcardEntry, postcardsOf } from '../reminders/channels/postcardChannel.js';
import { Confirmation, getConfirmation, recordConfirmation } from '../reminders/confirmations.js';
import { linkPage, postcardsPage } from '../reminders/linkPages.js';
import { verifyLink, type LinkClaims } from '../reminders/linkTokens.js';
import { reminderJobId } from '../reminders/reminderJobs.js';
import { localWhen, type Language } from '../reminders/reminderMessage.js';
import { plannedReminders } from '../reminders/reminderPlan.js';
import { sweepLater, syncAppointmentReminders, type ReminderScheduler } from '../reminders/scheduleReminders.js';
import { DeliveryRecord, deliveryRecord } from '../reminders/sentRecord.js';
import { changeStatus } from '../store/changeStatus.js';
import { getPatient } from '../store/patients.js';
import { getAppointment } from '../store/readAppointments.js';
import { getSetup, type VersionedSetup } from '../store/setup.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import { auditLinkHolder, auditObject, auditPatients } from './auditTrail.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, notFound } from './errors.js';
import { ClinicParams, ItemId, LocalDate } from './params.js';
import { offerFreedPlace } from './waitlistRoutes.js';

type LinkAction = 'confirm' | 'cancel';

const LinkParams = z.object({ token: z.string().min(1).max(200).describe("the token of a reminder's link") });
/** A browser's form posts nothing; an API client may send `{}`. */
const LinkBody = z.strictObject({}).nullish();

const LinkAnswer = z
  .object({
    id: z.string().describe('the appointment'),
    clinicId: z.string(),
    action: z.enum(['confirm', 'cancel']),
    status: AppointmentStatus.describe("the appointment's status now"),
    start: z.string().describe("its start in the clinic's zone"),
    when: z.string().describe('its date and time as the patient reads them, in their language'),
    language: z.enum(['en', 'es']),
    done: z.boolean().describe('confirmed (or cancelled) by now: after a POST, or by an earlier one'),
    confirmedAt: z.string().nullable(),
    message: z.string().describe("what happened, in the patient's language"),
  })
  .meta({ id: 'ReminderLinkAnswer' });
type LinkAnswer = z.infer<typeof LinkAnswer>;

const AppointmentParams = z.object({ id: ClinicParams.shape.id, aid: ItemId });
const AppointmentReminders = z
  .object({
    appointmentId: z.string(),
    patientId: z.string(),
    status: AppointmentStatus,
    start: z.string(),
    version: z.number().int(),
    reminders: z.array(
      z.object({
        reminder: z.string().describe('the offset key, e.g. email-259200s'),
        channel: ReminderChannel,
        minutesBefore: z.number(),
        dueAt: z.string().nullable().describe('when it goes out; null when it is not scheduled (past, or the appointment is not booked)'),
        job: z.object({ id: z.string(), state: z.string() }).nullable().describe('its job for the current start, while the queue has it'),
        delivery: DeliveryRecord.nullable().describe('its delivery record (claimed, sent, skipped, failed), if it was due'),
      }),
    ),
    confirmation: Confirmation.nullable(),
  })
  .meta({ id: 'AppointmentReminders' });

const PostcardsQuery = z.object({
  date: LocalDate.describe('the clinic-local date the postcards are to be sent'),
  format: z.enum(['json', 'html']).optional().describe('html: a printable page'),
});
const Postcards = z
  .object({
    date: z.string(),
    postcards: z.array(PostcardEntry),
    withdrawn: z.number().int().describe('listed, but the appointment was cancelled or moved since: not to be sent'),
  })
  .meta({ id: 'Postcards' });

const TITLES: Record<Language, Record<LinkAction, string>> = {
  en: { confirm: 'Confirm your appointment', cancel: 'Cancel your appointment' },
  es: { confirm: 'Confirme su cita', cancel: 'Cancele su cita' },
};
const MESSAGES: Record<Language, Record<`${LinkAction}-${'ask' | 'done'}`, (date: string, time: string) => string>> = {
  en: {
    'confirm-ask': (d, t) => `Please confirm your appointment on ${d} at ${t}.`,
    'confirm-done': (d, t) => `Thank you: your appointment on ${d} at ${t} is confirmed.`,
    'cancel-ask': (d, t) => `Do you want to cancel your appointment on ${d} at ${t}?`,
    'cancel-done': (d, t) => `Your appointment on ${d} at ${t} is cancelled.`,
  },
  es: {
    'confirm-ask': (d, t) => `Confirme su cita del ${d} a las ${t}.`,
    'confirm-done': (d, t) => `Gracias: su cita del ${d} a las ${t} está confirmada.`,
    'cancel-ask': (d, t) => `¿Desea cancelar su cita del ${d} a las ${t}?`,
    'cancel-done': (d, t) => `Su cita del ${d} a las ${t} está cancelada.`,
  },
};

const outdated = () =>
  new ApiError(410, {
    error: 'link-outdated',
    message: 'the appointment changed since this reminder was sent (it may have moved to another time); use the link in your latest reminder, or call the clinic',
  });

/** A browser asks for a page; anything else gets JSON. */
const wantsHtml = (request: FastifyRequest) => /text\/html/.test(String(request.headers.accept ?? '')) && !/^application\/json/.test(String(request.headers.accept ?? ''));

function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply.code(200).type('text/html; charset=utf-8').serializer((p: unknown) => p as string).send(html);
}

export function registerReminderRoutes(app: ZodApp, deps: RouteDeps, scheduler: ReminderScheduler): void {
  const { store, config } = deps;

  /** The appointment a link names, once its token proves genuine and current enough to be answered. */
  async function linkTarget(request: FastifyRequest, token: string): Promise<{ claims: LinkClaims; setup: VersionedSetup; appointment: StoredAppointment; language: Language }> {
    const secret = config.reminders.linkSecret;
    const check = secret ? verifyLink(secret, token, deps.now()) : ({ ok: false, reason: 'invalid' } as const);
    if (!check.ok && check.reason === 'invalid')
      throw new ApiError(401, {
        error: 'invalid-link',
        message: 'this link is not valid: it was altered or is not one of ours; use the link in your latest reminder, or call the clinic',
      });
    const claims = check.ok ? check.claims : check.claims;
    auditObject(request, claims.clinicId, claims.appointmentId);
    const setup = await getSetup(store, claims.clinicId);
    const appointment = setup ? await getAppointment(store, claims.clinicId, claims.appointmentId) : null;
    auditLinkHolder(request, appointment ? `reminder-link:${appointment.patientId}` : 'reminder-link');
    if (appointment) auditPatients(request, [appointment.patientId]);
    if (!check.ok)
      throw new ApiError(410, {
        error: 'link-expired',
        message: `this link expired when the appointment started (${setup ? formatInZone(claims.expiresAtMs, setup.setup.clinic.timezone) : new Date(claims.expiresAtMs).toISOString()}); call the clinic`,
      });
    if (!setup || !appointment || appointment.hold !== undefined)
      throw new ApiError(410, { error: 'link-outdated', message: 'the appointment this link was sent for no longer exists; call the clinic' });
    const patient = await getPatient(store, claims.clinicId, appointment.patientId, config.patientCipher).catch(() => null);
    return { claims, setup, appointment, language: patient?.ok ? patient.patient.language : 'en' };
  }

  /** Whether the link's action is done already; refused when it no longer applies. */
  async function assess(action: LinkAction, claims: LinkClaims, appointment: StoredAppointment): Promise<{ done: boolean; confirmation: Confirmation | null }> {
    const confirmation = await getConfirmation(store, claims.clinicId, claims.appointmentId);
    if (appointment.status === 'cancelled') {
      if (action === 'cancel') return { done: true, confirmation };
      throw new ApiError(409, { error: 'cancelled', message: 'this appointment was cancelled, so there is nothing to confirm; call the clinic to book again' });
    }
    if (appointment.status !== 'booked' && appointment.status !== 'checked-in')
      throw new ApiError(409, { error: 'too-late', message: `the appointment is ${appointment.status}; call the clinic` });
    if (appointment.status === 'checked-in') {
      if (action === 'confirm') return { done: true, confirmation };
      throw new ApiError(409, { error: 'checked-in', message: 'you have checked in already; please speak to the front desk' });
    }
    if (appointment.version !== claims.version) throw outdated();
    return { done: action === 'confirm' && confirmation !== null && confirmation.version === claims.version, confirmation };
  }

  function answer(action: LinkAction, t: { setup: VersionedSetup; appointment: StoredAppointment; language: Language }, done: boolean, confirmation: Confirmation | null): LinkAnswer {
    const startMs = Date.parse(t.appointment.start);
    const { date, time } = localWhen(startMs, t.setup.setup.clinic.timezone, t.language);
    return {
      id: t.appointment.id,
      clinicId: t.setup.setup.clinic.id,
      action,
      status: t.appointment.status,
      start: t.appointment.start,
      when: `${date}, ${time}`,
      language: t.language,
      done,
      confirmedAt: confirmation?.at ?? null,
      message: MESSAGES[t.language][`${action}-${done ? 'done' : 'ask'}`](date, time),
    };
  }

  function reply(request: FastifyRequest, r: FastifyReply, body: LinkAnswer) {
    if (!wantsHtml(request)) return body;
    return sendHtml(r, linkPage(body.language, body.action, TITLES[body.language][body.action], body.message, !body.done));
  }

  const linkResponses = { 200: LinkAnswer, ...errorResponses(400, 401, 409, 410, 503) };

  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // The page's button posts an empty form: accepted here, and nothing is read from it.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));
    for (const action of ['confirm', 'cancel'] as const) {
      const Name = action === 'confirm' ? 'Confirm' : 'Cancel';
      scope.get(
        `/r/:token/${action}`,
        {
          config: { access: 'public', audit: { action: 'reminder-link.read', object: 'appointment', patientData: true } },
          schema: {
            tags: ['reminders'],
            operationId: `get${Name}Link`,
            summary: `What a reminder's ${action} link does (changes nothing; a browser gets a page with the button)`,
            description: 'No credential: the signed token is the proof. 401 when the token was altered; 410 when it expired (the appointment started) or the appointment changed since (moved).',
            params: LinkParams,
            response: linkResponses,
          },
        },
        async (request, r) => {
          const target = await linkTarget(request, request.params.token);
          const { done, confirmation } = await assess(action, target.claims, target.appointment);
          return reply(request, r, answer(action, target, done, confirmation));
        },
      );
      scope.post(
        `/r/:token/${action}`,
        {
          config: { access: 'public', audit: { action: `reminder-link.${action}`, object: 'appointment', patientData: true } },
          schema: {
            tags: ['reminders'],
            operationId: `${action}ByLink`,
            summary: action === 'confirm' ? "The patient confirms from a reminder's link (recorded)" : "The patient cancels from a reminder's link (the appointment is cancelled; its reminders go)",
            description:
              'No credential: the signed token is the proof. Doing it again answers the same (done). 401 when the token was altered; 410 when it expired or the appointment changed since; 409 when the appointment can no longer be ' +
              (action === 'confirm' ? 'confirmed (cancelled).' : 'cancelled this way (checked in).'),
            params: LinkParams,
            body: LinkBody,
            response: linkResponses,
          },
        },
        async (request, r) => {
          const target = await linkTarget(request, request.params.token);
          const { claims, appointment } = target;
          const { done, confirmation } = await assess(action, claims, appointment);
          if (done) return reply(request, r, answer(action, target, true, confirmation));
          if (action === 'confirm') {
            const kept = await recordConfirmation(store, claims.clinicId, appointment.id, {
              at: new Date(deps.now()).toISOString(),
              version: claims.version,
              start: appointment.start,
              by: `reminder-link:${appointment.patientId}`,
            });
            return reply(request, r, answer(action, target, true, kept));
          }
          await sweepLater(scheduler, claims.clinicId, [appointment.date]).catch((error: Error) =>
            request.log.warn({ err: { message: error.message } }, 'could not add the reminder sweep of the day'),
          );
          const result = await changeStatus(store, claims.clinicId, appointment.id, claims.version, {
            to: 'cancelled',
            actor: `reminder-link:${appointment.patientId}`,
            reason: 'cancelled by the patient with the link in a reminder',
          });
          if (!result.ok) {
            if (result.reason === 'stale') throw outdated();
            if (result.reason === 'not-found') throw new ApiError(410, { error: 'link-outdated', message: 'the appointment this link was sent for no longer exists; call the clinic' });
            throw new ApiError(409, { error: 'not-cancellable', message: 'the appointment can no longer be cancelled this way; call the clinic' });
          }
          await syncAppointmentReminders(scheduler, claims.clinicId, appointment.id, { setup: target.setup, appointment: result.appointment }).catch((error: Error) =>
            request.log.warn({ err: { message: error.message } }, "could not take the cancelled appointment's reminders away; the sweep will"),
          );
          // The place is free again: the waitlist hears of it as after any other cancellation.
          await offerFreedPlace(deps, request, claims.clinicId, result.appointment, 'cancelled');
          return reply(request, r, answer(action, { ...target, appointment: result.appointment }, true, confirmation));
        },
      );
    }
  });

  app.get(
    '/clinics/:id/appointments/:aid/reminders',
    {
      config: { audit: { action: 'reminders.read', object: 'appointment', patientData: true }, access: { action: 'read-reminders' } },
      schema: {
        tags: ['reminders'],
        operationId: 'getAppointmentReminders',
        summary: "An appointment's reminders: when each goes out, its job, its delivery; and the patient's confirmation",
        params: AppointmentParams,
        response: { 200: AppointmentReminders, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, aid } = request.params;
      const setup = await clinicSetupOf(store, id);
      const appointment = await getAppointment(store, id, aid);
      if (!appointment || appointment.hold !== undefined) throw notFound(`appointment '${aid}' of clinic '${id}'`);
      const zone = setup.setup.clinic.timezone;
      const startMs = Date.parse(appointment.start);
      const planned = new Map(plannedReminders(id, appointment, offsetsOf(setup.setup), zone, deps.now()).map((p) => [p.key, p]));
      const reminders = await Promise.all(
        offsetsOf(setup.setup).map(async (offset) => {
          const key = offsetKey(offset);
          const jobId = reminderJobId(id, aid, key, startMs);
          const [state, delivery] = await Promise.all([scheduler.queue.getJobState(jobId), deliveryRecord(store, id, aid, key)]);
          const due = planned.get(key);
          return {
            reminder: key,
            channel: offset.channel,
            minutesBefore: offset.minutesBefore,
            dueAt: due ? formatInZone(due.dueMs, zone) : null,
            job: state === 'unknown' ? null : { id: jobId, state },
            delivery,
          };
        }),
      );
      return {
        appointmentId: appointment.id,
        patientId: appointment.patientId,
        status: appointment.status,
        start: appointment.start,
        version: appointment.version,
        reminders,
        confirmation: await getConfirmation(store, id, aid),
      };
    },
  );

  app.get(
    '/clinics/:id/reminders/postcards',
    {
      config: { audit: { action: 'postcards.read', object: 'postcards', patientData: true }, access: { action: 'read-reminders' } },
      schema: {
        tags: ['reminders'],
        operationId: 'getPostcards',
        summary: "The day's postcard reminders to print and send (format=html: a printable page)",
        description: "A postcard reminder is listed on the clinic-local date its offset falls on, from that day's start; one whose appointment was cancelled or moved since is left out (counted in `withdrawn`).",
        params: ClinicParams,
        querystring: PostcardsQuery,
        response: { 200: Postcards, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, r) => {
      const { id } = request.params;
      const { date, format } = request.query;
      const setup = await clinicSetupOf(store, id);
      const listed = await postcardsOf(store, id, date);
      const current = await Promise.all(listed.map((p) => getAppointment(store, id, p.appointmentId)));
      const postcards = listed
        .filter((p, i) => current[i]?.status === 'booked' && Date.parse(current[i]!.start) === Date.parse(p.start))
        .sort((a, b) => a.name.localeCompare(b.name) || a.appointmentId.localeCompare(b.appointmentId));
      auditPatients(request, postcards.map((p) => p.patientId));
      // Addresses come from the patients' records as they are now (opened with the data key).
      const records = await Promise.all(postcards.map((p) => getPatient(store, id, p.patientId, config.patientCipher).catch(() => null)));
      postcards.forEach((p, i) => {
        const read = records[i];
        p.address = read?.ok ? (read.patient.address ?? null) : null;
      });
      if (format === 'html') return sendHtml(r, postcardsPage(setup.setup.clinic.name ?? id, date, postcards));
      return { date, postcards, withdrawn: listed.length - postcards.length };
    },
  );
}
