// The audit trail against two real API processes and a real Redis: every route under /clinics/{id}
// declares its audit action (in /docs); every route, exercised once, leaves an entry with its action, its
// object and the patients it concerned (reads of non-patient data leave none); refusals (401, 404 for a
// clinic the caller may not see, 403) are recorded, in the clinic's trail or the deployment's; two API
// processes appending at once keep one unbroken chain; `medsched audit verify` finds an entry removed,
// altered or inserted, and passes an untouched trail and its export; the query pages and filters by
// patient and time; a failed append is logged with its request id and no patient data.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS, type AuditEntry } from '../src/audit/auditEntry.js';
import { entryHash } from '../src/audit/entryHash.js';
import { clinicTrail, deploymentTrail, readAuditPage, type AuditTrail } from '../src/store/auditLog.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as, TEST_AUTH_ENV } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { medsched } from './support/runCli.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('audit-trail');
const store = { redis: t.redis, prefix: t.prefix };
let apiA: ApiProcess;
let apiB: ApiProcess;

const C = 'aud';
const OTHER = 'aud-other';
const BROKEN = 'aud-broken';
const TAMPER = ['tam-ok', 'tam-del', 'tam-alter', 'tam-insert', 'tam-forged', 'tam-tail'] as const;
const ALL = [C, OTHER, BROKEN, ...TAMPER];

const ADMIN = as('admin-aud', 'scheduler-admin', ALL);
const AUDITOR = as('auditor-aud', 'auditor', [C, ...TAMPER]);
const DESK = as('desk-aud', 'front-desk', [C]);
const OTHER_ADMIN = as('admin-other', 'scheduler-admin', [OTHER, 'aud-ghost']);

let seq = 0;
type Sent = Reply & { requestId: string };

