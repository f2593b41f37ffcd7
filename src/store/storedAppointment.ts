import { z } from 'zod';
import { Appointment, AppointmentStatus } from '../contract/appointment.js';
import { Id, Instant } from '../contract/primitives.js';

/** One change of an appointment: what it became, when (Redis's clock), who did it and why. */
export const HistoryEntry = z.object({
  status: AppointmentStatus,
  at: Instant,
  by: z.string(),
  reason: z.string().optional(),
  /** book: booked (directly or from a hold); status: a status change; reschedule: moved; plan: changed by an applied plan. */
  action: z.enum(['book', 'status', 'reschedule', 'plan']),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const Hold = z.object({ expiresAt: Instant, caller: z.string() });
export type Hold = z.infer<typeof Hold>;

/**
 * An appointment as the store keeps it. `version` starts at 1 and advances by one on every change;
 * `date` is its clinic-local date; a hold (capacity held until `hold.expiresAt`, not yet booked) has
 * `hold` and status 'booked' and an empty history until it is booked.
 */
export const StoredAppointment = Appointment.extend({
  id: Id,
  status: AppointmentStatus,
  version: z.number().int().positive(),
  date: z.string(),
  history: z.array(HistoryEntry),
  hold: Hold.optional(),
}).meta({ id: 'StoredAppointment' });
export type StoredAppointment = z.infer<typeof StoredAppointment>;
