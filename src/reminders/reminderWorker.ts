// What a worker process needs to serve the `reminders` queue (workers/main.ts): the configured channels
// behind their one interface, and the processor's context. A channel left unconfigured is off.
import type { Queue } from 'bullmq';
import type { FieldCipher } from '../privacy/fieldCipher.js';
import type { Store } from '../store/store.js';
import type { ChannelSender } from './channels/channel.js';
import { emailChannel } from './channels/emailChannel.js';
import { postcardChannel } from './channels/postcardChannel.js';
import { webhookChannel } from './channels/webhookChannel.js';
import type { ReminderWorkerContext } from './deliverReminder.js';
import type { ReminderWorkerConfig } from './reminderConfig.js';
import type { ReminderScheduler } from './scheduleReminders.js';

export function reminderScheduler(store: Store, queue: Queue, config: ReminderWorkerConfig): ReminderScheduler {
  return { store, queue, now: () => Date.now(), sweepDelayMs: config.sweepDelayMs };
}

export function reminderWorkerContext(
  scheduler: ReminderScheduler,
  config: ReminderWorkerConfig,
  workerId: string,
  patientCipher: FieldCipher | undefined,
): ReminderWorkerContext & { off: string[]; close: () => Promise<void> } {
  const channels: ReminderWorkerContext['channels'] = { postcard: postcardChannel(scheduler.store) };
  if (config.smtp) channels.email = emailChannel(config.smtp, config.sendTimeoutMs);
  if (config.sms) channels.sms = webhookChannel('sms', config.sms, config.sendTimeoutMs);
  if (config.voice) channels.voice = webhookChannel('voice', config.voice, config.sendTimeoutMs);
  const off = [
    ...(config.smtp ? [] : ['email (set SMTP_HOST and SMTP_FROM)']),
    ...(config.sms ? [] : ['sms (set MEDSCHED_SMS_WEBHOOK_URL)']),
    ...(config.voice ? [] : ['voice (set MEDSCHED_VOICE_WEBHOOK_URL)']),
  ];
  return {
    scheduler,
    channels,
    linkSecret: config.linkSecret,
    publicUrl: config.publicUrl,
    leaseMs: config.leaseMs,
    workerId,
    patientCipher,
    off,
    close: async () => {
      await Promise.allSettled(Object.values(channels).map((c: ChannelSender) => c.close?.()));
    },
  };
}
