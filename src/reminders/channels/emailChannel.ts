// E-mail over SMTP (nodemailer). One connection per message (reminders are few and spread out), each send
// bounded by a timeout (an AbortSignal), so a silent server cannot hold a claim past its lease. Every
// attempt of one reminder carries the same Message-ID.
import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../reminderConfig.js';
import { PermanentDeliveryError, type ChannelSender, type OutgoingReminder } from './channel.js';

/** `<id@domain>` with the sender's domain, as RFC 5322 asks of a Message-ID. */
export function messageIdHeader(messageId: string, fromAddress: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(fromAddress)?.[1] ?? 'medsched.invalid';
  return `<${messageId}@${domain}>`;
}

export function emailChannel(smtp: SmtpConfig, timeoutMs: number): ChannelSender {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    channel: 'email',
    unreachable: (to) => (to.email ? null : 'the patient has no e-mail address'),
    async deliver(message: OutgoingReminder) {
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          to: { name: message.to.name, address: message.to.email! },
          subject: message.subject,
          text: message.text,
          messageId: messageIdHeader(message.messageId, smtp.from),
          headers: { 'X-Medsched-Reminder': `${message.appointmentId}/${message.offset}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
        return { detail: `${info.messageId ?? ''} ${info.response ?? ''}`.trim() };
      } catch (error) {
        // A 5xx answer to the recipient or the message is the server's final word; anything else may pass.
        const code = (error as { responseCode?: number }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600) throw new PermanentDeliveryError(`the SMTP server refused the message: ${(error as Error).message}`);
        throw error;
      }
    },
    async close() {
      transport.close();
    },
  };
}