/** A call with its own request id (the entry names it), on API process A unless told otherwise. */
async function send(method: string, path: string, body?: unknown, headers: Record<string, string | null> = ADMIN, api: ApiProcess = apiA): Promise<Sent> {
  const requestId = `aud-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
  const reply = await call(api.url, method, path, body, { 'x-request-id': requestId, ...headers });
  return { ...reply, requestId };
}

const cli = (args: string[]) => medsched(['audit', 'verify', ...args], 60_000, { REDIS_URL: t.url, MEDSCHED_PREFIX: t.prefix });

async function entriesOf(trail: AuditTrail): Promise<(AuditEntry & { id: string })[]> {
  return (await readAuditPage(store, trail, '-', '+', 1_000_000)).map(({ id, raw }) => ({ ...(raw as AuditEntry), id }));
}

/** The trail's entries once every one of `requestIds` is in it (appends follow the answers by a moment). */
async function entriesWith(trail: AuditTrail, requestIds: string[]): Promise<Map<string, AuditEntry & { id: string }>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const byRequest = new Map((await entriesOf(trail)).map((e) => [e.requestId, e]));
    const missing = requestIds.filter((id) => !byRequest.has(id));
    if (missing.length === 0) return byRequest;
    if (Date.now() > deadline) throw new Error(`no audit entry for ${missing.length} request(s): ${missing.slice(0, 10).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const visit = (patientId: string, hhmm: string, provider = 'dr-0', room = 'room-0') => ({
  request: { patientId, serviceId: 'visit', urgency: 'routine' },
  providerId: provider,
  roomId: room,
  start: at(hhmm),
});

beforeAll(async () => {
  const env = { ...TEST_AUTH_ENV, MEDSCHED_PREFIX: t.prefix };
  [apiA, apiB] = await Promise.all([startApi(env), startApi(env)]);
  for (const id of ALL) {
    const created = await send('PUT', `/clinics/${id}`, serviceClinic(id, 3));
    expect(created.status, created.text).toBe(201);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop()]);
  await t.cleanup();
});

type XAudit = { action: string; object: string; patientData: boolean };
/** Every operation under /clinics/{id} in the OpenAPI document, with its x-audit. */
async function clinicOperations(): Promise<Map<string, XAudit & { method: string; path: string }>> {
  const docs = await call(apiA.url, 'GET', '/docs');
  expect(docs.status).toBe(200);
  const ops = new Map<string, XAudit & { method: string; path: string }>();
  for (const [path, item] of Object.entries(docs.body.paths as Record<string, Record<string, { operationId: string; 'x-audit'?: XAudit }>>)) {
    if (!path.startsWith('/clinics/{id}')) continue;
    for (const [method, op] of Object.entries(item)) ops.set(op.operationId, { ...(op['x-audit'] as XAudit), method: method.toUpperCase(), path });
  }
  return ops;
}

describe('what the audit trail records', () => {
  it('every route under /clinics/{id} declares its audit action in /docs', async () => {
    const ops = await clinicOperations();
    expect(ops.size).toBeGreaterThan(40);
    for (const [operationId, op] of ops) {
      expect(op.action, `${operationId} (${op.method} ${op.path}) declares no x-audit`).toMatch(/^[a-z-]+\.[a-z-]+$/);
      expect(op.object, operationId).toMatch(/^[a-z-]+$/);
      expect(typeof op.patientData, operationId).toBe('boolean');
    }
  });

  it('gives every route exercised an entry with its action, object and patients (100% of the routes)', async () => {
    const ops = await clinicOperations();
    /** Each call: which operation, what it answered, and the patients its entry must name. */
    const calls: { op: string; sent: Sent; patients: string[] }[] = [];
    const run = async (op: string, sent: Promise<Sent>, patients: string[] = [], expected?: number) => {
      const done = await sent;
      if (expected !== undefined) expect(done.status, `${op}: ${done.text}`).toBe(expected);
      calls.push({ op, sent: done, patients });
      return done;
    };
    const base = `/clinics/${C}`;

    // Set-up: the whole clinic, then one item of each kind (put, get, delete), each on the version before.
    let version = Number((await run('getClinic', send('GET', base), [], 200)).headers.get('etag')!.replaceAll('"', ''));
    version = (await run('putClinic', send('PUT', base, serviceClinic(C, 3), { ...ADMIN, 'if-match': `"${version}"` }), [], 200)).body.version;
    const day = [{ start: at('08:00'), end: at('17:00') }];
    const items = {
      Providers: ['providers', { specialties: ['gp'], availability: day }],
      Rooms: ['rooms', { capabilities: ['exam'], availability: day }],
      Equipment: ['equipment', { count: 1 }],
      Staff: ['staff', { skills: ['phlebotomy'], availability: day }],
      Services: ['services', { minutes: 30, specialty: 'gp', roomCapability: 'exam' }],
    } as const;
    for (const [name, [kind, item]] of Object.entries(items)) {
      const path = `${base}/${kind}/new-${kind}`;
      version = (await run(`put${name}Item`, send('PUT', path, item, { ...ADMIN, 'if-match': `"${version}"` }), [], 201)).body.version;
      await run(`get${name}Item`, send('GET', path), [], 200);
      version = (await run(`delete${name}Item`, send('DELETE', path, undefined, { ...ADMIN, 'if-match': `"${version}"` }), [], 200)).body.version;
    }

    // Requests, slot search, holds.
    const waiting = { patientId: 'p-req', serviceId: 'draw', urgency: 'urgent', earliestStart: at('13:00'), latestEnd: at('14:00') };
    await run('createRequest', send('POST', `${base}/requests`, { id: 'rq-1', ...waiting }), ['p-req'], 201);
    await run('putRequest', send('PUT', `${base}/requests/rq-2`, { ...waiting, patientId: 'p-req2' }), ['p-req2'], 201);
    await run('listRequests', send('GET', `${base}/requests`), ['p-req', 'p-req2'], 200);
    await run('getRequest', send('GET', `${base}/requests/rq-1`), ['p-req'], 200);
    const found = await run('searchSlots', send('POST', `${base}/slots/search`, { requestId: 'rq-1', k: 2 }), ['p-req'], 200);
    const { score: _score, rank: _rank, ...option } = found.body.options[0];
    const held = await run('createHold', send('POST', `${base}/holds`, { requestId: 'rq-1', ...option }), ['p-req'], 201);
    await run('releaseHold', send('DELETE', `${base}/holds/${held.body.id}`), ['p-req'], 200);
    await run('deleteRequest', send('DELETE', `${base}/requests/rq-2`), ['p-req2'], 200);

    // Appointments: book, read, the status changes and a reschedule.
    const booked = await run('book', send('POST', `${base}/appointments`, visit('p-book', '09:00')), ['p-book'], 201);
    const aid = booked.body.id as string;
    await run('getAppointment', send('GET', `${base}/appointments/${aid}`), ['p-book'], 200);
    let v = booked.body.version as number;
    for (const [op, action] of [['checkInAppointment', 'check-in'], ['startAppointment', 'start'], ['finishAppointment', 'finish']] as const)
      v = (await run(op, send('POST', `${base}/appointments/${aid}/${action}`, { reason: 'test' }, { ...ADMIN, 'if-match': `"${v}"` }), ['p-book'], 200)).body.version;
    const second = await run('book', send('POST', `${base}/appointments`, visit('p-two', '10:00')), ['p-two'], 201);
    const moved = await run(
      'rescheduleAppointment',
      send('POST', `${base}/appointments/${second.body.id}/reschedule`, { start: at('11:00') }, { ...ADMIN, 'if-match': `"${second.body.version}"` }),
      ['p-two'],
      200,
    );
    // Reminders: an appointment's (named by its patient) and the day's postcards (none here).
    await run('getAppointmentReminders', send('GET', `${base}/appointments/${aid}/reminders`), ['p-book'], 200);
    await run('getPostcards', send('GET', `${base}/reminders/postcards?date=${DAY}`), [], 200);
    await run('cancelAppointment', send('POST', `${base}/appointments/${second.body.id}/cancel`, { reason: 'test' }, { ...ADMIN, 'if-match': `"${moved.body.version}"` }), ['p-two'], 200);
    const third = await run('book', send('POST', `${base}/appointments`, visit('p-three', '12:00')), ['p-three'], 201);
    await run('noShowAppointment', send('POST', `${base}/appointments/${third.body.id}/no-show`, { reason: 'test' }, { ...ADMIN, 'if-match': `"${third.body.version}"` }), ['p-three'], 200);
    await run('getSchedule', send('GET', `${base}/schedule?date=${DAY}&include=all`), ['p-book', 'p-two', 'p-three'], 200);

    // The waitlist (two places freed once it waits: it is offered one, declines, is offered the other),
    // the billing export and a referral.
    for (const [id, patientId] of [['rq-wl-1', 'p-wl1'], ['rq-wl-2', 'p-wl2']])
      expect((await send('POST', `${base}/requests`, { id, patientId, serviceId: 'visit', urgency: 'routine' })).status).toBe(201);
    const joined = await run('joinWaitlist', send('POST', `${base}/waitlist`, { requestId: 'rq-wl-1' }), ['p-wl1'], 201);
    const entryId = joined.body.entry.id as string;
    for (const hhmm of ['15:00', '16:00']) {
      const freed = await send('POST', `${base}/appointments`, visit(`p-wl-${hhmm}`, hhmm));
      expect((await send('POST', `${base}/appointments/${freed.body.id}/cancel`, {}, { ...ADMIN, 'if-match': `"${freed.body.version}"` })).status).toBe(200);
    }
    await run('listWaitlist', send('GET', `${base}/waitlist`), ['p-wl1'], 200);
    await run('listWaitlistOffers', send('GET', `${base}/waitlist/offers`), ['p-wl1'], 200);
    await run('declineWaitlistOffer', send('POST', `${base}/waitlist/${entryId}/decline`, {}), ['p-wl1'], 200);
    await run('acceptWaitlistOffer', send('POST', `${base}/waitlist/${entryId}/accept`, { reason: 'test' }), ['p-wl1'], 201);
    const other = await send('POST', `${base}/waitlist`, { requestId: 'rq-wl-2' });
    await run('leaveWaitlist', send('DELETE', `${base}/waitlist/${other.body.entry.id}`), ['p-wl2'], 200);
    await run('getBillingExport', send('GET', `${base}/billing?date=${DAY}`), [], 200);
    // The no-show risk names the patients of the day's booked appointments (p-wl1's accepted offer).
    await run('getNoShowRisk', send('GET', `${base}/no-show-risk?date=${DAY}`), ['p-wl1'], 200);
    const referral = { id: 'ref-aud', referringProvider: { name: 'Dr. Referrer' } };
    expect((await send('POST', `${base}/requests`, { id: 'rq-ref', patientId: 'p-ref', serviceId: 'visit', urgency: 'routine', referral })).status).toBe(201);
    await run('getReferral', send('GET', `${base}/referrals/ref-aud`), ['p-ref'], 200);

    // Jobs (no worker runs here: they wait, and apply is refused, which is recorded all the same).
    const optimization = await run('startOptimization', send('POST', `${base}/optimizations`, { date: DAY }), [], 202);
    const replan = await run(
      'postDisruptions',
      send('POST', `${base}/disruptions`, {
        date: DAY,
        now: at('13:00'),
        events: [{ type: 'emergency', request: { id: 'rq-em', patientId: 'p-emergency', serviceId: 'visit' } }],
      }),
      ['p-emergency'],
      202,
    );
    for (const [kind, job] of [['Optimization', optimization], ['Replan', replan]] as const) {
      const self = job.body.links.self as string;
      await run(`get${kind}`, send('GET', self), [], 200);
      await run(`apply${kind}`, send('POST', `${self}/apply`, {}), [], 409);
      await run(`stream${kind}Events`, openEventStream(`${self}/events`));
    }
    const batchItem = { requestId: 'rq-batch', patientId: 'p-batch', serviceId: 'visit', providerId: 'dr-1', roomId: 'room-1', start: at('15:00'), end: at('15:30') };
    const batch = await run('postBookingBatch', send('POST', `${base}/booking-batches`, { items: [batchItem] }), ['p-batch'], 202);
    await run('getBookingBatch', send('GET', batch.body.links.self), ['p-batch'], 200);

    // Patients' details: each call names the patient of its path.
    await run('putPatient', send('PUT', `${base}/patients/p-details`, { name: 'Pat Audit', email: 'pat.audit@example.org' }), ['p-details'], 201);
    await run('getPatient', send('GET', `${base}/patients/p-details`), ['p-details'], 200);
    await run('deletePatient', send('DELETE', `${base}/patients/p-details`), ['p-details'], 200);

    // Briefings (dr-0's day holds p-book's visit), the calendar feed through its signed link, notifications.
    await run('getBriefings', send('GET', `${base}/briefings?date=${DAY}&person=dr-0`), ['p-book'], 200);
    await run('getBriefingPage', send('GET', `${base}/briefings/dr-0.html?date=${DAY}`), ['p-book'], 200);
    const link = await run('issueCalendarLink', send('POST', `${base}/briefings/dr-0/subscription`), [], 200);
    await run('getBriefingFeed', send('GET', `${link.body.path}&from=${DAY}`, undefined, { authorization: null }), ['p-book'], 200);
    await run('revokeCalendarLinks', send('DELETE', `${base}/briefings/dr-0/subscription`), [], 200);
    await run('getNotifications', send('GET', `${base}/notifications?person=dr-0`), [], 200);

    // The trail itself, read by an auditor.
    await run('getAuditTrail', send('GET', `${base}/audit?patientId=p-book`, undefined, AUDITOR), ['p-book'], 200);
    await run('exportAuditTrail', send('GET', `${base}/audit/export?format=csv`, undefined, AUDITOR), [], 200);

    // 100%: every documented operation was exercised.
    expect([...new Set(calls.map((c) => c.op))].sort()).toEqual([...ops.keys()].sort());

    const recorded = calls.filter(({ op, sent }) => ops.get(op)!.patientData || ops.get(op)!.method !== 'GET' || sent.status === 401 || sent.status === 403);
    const entries = await entriesWith(clinicTrail(t.prefix, C), recorded.map((c) => c.sent.requestId));
    for (const { op, sent, patients } of calls) {
      const declared = ops.get(op)!;
      const entry = entries.get(sent.requestId);
      if (!recorded.some((c) => c.sent === sent)) {
        // A read of the set-up (no patient data, no change) is not recorded.
        expect(entry, `${op} is a read of the set-up and needs no entry`).toBeUndefined();
        continue;
      }
      expect(entry, `${op}: no entry`).toBeDefined();
      const who =
        op === 'getAuditTrail' || op === 'exportAuditTrail'
          ? { subject: 'auditor-aud', role: 'auditor', via: 'jwt' }
          : op === 'getBriefingFeed'
            ? { subject: 'calendar-link:dr-0', role: 'none', via: 'signed-link' }
            : { subject: 'admin-aud', role: 'scheduler-admin', via: 'jwt' };
      expect(entry, op).toMatchObject({ ...who, action: declared.action, attempted: null, objectType: declared.object, clinicId: C, status: sent.status, outcome: 'allowed' });
      expect(entry!.route.replace(/:(\w+)/g, '{$1}'), op).toBe(declared.path);
      expect(entry!.method, op).toBe(declared.method);
      for (const patient of patients) expect(entry!.patientIds, `${op} must name ${patient}`).toContain(patient);
    }
    // The object: what the path names, else what the answer created.
    expect(entries.get(calls.find((c) => c.op === 'getAppointment')!.sent.requestId)!.objectId).toBe(aid);
    expect(entries.get(calls.find((c) => c.op === 'book')!.sent.requestId)!.objectId).toBe(aid);
    expect(entries.get(calls.find((c) => c.op === 'getSchedule')!.sent.requestId)!.objectId).toBe(DAY);
    expect(entries.get(calls.find((c) => c.op === 'getOptimization')!.sent.requestId)!.objectId).toBe(optimization.body.jobId);
    expect(entries.get(calls.find((c) => c.op === 'getPatient')!.sent.requestId)!.objectId).toBe('p-details');
  }, 120_000);

  it('records refusals: 401 and 403 in the clinic, 404 for a clinic the caller may not see there if it exists, else in the deployment', async () => {
    const base = `/clinics/${C}`;
    const booked = await send('POST', `${base}/appointments`, visit('p-refused', '14:00', 'dr-2', 'room-2'));
    expect(booked.status, booked.text).toBe(201);
    const noToken = await send('GET', `${base}/appointments/${booked.body.id}`, undefined, { authorization: null });
    expect(noToken.status).toBe(401);
    const otherClinic = await send('GET', `${base}/appointments/${booked.body.id}`, undefined, OTHER_ADMIN);
    expect(otherClinic.status).toBe(404);
    const wrongRole = await send('POST', `${base}/optimizations`, { date: DAY }, DESK);
    expect(wrongRole.status).toBe(403);
    const notAuditor = await send('GET', `${base}/audit`, undefined, DESK);
    expect(notAuditor.status).toBe(403);

    const entries = await entriesWith(clinicTrail(t.prefix, C), [noToken.requestId, otherClinic.requestId, wrongRole.requestId, notAuditor.requestId]);
    const denied = { action: 'auth.denied', outcome: 'denied', clinicId: C };
    expect(entries.get(noToken.requestId)).toMatchObject({ ...denied, attempted: 'appointment.read', subject: 'anonymous', role: 'none', via: 'none', status: 401, objectId: booked.body.id });
    expect(entries.get(otherClinic.requestId)).toMatchObject({ ...denied, attempted: 'appointment.read', subject: 'admin-other', role: 'scheduler-admin', status: 404 });
    expect(entries.get(wrongRole.requestId)).toMatchObject({ ...denied, attempted: 'optimization.create', subject: 'desk-aud', role: 'front-desk', status: 403 });
    expect(entries.get(notAuditor.requestId)).toMatchObject({ ...denied, attempted: 'audit.read', status: 403 });
    // The refused caller saw nothing of the patient: the entry names none for 401/404 reads.
    expect(entries.get(noToken.requestId)!.patientIds).toEqual([]);

    // A clinic that does not exist gets no trail (no keys): the refusal, and a plain miss, go to the deployment's.
    const ghostRefused = await send('GET', '/clinics/aud-nowhere/schedule?date=2030-01-15', undefined, ADMIN);
    expect(ghostRefused.status).toBe(404);
    const ghostMissed = await send('GET', '/clinics/aud-ghost/appointments/a1', undefined, OTHER_ADMIN);
    expect(ghostMissed.status).toBe(404);
    const deployment = await entriesWith(deploymentTrail(t.prefix), [ghostRefused.requestId, ghostMissed.requestId]);
    expect(deployment.get(ghostRefused.requestId)).toMatchObject({ action: 'auth.denied', attempted: 'schedule.read', clinicId: 'aud-nowhere', subject: 'admin-aud', outcome: 'denied', status: 404 });
    expect(deployment.get(ghostMissed.requestId)).toMatchObject({ action: 'appointment.read', clinicId: 'aud-ghost', subject: 'admin-other', outcome: 'allowed', status: 404 });
    expect(await t.redis.keys(`${t.prefix}:{c:aud-nowhere}*`)).toEqual([]);
    expect(await t.redis.keys(`${t.prefix}:{c:aud-ghost}*`)).toEqual([]);
    const verified = await cli(['--deployment']);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  }, 60_000);
});

describe('one chain from two API processes', () => {
  it('keeps one unbroken chain when both append at once', async () => {
    const booked = await send('POST', `/clinics/${C}/appointments`, visit('p-race', '16:00', 'dr-2', 'room-2'));
    expect(booked.status, booked.text).toBe(201);
    const before = (await entriesOf(clinicTrail(t.prefix, C))).length;
    const reads = await Promise.all(
      Array.from({ length: 120 }, (_, i) => send('GET', `/clinics/${C}/appointments/${booked.body.id}`, undefined, ADMIN, i % 2 === 0 ? apiA : apiB)),
    );
    expect(reads.every((r) => r.status === 200)).toBe(true);
    await entriesWith(clinicTrail(t.prefix, C), reads.map((r) => r.requestId));
    const entries = await entriesOf(clinicTrail(t.prefix, C));
    expect(entries.length).toBeGreaterThanOrEqual(before + 120);
    // One chain: seq 1..n in stream order, each prev the hash before it.
    entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.prev).toBe(i === 0 ? GENESIS : entries[i - 1]!.hash);
    });
    const verified = await cli(['--clinic', C]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`unbroken: ${entries.length} entries`));
  }, 60_000);
});

