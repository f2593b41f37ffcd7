// Reminders against the real API, real worker processes, a real SMTP server on loopback (smtp-server,
// read back with mailparser) and a loopback HTTP server as the SMS/voice webhook:
// - booking schedules one delayed job per offset at exactly start - offset; rescheduling moves them;
//   cancelling, a check-in and a no-show take them away; a day's sweep waits behind every write;
// - a worker killed (SIGKILL) while the SMTP server holds its message's DATA unanswered: another worker
//   takes the job over once the claim's lease lapses and sends it again, with the same Message-ID; the
//   server holds exactly one message per appointment and offset, the webhook one request per SMS;
// - the e-mails are in the patient's language with the local time, their confirm and cancel links work
//   without a login (a confirmation recorded; a cancellation by the patient, whose pending reminders go),
//   and a tampered, expired or outdated link is refused (401/410) with a clear body; all audited;
// - a job left behind for a moved or cancelled appointment sends nothing.
import { syncDayReminders, type ReminderScheduler } from '../src/reminders/scheduleReminders.js';
import { postcardChannel } from '../src/reminders/channels/postcardChannel.js';
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateOf } from '../src/booking/dayGrid.js';
import { queuePrefix } from '../src/jobs/queues.js';
import { signLink } from '../src/reminders/linkTokens.js';
import { reminderJobId, sweepJobId } from '../src/reminders/reminderJobs.js';
import { localWhen } from '../src/reminders/reminderMessage.js';
import { deliveryRecord } from '../src/reminders/sentRecord.js';
import { webhookSignature } from '../src/reminders/channels/webhookChannel.js';
import { clinicTrail, deploymentTrail, readAuditPage } from '../src/store/auditLog.js';
import { putPatient } from '../src/store/patients.js';
import type { AuditEntry } from '../src/audit/auditEntry.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';
import { repoRoot } from './support/paths.js';
import { until } from './support/until.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('reminders');
const store = { redis: t.redis, prefix: t.prefix };
const ZONE = 'America/Chicago';
const LINK_SECRET = 'reminder-links-test-secret-4f1d8c2b9e7a6d5c3b1a0f9e8d7c6b5a';
const HOOK_SECRET = 'webhook-test-secret-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const SCHED = 'rem-sched';
const SEND = 'rem-send';

let api: ApiProcess;
let smtp: SmtpSink;
let hook: Server;
let hookUrl: string;
let queue: Queue;
const hooked: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
const workers: WorkerProcess[] = [];

const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();
/** The first 15-minute slot at or after `ms` (Chicago's offsets are whole hours: UTC quarter hours are the clinic's). */
const slotAt = (ms: number) => Math.ceil(ms / (15 * MIN)) * 15 * MIN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Three providers and rooms, open from an hour ago for ten days, so appointments can be booked from minutes to days ahead. */
function clinic(id: string, reminders?: { offsets: { channel: string; minutesBefore: number }[] }) {
  const open = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const availability = [{ start: iso(open), end: iso(open + 10 * 24 * HOUR) }];
  const names = ['Dr. Ada Lane', 'Dr. Luis Soto', 'Dr. Mei Chen'];
  return {
    clinic: { id, name: 'Lakeshore Community Health', timezone: ZONE },
    slotMinutes: 15,
    providers: names.map((name, i) => ({ id: `dr-${i}`, name, specialties: ['gp'], availability })),
    rooms: names.map((_, i) => ({ id: `room-${i}`, capabilities: ['exam'], availability })),
    services: [{ id: 'visit', name: 'Check-up', minutes: 30, specialty: 'gp', roomCapability: 'exam' }],
    ...(reminders ? { reminders } : {}),
  };
}

const visit = (patientId: string, provider: number, startMs: number) => ({
  request: { patientId, serviceId: 'visit', urgency: 'routine' },
  providerId: `dr-${provider}`,
  roomId: `room-${provider}`,
  start: iso(startMs),
});

async function ok(reply: Promise<Reply>, status: number): Promise<Reply> {
  const r = await reply;
  expect(r.status, r.text).toBe(status);
  return r;
}

