// A patient's confirmation from a reminder's link: recorded beside the appointment (one record, the
// first confirmation of the appointment as it was then: its version and start), shown with its reminders.
import { z } from 'zod';
import type { Store } from '../store/store.js';
import { RECORD_KEEP_MS, reminderKeys } from './reminderKeys.js';

export const Confirmation = z
  .object({
    at: z.string().describe('when the patient confirmed (ISO 8601)'),
    version: z.number().int().describe('the appointment version the link was issued for'),
    start: z.string().describe('the start the patient confirmed'),
    by: z.string().describe('who: reminder-link:<patient id>'),
  })
  .meta({ id: 'ReminderConfirmation' });
export type Confirmation = z.infer<typeof Confirmation>;

/** Records the confirmation unless one for that version and start is there; answers the one kept. */
export async function recordConfirmation(store: Store, clinicId: string, appointmentId: string, confirmation: Confirmation): Promise<Confirmation> {
  const key = reminderKeys(store.prefix, clinicId).confirmation(appointmentId);
  const previous = await getConfirmation(store, clinicId, appointmentId);
  if (previous && previous.version === confirmation.version && previous.start === confirmation.start) return previous;
  await store.redis.set(key, JSON.stringify(confirmation), 'PXAT', Date.parse(confirmation.start) + RECORD_KEEP_MS);
  return confirmation;
}

export async function getConfirmation(store: Store, clinicId: string, appointmentId: string): Promise<Confirmation | null> {
  const raw = await store.redis.get(reminderKeys(store.prefix, clinicId).confirmation(appointmentId));
  if (raw === null) return null;
  const parsed = Confirmation.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}