describe('medsched audit verify', () => {
  /** A few entries in a tamper clinic's trail: its creation, then reads and bookings. */
  async function fill(clinic: string): Promise<(AuditEntry & { id: string })[]> {
    const booked = await send('POST', `/clinics/${clinic}/appointments`, visit(`p-${clinic}`, '09:00'));
    expect(booked.status, booked.text).toBe(201);
    const reads = await Promise.all([1, 2, 3, 4].map(() => send('GET', `/clinics/${clinic}/appointments/${booked.body.id}`)));
    await entriesWith(clinicTrail(t.prefix, clinic), [booked.requestId, ...reads.map((r) => r.requestId)]);
    const entries = await entriesOf(clinicTrail(t.prefix, clinic));
    expect(entries.length).toBe(6);
    return entries;
  }

  /** Replaces the stream by `entries` (as stored: id and JSON), as someone with write access to Redis could. */
  async function rewrite(clinic: string, entries: { id: string; json: string }[]): Promise<void> {
    const key = clinicTrail(t.prefix, clinic).keys.audit;
    await t.redis.del(key);
    for (const e of entries) await t.redis.xadd(key, e.id, 'entry', e.json);
  }
  const stored = (e: AuditEntry & { id: string }) => {
    const { id, ...entry } = e;
    return { id, json: JSON.stringify(entry) };
  };

  it('passes an untouched trail', async () => {
    const entries = await fill('tam-ok');
    const run = await cli(['--clinic', 'tam-ok']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`unbroken: 6 entries (seq 1..6), head ${entries[5]!.hash}`);
  }, 60_000);

  it('finds an entry removed (XDEL) in the middle, naming the entry after the gap', async () => {
    const entries = await fill('tam-del');
    await t.redis.xdel(clinicTrail(t.prefix, 'tam-del').keys.audit, entries[2]!.id);
    const run = await cli(['--clinic', 'tam-del']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`entry seq 4 (stream id ${entries[3]!.id}): entry seq 3 is missing`);
  }, 60_000);

  it('finds the last entry removed', async () => {
    const entries = await fill('tam-tail');
    await t.redis.xdel(clinicTrail(t.prefix, 'tam-tail').keys.audit, entries[5]!.id);
    const run = await cli(['--clinic', 'tam-tail']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ends at seq 5 but its head records seq 6: the last entries were removed/);
  }, 60_000);

  it('finds a field altered (the stream rebuilt with one entry changed, ids kept)', async () => {
    const entries = await fill('tam-alter');
    const altered = entries.map((e, i) => (i === 3 ? { ...e, patientIds: ['p-somebody-else'] } : e));
    await rewrite('tam-alter', altered.map(stored));
    const run = await cli(['--clinic', 'tam-alter']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`entry seq 4 (stream id ${entries[3]!.id}): its hash does not match its content`);
  }, 60_000);

  it('finds a forged entry inserted with a valid hash of its own, and one added past the head', async () => {
    const entries = await fill('tam-insert');
    // Between seq 2 and 3: it claims seq 3 and follows seq 2 correctly, so seq 3 proper no longer follows.
    const { id: _id, hash: _hash, ...copy } = entries[2]!;
    const forgedUnhashed = { ...copy, subject: 'intruder', requestId: 'forged' };
    const forged = { ...forgedUnhashed, hash: entryHash(forgedUnhashed), id: '' };
    // New stream ids throughout (the forged one must fit between two), in the order given.
    const ms = entries[0]!.id.split('-')[0];
    const rebuilt = [entries[0]!, entries[1]!, forged, ...entries.slice(2)].map((e, i) => ({ ...e, id: `${ms}-${i}` }));
    await rewrite('tam-insert', rebuilt.map(stored));
    const run = await cli(['--clinic', 'tam-insert']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`entry seq 3 (stream id ${ms}-3): it repeats seq 3 after seq 3`);

    // Past the head: a well-formed next entry XADDed without the append script.
    const fresh = await fill('tam-forged');
    const last = fresh[5]!;
    const { id: _i, hash: _h, ...tail } = { ...last, seq: 7, prev: last.hash, requestId: 'forged-tail' };
    const id = await t.redis.xadd(clinicTrail(t.prefix, 'tam-forged').keys.audit, '*', 'entry', JSON.stringify({ ...tail, hash: entryHash(tail) }));
    const past = await cli(['--clinic', 'tam-forged']);
    expect(past.code).toBe(1);
    expect(past.stdout).toContain(`entry seq 7 (stream id ${id}): the stream goes on past its head (seq 6)`);
  }, 60_000);

  it('verifies an export offline, and finds a line altered in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medsched-audit-'));
    try {
      const before = (await entriesOf(clinicTrail(t.prefix, C))).length;
      const exported = await send('GET', `/clinics/${C}/audit/export?format=jsonl`, undefined, AUDITOR);
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = exported.text.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(before);
      const file = join(dir, 'export.jsonl');
      await writeFile(file, exported.text);
      const run = await cli(['--file', file]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`unbroken: ${lines.length} entries \\(seq 1\\.\\.${lines.length}, from the start\\)`));

      // A time range starts mid-chain and still verifies.
      const middle = JSON.parse(lines[Math.floor(lines.length / 2)]!) as { id: string };
      const from = new Date(Number(middle.id.split('-')[0])).toISOString();
      const ranged = await send('GET', `/clinics/${C}/audit/export?from=${encodeURIComponent(from)}`, undefined, AUDITOR);
      const rangedFile = join(dir, 'ranged.jsonl');
      await writeFile(rangedFile, ranged.text);
      const rangedRun = await cli(['--file', rangedFile]);
      expect(rangedRun.code, rangedRun.stdout).toBe(0);
      expect(rangedRun.stdout).toMatch(/the entries before are not in the file/);

      const altered = lines.map((line, i) => (i === 4 ? line.replace('"status":', '"status":1') : line));
      await writeFile(file, `${altered.join('\n')}\n`);
      const broken = await cli(['--file', file]);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/entry seq 5 \(stream id [\d-]+, line 5\): its hash does not match its content/);
      expect((await readFile(file, 'utf8')).length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('exports CSV with a header and one row per entry', async () => {
    const exported = await send('GET', `/clinics/tam-ok/audit/export?format=csv`, undefined, AUDITOR);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = exported.text.trimEnd().split('\n');
    expect(rows[0]).toBe('id,v,seq,at,clinicId,subject,role,via,action,attempted,objectType,objectId,patientIds,method,route,status,outcome,requestId,prev,hash');
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(rows[2]).toMatch(/,appointment\.create,,appointment,a\d+,p-tam-ok,POST,/);
  }, 30_000);

  it('says what is wrong with its arguments (exit 2)', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--clinic', C, '--file', 'x.jsonl'])).code).toBe(2);
    const missing = await cli(['--file', '/nonexistent/export.jsonl']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    const none = await cli(['--clinic', 'aud-never-created']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/there is no audit trail of clinic 'aud-never-created'/);
  }, 60_000);
});