/** What the processes printed, for a failure's message. */
const output = () => `${workers.map((w) => `worker ${w.workerId}:\n${w.output()}`).join('\n')}\napi:\n${api.output()}`;

const jobOf = (clinicId: string, aid: string, offset: string, startMs: number) => queue.getJob(reminderJobId(clinicId, aid, offset, startMs));
/** When BullMQ will run a delayed job. */
const dueOf = (job: Job) => job.timestamp + (job.delay ?? 0);

function workerEnv(concurrency: number): Record<string, string> {
  return {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_FROM: 'Lakeshore Reminders <reminders@lakeshore.example>',
    MEDSCHED_SMS_WEBHOOK_URL: `${hookUrl}/sms`,
    MEDSCHED_VOICE_WEBHOOK_URL: `${hookUrl}/voice`,
    MEDSCHED_WEBHOOK_SECRET: HOOK_SECRET,
    MEDSCHED_REMINDER_LINK_SECRET: LINK_SECRET,
    MEDSCHED_PUBLIC_URL: api.url,
    MEDSCHED_REMINDER_SEND_TIMEOUT_MS: '2000',
    MEDSCHED_REMINDERS_CONCURRENCY: String(concurrency),
    MEDSCHED_REMINDER_SWEEP_SECONDS: '3',
  };
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooked.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  api = await startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_REMINDER_LINK_SECRET: LINK_SECRET, MEDSCHED_REMINDER_SWEEP_SECONDS: '3' });
  queue = new Queue('reminders', { connection: t.redis, prefix: queuePrefix(t.prefix, 'reminders') });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await api?.stop();
  await queue?.close();
  await smtp?.close();
  await new Promise((r) => hook?.close(r));
  await t.cleanup();
}, 30_000);

describe('configuration', () => {
  it('a reminders worker refuses to start on incomplete SMTP or webhook settings, naming each variable', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', 'reminders'], {
      cwd: repoRoot,
      env: { ...process.env, MEDSCHED_PREFIX: t.prefix, SMTP_HOST: '127.0.0.1', MEDSCHED_SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms', SMTP_PORT: '587' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/SMTP_FROM: is required with SMTP_HOST/);
    expect(run.stderr).toMatch(/MEDSCHED_WEBHOOK_SECRET: is required with a webhook URL/);
  }, 30_000);
});

