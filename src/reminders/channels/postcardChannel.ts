// Postcards: "delivering" one lists it on the clinic's print list of the day it falls due (one entry per
// appointment and offset, so a repeat overwrites itself); GET /clinics/{id}/reminders/postcards?date=
// prints the day's list.
import { z } from 'zod';
import { PostalAddress } from '../../contract/patient.js';
import type { Store } from '../../store/store.js';
import { RECORD_KEEP_MS, reminderKeys, reminderName } from '../reminderKeys.js';
import type { ChannelSender, OutgoingReminder } from './channel.js';

export const PostcardEntry = z
  .object({
    appointmentId: z.string(),
    patientId: z.string(),
    name: z.string(),
    language: z.enum(['en', 'es']),
    start: z.string().describe("the appointment's start in the clinic's zone"),
    reminder: z.string().describe('the offset it was listed for, e.g. postcard-604800s'),
    text: z.string(),
    /** Read from the patient's record when the list is printed (the list itself keeps no address). */
    address: PostalAddress.nullable().optional().describe("where to send it, from the patient's record now; null: none on file any more"),
  })
  .meta({ id: 'PostcardEntry' });
export type PostcardEntry = z.infer<typeof PostcardEntry>;

export function postcardChannel(store: Store): ChannelSender {
  return {
    channel: 'postcard',
    // The address itself stays on the patient's (sealed) record: the list gets it when it is printed.
    unreachable: (to) => (to.address ? null : 'no postal address on file for a postcard'),
    async deliver(message: OutgoingReminder) {
      const key = reminderKeys(store.prefix, message.clinicId).postcards(message.dueDate);
      const entry: PostcardEntry = {
        appointmentId: message.appointmentId,
        patientId: message.patientId,
        name: message.to.name,
        language: message.language,
        start: message.start,
        reminder: message.offset,
        text: message.text,
      };
      await store.redis
        .multi()
        .hset(key, reminderName(message.appointmentId, message.offset), JSON.stringify(entry))
        // A day's print list is kept a month after its last entry.
        .pexpire(key, RECORD_KEEP_MS)
        .exec();
      return { detail: `listed for printing on ${message.dueDate}` };
    },
  };
}

/** The postcards listed for a clinic-local date. */
export async function postcardsOf(store: Store, clinicId: string, date: string): Promise<PostcardEntry[]> {
  const raw = await store.redis.hvals(reminderKeys(store.prefix, clinicId).postcards(date));
  return raw.flatMap((text) => {
    const parsed = PostcardEntry.safeParse(JSON.parse(text));
    return parsed.success ? [parsed.data] : [];
  });
}
