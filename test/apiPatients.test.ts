// Patients' details over HTTP: create, replace, read, remove; sealed at rest with the data key, so an API
// without it (or with another) answers 423 naming the patient id and nothing else, while one given the old
// key among MEDSCHED_DATA_KEYS_PREVIOUS opens it and re-seals it with the new key when it is next written;
// a record that does not read as a patient is 409, never a 500. The data key variables are validated at
// start without ever repeating a key, and the logs' redaction and request serializer hold.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/api/config.js';
import { REQUEST_LOG_SERIALIZERS } from '../src/api/requestLog.js';
import { unknownFieldProblems } from '../src/api/unknownFields.js';
import { loadWorkerConfig } from '../src/jobs/workerConfig.js';
import { LOG_REDACT } from '../src/runtime/logRedaction.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-patients');
const C = 'pat';
const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
let sealedOld: ApiProcess;

const ann = { name: 'Ann Example', phone: '+13125550142', email: 'ann.example@example.org', language: 'es', birthDate: '1970-05-06' };
const hash = () => `${t.prefix}:{c:${C}}:patients`;

beforeAll(async () => {
  sealedOld = await startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_DATA_KEY: OLD_KEY, MEDSCHED_DATA_KEY_ID: 'old' });
  const put = await call(sealedOld.url, 'PUT', `/clinics/${C}`, serviceClinic(C, 2));
  expect(put.status, put.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await sealedOld?.stop();
  await t.cleanup();
}, 30_000);

describe('the routes', () => {
  it('create (201), replace (200), read, remove; the body is strict and its id must be the path\'s', async () => {
    const path = `/clinics/${C}/patients/p-ann`;
    const created = await call(sealedOld.url, 'PUT', path, ann);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ clinicId: C, patient: { id: 'p-ann', ...ann } });
    const replaced = await call(sealedOld.url, 'PUT', path, { id: 'p-ann', name: 'Ann E.' });
    expect(replaced.status).toBe(200);
    // A replacement is whole: what it leaves out is gone, and the language falls back to English.
    expect((await call(sealedOld.url, 'GET', path)).body).toEqual({ clinicId: C, patient: { id: 'p-ann', name: 'Ann E.', language: 'en' } });
    await call(sealedOld.url, 'PUT', path, ann);

    const differ = await call(sealedOld.url, 'PUT', path, { ...ann, id: 'p-other' });
    expect(differ.status).toBe(400);
    expect(differ.body.problems).toEqual([{ path: '$.body.id', message: expect.any(String) }]);
    expect(differ.text).not.toContain('p-other');
    const strict = await call(sealedOld.url, 'PUT', path, { ...ann, status: 'x', notes: 'y' });
    expect(strict.status).toBe(400);
    expect(strict.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['$.body.notes', '$.body.status']);
    const badPhone = await call(sealedOld.url, 'PUT', path, { ...ann, phone: '312-555-0142' });
    expect(badPhone.body.problems).toEqual([{ path: '$.body.phone', message: 'must be an international (E.164) number, e.g. +13125550100' }]);

    expect((await call(sealedOld.url, 'PUT', `/clinics/pat-none/patients/p-1`, ann)).status).toBe(404);
    const temp = await call(sealedOld.url, 'PUT', `/clinics/${C}/patients/p-temp`, { name: 'Temp' });
    expect(temp.status).toBe(201);
    expect((await call(sealedOld.url, 'DELETE', `/clinics/${C}/patients/p-temp`)).body).toEqual({ clinicId: C, deleted: 'p-temp' });
    const gone = await call(sealedOld.url, 'GET', `/clinics/${C}/patients/p-temp`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).not.toContain('p-temp');
    expect((await call(sealedOld.url, 'DELETE', `/clinics/${C}/patients/p-temp`)).status).toBe(404);
  });

  it('lets the desk, an integration and a clinician read; only the desk, the admin and an integration change; not an auditor', async () => {
    const path = `/clinics/${C}/patients/p-ann`;
    for (const [role, read, change] of [
      ['front-desk', 200, 200],
      ['integration', 200, 200],
      ['clinician', 200, 403],
      ['auditor', 403, 403],
    ] as const) {
      const who = as(`${role}-pat`, role, [C], role === 'clinician' ? 'dr-0' : undefined);
      expect((await call(sealedOld.url, 'GET', path, undefined, who)).status, role).toBe(read);
      expect((await call(sealedOld.url, 'PUT', path, ann, who)).status, role).toBe(change);
    }
  });
});

