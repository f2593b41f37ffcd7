// One interface for every way a reminder reaches a patient: e-mail (SMTP), SMS and voice (a webhook), and
// the day's postcard list. A channel tells whether it can reach a patient at all, then delivers one message.
import type { PostalAddress } from '../../contract/patient.js';
import type { ReminderChannel } from '../../contract/reminderSettings.js';
import type { Language } from '../reminderMessage.js';

export type OutgoingReminder = {
  channel: ReminderChannel;
  /** The same for every attempt of one reminder (appointment, offset, start): a repeat is the same message. */
  messageId: string;
  clinicId: string;
  appointmentId: string;
  patientId: string;
  offset: string;
  /** The appointment's start, RFC 3339 in the clinic's zone. */
  start: string;
  /** The clinic-local date it is due (a postcard is listed for printing on it). */
  dueDate: string;
  language: Language;
  to: { name: string; email?: string | undefined; phone?: string | undefined; address?: PostalAddress | undefined };
  subject: string;
  text: string;
};

/** What the channel answered: its own id of the message, or a note. */
export type Delivery = { detail: string };

/** A refusal that no retry will change (a mailbox that does not exist, a number the provider rejects). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export type ChannelSender = {
  channel: ReminderChannel;
  /** Why this patient cannot be reached this way (no e-mail address, no phone), or null. */
  unreachable(to: OutgoingReminder['to']): string | null;
  deliver(message: OutgoingReminder): Promise<Delivery>;
  close?(): Promise<void>;
};
