import { z } from 'zod';
import { Appointment } from './appointment.js';
import { Id, Instant } from './primitives.js';

/** A freed place held for one waitlist entry until `expiresAt` (a hold of the store: nobody else can book it meanwhile). */
export const WaitlistOffer = z
  .object({
    holdId: Id.describe('the hold that keeps the place (accept books it)'),
    slotId: z.string().describe('the freed place'),
    providerId: Id.nullable(),
    roomId: Id,
    start: Instant,
    end: Instant,
    offeredAt: Instant,
    expiresAt: Instant,
  })
  .meta({ id: 'WaitlistOffer' });
export type WaitlistOffer = z.infer<typeof WaitlistOffer>;

/** A request waiting for an earlier place than it has (or any place, when it has none), within the patient's window. */
export const WaitlistEntry = z
  .object({
    id: z.string(),
    requestId: Id,
    patientId: Id,
    appointmentId: Id.optional().describe('the booked appointment an accepted offer moves earlier; absent: accepting books the request'),
    earliestStart: Instant.optional().describe("the patient's window, within the request's own"),
    latestEnd: Instant.optional(),
    joinedAt: Instant,
    by: z.string().describe('who put it on the waitlist'),
    offer: WaitlistOffer.optional().describe('the live offer, at most one at a time'),
  })
  .meta({ id: 'WaitlistEntry' });
export type WaitlistEntry = z.infer<typeof WaitlistEntry>;

/** A place a cancellation, a no-show or a reschedule freed, kept to offer until it starts or is taken. */
export const FreedSlot = z.object({
  id: z.string(),
  /** The appointment as it was: its provider, room, staff and equipment over its time are what is free. */
  appointment: Appointment.extend({ id: Id }),
  date: z.string(),
  freedAt: Instant,
  why: z.enum(['cancelled', 'noshow', 'rescheduled']),
  /** Entries that declined it or let its offer run out: it is not offered to them again. */
  passedBy: z.array(z.string()),
  /** The entry it is offered to now, if any. */
  offeredTo: z.string().nullable(),
});
export type FreedSlot = z.infer<typeof FreedSlot>;