describe('the audit query', () => {
  it('filters by patient, by time, and pages by stream id', async () => {
    const booked = await send('POST', `/clinics/${C}/appointments`, visit('p-query', '08:00', 'dr-1', 'room-1'));
    expect(booked.status, booked.text).toBe(201);
    const reads = await Promise.all([1, 2, 3, 4, 5].map(() => send('GET', `/clinics/${C}/appointments/${booked.body.id}`)));
    await entriesWith(clinicTrail(t.prefix, C), [booked.requestId, ...reads.map((r) => r.requestId)]);
    const everything = await entriesOf(clinicTrail(t.prefix, C));
    const page = await send('GET', `/clinics/${C}/audit?patientId=p-query&limit=1000`, undefined, AUDITOR);
    expect(page.status, page.text).toBe(200);
    const expected = everything.filter((e) => e.patientIds.includes('p-query')).map((e) => e.id);
    expect(expected.length).toBeGreaterThanOrEqual(6);
    expect(page.body.entries.map((e: { id: string }) => e.id)).toEqual(expected);
    expect(page.body.unreadable).toEqual([]);

    // Time: from and to are inclusive bounds on when the entry was recorded.
    const mid = everything[Math.floor(everything.length / 2)]!;
    const ms = Number(mid.id.split('-')[0]);
    const iso = (x: number) => encodeURIComponent(new Date(x).toISOString());
    const later = await send('GET', `/clinics/${C}/audit?from=${iso(ms)}&limit=1000`, undefined, AUDITOR);
    const earlier = await send('GET', `/clinics/${C}/audit?to=${iso(ms)}&limit=1000`, undefined, AUDITOR);
    const idMs = (e: { id: string }) => Number(e.id.split('-')[0]);
    expect(later.body.entries.length).toBeGreaterThan(0);
    expect(later.body.entries.every((e: { id: string }) => idMs(e) >= ms)).toBe(true);
    expect(later.body.entries.map((e: { id: string }) => e.id)).toContain(mid.id);
    expect(earlier.body.entries.every((e: { id: string }) => idMs(e) <= ms)).toBe(true);
    expect(earlier.body.entries.map((e: { id: string }) => e.id)).toContain(mid.id);

    // Pages of 7 with `after` = `next` walk the same entries, none twice.
    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const p: Sent = await send('GET', `/clinics/${C}/audit?to=${iso(ms)}&limit=7${after ? `&after=${after}` : ''}`, undefined, AUDITOR);
      expect(p.status).toBe(200);
      walked.push(...p.body.entries.map((e: { id: string }) => e.id));
      after = p.body.next;
      if (after === null) break;
    }
    expect(walked).toEqual(earlier.body.entries.map((e: { id: string }) => e.id));

    // Patient and paging together.
    const first = await send('GET', `/clinics/${C}/audit?patientId=p-query&limit=2`, undefined, AUDITOR);
    const rest = await send('GET', `/clinics/${C}/audit?patientId=p-query&limit=1000&after=${first.body.next}`, undefined, AUDITOR);
    // (The auditor's own reads filtered by p-query are recorded with it too: they follow.)
    const paged = [...first.body.entries, ...rest.body.entries].map((e: { id: string; action: string }) => e);
    expect(paged.slice(0, expected.length).map((e) => e.id)).toEqual(expected);
    expect(paged.slice(expected.length).every((e) => e.action === 'audit.read')).toBe(true);
  }, 60_000);

  it('answers 400 naming the bad parameter', async () => {
    const backwards = await send('GET', `/clinics/${C}/audit?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`, undefined, AUDITOR);
    expect(backwards.status).toBe(400);
    expect(backwards.body.problems).toEqual([{ path: '$.querystring.to', message: 'must not be before from' }]);
    const badLimit = await send('GET', `/clinics/${C}/audit?limit=0`, undefined, AUDITOR);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.problems[0].path).toBe('$.querystring.limit');
    const badAfter = await send('GET', `/clinics/${C}/audit?after=yesterday`, undefined, AUDITOR);
    expect(badAfter.status).toBe(400);
    expect(badAfter.body.problems[0].path).toBe('$.querystring.after');
  });
});

