// Prior authorisation and referrals over real HTTP, real workers and a real Redis: a request for a
// service that requires authorisation is refused with the reason (a 422 naming the field) when booked
// directly, held, held from a slot search, booked from a hold, or booked in a batch, until it is approved
// and in date; a scheduler-admin may override with a reason (recorded in the history and the audit trail),
// nobody else; the optimizer leaves unapproved requests out with the reason, and a plan that would book
// one no longer approved is refused. A referral lists its requests and the appointments they were given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicTrail, readAuditPage } from '../src/store/auditLog.js';
import { connectStore, listDay, storeReady, type Store } from '../src/store/index.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';
import { until } from './support/until.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('api-authorization');
let api: ApiProcess;
let worker: WorkerProcess;
let store: Store;

const C = 'pa';
const OPT = 'pa-opt';
const DESK = as('desk-pa', 'front-desk', [C, OPT]);
const ADMIN = as('admin-pa', 'scheduler-admin', [C, OPT]);
const MRI = { id: 'mri', minutes: 30, specialty: 'gp', roomCapability: 'exam', requiresAuthorization: true };
const withMri = (id: string) => {
  const clinic = serviceClinic(id, 3);
  return { ...clinic, services: [...clinic.services, MRI] };
};

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  [api, worker] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix }), startWorker(t.prefix, 'w-pa', 'optimize,bookings')]);
  for (const id of [C, OPT]) expect((await call(api.url, 'PUT', `/clinics/${id}`, withMri(id), ADMIN)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  store?.redis.disconnect();
  await t.cleanup();
});

async function ok(reply: Promise<Reply>, status: number): Promise<Reply> {
  const r = await reply;
  expect(r.status, r.text).toBe(status);
  return r;
}
const post = (clinic: string, path: string, body: unknown, headers = DESK) => call(api.url, 'POST', `/clinics/${clinic}${path}`, body, headers);
const putRequest = (clinic: string, id: string, extra: Record<string, unknown> = {}) =>
  call(api.url, 'PUT', `/clinics/${clinic}/requests/${id}`, { patientId: `p-${id}`, serviceId: 'mri', urgency: 'routine', ...extra }, DESK);
const place = (hhmm: string, provider = 'dr-0') => ({ providerId: provider, roomId: provider.replace('dr', 'room'), start: at(hhmm) });
const inline = (patientId: string, authorization?: unknown) => ({ patientId, serviceId: 'mri', urgency: 'routine', ...(authorization ? { authorization } : {}) });

/** The clinic's audit entries once `predicate` finds one (appends follow the answers by a moment). */
const auditEntry = (clinic: string, predicate: (e: Record<string, unknown>) => boolean) =>
  until('the audit entry', async () => (await readAuditPage(store, clinicTrail(t.prefix, clinic), '-', '+', 100_000)).map((e) => e.raw as Record<string, unknown>).find(predicate));

