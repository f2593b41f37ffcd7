// The canary test: patients with details unique to this run (names, phones, e-mails, birth dates) are
// stored through the API with a data key, then run through booking, a bulk batch, an optimization that
// completes and one that fails, a re-plan, and every error path we can think of that might echo them.
// Then not one of them may appear (in any case, nor the phone's digits) in the API's and the worker's
// logs at LOG_LEVEL=trace, in any error body, in any key under the BullMQ prefixes, nor, the data key
// being set, in any Redis key of the deployment: the patients' hash holds them sealed only.
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';
import { until } from './support/until.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('privacy-canary');
const C = 'pc-main';
const BAD = 'pc-bad';
const DATA_KEY = randomBytes(32).toString('base64');
/** The API's route body limit for patients is 64 KiB (BODY_LIMIT is the biggest any route takes). */
const ROUTE_LIMIT = 64 * 1024;

const run = randomBytes(4).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
/** Three patients whose every detail exists nowhere but in this run. */
const canaries = [0, 1, 2].map((i) => {
  const national = `555${digits(7)}`;
  return {
    id: `pt-${i}`,
    first: `Zebulon${run}${i}`,
    last: `Quixote${run}`,
    name: `Zebulon${run}${i} Quixote${run}`,
    phone: `+1${national}`,
    national,
    email: `canary.${run}${i}@example.org`,
    birthDate: `19${20 + randomInt(30)}-0${1 + randomInt(9)}-1${randomInt(10)}`,
    street: `${digits(4)} Quokkastrasse${run}${i}`,
  };
});
const details = (c: (typeof canaries)[number]) => ({
  name: c.name, phone: c.phone, email: c.email, birthDate: c.birthDate, language: 'es',
  address: { lines: [c.street], city: 'Chicago', region: 'IL', postalCode: '60601', country: 'US' },
});

/** Every text that would betray a canary: the whole name and each part, the phone with and without +1, the e-mail and its local part, the birth date. */
const needles = canaries.flatMap((c) => [c.name, c.first, c.last, c.phone, c.phone.slice(1), c.national, c.email, c.email.split('@')[0]!, c.birthDate, c.street]);
const leaks = (text: string) => needles.filter((n) => text.toLowerCase().includes(n.toLowerCase()));

let api: ApiProcess;
let worker: WorkerProcess;
const ADMIN = (clinic: string) => as('admin-canary', 'scheduler-admin', [clinic]);
/** Every answer that was not a success, as the caller received it. */
const errorAnswers: { what: string; status: number; text: string }[] = [];

async function send(what: string, method: string, path: string, body?: unknown, headers: Record<string, string | null> = ADMIN(C)): Promise<Reply> {
  const reply = await call(api.url, method, path, body, headers);
  if (reply.status >= 400) errorAnswers.push({ what, status: reply.status, text: reply.text });
  return reply;
}

async function expectStatus(what: string, reply: Promise<Reply>, status: number): Promise<Reply> {
  const r = await reply;
  expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBe(status);
  return r;
}

const processes = () => `worker:\n${worker?.output().slice(-4000)}\napi:\n${api?.output().slice(-4000)}`;

async function jobDone(path: string, clinic: string, wanted: 'completed' | 'failed'): Promise<Reply> {
  return until(`${path} to be ${wanted}`, async () => {
    const r = await send(`GET ${path}`, 'GET', path, undefined, ADMIN(clinic));
    expect(r.status, r.text).toBe(200);
    if (r.body.state === (wanted === 'completed' ? 'failed' : 'completed')) throw new Error(`${path} ended ${r.body.state}: ${r.text}\n${processes()}`);
    return r.body.state === wanted ? r : undefined;
  }, { context: processes, timeoutMs: 60_000 });
}

