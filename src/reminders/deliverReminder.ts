// The `reminders` queue's processor: a `send` job delivers one reminder, exactly once per appointment and
// offset (see sentRecord.ts for how, and for the window that remains); a `sweep` job re-syncs a clinic-day.
//
// Before it sends, a reminder reads the appointment again: one that was cancelled, checked in, or moved
// (its start is not the one the job was made for) gets nothing, whatever jobs were left behind.
import { runWaitlistJob } from './waitlistExpiry.js';
import { WaitlistBusy } from '../store/waitlist.js';
import { createHash } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { parseWith } from '../contract/parse.js';
import { offsetKey, offsetsOf, type ReminderChannel } from '../contract/reminderSettings.js';
import { localDateOf } from '../booking/dayGrid.js';
import type { FieldCipher } from '../privacy/fieldCipher.js';
import { getPatient } from '../store/patients.js';
import { getAppointment } from '../store/readAppointments.js';
import { getSetup } from '../store/setup.js';
import { PermanentDeliveryError, type ChannelSender, type OutgoingReminder } from './channels/channel.js';
import { signLink } from './linkTokens.js';
import { reminderJobId, SendJobData, SweepJobData, WAITLIST_JOB } from './reminderJobs.js';
import { renderReminder } from './reminderMessage.js';
import { syncDayReminders, type ReminderScheduler } from './scheduleReminders.js';
import { claimReminder, finishReminder, releaseReminder, type ReminderRef } from './sentRecord.js';

export type ReminderWorkerContext = {
  scheduler: ReminderScheduler;
  /** The configured channels; a channel missing here is off. */
  channels: Partial<Record<ReminderChannel, ChannelSender>>;
  linkSecret: Uint8Array;
  /** The API's public address, the base of the links. */
  publicUrl: string;
  leaseMs: number;
  workerId: string;
  /** Opens sealed patient details (MEDSCHED_DATA_KEY). */
  patientCipher?: FieldCipher | undefined;
};

export type ReminderOutcome =
  | { outcome: 'sent' | 'skipped' | 'failed'; detail: string }
  | { outcome: 'already'; state: string }
  | { outcome: 'stood-down'; reason: string }
  | { outcome: 'swept'; appointments: number; scheduled: number }
  /** A waitlist job: expired offers passed on; `offers`: the live offers' expiries now followed. */
  | { outcome: 'advanced'; offers: number };

/** The same for every attempt of one reminder (appointment, offset, start). */
export const reminderMessageId = (r: ReminderRef) =>
  `reminder.${createHash('sha256').update(`${r.clinicId}|${r.appointmentId}|${r.offset}|${r.startMs}`).digest('hex').slice(0, 32)}`;

