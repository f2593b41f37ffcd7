// Appointments: booking (from a hold or directly), reading one, and its life after: check-in, start,
// finish, cancel, no-show (FHIR Appointment statuses) and reschedule, each with If-Match and why; who is
// always the authenticated caller. A clinician reads, starts and finishes only their own appointments.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppointmentStatus } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { Id } from '../contract/primitives.js';
import { MINUTE_MS, formatInZone, toMs } from '../domain/time.js';
import { book } from '../store/book.js';
import { changeStatus } from '../store/changeStatus.js';
import { holdOverrideNote } from '../store/holdOverride.js';
import { OFFER_CALLER } from '../store/waitlistFlow.js';
import { getAppointment } from '../store/readAppointments.js';
import { reschedule } from '../store/reschedule.js';
import { StoredAppointment } from '../store/storedAppointment.js';
import { offerFreedPlace } from './waitlistRoutes.js';
import { notifyRescheduled, notifyStatusChange } from './agendaNotices.js';
import { appointmentAnswer, okOrThrow, unplaceable } from './appointmentAnswers.js';
import { AuthorizationOverride, gateAuthorization, requireMayOverride, withOverride } from './authorizationGate.js';
import { clinicSetupForWrite } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, notFound } from './errors.js';
import { requireOwn } from './access.js';
import { callerOf } from './caller.js';
import { IdempotencyKeyHeader, idempotent, send } from './idempotency.js';
import { ClinicParams, ItemId, Reason } from './params.js';
import { Place, Placement, appointmentOf, bodyPath, oneRequest } from './placement.js';
import { IfMatchHeader, etag, requiredVersion } from './preconditions.js';
import { storedRequest, storedRequestOrNull } from './storedRequest.js';

const AppointmentParams = z.object({ id: ClinicParams.shape.id, aid: ItemId });

const PLACE_FIELDS = ['requestId', 'request', 'providerId', 'roomId', 'start', 'end', 'staff', 'equipment'] as const;

const BookBody = Placement.partial()
  .extend({
    holdId: Id.optional().describe('book this hold (then give no place)'),
    reason: Reason.optional(),
    authorizationOverride: AuthorizationOverride.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.holdId !== undefined) {
      for (const field of PLACE_FIELDS)
        if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'a booking from a hold takes its place from the hold; leave this out' });
      return;
    }
    oneRequest(body, ctx);
    if (body.roomId === undefined) ctx.addIssue({ code: 'custom', path: ['roomId'], message: 'name the room (or book a hold with holdId)' });
    if (body.start === undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: 'give the start (or book a hold with holdId)' });
  });

/** Who makes the change is the caller; the history records it. */
const Change = z.strictObject({ reason: Reason.optional().describe('why') });
const VersionHeaders = z.looseObject({ 'if-match': IfMatchHeader });
const IdempotencyHeaders = z.looseObject({ 'idempotency-key': IdempotencyKeyHeader });

const RescheduleBody = Change.extend({
  providerId: Place.providerId.optional().describe('default: the same provider'),
  roomId: Place.roomId.optional().describe('default: the same room'),
  start: Place.start,
  end: Place.end.describe('default: start + the same length'),
  staff: Place.staff.describe('default: the same staff members, their tasks shifted with the start'),
  equipment: Place.equipment.describe('default: the same equipment'),
}).strict();

/** The front desk checks in, cancels and marks no-shows; the visit itself is started and finished by its clinician. */
const STATUS_ACTIONS: { action: string; to: AppointmentStatus; summary: string; may: 'book' | 'treat' }[] = [
  { action: 'check-in', to: 'checked-in', summary: 'The patient has arrived (booked → checked-in)', may: 'book' },
  { action: 'start', to: 'in-progress', summary: 'The visit starts (checked-in → in-progress)', may: 'treat' },
  { action: 'finish', to: 'fulfilled', summary: 'The visit is over (in-progress → fulfilled)', may: 'treat' },
  { action: 'cancel', to: 'cancelled', summary: 'Cancel (booked or checked-in → cancelled); frees the place, which is offered to the waitlist', may: 'book' },
  { action: 'no-show', to: 'noshow', summary: 'The patient did not come (booked or checked-in → noshow); frees the place, which is offered to the waitlist', may: 'book' },
];
const STATUS_DESCRIPTION =
  'Needs If-Match with the current version (428 without, 412 with the current appointment when stale); 409 when the status does not allow it. ' +
  "A cancellation less than the late-cancellation window (the service's `lateCancelHours`, else the clinic's) before the start, and a no-show of a service " +
  'with a window, are flagged for billing in the same step (GET /clinics/{id}/billing).';