describe('scheduling', () => {
  it('books one delayed job per offset at start - offset; a reschedule moves them, a cancel, a check-in and a no-show remove them', async () => {
    await ok(call(api.url, 'PUT', `/clinics/${SCHED}`, clinic(SCHED)), 201);
    const start = slotAt(Date.now() + 4 * 24 * HOUR);
    const defaults = [
      ['email-259200s', 72 * HOUR],
      ['email-86400s', 24 * HOUR],
      ['sms-7200s', 2 * HOUR],
    ] as const;

    const booked = await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments`, visit('p-1', 0, start)), 201);
    const aid = booked.body.id as string;
    for (const [offset, before] of defaults) {
      const job = await jobOf(SCHED, aid, offset, start);
      expect(job, offset).toBeDefined();
      expect(await job!.getState()).toBe('delayed');
      expect(dueOf(job!), offset).toBe(start - before);
      expect(job!.data).toEqual({ clinicId: SCHED, appointmentId: aid, offset });
    }
    // A sweep of the day waits behind the write (the repair should the API die before scheduling).
    const sweep = await queue.getJob(sweepJobId(SCHED, localDateOf(start, ZONE)));
    expect(sweep?.data).toEqual({ clinicId: SCHED, date: localDateOf(start, ZONE) });
    // The API shows them.
    const shown = await ok(call(api.url, 'GET', `/clinics/${SCHED}/appointments/${aid}/reminders`), 200);
    expect(shown.body.reminders.map((r: { reminder: string; job: { state: string } }) => [r.reminder, r.job.state])).toEqual(defaults.map(([o]) => [o, 'delayed']));
    expect(shown.body.reminders.map((r: { dueAt: string }) => Date.parse(r.dueAt))).toEqual(defaults.map(([, before]) => start - before));

    // Moved a day later: the old jobs are gone, new ones wait at the new offsets.
    const later = start + 24 * HOUR;
    const moved = await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments/${aid}/reschedule`, { start: iso(later) }, { 'if-match': `"${booked.body.version}"` }), 200);
    for (const [offset, before] of defaults) {
      expect(await jobOf(SCHED, aid, offset, start), offset).toBeUndefined();
      const job = await jobOf(SCHED, aid, offset, later);
      expect(await job?.getState(), offset).toBe('delayed');
      expect(dueOf(job!)).toBe(later - before);
    }
    // Cancelled: none left.
    await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments/${aid}/cancel`, { reason: 'test' }, { 'if-match': `"${moved.body.version}"` }), 200);
    for (const [offset] of defaults) expect(await jobOf(SCHED, aid, offset, later), offset).toBeUndefined();

    // Booked from a hold (it keeps the hold's id): scheduled; checked in: removed.
    const held = await ok(call(api.url, 'POST', `/clinics/${SCHED}/holds`, visit('p-2', 1, start)), 201);
    expect(await jobOf(SCHED, held.body.id, 'sms-7200s', start)).toBeUndefined(); // a hold is no appointment yet
    const fromHold = await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments`, { holdId: held.body.id }), 201);
    expect(dueOf((await jobOf(SCHED, fromHold.body.id, 'sms-7200s', start))!)).toBe(start - 2 * HOUR);
    await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments/${fromHold.body.id}/check-in`, {}, { 'if-match': `"${fromHold.body.version}"` }), 200);
    for (const [offset] of defaults) expect(await jobOf(SCHED, fromHold.body.id, offset, start), offset).toBeUndefined();

    // A no-show removes them too.
    const third = await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments`, visit('p-3', 2, start)), 201);
    expect(await jobOf(SCHED, third.body.id, 'email-86400s', start)).toBeDefined();
    await ok(call(api.url, 'POST', `/clinics/${SCHED}/appointments/${third.body.id}/no-show`, {}, { 'if-match': `"${third.body.version}"` }), 200);
    for (const [offset] of defaults) expect(await jobOf(SCHED, third.body.id, offset, start), offset).toBeUndefined();
  }, 30_000);
});

describe('a change of the reminder settings', () => {
  it('sweeps every date that has appointments still to come; a change of anything else sweeps nothing', async () => {
    const OFFS = 'rem-offsets';
    const created = await ok(call(api.url, 'PUT', `/clinics/${OFFS}`, clinic(OFFS)), 201);
    const start = slotAt(Date.now() + 3 * 24 * HOUR);
    const date = localDateOf(start, ZONE);
    const booked = await ok(call(api.url, 'POST', `/clinics/${OFFS}/appointments`, visit('p-off', 0, start)), 201);
    // The booking's own sweep is gone before the change, so a new one can only come from the change.
    const removeSweep = async () => {
      await queue.remove(sweepJobId(OFFS, date));
      expect(await queue.getJob(sweepJobId(OFFS, date))).toBeUndefined();
    };
    await removeSweep();

    const renamed = clinic(OFFS);
    const same = await ok(call(api.url, 'PUT', `/clinics/${OFFS}`, { ...renamed, services: renamed.services.map((x) => ({ ...x, name: 'Check-up visit' })) }, { 'if-match': `"${created.body.version}"` }), 200);
    expect(await queue.getJob(sweepJobId(OFFS, date))).toBeUndefined();

    const offsets = [{ channel: 'email', minutesBefore: 48 * 60 }];
    await ok(call(api.url, 'PUT', `/clinics/${OFFS}`, clinic(OFFS, { offsets }), { 'if-match': `"${same.body.version}"` }), 200);
    const sweep = await queue.getJob(sweepJobId(OFFS, date));
    expect(sweep?.data).toEqual({ clinicId: OFFS, date });
    // The sweep (run here as a worker would) gives the appointment its new reminder.
    expect(await jobOf(OFFS, booked.body.id, 'email-172800s', start)).toBeUndefined();
    const scheduler: ReminderScheduler = { store, queue, now: Date.now, sweepDelayMs: 0 };
    await syncDayReminders(scheduler, OFFS, date);
    expect(dueOf((await jobOf(OFFS, booked.body.id, 'email-172800s', start))!)).toBe(start - 48 * HOUR);
  }, 30_000);
});