describe('booking a service that requires prior authorisation', () => {
  it('is refused with the reason, naming the field, until approved; nothing is booked', async () => {
    const none = await post(C, '/appointments', { request: inline('p-none'), ...place('09:00') });
    expect(none.status).toBe(422);
    expect(none.body.error).toBe('authorization-required');
    expect(none.body.problems).toEqual([{ path: '$.body.request.authorization', message: expect.stringMatching(/service 'mri' requires prior authorisation and request '[^']+' carries none/) }]);
    expect(none.body.message).toMatch(/a scheduler-admin may book it anyway with authorizationOverride/);

    const pending = await post(C, '/appointments', { request: inline('p-pending', { status: 'pending', number: 'PA-1' }), ...place('09:00') });
    expect(pending.status).toBe(422);
    expect(pending.body.problems[0].message).toMatch(/\(number PA-1\) is pending, not approved/);
    const denied = await post(C, '/holds', { request: inline('p-denied', { status: 'denied' }), ...place('09:00') });
    expect(denied.status).toBe(422);
    expect(denied.body.problems[0]).toMatchObject({ path: '$.body.request.authorization', message: expect.stringMatching(/is denied/) });
    const lapsed = await post(C, '/appointments', { request: inline('p-lapsed', { status: 'approved', number: 'PA-2', expiresAt: at('09:00') }), ...place('09:30') });
    expect(lapsed.status).toBe(422);
    expect(lapsed.body.problems[0].message).toMatch(/runs out at .*before this visit starts/);

    // A stored request, through slot search: the search answers, holding its best option is refused.
    expect((await putRequest(C, 'rq-pending', { authorization: { status: 'pending' }, earliestStart: at('13:00'), latestEnd: at('14:00') })).status).toBe(201);
    const search = await ok(post(C, '/slots/search', { requestId: 'rq-pending', k: 1 }), 200);
    const { score: _s, rank: _r, ...option } = search.body.options[0];
    const held = await post(C, '/holds', { requestId: 'rq-pending', ...option });
    expect(held.status).toBe(422);
    expect(held.body.problems).toEqual([{ path: '$.body.requestId', message: expect.stringMatching(/request 'rq-pending' is pending/) }]);
    expect((await post(C, '/appointments', { requestId: 'rq-pending', ...option })).status).toBe(422);

    expect((await listDay(store, C, DAY)).appointments).toEqual([]);
    // Approved, it books.
    const approved = await post(C, '/appointments', { request: inline('p-approved', { status: 'approved', number: 'PA-3', expiresAt: at('17:00') }), ...place('09:00') });
    expect(approved.status, approved.text).toBe(201);
  }, 30_000);

  it('lets a scheduler-admin override with a reason (in the history and the audit trail), and nobody else', async () => {
    const override = { authorizationOverride: { reason: 'acute pain; payer contacted' } };
    const desk = await post(C, '/appointments', { request: { ...inline('p-urgent'), id: 'rq-urgent' }, ...place('10:00'), ...override });
    expect(desk.status).toBe(403);
    expect(desk.body.message).toMatch(/only a scheduler-admin may override/);
    const empty = await post(C, '/appointments', { request: inline('p-urgent'), ...place('10:00'), authorizationOverride: { reason: ' ' } }, ADMIN);
    expect(empty.status).toBe(400);
    expect(empty.body.problems[0].path).toBe('$.body.authorizationOverride.reason');

    const booked = await ok(post(C, '/appointments', { request: { ...inline('p-urgent'), id: 'rq-urgent' }, ...place('10:00'), reason: 'squeezed in', ...override }, ADMIN), 201);
    expect(booked.body.history).toEqual([expect.objectContaining({ by: 'admin-pa', action: 'book', reason: 'squeezed in; prior authorisation overridden: acute pain; payer contacted' })]);
    const entry = await auditEntry(C, (e) => e.action === 'authorization.override');
    expect(entry).toMatchObject({ subject: 'admin-pa', role: 'scheduler-admin', objectType: 'request', objectId: 'rq-urgent', patientIds: ['p-urgent'], status: 201, outcome: 'allowed' });
    // The booking's own entry is there too, before it, with the same request id.
    const own = await auditEntry(C, (e) => e.action === 'appointment.create' && e.requestId === entry.requestId);
    expect(Number(own.seq)).toBe(Number(entry.seq) - 1);
  }, 30_000);

  it('judges a stored request again when its hold is booked; an override given with the hold carries to the booking', async () => {
    expect((await putRequest(C, 'rq-ok', { authorization: { status: 'approved', number: 'PA-9' } })).status).toBe(201);
    const held = await ok(post(C, '/holds', { requestId: 'rq-ok', ...place('11:00') }), 201);
    // The payer withdraws the approval before the desk books the hold.
    expect((await putRequest(C, 'rq-ok', { authorization: { status: 'denied', number: 'PA-9' } })).status).toBe(200);
    const refused = await post(C, '/appointments', { holdId: held.body.id });
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toEqual([{ path: '$.body.holdId', message: expect.stringMatching(/request 'rq-ok' \(number PA-9\) is denied/) }]);
    const overridden = await ok(post(C, '/appointments', { holdId: held.body.id, authorizationOverride: { reason: 'appeal filed' } }, ADMIN), 201);
    expect(overridden.body.history[0].reason).toBe('prior authorisation overridden: appeal filed');

    expect((await putRequest(C, 'rq-held', { authorization: { status: 'pending' } })).status).toBe(201);
    const adminHold = await ok(post(C, '/holds', { requestId: 'rq-held', ...place('12:00'), authorizationOverride: { reason: 'oncology fast track' } }, ADMIN), 201);
    const deskBooks = await ok(post(C, '/appointments', { holdId: adminHold.body.id }), 201);
    expect(deskBooks.body.history[0]).toMatchObject({ by: 'desk-pa', reason: 'prior authorisation overridden: oncology fast track' });
  }, 30_000);

  it('refuses a batch item without an approved authorisation, naming why, and books the rest', async () => {
    expect((await putRequest(C, 'rq-b-ok', { authorization: { status: 'approved' } })).status).toBe(201);
    expect((await putRequest(C, 'rq-b-no', { authorization: { status: 'pending', number: 'PA-7' } })).status).toBe(201);
    const item = (requestId: string, hhmm: string) => ({ requestId, patientId: `p-${requestId}`, serviceId: 'mri', providerId: 'dr-2', roomId: 'room-2', start: at(hhmm), end: at(hhmm.replace(':00', ':30')) });
    const posted = await ok(post(C, '/booking-batches', { items: [item('rq-b-ok', '13:00'), item('rq-b-no', '14:00'), item('rq-b-unknown', '15:00')] }, ADMIN), 202);
    const view = await until('the batch', async () => {
      const r = await call(api.url, 'GET', `/clinics/${C}/booking-batches/${posted.body.jobId}`, undefined, ADMIN);
      return r.body.state === 'completed' ? r.body : undefined;
    }, { context: () => worker.output() });
    expect(view.outcomes.map((o: { status: string }) => o.status)).toEqual(['booked', 'refused', 'refused']);
    expect(view.outcomes[1]).toMatchObject({ reason: 'authorization-required', problems: [{ path: '$.requestId', message: expect.stringMatching(/\(number PA-7\) is pending/) }] });
    expect(view.outcomes[2].problems[0].message).toMatch(/store request 'rq-b-unknown' with its approved authorization first/);
  }, 30_000);
});

describe('the optimizer and a plan', () => {
  it('leaves unapproved requests out with the reason; a plan booking one no longer approved is refused', async () => {
    const window = { earliestStart: at('08:00'), latestEnd: at('17:00') };
    for (const [id, extra] of [
      ['rq-o-ok', { authorization: { status: 'approved', number: 'A1' } }],
      ['rq-o-pending', { authorization: { status: 'pending', number: 'A2' } }],
      ['rq-o-visit', { serviceId: 'visit' }],
    ] as const)
      expect((await putRequest(OPT, id, { ...window, ...extra })).status).toBe(201);
    const started = await ok(post(OPT, '/optimizations', { date: DAY }, ADMIN), 202);
    const job = await until('the optimization', async () => {
      const r = await call(api.url, 'GET', started.body.links.self, undefined, ADMIN);
      expect(r.body.state).not.toBe('failed');
      return r.body.state === 'completed' ? r.body : undefined;
    }, { context: () => worker.output() });
    const planned = job.plan.appointments.map((a: { requestId: string }) => a.requestId).sort();
    expect(planned).toEqual(['rq-o-ok', 'rq-o-visit']);
    expect(job.plan.result.unscheduled).toEqual([{ requestId: 'rq-o-pending', reasons: [expect.stringMatching(/^not placed: service 'mri' requires prior authorisation .*\(number A2\) is pending/)] }]);

    // Withdrawn before the plan is applied: the apply is refused, naming the plan's appointment.
    expect((await putRequest(OPT, 'rq-o-ok', { ...window, authorization: { status: 'denied', number: 'A1' } })).status).toBe(200);
    const refused = await post(OPT, `/optimizations/${started.body.jobId}/apply`, {}, ADMIN);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('authorization-required');
    const index = job.plan.appointments.findIndex((a: { requestId: string }) => a.requestId === 'rq-o-ok');
    expect(refused.body.problems).toEqual([{ path: `$.plan.appointments[${index}].requestId`, message: expect.stringMatching(/is denied/) }]);
    expect((await listDay(store, OPT, DAY)).appointments).toEqual([]);
    // Approved again, it applies.
    expect((await putRequest(OPT, 'rq-o-ok', { ...window, authorization: { status: 'approved', number: 'A1' } })).status).toBe(200);
    await ok(post(OPT, `/optimizations/${started.body.jobId}/apply`, {}, ADMIN), 200);
    expect((await listDay(store, OPT, DAY)).appointments.map((a) => a.requestId).sort()).toEqual(['rq-o-ok', 'rq-o-visit']);
  }, 60_000);
});

describe('referrals', () => {
  it('lists the requests of a referral and the appointments each was given', async () => {
    const referral = { id: 'ref-77', referringProvider: { name: 'Dr. Ada Osei', npi: '1234567893' }, reason: 'knee pain' };
    for (const id of ['rq-ref-consult', 'rq-ref-follow'])
      expect((await call(api.url, 'PUT', `/clinics/${C}/requests/${id}`, { patientId: 'p-ref', serviceId: 'visit', urgency: 'routine', referral }, DESK)).status).toBe(201);
    const consult = await ok(post(C, '/appointments', { requestId: 'rq-ref-consult', ...place('15:00', 'dr-1') }), 201);
    let view = await ok(call(api.url, 'GET', `/clinics/${C}/referrals/ref-77`, undefined, DESK), 200);
    expect(view.body).toMatchObject({ referralId: 'ref-77', referral });
    expect(view.body.requests.map((r: { request: { id: string }; appointments: { id: string }[] }) => [r.request.id, r.appointments.map((a) => a.id)])).toEqual([
      ['rq-ref-consult', [consult.body.id]],
      ['rq-ref-follow', []],
    ]);
    // The follow-up is held, then booked: it shows once booked (a hold is no appointment yet).
    const held = await ok(post(C, '/holds', { requestId: 'rq-ref-follow', ...place('16:00', 'dr-1') }), 201);
    view = await ok(call(api.url, 'GET', `/clinics/${C}/referrals/ref-77`, undefined, DESK), 200);
    expect(view.body.requests[1].appointments).toEqual([]);
    const follow = await ok(post(C, '/appointments', { holdId: held.body.id }), 201);
    await ok(post(C, `/appointments/${consult.body.id}/check-in`, {}, { ...DESK, 'if-match': `"${consult.body.version}"` }), 200);
    view = await ok(call(api.url, 'GET', `/clinics/${C}/referrals/ref-77`, undefined, DESK), 200);
    expect(view.body.requests.map((r: { appointments: { id: string; status: string }[] }) => r.appointments.map((a) => [a.id, a.status]))).toEqual([
      [[consult.body.id, 'checked-in']],
      [[follow.body.id, 'booked']],
    ]);
    expect((await call(api.url, 'GET', `/clinics/${C}/referrals/ref-none`, undefined, DESK)).status).toBe(404);
    const badNpi = await call(api.url, 'PUT', `/clinics/${C}/requests/rq-ref-bad`, { patientId: 'p', serviceId: 'visit', urgency: 'routine', referral: { ...referral, referringProvider: { name: 'x', npi: '12' } } }, DESK);
    expect(badNpi.status).toBe(400);
    expect(badNpi.body.problems[0].path).toBe('$.body.referral.referringProvider.npi');
  }, 30_000);
});