describe('at rest', () => {
  it('without the key (or with another) a sealed record is 423 naming only its id; the old key among the previous ones opens it and a write re-seals it', async () => {
    const path = `/clinics/${C}/patients/p-ann`;
    const stored = JSON.parse((await t.redis.hget(hash(), 'p-ann'))!);
    expect(stored).toMatchObject({ id: 'p-ann', language: 'es', sealed: expect.stringMatching(/^v1\.old\./) });
    expect(JSON.stringify(stored)).not.toMatch(/Ann|5550142|ann\.example|1970-05-06/);

    const noKey = await startApi({ MEDSCHED_PREFIX: t.prefix });
    const otherKey = await startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_DATA_KEY: NEW_KEY, MEDSCHED_DATA_KEY_ID: 'new' });
    const rotated = await startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_DATA_KEY: NEW_KEY, MEDSCHED_DATA_KEY_ID: 'new', MEDSCHED_DATA_KEYS_PREVIOUS: `old:${OLD_KEY}` });
    try {
      for (const [api, why] of [[noKey, /no data key is configured/], [otherKey, /sealed with key 'old', which is not configured/]] as const) {
        const read = await call(api.url, 'GET', path);
        expect(read.status, read.text).toBe(423);
        expect(read.body).toMatchObject({ error: 'sealed', message: expect.stringMatching(why) });
        expect(read.body.message).toContain("'p-ann'");
        expect(read.text).not.toMatch(/Ann Example|5550142|ann\.example|1970-05-06/);
      }
      expect(noKey.output()).toMatch(/MEDSCHED_DATA_KEY is not set/);

      const opened = await call(rotated.url, 'GET', path);
      expect(opened.status, opened.text).toBe(200);
      expect(opened.body.patient).toEqual({ id: 'p-ann', ...ann });
      expect((await call(rotated.url, 'PUT', path, opened.body.patient)).status).toBe(200);
      expect(JSON.parse((await t.redis.hget(hash(), 'p-ann'))!).sealed).toMatch(/^v1\.new\./);
      expect((await call(otherKey.url, 'GET', path)).body.patient).toEqual({ id: 'p-ann', ...ann });
      // ...which the old key alone no longer opens.
      expect((await call(sealedOld.url, 'GET', path)).status).toBe(423);

      // Without a key, details are stored as they are (and every API reads them).
      expect((await call(noKey.url, 'PUT', `/clinics/${C}/patients/p-plain`, { name: 'Plain Person' })).status).toBe(201);
      expect(JSON.parse((await t.redis.hget(hash(), 'p-plain'))!)).toEqual({ id: 'p-plain', name: 'Plain Person', language: 'en' });
      expect((await call(rotated.url, 'GET', `/clinics/${C}/patients/p-plain`)).body.patient.name).toBe('Plain Person');

      // A record that does not read as a patient (a broken write, a foreign tool): 409, never a 500, never its content.
      for (const [field, raw] of [['p-broken', '{"id":"p-broken","name":"Broken Bob'], ['p-wrong', '{"id":"p-wrong","name":42}'], ['p-moved', '{"id":"p-else","name":"Moved Mo"}']]) {
        await t.redis.hset(hash(), field!, raw!);
        const read = await call(rotated.url, 'GET', `/clinics/${C}/patients/${field}`);
        expect(read.status, read.text).toBe(409);
        expect(read.body.error).toBe('unreadable');
        expect(read.text).not.toMatch(/Bob|Mo"/);
      }
      expect(rotated.output()).not.toMatch(/Broken Bob|Moved Mo/);
    } finally {
      await Promise.all([noKey.stop(), otherKey.stop(), rotated.stop()]);
    }
  }, 90_000);
});

