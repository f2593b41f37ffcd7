// When a clinic reminds its patients, and how: a set-up field (`reminders.offsets`), each offset a
// channel and a time before the appointment. Minutes may have a fraction (whole seconds), so a test or
// a demo can make a reminder fall due in seconds.
import { z } from 'zod';

export const REMINDER_CHANNELS = ['email', 'sms', 'voice', 'postcard'] as const;
export const ReminderChannel = z.enum(REMINDER_CHANNELS, { error: `must be one of ${REMINDER_CHANNELS.join(', ')}` });
export type ReminderChannel = z.infer<typeof ReminderChannel>;

/** At most 60 days ahead: a reminder further out than that is not one. */
const MAX_MINUTES = 60 * 24 * 60;

export const ReminderOffset = z.strictObject({
  channel: ReminderChannel,
  minutesBefore: z
    .number()
    .positive('must be more than 0')
    .max(MAX_MINUTES, `must be at most ${MAX_MINUTES} (60 days)`)
    .refine((m) => Math.abs(m * 60 - Math.round(m * 60)) < 1e-6, 'must be whole seconds (minutes × 60 a whole number)')
    .describe('how long before the start it is sent (a postcard: listed for printing on the clinic-local date this falls on)'),
});
export type ReminderOffset = z.infer<typeof ReminderOffset>;

export const ReminderSettings = z
  .strictObject({
    offsets: z
      .array(ReminderOffset)
      .max(10, 'at most 10 reminders per appointment')
      .superRefine((offsets, ctx) => {
        const seen = new Set<string>();
        offsets.forEach((o, i) => {
          const key = offsetKey(o);
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `the same reminder (${o.channel}, ${o.minutesBefore} min) is listed twice` });
          seen.add(key);
        });
      })
      .describe('each reminder of an appointment: channel and time before the start; [] sends none'),
  })
  .describe('reminders sent to patients before their appointments (default: e-mail 72 h and 24 h before, SMS 2 h before)')
  .meta({ id: 'ReminderSettings' });
export type ReminderSettings = z.infer<typeof ReminderSettings>;

export const DEFAULT_REMINDER_OFFSETS: readonly ReminderOffset[] = [
  { channel: 'email', minutesBefore: 72 * 60 },
  { channel: 'email', minutesBefore: 24 * 60 },
  { channel: 'sms', minutesBefore: 2 * 60 },
];

/** An offset's stable name, in job ids and sent-records: `email-259200s`. */
export const offsetKey = (o: ReminderOffset): string => `${o.channel}-${Math.round(o.minutesBefore * 60)}s`;

/** The offsets a clinic's set-up asks for (the defaults when it says nothing). */
export const offsetsOf = (setup: { reminders?: ReminderSettings | undefined }): readonly ReminderOffset[] =>
  setup.reminders?.offsets ?? DEFAULT_REMINDER_OFFSETS;
