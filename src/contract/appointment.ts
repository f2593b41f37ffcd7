import { z } from 'zod';
import { Id, Instant } from './primitives.js';

// FHIR R4 Appointment.status codes of the same names.
export const AppointmentStatus = z.enum(['booked', 'checked-in', 'in-progress', 'fulfilled', 'cancelled', 'noshow']);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;

export const Appointment = z.object({
  id: Id.optional(),
  requestId: Id,
  patientId: Id,
  serviceId: Id,
  providerId: Id.nullable(),
  roomId: Id,
  start: Instant,
  end: Instant,
  equipment: z.array(z.object({ id: Id, count: z.number().int().positive() })).default([]),
  staff: z.array(z.object({ staffId: Id, skill: Id, start: Instant, end: Instant })).default([]),
  status: AppointmentStatus.optional(),
  // Extension (optional): the patient agreed to come earlier than booked if a place frees up.
  earlierOk: z.boolean().optional(),
});
export type Appointment = z.infer<typeof Appointment>;

export const Booking = Appointment.extend({ pinned: z.boolean().optional() });
export type Booking = z.infer<typeof Booking>;

/** Statuses that no longer hold capacity. */
export function holdsCapacity(status: AppointmentStatus | undefined): boolean {
  return status !== 'cancelled' && status !== 'noshow';
}

/** Statuses of history: what already happened, which a re-plan never changes. */
export function isHistory(status: AppointmentStatus | undefined): boolean {
  return status === 'in-progress' || status === 'fulfilled' || status === 'cancelled' || status === 'noshow';
}

/**
 * Only the contract's fields of an appointment (a stored one carries version, history and more), copied,
 * in the contract's order, as one literal with every field (undefined where absent): every copy has one
 * object shape, which keeps the solver's loops over bookings fast.
 */
export function contractAppointment(a: Appointment): Appointment {
  return {
    id: a.id,
    requestId: a.requestId,
    patientId: a.patientId,
    serviceId: a.serviceId,
    providerId: a.providerId,
    roomId: a.roomId,
    start: a.start,
    end: a.end,
    equipment: a.equipment.map((e) => ({ id: e.id, count: e.count })),
    staff: a.staff.map((s) => ({ staffId: s.staffId, skill: s.skill, start: s.start, end: s.end })),
    status: a.status,
    earlierOk: a.earlierOk,
  };
}