describe('delivery, exactly once', () => {
  let start = 0;
  const ids: { en: string; es: string } = { en: '', es: '' };
  let keys: { first: string; second: string; sms: string; postcard: string; pending: string };

  it('leaves exactly one message per appointment and offset though the worker is killed mid-send', async () => {
    const first = await startWorker(t.prefix, 'w-rem-1', 'reminders', workerEnv(1));
    workers.push(first);
    // Reminders that fall due within seconds: the clinic's offsets are set from the start of the visits.
    start = slotAt(Date.now() + 25 * MIN);
    const dueIn = Math.floor((start - Date.now()) / 1000) - 4; // seconds before the start: due in about 4 s
    const offsets = [
      { channel: 'email', minutesBefore: dueIn / 60 },
      { channel: 'sms', minutesBefore: (dueIn - 1) / 60 },
      { channel: 'email', minutesBefore: (dueIn - 2) / 60 },
      // A postcard listed on today's list; an e-mail a second before the visit, still waiting at the end.
      { channel: 'postcard', minutesBefore: (dueIn + 60) / 60 },
      { channel: 'email', minutesBefore: 1 / 60 },
    ];
    keys = { first: `email-${dueIn}s`, sms: `sms-${dueIn - 1}s`, second: `email-${dueIn - 2}s`, postcard: `postcard-${dueIn + 60}s`, pending: 'email-1s' };
    await ok(call(api.url, 'PUT', `/clinics/${SEND}`, clinic(SEND, { offsets })), 201);
    const address = (street: string) => ({ lines: [street], city: 'Chicago', region: 'IL', postalCode: '60616', country: 'US' });
    await putPatient(store, SEND, { id: 'p-en', name: 'Ana Lane', email: 'ana@example.org', phone: '+13125550101', language: 'en', address: address('12 W Cermak Rd') });
    await putPatient(store, SEND, { id: 'p-es', name: 'José Ruiz', email: 'jose@example.org', phone: '+13125550102', language: 'es', address: address('2400 S Halsted St, Apt 3') });
    const stalled = smtp.stallNext();
    ids.en = (await ok(call(api.url, 'POST', `/clinics/${SEND}/appointments`, visit('p-en', 0, start)), 201)).body.id;
    ids.es = (await ok(call(api.url, 'POST', `/clinics/${SEND}/appointments`, visit('p-es', 1, start)), 201)).body.id;

    // The first e-mail's DATA arrives and is never answered: the worker is killed in the middle of the send.
    const held = await Promise.race([stalled, sleep(20_000).then(() => null)]);
    expect(held, `no message reached the SMTP server:\n${first.output()}`).not.toBeNull();
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const [heldAid, heldOffset] = String(held!.headers.get('x-medsched-reminder')).split('/') as [string, string];
    const claim = await deliveryRecord(store, SEND, heldAid, heldOffset);
    expect(claim).toMatchObject({ state: 'claimed', attempts: 1, channel: 'email' });
    expect(smtp.messages).toHaveLength(0);

    // Another worker takes the job over once the claim's lease lapses, and sends it (again).
    workers.push(await startWorker(t.prefix, 'w-rem-2', 'reminders', workerEnv(4)));
    const due = [keys.first, keys.second, keys.sms, keys.postcard];
    await until(
      'every due reminder to be delivered',
      async () => {
        const records = await Promise.all([ids.en, ids.es].flatMap((aid) => due.map((k) => deliveryRecord(store, SEND, aid, k))));
        return records.every((r) => r?.state === 'sent') || undefined;
      },
      { timeoutMs: 20_000, context: output },
    );
    await sleep(1_500); // room for a duplicate to show up, were there one

    // Exactly one message per appointment and e-mail offset, the held one among them with the same Message-ID.
    const byReminder = new Map<string, number>();
    for (const m of smtp.messages) {
      const name = String(m.headers.get('x-medsched-reminder'));
      byReminder.set(name, (byReminder.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(byReminder)).toEqual({
      [`${ids.en}/${keys.first}`]: 1,
      [`${ids.en}/${keys.second}`]: 1,
      [`${ids.es}/${keys.first}`]: 1,
      [`${ids.es}/${keys.second}`]: 1,
    });
    const resent = smtp.messages.find((m) => m.headers.get('x-medsched-reminder') === held!.headers.get('x-medsched-reminder'))!;
    expect(resent.messageId).toBe(held!.messageId);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(4);
    expect(await deliveryRecord(store, SEND, heldAid, heldOffset)).toMatchObject({ state: 'sent', attempts: 2, messageId: claim!.messageId });

    // The same reminder queued once more (its finished job removed and added again) finds it sent: nothing goes out.
    const repeat = reminderJobId(SEND, ids.en, keys.second, start);
    expect(await queue.remove(repeat)).toBe(1);
    await queue.add('send', { clinicId: SEND, appointmentId: ids.en, offset: keys.second }, { jobId: repeat });
    const rerun = await until('the repeated job to finish', async () => {
      const job = await queue.getJob(repeat);
      return job?.finishedOn ? job.returnvalue : undefined;
    }, { timeoutMs: 10_000, context: output });
    expect(rerun).toEqual({ outcome: 'already', state: 'sent' });
    expect(smtp.messages).toHaveLength(4);

    // One SMS per appointment through the webhook, signed, with the message id as its idempotency key.
    const sms = hooked.filter((h) => h.path === '/sms');
    expect(sms).toHaveLength(2);
    for (const h of sms) {
      expect(h.headers['x-medsched-signature']).toBe(webhookSignature(HOOK_SECRET, String(h.headers['x-medsched-timestamp']), h.body));
      const body = JSON.parse(h.body);
      expect(h.headers['idempotency-key']).toBe(body.messageId);
      expect(body).toMatchObject({ channel: 'sms', clinicId: SEND, reminder: keys.sms });
    }
    const smsEs = JSON.parse(sms.find((h) => JSON.parse(h.body).appointmentId === ids.es)!.body);
    expect(smsEs).toMatchObject({ to: '+13125550102', language: 'es' });
    expect(smsEs.text).toContain(`a las ${localWhen(start, ZONE, 'es').time}`);
  }, 60_000);

  it('writes each patient in their language with the local time, and lists the day\'s postcards', async () => {
    const mailOf = (aid: string) => smtp.messages.find((m) => m.headers.get('x-medsched-reminder') === `${aid}/${keys.first}`)!;
    const en = localWhen(start, ZONE, 'en');
    const es = localWhen(start, ZONE, 'es');
    const english = mailOf(ids.en);
    expect(english.subject).toBe(`Reminder: your appointment on ${en.date} at ${en.time}`);
    expect(english.text).toContain(`Check-up appointment at Lakeshore Community Health on ${en.date} at ${en.time} with Dr. Ada Lane.`);
    expect(english.to).toMatchObject({ value: [{ address: 'ana@example.org', name: 'Ana Lane' }] });
    expect(english.from).toMatchObject({ value: [{ address: 'reminders@lakeshore.example' }] });
    const spanish = mailOf(ids.es);
    expect(spanish.subject).toBe(`Recordatorio: su cita del ${es.date} a las ${es.time}`);
    expect(spanish.text).toContain(`Le recordamos su cita de Check-up en Lakeshore Community Health el ${es.date} a las ${es.time} con Dr. Luis Soto.`);
    expect(spanish.text).toMatch(new RegExp(`Para confirmar su asistencia: ${api.url}/r/[A-Za-z0-9_.-]+/confirm`));

    const today = localDateOf(start - (Number(keys.postcard.slice(9, -1)) * 1000), ZONE);
    const cards = await ok(call(api.url, 'GET', `/clinics/${SEND}/reminders/postcards?date=${today}`), 200);
    expect(cards.body.postcards.map((c: { appointmentId: string; name: string; language: string }) => [c.name, c.appointmentId, c.language])).toEqual([
      ['Ana Lane', ids.en, 'en'],
      ['José Ruiz', ids.es, 'es'],
    ]);
    expect(cards.body.postcards[1].text).toContain(`a las ${es.time}`);
    // Where each card goes, from the patient's record as it is now.
    expect(cards.body.postcards[1].address).toEqual({ lines: ['2400 S Halsted St, Apt 3'], city: 'Chicago', region: 'IL', postalCode: '60616', country: 'US' });
    const page = await ok(call(api.url, 'GET', `/clinics/${SEND}/reminders/postcards?date=${today}&format=html`), 200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('José Ruiz');
    expect(page.text).toContain('2400 S Halsted St, Apt 3<br>60616 Chicago IL<br>US');
    // A patient without an address gets no postcard: the channel says why.
    expect(postcardChannel(store).unreachable({ name: 'Ana Lane' })).toMatch(/no postal address/);
  }, 30_000);

  it('confirms and cancels from the links without a login; refuses a tampered, expired or outdated link', async () => {
    const linkOf = (aid: string, action: 'confirm' | 'cancel') => {
      const text = smtp.messages.find((m) => m.headers.get('x-medsched-reminder') === `${aid}/${keys.first}`)!.text!;
      const url = new RegExp(`(${api.url.replace(/[.]/g, '\\.')}/r/[A-Za-z0-9_.-]+/${action})`).exec(text)![1]!;
      return url.slice(api.url.length);
    };
    const anonymous = { authorization: null };

    // Confirm: looking changes nothing (a page with a button for a browser); posting records it, once.
    const confirm = linkOf(ids.en, 'confirm');
    const look = await ok(call(api.url, 'GET', confirm, undefined, anonymous), 200);
    expect(look.body).toMatchObject({ id: ids.en, action: 'confirm', done: false, confirmedAt: null, language: 'en' });
    const page = await ok(call(api.url, 'GET', confirm, undefined, { ...anonymous, accept: 'text/html,application/xhtml+xml' }), 200);
    expect(page.text).toContain('<form method="post"><button type="submit">Yes, I will come</button></form>');
    const confirmed = await ok(call(api.url, 'POST', confirm, {}, anonymous), 200);
    expect(confirmed.body).toMatchObject({ done: true, status: 'booked', message: expect.stringContaining('is confirmed') });
    // The page's own form posts an empty form body.
    const again = await fetch(api.url + confirm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: '' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('is confirmed');
    const reminders = await ok(call(api.url, 'GET', `/clinics/${SEND}/appointments/${ids.en}/reminders`), 200);
    expect(reminders.body.confirmation).toMatchObject({ by: 'reminder-link:p-en', at: confirmed.body.confirmedAt });

    // Cancel: the appointment is cancelled by the patient, and its reminder still waiting goes.
    const pending = reminderJobId(SEND, ids.es, keys.pending, start);
    expect(await (await queue.getJob(pending))?.getState()).toBe('delayed');
    const cancelled = await ok(call(api.url, 'POST', linkOf(ids.es, 'cancel'), undefined, anonymous), 200);
    expect(cancelled.body).toMatchObject({ id: ids.es, status: 'cancelled', done: true, language: 'es', message: expect.stringContaining('está cancelada') });
    expect(await queue.getJob(pending)).toBeUndefined();
    const read = await ok(call(api.url, 'GET', `/clinics/${SEND}/appointments/${ids.es}`), 200);
    expect(read.body.history.at(-1)).toMatchObject({ status: 'cancelled', by: 'reminder-link:p-es', action: 'status' });
    expect((await ok(call(api.url, 'POST', linkOf(ids.es, 'cancel'), undefined, anonymous), 200)).body.done).toBe(true);
    const noConfirm = await ok(call(api.url, 'POST', linkOf(ids.es, 'confirm'), undefined, anonymous), 409);
    expect(noConfirm.body.error).toBe('cancelled');

    // Tampered: a changed signature, or a changed payload under the old signature.
    const token = confirm.split('/')[2]!;
    const [payload, mac] = token.split('.') as [string, string];
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string, number, number];
    const forged = `${Buffer.from(JSON.stringify([claims[0], claims[1], claims[2] + 1, claims[3]])).toString('base64url')}.${mac}`;
    for (const bad of [flipped, forged, 'not-a-token']) {
      const refused = await ok(call(api.url, 'POST', `/r/${bad}/cancel`, undefined, anonymous), 401);
      expect(refused.body).toMatchObject({ error: 'invalid-link', message: expect.stringContaining('not valid') });
    }
    // Expired: signed right, for an appointment that has started.
    const expired = signLink(new TextEncoder().encode(LINK_SECRET), { clinicId: SEND, appointmentId: ids.en, version: claims[2], expiresAtMs: Date.now() - 1000 });
    const late = await ok(call(api.url, 'GET', `/r/${expired}/confirm`, undefined, anonymous), 410);
    expect(late.body).toMatchObject({ error: 'link-expired', message: expect.stringContaining('expired when the appointment started') });
    // Outdated: the appointment moved since the reminder was written; its new reminders are scheduled.
    const current = await ok(call(api.url, 'GET', `/clinics/${SEND}/appointments/${ids.en}`), 200);
    const moved = start + 30 * MIN;
    await ok(call(api.url, 'POST', `/clinics/${SEND}/appointments/${ids.en}/reschedule`, { start: iso(moved) }, { 'if-match': `"${current.body.version}"` }), 200);
    const outdated = await ok(call(api.url, 'POST', confirm, undefined, anonymous), 410);
    expect(outdated.body).toMatchObject({ error: 'link-outdated', message: expect.stringContaining('changed since this reminder was sent') });
    expect(await (await queue.getJob(reminderJobId(SEND, ids.en, keys.pending, moved)))?.getState()).toBe('delayed');
    expect(await queue.getJob(reminderJobId(SEND, ids.en, keys.pending, start))).toBeUndefined();

    // Audited: the patient's acts in the clinic's trail, the forged link in the deployment's.
    const entries = async (trail: Parameters<typeof readAuditPage>[1]) =>
      (await readAuditPage(store, trail, '-', '+', 100_000)).map(({ raw }) => raw as AuditEntry);
    const clinicEntries = await until('the audit entries', async () => {
      const all = await entries(clinicTrail(t.prefix, SEND));
      return all.some((e) => e.action === 'reminder-link.cancel') && all.some((e) => e.status === 410) ? all : undefined;
    }, { timeoutMs: 10_000 });
    expect(clinicEntries.find((e) => e.action === 'reminder-link.confirm' && e.status === 200)).toMatchObject({
      subject: 'reminder-link:p-en', role: 'none', via: 'signed-link', objectType: 'appointment', objectId: ids.en, patientIds: ['p-en'], clinicId: SEND,
    });
    expect(clinicEntries.find((e) => e.action === 'reminder-link.cancel' && e.status === 200)).toMatchObject({ subject: 'reminder-link:p-es', objectId: ids.es, patientIds: ['p-es'] });
    const denied = await until('the denied entry', async () => (await entries(deploymentTrail(t.prefix))).find((e) => e.status === 401 && e.route === '/r/:token/cancel'), { timeoutMs: 10_000 });
    expect(denied).toMatchObject({ action: 'auth.denied', attempted: 'reminder-link.cancel', subject: 'anonymous', clinicId: null });
  }, 30_000);

  it('sends nothing for a job left behind by a moved or cancelled appointment', async () => {
    const before = smtp.messages.length;
    // The English visit moved (its job for the old start is stale); the Spanish one was cancelled.
    const stale = [
      reminderJobId(SEND, ids.en, keys.first, start - 15 * MIN),
      reminderJobId(SEND, ids.es, keys.first, start - 15 * MIN),
    ];
    await Promise.all([
      queue.add('send', { clinicId: SEND, appointmentId: ids.en, offset: keys.first }, { jobId: stale[0] }),
      queue.add('send', { clinicId: SEND, appointmentId: ids.es, offset: keys.first }, { jobId: stale[1] }),
    ]);
    const results = await until(
      'the stale jobs to finish',
      async () => {
        const jobs = await Promise.all(stale.map((id) => queue.getJob(id)));
        return jobs.every((j) => j?.finishedOn) ? jobs.map((j) => j!.returnvalue) : undefined;
      },
      { timeoutMs: 10_000, context: output },
    );
    expect(results).toEqual([
      { outcome: 'stood-down', reason: 'the appointment moved; its reminder is another job' },
      { outcome: 'stood-down', reason: 'the appointment is cancelled' },
    ]);
    expect(smtp.messages.length).toBe(before);
  }, 30_000);
});