describe('the data key variables', () => {
  const key = randomBytes(32).toString('base64');
  it('are read into a cipher, and every mistake names its variable without repeating a key', () => {
    const none = loadConfig({});
    expect(none.ok && none.config.patientCipher).toBeUndefined();
    const one = loadConfig({ MEDSCHED_DATA_KEY: key });
    expect(one.ok && one.config.patientCipher).toMatchObject({ keyId: 'k1' });
    expect(one.ok && one.config.patientCipher?.key.equals(Buffer.from(key, 'base64'))).toBe(true);
    const old = randomBytes(32).toString('base64');
    const rotated = loadConfig({ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEY_ID: 'k2', MEDSCHED_DATA_KEYS_PREVIOUS: ` k1:${old} ` });
    expect(rotated.ok && [...(rotated.config.patientCipher?.previous?.keys() ?? [])]).toEqual(['k1']);
    const worker = loadWorkerConfig({ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEY_ID: 'k2' });
    expect(worker.ok && worker.config.patientCipher?.keyId).toBe('k2');

    const short = randomBytes(16).toString('base64');
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ MEDSCHED_DATA_KEY: short }, 'MEDSCHED_DATA_KEY', /32 random bytes in base64/],
      [{ MEDSCHED_DATA_KEY: 'not base64 at all!' }, 'MEDSCHED_DATA_KEY', /32 random bytes/],
      [{ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEY_ID: 'has.dot' }, 'MEDSCHED_DATA_KEY_ID', /letters, digits/],
      [{ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEYS_PREVIOUS: short }, 'MEDSCHED_DATA_KEYS_PREVIOUS', /entry 1 must be keyId:base64key/],
      [{ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEYS_PREVIOUS: `k0:${short}` }, 'MEDSCHED_DATA_KEYS_PREVIOUS', /key 'k0' must be 32 random bytes/],
      [{ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEYS_PREVIOUS: `k0:${old},k0:${old}` }, 'MEDSCHED_DATA_KEYS_PREVIOUS', /listed twice/],
      [{ MEDSCHED_DATA_KEY: key, MEDSCHED_DATA_KEYS_PREVIOUS: `k1:${old}` }, 'MEDSCHED_DATA_KEYS_PREVIOUS', /current key id 'k1'/],
      [{ MEDSCHED_DATA_KEYS_PREVIOUS: `k0:${old}` }, 'MEDSCHED_DATA_KEYS_PREVIOUS', /needs MEDSCHED_DATA_KEY/],
    ];
    for (const [env, variable, message] of cases) {
      for (const loaded of [loadConfig(env), loadWorkerConfig(env)]) {
        expect(loaded.ok, JSON.stringify(env)).toBe(false);
        if (loaded.ok) continue;
        expect(loaded.problems, JSON.stringify(env)).toEqual([{ path: variable, message: expect.stringMatching(message) }]);
        const text = JSON.stringify(loaded.problems);
        for (const secret of [key, short, old]) expect(text).not.toContain(secret);
      }
    }
  });

  it('stop the API at start (exit 2, naming the variable)', async () => {
    await expect(startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_DATA_KEY: 'c2hvcnQ=' })).rejects.toThrow(/exited \(2\)[\s\S]*MEDSCHED_DATA_KEY: must be 32 random bytes/);
  }, 30_000);
});

describe('logs', () => {
  /** A pino logger writing into an array, with the processes' redaction. */
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
    return { lines, stream };
  }

  it('censor patient fields and credentials at any depth we log', () => {
    const { lines, stream } = capture();
    const log = pino({ level: 'trace', redact: LOG_REDACT }, stream);
    log.info({ name: 'Top Name', patient: { name: 'Ann', phone: '+13125550142', email: 'a@example.org', birthDate: '1970-05-06', id: 'p-1' } }, 'one');
    log.info({ job: { data: { items: [{ patient: { email: 'deep@example.org' } }] } } }, 'deep');
    log.info({ headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'msk_1_secret', cookie: 'sid=1' }, err: { rawPacket: 'PUT / HTTP/1.1 ...' } }, 'creds');
    log.child({ req: { body: { name: 'In Body' }, query: { q: 'x' } } }).info('child');
    const text = lines.join('');
    for (const secret of ['Top Name', 'Ann', '5550142', 'a@example.org', '1970-05-06', 'deep@example.org', 'abc.def', 'msk_1', 'sid=1', 'PUT / HTTP', 'In Body', '"q"'])
      expect(text, secret).not.toContain(secret);
    expect(text).toContain('"id":"p-1"');
    expect(text.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(12);
  });

  it("describe a request by method, route pattern and id, never its URL, query or headers", async () => {
    const { lines, stream } = capture();
    const app = Fastify({ loggerInstance: pino({ level: 'info', redact: LOG_REDACT, serializers: REQUEST_LOG_SERIALIZERS }, stream) as never, genReqId: () => 'rid-1' });
    app.get('/clinics/:id/patients/:patientId', async () => ({ ok: true }));
    // (fastify's own 404 handler logs the URL; the API's answers with its own, as here: the canary test runs the real one.)
    app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not-found' }));
    await app.inject({ method: 'GET', url: '/clinics/c1/patients/Ann%20Example?email=ann@example.org', headers: { authorization: 'Bearer secret-token' } });
    await app.inject({ method: 'GET', url: '/no/such/Ann%20Example' });
    await app.close();
    const incoming = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'incoming request');
    expect(incoming.map((l) => l.req)).toEqual([
      { method: 'GET', route: '/clinics/:id/patients/:patientId', requestId: 'rid-1' },
      { method: 'GET', route: null, requestId: 'rid-1' },
    ]);
    expect(lines.join('')).not.toMatch(/Ann|ann@|secret-token/);
  });

  it("unknown fields are named when they read as field names, and not repeated otherwise", () => {
    expect(unknownFieldProblems('$.body', ['nickname', 'zz-extra', 'ann@example.org', 'Ann Example'])).toEqual([
      { path: '$.body.nickname', message: "unknown field 'nickname': not accepted here" },
      { path: '$.body["zz-extra"]', message: "unknown field 'zz-extra': not accepted here" },
      { path: '$.body', message: expect.stringMatching(/^unknown field: not accepted here \(its name, 15 characters/) },
      { path: '$.body', message: expect.stringMatching(/11 characters/) },
    ]);
  });
});
