// SMS and voice calls through a configurable webhook (an SMS/voice provider, or the clinic's own bridge to
// one): an HTTP POST of JSON, signed so the receiver knows it is ours and unaltered:
// `X-Medsched-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with `X-Medsched-Timestamp`
// (seconds; a receiver should refuse old ones), and `Idempotency-Key` = the reminder's message id, the
// same on every attempt, for a receiver that deduplicates.
import { createHmac } from 'node:crypto';
import type { WebhookConfig } from '../reminderConfig.js';
import { PermanentDeliveryError, type ChannelSender, type OutgoingReminder } from './channel.js';

export const SIGNATURE_HEADER = 'x-medsched-signature';
export const TIMESTAMP_HEADER = 'x-medsched-timestamp';

/** The signature a receiver recomputes: HMAC-SHA256 over `<timestamp>.<raw body>` with the shared secret. */
export const webhookSignature = (secret: string, timestamp: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export function webhookChannel(channel: 'sms' | 'voice', hook: WebhookConfig, timeoutMs: number, now: () => number = Date.now): ChannelSender {
  return {
    channel,
    unreachable: (to) => (to.phone ? null : 'the patient has no phone number'),
    async deliver(message: OutgoingReminder) {
      const body = JSON.stringify({
        messageId: message.messageId,
        channel,
        to: message.to.phone,
        language: message.language,
        text: message.text,
        clinicId: message.clinicId,
        appointmentId: message.appointmentId,
        reminder: message.offset,
      });
      const timestamp = String(Math.floor(now() / 1000));
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: webhookSignature(hook.secret, timestamp, body),
          [TIMESTAMP_HEADER]: timestamp,
          'idempotency-key': message.messageId,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = (await response.text()).slice(0, 300);
      // 4xx (but for a timeout or a rate limit) is the receiver's final word on this message.
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
        throw new PermanentDeliveryError(`the ${channel} webhook refused the message (${response.status}): ${answer}`);
      if (!response.ok) throw new Error(`the ${channel} webhook answered ${response.status}: ${answer}`);
      return { detail: `${response.status} ${answer}`.trim() };
    },
  };
}
