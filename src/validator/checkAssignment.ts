// Constraint 1: each request at most once, matching the instance; the right provider and room.
import type { Context, Placed } from './context.js';

export function checkAssignment(ctx: Context, unscheduled: readonly { requestId: string }[]): void {
  checkScheduledOnce(ctx);
  checkNotAlsoUnscheduled(ctx, unscheduled);
  for (const p of ctx.placed) {
    checkMatchesDemand(ctx, p);
    checkProvider(ctx, p);
    checkRoom(ctx, p);
  }
}

function checkScheduledOnce(ctx: Context): void {
  const first = new Map<string, Placed>();
  for (const p of ctx.placed) {
    const earlier = first.get(p.appt.requestId);
    if (!earlier) first.set(p.appt.requestId, p);
    else
      ctx.report(
        1,
        [p.index, 'requestId'],
        `request '${p.appt.requestId}' is scheduled twice: ${ctx.span(p.start, p.end)} here and ${ctx.span(earlier.start, earlier.end)} at appointments[${earlier.index}]`,
      );
  }
}

function checkNotAlsoUnscheduled(ctx: Context, unscheduled: readonly { requestId: string }[]): void {
  const listed = new Map(unscheduled.map((u, k) => [u.requestId, k]));
  for (const p of ctx.placed) {
    const k = listed.get(p.appt.requestId);
    if (k !== undefined)
      ctx.report(1, [p.index, 'requestId'], `${ctx.label(p)} is scheduled but also listed as unscheduled (unscheduled[${k}])`);
  }
}

function checkMatchesDemand(ctx: Context, p: Placed): void {
  const { appt, demand } = p;
  if (!demand) {
    ctx.report(1, [p.index, 'requestId'], `${ctx.label(p)}: the instance has no request or booking with this id`);
    if (!p.service) ctx.report(1, [p.index, 'serviceId'], `${ctx.label(p)}: unknown service '${appt.serviceId}'`);
    return;
  }
  const source = demand.origin === 'request' ? 'the request' : 'the booking';
  if (appt.patientId !== demand.patientId)
    ctx.report(1, [p.index, 'patientId'], `${ctx.label(p)} is for patient '${appt.patientId}' but ${source} is for patient '${demand.patientId}'`);
  if (appt.serviceId !== demand.serviceId)
    ctx.report(1, [p.index, 'serviceId'], `${ctx.label(p)} is for service '${appt.serviceId}' but ${source} asks for '${demand.serviceId}'`);
}

function checkProvider(ctx: Context, p: Placed): void {
  const service = p.service;
  const id = p.appt.providerId;
  if (!service) return;
  const path = [p.index, 'providerId'];
  if (service.specialty === undefined) {
    if (id !== null)
      ctx.report(1, path, `${ctx.label(p)}: service '${service.id}' needs no provider, so providerId must be null (it is '${id}')`);
    return;
  }
  if (id === null) {
    ctx.report(1, path, `${ctx.label(p)} has no provider but service '${service.id}' needs one with specialty '${service.specialty}'`);
    return;
  }
  const provider = ctx.providers.get(id);
  if (!provider) ctx.report(1, path, `${ctx.label(p)}: unknown provider '${id}'`);
  else if (!provider.specialties.includes(service.specialty))
    ctx.report(1, path, `${ctx.label(p)}: provider '${id}' does not have the specialty '${service.specialty}' that service '${service.id}' needs`);
  const required = p.demand?.providerId;
  if (required !== undefined && required !== id)
    ctx.report(1, path, `${ctx.label(p)} must be with provider '${required}' (named by the request) but is with '${id}'`);
}

function checkRoom(ctx: Context, p: Placed): void {
  const id = p.appt.roomId;
  const room = ctx.rooms.get(id);
  const path = [p.index, 'roomId'];
  if (!room) ctx.report(1, path, `${ctx.label(p)}: unknown room '${id}'`);
  else if (p.service && !room.capabilities.includes(p.service.roomCapability))
    ctx.report(1, path, `${ctx.label(p)}: room '${id}' does not have the capability '${p.service.roomCapability}' that service '${p.service.id}' needs`);
}
