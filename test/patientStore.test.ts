// Patients' details at rest: with a data key the contact fields never reach Redis in the clear, a sealed
// record opens only for its own clinic and patient and with its key (or a configured older one).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Patient } from '../src/contract/patient.js';
import { seal, unseal, type FieldCipher } from '../src/privacy/fieldCipher.js';
import { connectStore, putSetup, storeReady, type Store } from '../src/store/index.js';
import { deletePatient, getPatient, putPatient } from '../src/store/patients.js';
import { testRedis } from './support/redis.js';
import { storeClinic } from './support/storeClinic.js';

const t = testRedis('patients');
let store: Store;
const cipher: FieldCipher = { keyId: 'k2', key: randomBytes(32) };

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  for (const id of ['north', 'south']) expect((await putSetup(store, id, storeClinic(id), null)).ok).toBe(true);
});

afterAll(async () => {
  store?.redis.disconnect();
  await t.cleanup();
});

const canary = Patient.parse({ id: 'pt-1', name: 'Zebulon Quixote-Canary', phone: '+13125550199', email: 'zq.canary@example.org', language: 'es', birthDate: '1961-02-03' });

it('seals the contact fields: Redis holds none of them, and the patient reads back whole', async () => {
  expect(await putPatient(store, 'north', canary, cipher)).toEqual({ ok: true, created: true });
  const raw = JSON.stringify(await t.redis.hgetall(`${t.prefix}:{c:north}:patients`));
  for (const secret of ['Zebulon', '5550199', 'canary@', '1961-02-03']) expect(raw).not.toContain(secret);
  expect(JSON.parse((await t.redis.hget(`${t.prefix}:{c:north}:patients`, 'pt-1'))!)).toMatchObject({ id: 'pt-1', language: 'es', sealed: expect.stringMatching(/^v1\.k2\./) });
  expect(await getPatient(store, 'north', 'pt-1', cipher)).toEqual({ ok: true, patient: canary });
  expect(await putPatient(store, 'north', { ...canary, name: 'Z. Quixote' }, cipher)).toEqual({ ok: true, created: false });
  expect(await getPatient(store, 'north', 'pt-1', cipher)).toMatchObject({ ok: true, patient: { name: 'Z. Quixote' } });
});

it('a sealed record does not open without its key, under another patient, or with an altered value', async () => {
  expect(await getPatient(store, 'north', 'pt-1')).toMatchObject({ ok: false, reason: 'sealed' });
  expect(await getPatient(store, 'north', 'pt-1', { keyId: 'k2', key: randomBytes(32) })).toMatchObject({ ok: false, reason: 'sealed' });
  const key = `${t.prefix}:{c:north}:patients`;
  const record = JSON.parse((await t.redis.hget(key, 'pt-1'))!);
  await t.redis.hset(key, 'pt-2', JSON.stringify({ ...record, id: 'pt-2' }));
  expect(await getPatient(store, 'north', 'pt-2', cipher)).toMatchObject({ ok: false, reason: 'sealed', message: expect.stringMatching(/another record/) });
  const parts = record.sealed.split('.');
  parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1').slice(1), 'latin1').toString('base64url');
  await t.redis.hset(key, 'pt-1', JSON.stringify({ ...record, sealed: parts.join('.') }));
  expect(await getPatient(store, 'north', 'pt-1', cipher)).toMatchObject({ ok: false, reason: 'sealed' });
  expect(await deletePatient(store, 'north', 'pt-2')).toBe(true);
  expect(await getPatient(store, 'north', 'pt-2', cipher)).toEqual({ ok: false, reason: 'not-found' });
});

it('opens values sealed with an older configured key; a clinic keeps its patients to itself', async () => {
  const old: FieldCipher = { keyId: 'k1', key: randomBytes(32) };
  const sealed = seal(old, 'hello', 'ctx');
  expect(unseal({ ...cipher, previous: new Map([['k1', old.key]]) }, sealed, 'ctx')).toBe('hello');
  expect(unseal(cipher, sealed, 'ctx')).toBeInstanceOf(Error);
  expect(await putPatient(store, 'south', { ...canary, id: 'pt-9' }, cipher)).toEqual({ ok: true, created: true });
  expect(await getPatient(store, 'north', 'pt-9', cipher)).toEqual({ ok: false, reason: 'not-found' });
  expect(await putPatient(store, 'nowhere', canary, cipher)).toEqual({ ok: false, reason: 'not-found' });
  // Without a key the record is plain (the key is optional) and still reads back.
  expect(await putPatient(store, 'south', { ...canary, id: 'pt-plain' })).toEqual({ ok: true, created: true });
  expect(await getPatient(store, 'south', 'pt-plain', cipher)).toMatchObject({ ok: true, patient: { name: canary.name } });
});