export async function processReminderJob(ctx: ReminderWorkerContext, job: Job, token?: string): Promise<ReminderOutcome> {
  if (job.name === 'sweep') {
    const parsed = parseWith(SweepJobData, job.data);
    if (!parsed.ok) throw new UnrecoverableError(`the sweep's data is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    return { outcome: 'swept', ...(await syncDayReminders(ctx.scheduler, parsed.value.clinicId, parsed.value.date)) };
  }
  if (job.name === WAITLIST_JOB) {
    try {
      return await runWaitlistJob(ctx.scheduler.store, ctx.scheduler.queue, job.data, ctx.scheduler.now());
    } catch (error) {
      if (error instanceof WaitlistBusy) throw error; // the lock was busy: retried with backoff
      throw new UnrecoverableError((error as Error).message);
    }
  }
  if (job.name !== 'send') throw new UnrecoverableError(`'${job.name}' is no job of the reminders queue`);
  const parsed = parseWith(SendJobData, job.data);
  if (!parsed.ok) throw new UnrecoverableError(`the reminder's data is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const { clinicId, appointmentId, offset: key } = parsed.value;
  const { store } = ctx.scheduler;

  const setup = await getSetup(store, clinicId);
  if (!setup) return { outcome: 'stood-down', reason: `clinic '${clinicId}' no longer exists` };
  const offset = offsetsOf(setup.setup).find((o) => offsetKey(o) === key);
  if (!offset) return { outcome: 'stood-down', reason: `the clinic no longer sends the ${key} reminder` };
  const appointment = await getAppointment(store, clinicId, appointmentId);
  if (!appointment || appointment.hold !== undefined || appointment.status !== 'booked')
    return { outcome: 'stood-down', reason: `the appointment is ${appointment?.status ?? 'gone'}` };
  const startMs = Date.parse(appointment.start);
  if (reminderJobId(clinicId, appointmentId, key, startMs) !== job.id) return { outcome: 'stood-down', reason: 'the appointment moved; its reminder is another job' };

  const ref: ReminderRef = { clinicId, appointmentId, offset: key, startMs };
  const holder = `${ctx.workerId}#${job.attemptsStarted}`;
  const messageId = reminderMessageId(ref);
  const claim = await claimReminder(store, ref, holder, ctx.leaseMs, messageId, offset.channel);
  if (claim.outcome === 'done') return { outcome: 'already', state: claim.record.state };
  if (claim.outcome === 'busy') {
    // Another attempt may still be sending (its worker was only slow): look again once its lease lapses.
    await job.moveToDelayed((claim.record.leaseUntil ?? Date.now()) + 100, token);
    throw new DelayedError();
  }

  const finish = async (outcome: 'sent' | 'skipped' | 'failed', detail: string): Promise<ReminderOutcome> => {
    await finishReminder(store, ref, outcome, detail);
    return { outcome, detail };
  };
  const patient = await getPatient(store, clinicId, appointment.patientId, ctx.patientCipher);
  if (!patient.ok) return finish('skipped', patient.reason === 'not-found' ? `no details are stored for patient '${appointment.patientId}'` : patient.message);
  const channel = ctx.channels[offset.channel];
  if (!channel) return finish('skipped', `the ${offset.channel} channel is not configured`);
  const to = { name: patient.patient.name, email: patient.patient.email, phone: patient.patient.phone, address: patient.patient.address };
  const unreachable = channel.unreachable(to);
  if (unreachable) return finish('skipped', unreachable);

  const zone = setup.setup.clinic.timezone;
  const linkToken = signLink(ctx.linkSecret, { clinicId, appointmentId, version: appointment.version, expiresAtMs: startMs });
  const clickable = offset.channel === 'email' || offset.channel === 'sms';
  const service = setup.setup.services.find((s) => s.id === appointment.serviceId);
  const provider = appointment.providerId === null ? undefined : setup.setup.providers.find((p) => p.id === appointment.providerId);
  const words = renderReminder({
    language: patient.patient.language,
    channel: offset.channel,
    patientName: patient.patient.name,
    clinicName: setup.setup.clinic.name ?? clinicId,
    serviceName: service?.name ?? appointment.serviceId,
    providerName: provider?.name ?? null,
    startMs,
    timeZone: zone,
    links: clickable ? { confirm: `${ctx.publicUrl}/r/${linkToken}/confirm`, cancel: `${ctx.publicUrl}/r/${linkToken}/cancel` } : null,
  });
  const message: OutgoingReminder = {
    channel: offset.channel,
    messageId,
    clinicId,
    appointmentId,
    patientId: appointment.patientId,
    offset: key,
    start: appointment.start,
    dueDate: localDateOf(startMs - Math.round(offset.minutesBefore * 60) * 1000, zone),
    language: patient.patient.language,
    to,
    subject: words.subject,
    text: words.text,
  };
  try {
    const delivery = await channel.deliver(message);
    return await finish('sent', delivery.detail);
  } catch (error) {
    const text = (error as Error).message;
    if (error instanceof PermanentDeliveryError) return finish('failed', text);
    // The last attempt: say so for good; before it, free the claim so the retry sends at once.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await finishReminder(store, ref, 'failed', `gave up after ${job.attemptsMade + 1} attempts: ${text}`);
    else await releaseReminder(store, ref, holder, text);
    throw error;
  }
}