describe('an append that fails', () => {
  it('is logged with its request id and without patient data', async () => {
    const booked = await send('POST', `/clinics/${BROKEN}/appointments`, visit('p-secret-broken', '09:00'));
    expect(booked.status, booked.text).toBe(201);
    await entriesWith(clinicTrail(t.prefix, BROKEN), [booked.requestId]);
    // The stream key made into something else: every append to it fails.
    const key = clinicTrail(t.prefix, BROKEN).keys.audit;
    await t.redis.del(key);
    await t.redis.set(key, 'not a stream');
    const read = await send('GET', `/clinics/${BROKEN}/appointments/${booked.body.id}`);
    expect(read.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!apiA.output().includes(read.requestId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const line = apiA.output().split('\n').find((l) => l.includes(read.requestId) && l.includes('audit entry could not be recorded'));
    expect(line, apiA.output().slice(-2000)).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 50, requestId: read.requestId, action: 'appointment.read', status: 200 });
    expect(apiA.output()).not.toContain('p-secret-broken');
  }, 30_000);
});

/** Opens an SSE stream, reads its first event, and hangs up (the job never ends here: no worker runs). */
async function openEventStream(path: string): Promise<Sent> {
  const requestId = `aud-${++seq}-sse`;
  const abort = new AbortController();
  const response = await fetch(apiA.url + path, { headers: { ...ADMIN, 'x-request-id': requestId }, signal: abort.signal });
  const reader = response.body!.getReader();
  const first = await reader.read();
  abort.abort();
  await reader.cancel().catch(() => {});
  const text = new TextDecoder().decode(first.value);
  return { status: response.status, headers: response.headers, body: null, text, requestId };
}
