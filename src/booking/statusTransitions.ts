import type { AppointmentStatus } from '../contract/appointment.js';

/** FHIR Appointment statuses a stored appointment may move to from each status. */
export const STATUS_TRANSITIONS: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  booked: ['checked-in', 'cancelled', 'noshow'],
  'checked-in': ['in-progress', 'cancelled', 'noshow'],
  'in-progress': ['fulfilled'],
  fulfilled: [],
  cancelled: [],
  noshow: [],
};

export function canTransition(from: AppointmentStatus, to: AppointmentStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}
