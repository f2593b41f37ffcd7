// Redis keys of reminders. All carry the clinic's hash tag (clinicKeys), so each Lua script below touches
// one Redis Cluster slot, the clinic's; the jobs themselves live in the `reminders` queue's own slot.
import { clinicKeys } from '../store/keys.js';

/** `<appointment>|<offset key>`: one reminder of one appointment. */
export const reminderName = (appointmentId: string, offset: string) => `${appointmentId}|${offset}`;

export function reminderKeys(prefix: string, clinicId: string) {
  const { base } = clinicKeys(prefix, clinicId);
  return {
    /** The reminder jobs last scheduled for an appointment (string: JSON { v, jobs }, see scheduleReminders.ts). */
    jobs: (appointmentId: string) => `${base}:reminders:jobs:${appointmentId}`,
    /** One reminder's delivery record (string: JSON, see sentRecord.ts). */
    sent: (appointmentId: string, offset: string) => `${base}:reminders:sent:${reminderName(appointmentId, offset)}`,
    /** The patient's confirmation of an appointment from a reminder's link (string: JSON). */
    confirmation: (appointmentId: string) => `${base}:reminders:confirmed:${appointmentId}`,
    /** The postcards to print on a clinic-local date (hash: `<appointment>|<offset>` → JSON). */
    postcards: (date: string) => `${base}:reminders:postcards:${date}`,
  };
}

/** How long a record outlives the appointment it is about (its start): long enough to answer "was it sent?". */
export const RECORD_KEEP_MS = 30 * 24 * 3600 * 1000;
