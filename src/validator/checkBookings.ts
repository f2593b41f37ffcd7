// Constraint 7: bookings of the instance always use capacity; pinned ones keep everything.
import { holdsCapacity, type Appointment, type Booking } from '../contract/appointment.js';
import { toMs } from '../domain/time.js';
import type { Context, Placed } from './context.js';

export function checkBookings(ctx: Context, appointments: readonly Appointment[]): void {
  for (const booking of ctx.instance.bookings) {
    if (!holdsCapacity(booking.status)) continue;
    const placed = ctx.placed.find((p) => p.appt.requestId === booking.requestId);
    if (!placed) reportMissing(ctx, booking, appointments);
    else if (booking.pinned) checkPinned(ctx, booking, placed);
  }
}

function bookingLabel(ctx: Context, b: Booking): string {
  const kind = b.pinned ? 'pinned booking' : 'booking';
  return `${kind} '${b.requestId}' (patient '${b.patientId}', ${ctx.span(toMs(b.start), toMs(b.end))})`;
}

function reportMissing(ctx: Context, b: Booking, appointments: readonly Appointment[]): void {
  const index = appointments.findIndex((a) => a.requestId === b.requestId);
  if (index >= 0)
    ctx.report(7, [index, 'status'], `${bookingLabel(ctx, b)} must keep its place but the result marks it '${appointments[index]!.status}'`);
  else ctx.report(7, [], `${bookingLabel(ctx, b)} is missing from the result; an existing booking always keeps a place`);
}

function checkPinned(ctx: Context, b: Booking, p: Placed): void {
  const label = bookingLabel(ctx, b);
  const path = (field: string) => [p.index, field];
  if (p.appt.providerId !== b.providerId)
    ctx.report(7, path('providerId'), `${label} must stay with provider '${b.providerId}' but is with '${p.appt.providerId}'`);
  if (p.appt.roomId !== b.roomId) ctx.report(7, path('roomId'), `${label} must stay in room '${b.roomId}' but is in '${p.appt.roomId}'`);
  if (p.start !== toMs(b.start)) ctx.report(7, path('start'), `${label} must start at ${ctx.time(toMs(b.start))} but starts at ${ctx.time(p.start)}`);
  if (p.end !== toMs(b.end)) ctx.report(7, path('end'), `${label} must end at ${ctx.time(toMs(b.end))} but ends at ${ctx.time(p.end)}`);
  if (staffKey(p.appt) !== staffKey(b)) ctx.report(7, path('staff'), `${label} must keep its staff (${describeStaff(ctx, b)}) but has ${describeStaff(ctx, p.appt)}`);
  if (equipmentKey(p.appt) !== equipmentKey(b))
    ctx.report(7, path('equipment'), `${label} must keep its equipment (${describeEquipment(b)}) but has ${describeEquipment(p.appt)}`);
}

/** Order-insensitive comparison keys; instants compared as epoch ms so offsets may differ. */
function staffKey(a: Appointment): string {
  return a.staff.map((s) => `${s.staffId}|${s.skill}|${toMs(s.start)}|${toMs(s.end)}`).sort().join(';');
}

function equipmentKey(a: Appointment): string {
  return a.equipment.map((e) => `${e.id}|${e.count}`).sort().join(';');
}

function describeStaff(ctx: Context, a: Appointment): string {
  if (a.staff.length === 0) return 'no staff';
  return a.staff.map((s) => `'${s.staffId}' ${s.skill} ${ctx.span(toMs(s.start), toMs(s.end))}`).join(', ');
}

function describeEquipment(a: Appointment): string {
  if (a.equipment.length === 0) return 'no equipment';
  return a.equipment.map((e) => `${e.count} × '${e.id}'`).join(', ');
}