export function registerAppointmentRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;

  app.post(
    '/clinics/:id/appointments',
    {
      config: { audit: { action: 'appointment.create', object: 'appointment', patientData: true }, access: { action: 'book' }, reminders: 'appointment' },
      schema: {
        tags: ['booking'],
        operationId: 'book',
        summary: 'Book an appointment, from a hold or directly',
        description:
          'Either `{ holdId }` (a live hold becomes the appointment; 410 if it expired) or a place with its request, as for a hold. ' +
          'Every resource it uses (provider, room, each staff member, equipment units, the patient) is checked over the whole interval and written all or nothing: ' +
          '409 with the taken resources when any is. 422 when it breaks a rule of the set-up, or when its service requires prior authorisation and the ' +
          "request's is not approved (`authorization-required`, naming the field; a scheduler-admin may override with a reason, recorded in the history and the audit trail). " +
          'Idempotency-Key makes a retry safe.',
        params: ClinicParams,
        headers: IdempotencyHeaders,
        body: BookBody,
        response: { 201: StoredAppointment, ...errorResponses(400, 404, 409, 410, 422, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const actor = callerOf(request);
      return idempotent(deps, request, reply, id, request.headers['idempotency-key'], async () => {
        const { setup } = await clinicSetupForWrite(store, id);
        if (body.holdId !== undefined) {
          // A stored request is judged as it stands now; an inline one was judged when it was held.
          const held = await getAppointment(store, id, body.holdId);
          if (held?.hold?.caller === OFFER_CALLER)
            throw new ApiError(409, { error: 'waitlist-offer', message: `hold '${held.id}' is a waitlist offer: book it with POST /clinics/${id}/waitlist/{entryId}/accept` });
          const stored = held?.hold ? await storedRequestOrNull(store, id, held.requestId) : null;
          let note = held?.hold ? ((await holdOverrideNote(store, id, held.id)) ?? undefined) : undefined;
          if (held && stored && note === undefined) note = gateAuthorization(request, setup, stored, toMs(held.start), '$.body.holdId', body.authorizationOverride);
          else requireMayOverride(request, body.authorizationOverride);
          const result = await book(store, id, { holdId: body.holdId }, { actor, reason: withOverride(body.reason, note) });
          return appointmentAnswer(id, okOrThrow(result, `hold '${body.holdId}' of clinic '${id}'`), 201);
        }
        const stored = body.requestId !== undefined ? await storedRequest(store, id, body.requestId) : null;
        const placement = { ...body, providerId: body.providerId ?? null, roomId: body.roomId!, start: body.start! };
        const built = appointmentOf(setup, placement, stored, () => `r-${randomUUID()}`);
        if (!built.ok) throw unplaceable(built.problems);
        const authPath = stored ? '$.body.requestId' : '$.body.request.authorization';
        const note = gateAuthorization(request, setup, built.request, toMs(built.appointment.start), authPath, body.authorizationOverride);
        const result = await book(store, id, built.appointment, { actor, reason: withOverride(body.reason, note), request: built.request });
        return appointmentAnswer(id, okOrThrow(result, `clinic '${id}'`, (p) => bodyPath(p, stored === null)), 201);
      });
    },
  );

  app.get(
    '/clinics/:id/appointments/:aid',
    {
      config: { audit: { action: 'appointment.read', object: 'appointment', patientData: true }, access: { action: 'read-schedule' } },
      schema: {
        tags: ['booking'],
        operationId: 'getAppointment',
        summary: 'One appointment (or live hold) with its status history; ETag = its version',
        params: AppointmentParams,
        response: { 200: StoredAppointment, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id, aid } = request.params;
      await clinicSetupForWrite(store, id);
      const appointment = await getAppointment(store, id, aid);
      if (!appointment) throw notFound(`appointment '${aid}' of clinic '${id}'`);
      requireOwn(request, appointment.providerId, 'read');
      reply.header('etag', etag(appointment.version));
      return appointment;
    },
  );

  for (const { action, to, summary, may } of STATUS_ACTIONS) {
    app.post(
      `/clinics/:id/appointments/:aid/${action}`,
      {
        config: { audit: { action: 'appointment.status', object: 'appointment', patientData: true }, access: { action: may }, reminders: 'appointment' },
        schema: {
          tags: ['booking'],
          operationId: `${action.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Appointment`,
          summary,
          description: STATUS_DESCRIPTION,
          params: AppointmentParams,
          headers: VersionHeaders,
          body: Change,
          response: { 200: StoredAppointment, ...errorResponses(400, 404, 409, 412, 428, 503) },
        },
      },
      async (request, reply) => {
        const { id, aid } = request.params;
        const expected = requiredVersion(request.headers['if-match']);
        await clinicSetupForWrite(store, id);
        // A clinician's change needs their own appointment: the version in If-Match pins the one checked here.
        if (request.principal?.role === 'clinician') {
          const current = await getAppointment(store, id, aid);
          if (!current) throw notFound(`appointment '${aid}' of clinic '${id}'`);
          requireOwn(request, current.providerId, action);
        }
        const frees = to === 'cancelled' || to === 'noshow';
        const result = await changeStatus(store, id, aid, expected, { to, actor: callerOf(request), reason: request.body.reason });
        // A stale answer carries the appointment as it is now: it may have moved to another provider meanwhile.
        if (!result.ok && result.reason === 'stale') requireOwn(request, result.current.providerId, action);
        const changed = okOrThrow(result, `appointment '${aid}' of clinic '${id}'`);
        if (frees) await offerFreedPlace(deps, request, id, changed, to === 'noshow' ? 'noshow' : 'cancelled');
        // The visit left the agenda of its provider and staff: they hear of it.
        if (frees) await notifyStatusChange(store, request.log, id, changed, deps.now());
        return send(reply, appointmentAnswer(id, changed, 200));
      },
    );
  }

  app.post(
    '/clinics/:id/appointments/:aid/reschedule',
    {
      config: { audit: { action: 'appointment.reschedule', object: 'appointment', patientData: true }, access: { action: 'book' }, reminders: 'appointment' },
      schema: {
        tags: ['booking'],
        operationId: 'rescheduleAppointment',
        summary: 'Move an appointment to another time, provider or room in one step',
        description:
          'Its old place is released and the new one claimed together (it never collides with itself); the old place is offered to the waitlist. Needs If-Match (428/412 as for status changes); ' +
          '409 with the taken resources when the new place is not free; 422 when it breaks a rule of the set-up.',
        params: AppointmentParams,
        headers: VersionHeaders,
        body: RescheduleBody,
        response: { 200: StoredAppointment, ...errorResponses(400, 404, 409, 412, 422, 428, 503) },
      },
    },
    async (request, reply) => {
      const { id, aid } = request.params;
      const expected = requiredVersion(request.headers['if-match']);
      const body = request.body;
      const { setup } = await clinicSetupForWrite(store, id);
      const current = await getAppointment(store, id, aid);
      if (!current || current.hold) throw notFound(`appointment '${aid}' of clinic '${id}'`);
      const length = Date.parse(current.end) - Date.parse(current.start);
      const start = Date.parse(body.start);
      const result = await reschedule(
        store,
        id,
        aid,
        expected,
        {
          providerId: body.providerId === undefined ? current.providerId : body.providerId,
          roomId: body.roomId ?? current.roomId,
          start: body.start,
          end: body.end ?? formatInZone(start + length, setup.clinic.timezone),
          ...(body.staff ? { staff: staffOf(setup, current, start, body.staff) } : {}),
          ...(body.equipment ? { equipment: body.equipment } : {}),
        },
        { actor: callerOf(request), reason: body.reason },
      );
      const moved = okOrThrow(result, `appointment '${aid}' of clinic '${id}'`, (p) => `$.body${p.slice(1)}`);
      await offerFreedPlace(deps, request, id, current, 'rescheduled');
      await notifyRescheduled(store, request.log, id, current, moved, deps.now());
      return send(reply, appointmentAnswer(id, moved, 200));
    },
  );
}

/** New staff for a moved appointment: member j does the service's task j, at its offset from the new start unless times are given. */
function staffOf(
  setup: ClinicSetup,
  current: StoredAppointment,
  start: number,
  given: { staffId: string; skill?: string | undefined; start?: string | undefined; end?: string | undefined }[],
): StoredAppointment['staff'] {
  const tasks = setup.services.find((s) => s.id === current.serviceId)?.staffTasks ?? [];
  const zone = setup.clinic.timezone;
  return given.map((g, j) => {
    const task = tasks[j];
    const from = start + (task?.offsetMinutes ?? 0) * MINUTE_MS;
    return {
      staffId: g.staffId,
      skill: g.skill ?? task?.skill ?? current.staff[j]?.skill ?? '',
      start: g.start ?? formatInZone(from, zone),
      end: g.end ?? formatInZone(from + (task?.minutes ?? 0) * MINUTE_MS, zone),
    };
  });
}