beforeAll(async () => {
  const logs = { LOG_LEVEL: 'trace', MEDSCHED_DATA_KEY: DATA_KEY, MEDSCHED_DATA_KEY_ID: 'canary1' };
  [api, worker] = await Promise.all([
    startApi({ MEDSCHED_PREFIX: t.prefix, ...logs }),
    startWorker(t.prefix, 'w-canary', 'optimize,replan,bookings', logs),
  ]);
  for (const clinic of [C, BAD]) await expectStatus(`PUT ${clinic}`, send('PUT clinic', 'PUT', `/clinics/${clinic}`, serviceClinic(clinic, 3), ADMIN(clinic)), 201);
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await t.cleanup();
}, 60_000);

describe('canary patients through the service', () => {
  it('stores them through the API (sealed at rest) and reads them back whole', async () => {
    for (const c of canaries) {
      const put = await expectStatus('PUT patient', send('PUT patient', 'PUT', `/clinics/${C}/patients/${c.id}`, details(c)), 201);
      expect(put.body).toEqual({ clinicId: C, patient: { id: c.id, ...details(c) } });
    }
    // Replacing, reading as the desk and as a clinician (who may read), refused to an auditor (who may not).
    const c0 = canaries[0]!;
    await expectStatus('replace', send('replace', 'PUT', `/clinics/${C}/patients/${c0.id}`, { ...details(c0), language: 'en' }), 200);
    const desk = await expectStatus('desk reads', send('desk reads', 'GET', `/clinics/${C}/patients/${c0.id}`, undefined, as('desk-canary', 'front-desk', [C])), 200);
    expect(desk.body.patient).toEqual({ id: c0.id, ...details(c0), language: 'en' });
    // (The search finds them where they are: in a patient's own answer.)
    expect(leaks(desk.text)).toEqual(expect.arrayContaining([c0.name, c0.first, c0.last, c0.phone, c0.national, c0.email, c0.birthDate, c0.street]));
    await expectStatus('clinician reads', send('clinician reads', 'GET', `/clinics/${C}/patients/${c0.id}`, undefined, as('dr-canary', 'clinician', [C], 'dr-0')), 200);
    await expectStatus('auditor refused', send('auditor refused', 'GET', `/clinics/${C}/patients/${c0.id}`, undefined, as('aud-canary', 'auditor', [C])), 403);
    // The query string is the caller's text: it reaches no log (read below).
    const q = `?name=${encodeURIComponent(c0.name)}&email=${encodeURIComponent(c0.email)}&phone=${encodeURIComponent(c0.phone)}`;
    await expectStatus('query', send('query', 'GET', `/clinics/${C}/patients/${c0.id}${q}`), 200);
    // A patient in the failing clinic too.
    await expectStatus('PUT patient BAD', send('PUT patient BAD', 'PUT', `/clinics/${BAD}/patients/${canaries[2]!.id}`, details(canaries[2]!), ADMIN(BAD)), 201);

    const raw = await t.redis.hgetall(`${t.prefix}:{c:${C}}:patients`);
    expect(Object.keys(raw).sort()).toEqual(canaries.map((c) => c.id));
    for (const record of Object.values(raw)) expect(JSON.parse(record)).toMatchObject({ sealed: expect.stringMatching(/^v1\.canary1\./), language: expect.any(String) });
    expect(leaks(JSON.stringify(raw))).toEqual([]);
  }, 60_000);

  it('books for them: requests, a search, a hold, bookings and a bulk batch with a refused item', async () => {
    const [c0, c1, c2] = canaries as [(typeof canaries)[0], (typeof canaries)[0], (typeof canaries)[0]];
    const base = `/clinics/${C}`;
    await expectStatus('request', send('request', 'POST', `${base}/requests`, { id: 'rq-c0', patientId: c0.id, serviceId: 'visit', urgency: 'urgent', earliestStart: at('13:00'), latestEnd: at('14:00') }), 201);
    const search = await expectStatus('search', send('search', 'POST', `${base}/slots/search`, { requestId: 'rq-c0', k: 2 }), 200);
    const { score: _s, rank: _r, ...option } = search.body.options[0];
    const hold = await expectStatus('hold', send('hold', 'POST', `${base}/holds`, { requestId: 'rq-c0', ...option }), 201);
    await expectStatus('book the hold', send('book the hold', 'POST', `${base}/appointments`, { holdId: hold.body.id }), 201);
    const visit = (patientId: string, provider: number, hhmm: string) => ({
      request: { patientId, serviceId: 'visit', urgency: 'routine' },
      providerId: `dr-${provider}`,
      roomId: `room-${provider}`,
      start: at(hhmm),
    });
    await expectStatus('book c1', send('book c1', 'POST', `${base}/appointments`, visit(c1.id, 1, '10:00')), 201);
    // The same place again: a conflict, whose answer names resources and times only.
    await expectStatus('conflict', send('conflict', 'POST', `${base}/appointments`, visit(c2.id, 1, '10:00')), 409);
    // Requests waiting for the optimization, for all three.
    for (const [i, c] of canaries.entries())
      await expectStatus('waiting', send('waiting', 'POST', `${base}/requests`, { id: `rq-wait-${i}`, patientId: c.id, serviceId: 'visit', urgency: 'routine' }), 201);

    const item = (i: number, patientId: string, provider: number, hhmm: string, end: string) => ({
      requestId: `rq-batch-${i}`, patientId, serviceId: 'visit', providerId: `dr-${provider}`, roomId: `room-${provider}`, start: at(hhmm), end: at(end),
    });
    const batch = await expectStatus('batch', send('batch', 'POST', `${base}/booking-batches`, { items: [item(0, c2.id, 2, '11:00', '11:30'), item(1, c0.id, 1, '10:00', '10:30')] }), 202);
    const view = await until('the batch to be booked', async () => {
      const r = await send('batch view', 'GET', batch.body.links.self);
      expect(r.body.state).not.toBe('failed');
      return r.body.state === 'completed' ? r : undefined;
    }, { context: processes });
    expect(view.body.outcomes.map((o: { status: string }) => o.status)).toEqual(['booked', 'refused']);
  }, 60_000);

  it('runs an optimization that completes (and applies) and a re-plan with an emergency for one of them', async () => {
    const base = `/clinics/${C}`;
    const started = await expectStatus('optimize', send('optimize', 'POST', `${base}/optimizations`, { date: DAY }), 202);
    const done = await jobDone(started.body.links.self, C, 'completed');
    await expectStatus('apply', send('apply', 'POST', `${done.body.links.self}/apply`, {}), 200);

    const replan = await expectStatus(
      'disruption',
      send('disruption', 'POST', `${base}/disruptions`, {
        now: at('08:00'),
        date: DAY,
        events: [{ type: 'emergency', request: { id: 'rq-em', patientId: canaries[1]!.id, serviceId: 'visit' } }],
      }),
      202,
    );
    await jobDone(replan.body.links.self, C, 'completed');
  }, 120_000);

  it('runs an optimization that fails (a waiting request for a service since removed)', async () => {
    const base = `/clinics/${BAD}`;
    await expectStatus('request', send('request', 'POST', `${base}/requests`, { id: 'rq-bad', patientId: canaries[2]!.id, serviceId: 'draw', urgency: 'routine' }, ADMIN(BAD)), 201);
    const version = (await send('setup', 'GET', base, undefined, ADMIN(BAD))).body.version;
    await expectStatus('remove the service', send('remove the service', 'DELETE', `${base}/services/draw`, undefined, { ...ADMIN(BAD), 'if-match': `"${version}"` }), 200);
    const started = await expectStatus('optimize', send('optimize', 'POST', `${base}/optimizations`, { date: DAY }, ADMIN(BAD)), 202);
    const failed = await jobDone(started.body.links.self, BAD, 'failed');
    expect(failed.body.failedReason).toMatch(/unknown service 'draw'/);
    errorAnswers.push({ what: 'failed job view', status: failed.status, text: failed.text });
  }, 60_000);

  it('answers every error path without repeating what it was sent', async () => {
    const c = canaries[0]!;
    const path = `/clinics/${C}/patients/${c.id}`;
    const bad = async (what: string, body: unknown, status: number, sendTo = path, method = 'PUT') => {
      const r = await send(what, method, sendTo, body);
      expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBe(status);
      return r;
    };
    const invalidEmail = await bad('bad email', { ...details(c), email: `${c.name} <${c.email}>` }, 400);
    expect(invalidEmail.body.problems).toEqual([{ path: '$.body.email', message: expect.any(String) }]);
    const invalidPhone = await bad('bad phone', { ...details(c), phone: `${c.phone} (${c.name})` }, 400);
    expect(invalidPhone.body.problems[0].path).toBe('$.body.phone');
    await bad('phone with spaces', { ...details(c), phone: `+1 ${c.national.slice(0, 3)} ${c.national.slice(3)}` }, 400);
    await bad('bad birth date', { ...details(c), birthDate: `born ${c.birthDate}` }, 400);
    await bad('name too long', { ...details(c), name: c.name.repeat(20) }, 400);
    await bad('wrong types', { name: [c.name], phone: Number(c.phone.slice(1)), email: { address: c.email } }, 400);
    await bad('bad language', { ...details(c), language: c.name }, 400);
    const unknown = await bad('unknown fields', { ...details(c), nickname: c.name, contact: { email: c.email, phone: c.phone }, [c.email]: c.phone, [c.name]: c.birthDate }, 400);
    expect(unknown.body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['$.body.nickname', '$.body.contact', '$.body']));
    await bad('ids differ', { ...details(c), id: c.name }, 400);
    await bad('unknown field on a request', { patientId: c.id, serviceId: 'visit', urgency: 'routine', patientName: c.name, phone: c.phone }, 400, `/clinics/${C}/requests`, 'POST');
    // A job's inputs are ids too: a name offered on an emergency or on a batch item is refused before
    // anything is queued, naming the field, never its value.
    const emergency = await bad('a name on an emergency', { now: at('08:00'), date: DAY, events: [{ type: 'emergency', request: { id: 'rq-em2', patientId: c.id, serviceId: 'visit', patientName: c.name, phone: c.phone } }] }, 400, `/clinics/${C}/disruptions`, 'POST');
    expect(emergency.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['$.body.events[0].request.patientName', '$.body.events[0].request.phone']);
    await bad('a name on a batch item', { items: [{ requestId: 'rq-b9', patientId: c.id, serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0', start: at('16:00'), end: at('16:30'), patient: { name: c.name, phone: c.phone } }] }, 400, `/clinics/${C}/booking-batches`, 'POST');
    await bad('broken JSON', `{"name": "${c.name}", "email": ${c.email}, "phone": "${c.phone}"}`, 400);
    await bad('over the size limit', { ...details(c), notes: `${c.name} ${c.email} `.repeat(Math.ceil(ROUTE_LIMIT / 40)) }, 413);
    // Paths with a canary in them: no route answers them, nor repeats them.
    await bad('no route', undefined, 404, `/clinics/${C}/patients-by-name/${encodeURIComponent(c.name)}`, 'GET');
    await bad('no route below a patient', undefined, 404, `${path}/${encodeURIComponent(c.email)}`, 'GET');
    await bad('no route with a query', undefined, 404, `/clinics/${C}/patient-search?name=${encodeURIComponent(c.name)}&phone=${encodeURIComponent(c.phone)}`, 'GET');
    // A patient of a clinic that has no set-up, and one that is not there.
    await bad('no clinic', details(c), 404, `/clinics/pc-nowhere/patients/${c.id}`);
    await bad('no patient', undefined, 404, `/clinics/${C}/patients/pt-none`, 'GET');
    // A credential that fails, carrying a canary where the token should be.
    const anonymous = await send('bad credential', 'GET', path, undefined, { authorization: `Bearer ${c.name}.${c.email}.${c.phone}` });
    expect(anonymous.status).toBe(401);

    expect(errorAnswers.length).toBeGreaterThan(15);
    for (const e of errorAnswers) expect(leaks(e.text), `${e.what} (${e.status}): ${e.text.slice(0, 400)}`).toEqual([]);
  }, 60_000);
});

/** Every value of every key under `pattern`, whatever its type, as text. */
async function everyValue(redis: Redis, pattern: string): Promise<{ keys: string[]; text: string }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const parts: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    const value =
      type === 'string' ? await redis.get(key)
      : type === 'hash' ? await redis.hgetall(key)
      : type === 'list' ? await redis.lrange(key, 0, -1)
      : type === 'set' ? await redis.smembers(key)
      : type === 'zset' ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
      : type === 'stream' ? await redis.xrange(key, '-', '+')
      : `unreadable type ${type}`;
    if (type !== 'none') expect(['string', 'hash', 'list', 'set', 'zset', 'stream'], `${key} is a ${type}`).toContain(type);
    parts.push(`${key}\n${JSON.stringify(value)}`);
  }
  return { keys, text: parts.join('\n') };
}

describe('where the canaries must not be', () => {
  it('is in no log line, error body or Redis key (the patients hash holds them sealed only)', async () => {
    // Stopped first (they drain and flush), so every line they wrote is read.
    await Promise.all([api.stop(), worker.stop()]);
    const apiLog = api.output();
    const workerLog = worker.output();
    // They logged at trace: every request (by its route pattern, never its URL) and every job.
    expect(apiLog).toMatch(/"msg":"incoming request"/);
    expect(apiLog).toContain('"route":"/clinics/:id/patients/:patientId"');
    expect(apiLog).not.toMatch(/"url":/);
    expect(apiLog).not.toContain('patients-by-name');
    expect(workerLog).toMatch(/"msg":"job completed"/);
    expect(workerLog).toMatch(/"msg":"job failed"/);
    expect(leaks(apiLog), 'in the API log').toEqual([]);
    expect(leaks(workerLog), 'in the worker log').toEqual([]);

    for (const e of errorAnswers) expect(leaks(e.text), `${e.what} (${e.status}): ${e.text.slice(0, 400)}`).toEqual([]);

    // Every key of the queues: jobs, their data, progress, results, failures, events.
    const queues = await everyValue(t.redis, `${t.prefix}:{q:*`);
    for (const queue of ['optimize', 'replan', 'bookings']) expect(queues.keys.some((k) => k.startsWith(`${t.prefix}:{q:${queue}}:${queue}:`)), queue).toBe(true);
    expect(queues.text).toContain('failedReason');
    // Each job's data is flat ids: for the solves and batches the clinic, the date, a run or batch id; any
    // other queue's (reminders) plain strings and numbers, never a record.
    let jobs = 0;
    for (const key of queues.keys) {
      if ((await t.redis.type(key)) !== 'hash') continue;
      const data = await t.redis.hget(key, 'data');
      if (data === null) continue;
      jobs++;
      const fields = JSON.parse(data) as Record<string, unknown>;
      for (const [field, value] of Object.entries(fields)) {
        expect(['string', 'number'], `${key}: ${data}`).toContain(typeof value);
        if (/\{q:(optimize|replan|bookings)\}/.test(key)) expect(['clinicId', 'date', 'runId', 'batchId'], `${key}: ${data}`).toContain(field);
      }
    }
    expect(jobs).toBeGreaterThanOrEqual(4);
    expect(leaks(queues.text), 'in the BullMQ keys').toEqual([]);

    // Every key of the deployment: the store, the audit trail, plans, batches, idempotency records, limits.
    const all = await everyValue(t.redis, `${t.prefix}*`);
    expect(all.keys).toContain(`${t.prefix}:{c:${C}}:patients`);
    expect(all.keys).toContain(`${t.prefix}:{c:${C}}:audit`);
    expect(all.text).toContain(canaries[0]!.id); // the patients are there, by id
    expect(leaks(all.text), 'in the Redis keys').toEqual([]);
  }, 90_000);
});
