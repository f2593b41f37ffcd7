// The appointment a hold or booking body stands for: a request (stored, or given inline) and a place
// (provider, room, start, and the staff for the service's tasks, as slot search offers them). What the
// service fixes (length, equipment, the staff tasks' times) is filled in when left out, then checked.
import { z } from 'zod';
import type { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { Request } from '../contract/instance.js';
import type { Problem } from '../contract/parse.js';
import { Id, Instant } from '../contract/primitives.js';
import { MINUTE_MS, formatInZone, toMs } from '../domain/time.js';
import { PreferredProviderIds } from './caps.js';
import { ItemId } from './params.js';

/** A request given inline; without an id it gets one (an id a path can name later: at most 200 characters). */
export const InlineRequest = Request.extend({ id: ItemId.optional(), preferredProviderIds: PreferredProviderIds }).strict();
export type InlineRequest = z.infer<typeof InlineRequest>;

export const Place = {
  providerId: Id.nullable().describe('null when the service needs no provider'),
  roomId: Id,
  start: Instant,
  end: Instant.optional().describe("default: start + the request's (or service's) minutes"),
  staff: z
    .array(z.strictObject({ staffId: Id, skill: Id.optional(), start: Instant.optional(), end: Instant.optional() }))
    .max(50)
    .optional()
    .describe("one member per staff task of the service, in the service's task order; times default to the task's"),
  equipment: z
    .array(z.strictObject({ id: Id, count: z.number().int().positive() }))
    .max(50)
    .optional()
    .describe("default: the service's equipment"),
};

/** What to hold or book: `requestId` (a stored request) or `request` (inline), and a place. Unknown fields are refused. */
export const Placement = z.strictObject({
  requestId: Id.optional().describe('a stored request (POST /clinics/{id}/requests); give this or `request`'),
  request: InlineRequest.optional().describe('the request inline; give this or `requestId`'),
  ...Place,
  // A slot search option can be sent back as it came: its score and rank are accepted and ignored.
  score: z.number().optional().describe("ignored (a slot search option's score)"),
  rank: z.number().optional().describe("ignored (a slot search option's rank)"),
});
export type Placement = z.infer<typeof Placement>;

/** The body names its request exactly one way (a zod check, so the answer is a 400 with the path). */
export function oneRequest(body: { requestId?: string | undefined; request?: unknown }, ctx: z.RefinementCtx): void {
  if (body.requestId !== undefined && body.request !== undefined)
    ctx.addIssue({ code: 'custom', path: ['request'], message: 'give either requestId (a stored request) or request (inline), not both' });
  if (body.requestId === undefined && body.request === undefined)
    ctx.addIssue({ code: 'custom', path: ['requestId'], message: 'name the request: requestId (a stored request) or request (inline)' });
}

export type Built = { ok: true; appointment: Appointment; request: Request } | { ok: false; problems: Problem[] };

/**
 * Builds the appointment of `placement` (whose request is `stored`, or inline); problems are what the
 * set-up rejects, with paths into the body (`$.body.staff`).
 */
export function appointmentOf(setup: ClinicSetup, placement: Placement, stored: Request | null, newRequestId: () => string): Built {
  const request = stored ?? (placement.request ? { ...placement.request, id: placement.request.id ?? newRequestId() } : null);
  if (!request) return fail('$.body.requestId', `unknown request '${placement.requestId ?? ''}'`);
  const service = setup.services.find((s) => s.id === request.serviceId);
  const requestPath = stored ? '$.body.requestId' : '$.body.request.serviceId';
  if (!service) return fail(requestPath, `unknown service '${request.serviceId}'`);

  const zone = setup.clinic.timezone;
  const start = toMs(placement.start);
  const minutes = request.minutes ?? service.minutes;
  const end = placement.end ?? formatInZone(start + minutes * MINUTE_MS, zone);
  const given = placement.staff ?? [];
  if (given.length !== service.staffTasks.length)
    return fail(
      '$.body.staff',
      `service '${service.id}' has ${service.staffTasks.length} staff task(s) (${service.staffTasks.map((t) => t.skill).join(', ') || 'none'}); give one staff member for each, in that order`,
    );
  const staff = service.staffTasks.map((task, j) => {
    const member = given[j]!;
    const taskStart = start + task.offsetMinutes * MINUTE_MS;
    return {
      staffId: member.staffId,
      skill: member.skill ?? task.skill,
      start: member.start ?? formatInZone(taskStart, zone),
      end: member.end ?? formatInZone(taskStart + task.minutes * MINUTE_MS, zone),
    };
  });
  const appointment: Appointment = {
    requestId: request.id,
    patientId: request.patientId,
    serviceId: request.serviceId,
    providerId: placement.providerId,
    roomId: placement.roomId,
    start: placement.start,
    end,
    equipment: placement.equipment ?? service.equipment.map((e) => ({ id: e.id, count: e.count })),
    staff,
    status: 'booked',
  };
  return { ok: true, appointment, request };
}

/** A problem path of placementProblems (into the appointment) as a path into the body that made it. */
export function bodyPath(path: string, inline: boolean): string {
  const rest = path.replace(/^\$/, '');
  if (inline && /^\.(patientId|serviceId)\b/.test(rest)) return `$.body.request${rest}`;
  return `$.body${rest}`;
}

const fail = (path: string, message: string): Built => ({ ok: false, problems: [{ path, message }] });
