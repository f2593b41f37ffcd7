// Roles and clinic isolation over real HTTP, as matrices generated from the OpenAPI document (GET /docs):
// every route declares who may call it; a token of clinic A against clinic B answers 404 exactly as for a
// clinic that does not exist, for every role and every route; A's routes with B's object ids (appointment,
// hold, request, set-up item, job) answer 404; each role against each route gets what the policy says
// (an allowed role never 401/403, any other 403). Then the cases by hand: a clinician and their own
// agenda, a front desk and a plan, fields no caller may set, and a configured integration role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDay } from '../src/store/day.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as, bearer, type Role } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-access');
const A = 'acc-a';
const B = 'acc-b';
const NOWHERE = 'acc-nowhere';
const ROLES: Role[] = ['front-desk', 'clinician', 'scheduler-admin', 'integration', 'auditor'];
let api: ApiProcess;
let doc: OpenApi;

type Operation = { operationId: string; parameters?: { in: string; name: string }[]; 'x-access'?: { action: string; roles: string[]; signedLink?: boolean; public?: boolean }; security?: unknown[] };
type OpenApi = { paths: Record<string, Record<string, Operation>>; security?: unknown[]; components: { securitySchemes?: Record<string, unknown> } };
type Op = { method: string; route: string; op: Operation };

/** The policy as the README states it, written out here on its own: operation → the roles allowed. */
const ALL_ROLES = ROLES;
const DESK_AND_ADMIN: Role[] = ['front-desk', 'scheduler-admin'];
const REQUESTS: Role[] = ['front-desk', 'scheduler-admin', 'integration'];
const JOBS: Role[] = ['scheduler-admin', 'integration'];
/** Briefings and notifications (a clinician: their own); calendar links are issued by people, not integrations. */
const BRIEFINGS: Role[] = ['front-desk', 'clinician', 'scheduler-admin', 'integration'];
const CALENDAR_LINKS: Role[] = ['front-desk', 'clinician', 'scheduler-admin'];
/** Patients' details: the desk and the integration keep them, a clinician reads who they treat, an auditor sees none. */
const PATIENT_WRITERS: Role[] = ['front-desk', 'scheduler-admin', 'integration'];
const PATIENT_READERS: Role[] = [...PATIENT_WRITERS, 'clinician'];
/** Routes anyone may call without a credential: health, readiness, and a reminder's confirm/cancel links (their token is the proof). */
const PUBLIC_ROUTES = ['/health', '/ready', '/r/{token}/confirm', '/r/{token}/cancel'];
function policy(operationId: string): Role[] | undefined {
  if (/^get(Clinic|\w+Item)$/.test(operationId)) return ALL_ROLES;
  if (/^(putClinic|(put|delete)\w+Item)$/.test(operationId)) return ['scheduler-admin'];
  const table: Record<string, Role[]> = {
    createRequest: REQUESTS,
    putRequest: REQUESTS,
    deleteRequest: REQUESTS,
    listRequests: REQUESTS,
    getRequest: REQUESTS,
    searchSlots: DESK_AND_ADMIN,
    createHold: DESK_AND_ADMIN,
    releaseHold: DESK_AND_ADMIN,
    book: DESK_AND_ADMIN,
    checkInAppointment: DESK_AND_ADMIN,
    cancelAppointment: DESK_AND_ADMIN,
    noShowAppointment: DESK_AND_ADMIN,
    rescheduleAppointment: DESK_AND_ADMIN,
    startAppointment: ['clinician', 'scheduler-admin'],
    finishAppointment: ['clinician', 'scheduler-admin'],
    getAppointment: ALL_ROLES,
    getSchedule: ALL_ROLES,
    startOptimization: ['scheduler-admin'],
    applyOptimization: ['scheduler-admin'],
    applyReplan: ['scheduler-admin'],
    postDisruptions: JOBS,
    getOptimization: JOBS,
    getReplan: JOBS,
    streamOptimizationEvents: JOBS,
    streamReplanEvents: JOBS,
    postBookingBatch: JOBS,
    getBookingBatch: JOBS,
    getAuditTrail: ['auditor'],
    exportAuditTrail: ['auditor'],
    joinWaitlist: REQUESTS,
    leaveWaitlist: REQUESTS,
    listWaitlist: REQUESTS,
    listWaitlistOffers: REQUESTS,
    acceptWaitlistOffer: DESK_AND_ADMIN,
    declineWaitlistOffer: DESK_AND_ADMIN,
    getBillingExport: ['scheduler-admin'],
    getReferral: REQUESTS,
    getBriefings: BRIEFINGS,
    getBriefingPage: BRIEFINGS,
    getNotifications: BRIEFINGS,
    issueCalendarLink: CALENDAR_LINKS,
    revokeCalendarLinks: CALENDAR_LINKS,
    putPatient: PATIENT_WRITERS,
    getPatient: PATIENT_READERS,
    deletePatient: PATIENT_WRITERS,
    getAppointmentReminders: DESK_AND_ADMIN,
    getPostcards: DESK_AND_ADMIN,
    getNoShowRisk: DESK_AND_ADMIN,
  };
  return table[operationId];
}

/** The real objects of one clinic, for path parameters. */
type Ids = {
  clinic: string;
  aid: string;
  hold: string;
  request: string;
  provider: string;
  room: string;
  staff: string;
  equipment: string;
  service: string;
  optimization: string;
  replan: string;
  batch: string;
  patient: string;
  referral: string;
};
const ids: Record<'A' | 'B', Ids> = {} as never;
let setupOf: Record<string, ReturnType<typeof serviceClinicB>> = {};

const admin = (clinic: string) => as('admin', 'scheduler-admin', [clinic]);

/** B has more of everything than A: its provider, room, staff member, equipment and service ids 3 and b-* are B's alone. */
function serviceClinicB(id: string, n: number) {
  const clinic = serviceClinic(id, n);
  if (n < 4) return clinic;
  return {
    ...clinic,
    equipment: [...clinic.equipment, { id: 'b-cart', count: 1 }],
    services: [...clinic.services, { id: 'b-visit', minutes: 15, specialty: 'gp', roomCapability: 'exam' }],
  };
}

const visit = (patient: string, provider: string, hhmm: string) => ({
  request: { patientId: patient, serviceId: 'visit', urgency: 'routine' },
  providerId: provider,
  roomId: provider.replace('dr', 'room'),
  start: at(hhmm),
});

async function ok(reply: Promise<Reply>, status: number): Promise<Reply> {
  const r = await reply;
  expect(r.status, r.text).toBe(status);
  return r;
}

beforeAll(async () => {
  api = await startApi({ MEDSCHED_PREFIX: t.prefix });
  const post = (clinic: string, path: string, body: unknown) => call(api.url, 'POST', `/clinics/${clinic}${path}`, body, admin(clinic));
  setupOf = { [A]: serviceClinicB(A, 2), [B]: serviceClinicB(B, 4) };
  for (const c of [A, B]) await ok(call(api.url, 'PUT', `/clinics/${c}`, setupOf[c], admin(c)), 201);

  // A: one appointment (dr-0's), one hold, one request. B: three appointments and a hold, so ids a2..a4 are B's alone.
  const aAppt = await ok(post(A, '/appointments', visit('p-a1', 'dr-0', '09:00')), 201);
  const aHold = await ok(post(A, '/holds', { ...visit('p-a2', 'dr-1', '09:00'), ttlSeconds: 900 }), 201);
  await ok(post(A, '/requests', { id: 'rq-a', patientId: 'p-a3', serviceId: 'visit', urgency: 'routine' }), 201);
  for (const [p, dr] of [['p-b1', 'dr-0'], ['p-b2', 'dr-1'], ['p-b3', 'dr-2']] as const) await ok(post(B, '/appointments', visit(p, dr, '09:00')), 201);
  const bHold = await ok(post(B, '/holds', { ...visit('p-b4', 'dr-3', '09:00'), ttlSeconds: 900 }), 201);
  await ok(post(B, '/requests', { id: 'rq-b', patientId: 'p-b5', serviceId: 'visit', urgency: 'routine' }), 201);
  // A referral in each clinic (B's id is B's alone).
  for (const c of [A, B])
    await ok(post(c, '/requests', { id: `rq-ref-${c}`, patientId: `p-ref-${c}`, serviceId: 'visit', urgency: 'routine', referral: { id: `ref-${c}`, referringProvider: { name: 'Dr. Referrer' } } }), 201);
  // A patient's details in each clinic (B's id is B's alone).
  await ok(call(api.url, 'PUT', `/clinics/${A}/patients/pt-a`, { name: 'Ann Access' }, admin(A)), 201);
  await ok(call(api.url, 'PUT', `/clinics/${B}/patients/pt-b`, { name: 'Bo Access' }, admin(B)), 201);
  // B's jobs (no worker runs them: they wait, which is all the paths need).
  const opt = await ok(post(B, '/optimizations', { date: DAY }), 202);
  const replan = await ok(post(B, '/disruptions', { now: at('08:00'), date: DAY, events: [{ type: 'delay', providerId: 'dr-0', availableFrom: at('09:30') }] }), 202);
  const batch = await ok(post(B, '/booking-batches', { items: [{ requestId: 'bb-1', patientId: 'p-b6', serviceId: 'visit', providerId: 'dr-3', roomId: 'room-3', start: at('15:00'), end: at('15:30') }] }), 202);

  ids.A = {
    clinic: A, aid: aAppt.body.id, hold: aHold.body.id, request: 'rq-a', provider: 'dr-0', room: 'room-0', staff: 'st-0', equipment: 'ecg', service: 'visit',
    // Jobs of A's that do not exist: an event stream of a waiting job would never end.
    optimization: `optimize:${A}:2030-01-16`, replan: `replan:${A}:2030-01-16.1`, batch: `bookings:${A}:00000000000000000000000000000000`,
    patient: 'pt-a',
    referral: `ref-${A}`,
  };
  ids.B = {
    clinic: B, aid: 'a3', hold: bHold.body.id, request: 'rq-b', provider: 'dr-3', room: 'room-3', staff: 'st-3', equipment: 'b-cart', service: 'b-visit',
    optimization: opt.body.jobId, replan: replan.body.jobId, batch: batch.body.jobId,
    patient: 'pt-b',
    referral: `ref-${B}`,
  };
  expect(ids.A.aid).toBe('a1');
  expect(bHold.body.id).toBe('a4');
  doc = (await ok(call(api.url, 'GET', '/docs', undefined, { authorization: null }), 200)).body as OpenApi;
}, 90_000);

afterAll(async () => {
  await api?.stop();
  await t.cleanup();
}, 30_000);

function operations(): Op[] {
  return Object.entries(doc.paths).flatMap(([route, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), route, op })));
}
/** Routes that take a credential header (a calendar feed takes its signed link's key instead: tested on its own below). */
const protectedOps = () => operations().filter((o) => !PUBLIC_ROUTES.includes(o.route) && !o.op['x-access']?.signedLink);

/** The path of an operation with a clinic's ids (or `over` for some of them). */
function pathOf(o: Op, c: Ids, over: Partial<Record<string, string>> = {}): string {
  const kind = o.route.split('/')[3];
  const itemOf: Record<string, string> = { providers: c.provider, rooms: c.room, staff: c.staff, equipment: c.equipment, services: c.service, requests: c.request, holds: c.hold, referrals: c.referral };
  const jobOf: Record<string, string> = { optimizations: c.optimization, disruptions: c.replan, 'booking-batches': c.batch };
  const values: Record<string, string> = { id: c.clinic, aid: c.aid, itemId: itemOf[kind!] ?? 'x', jobId: jobOf[kind!] ?? 'x', patientId: c.patient, personId: c.provider, ...over };
  const path = o.route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
  return ['getSchedule', 'getBriefings', 'getBriefingPage', 'getPostcards', 'getBillingExport', 'getNoShowRisk'].includes(o.op.operationId) ? `${path}?date=${DAY}` : path;
}

/** A body each operation accepts (so an allowed caller reaches the handler), for clinic `c`. */
function bodyOf(o: Op, c: Ids, n: number): unknown {
  const setup = setupOf[c.clinic]!;
  const hhmm = `${String(10 + (n % 6)).padStart(2, '0')}:${n % 2 === 0 ? '00' : '30'}`;
  const item: Record<string, unknown> = {
    putProvidersItem: setup.providers[0],
    putRoomsItem: setup.rooms[0],
    putStaffItem: setup.staff[0],
    putEquipmentItem: setup.equipment[0],
    putServicesItem: setup.services[0],
  };
  switch (o.op.operationId) {
    case 'putClinic':
      return setup;
    case 'createRequest':
    case 'putRequest':
      return { patientId: `p-new-${n}`, serviceId: 'visit', urgency: 'routine' };
    case 'searchSlots':
      return { request: { patientId: 'p-search', serviceId: 'visit', urgency: 'routine' } };
    case 'createHold':
    case 'book':
      return visit(`p-${o.op.operationId}-${n}`, 'dr-1', hhmm);
    case 'rescheduleAppointment':
      return { start: at('16:00') };
    case 'startOptimization':
      return { date: DAY };
    case 'postDisruptions':
      return { now: at('08:00'), date: DAY, events: [{ type: 'delay', providerId: 'dr-0', availableFrom: at('09:30') }] };
    case 'putPatient':
      return { name: `Pat Access ${n}`, phone: '+13125550100', language: 'es' };
    case 'postBookingBatch':
      return { items: [{ requestId: `bb-${n}`, patientId: `p-bb-${n}`, serviceId: 'visit', providerId: 'dr-1', roomId: 'room-1', start: at(hhmm), end: at(hhmm.replace(/:(\d\d)$/, (_, m: string) => (m === '00' ? ':30' : ':59'))) }] };
    default:
      if (o.op.operationId in item) return item[o.op.operationId];
      return o.method === 'POST' ? {} : undefined;
  }
}

/** If-Match where the route takes one: a stale version, so an allowed caller is answered 412 and nothing changes. */
const headersOf = (o: Op): Record<string, string> => (o.op.parameters?.some((p) => p.in === 'header' && p.name === 'if-match') ? { 'if-match': '"999"' } : {});

/** A token of `role` for `clinics` (a clinician is dr-0 of them). */
const tokenOf = (role: Role, clinics: string[]) => bearer({ subject: `${role}-user`, role, clinics, ...(role === 'clinician' ? { providerId: 'dr-0' } : {}) });

describe('every route declares who may call it', () => {
  it('publishes the security schemes, and each protected operation its roles, matching the policy', () => {
    expect(Object.keys(doc.components.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'bearer', 'calendarLink']);
    expect(doc.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    for (const o of ops) {
      const label = `${o.method} ${o.route} (${o.op.operationId})`;
      if (PUBLIC_ROUTES.includes(o.route)) {
        expect(o.op.security, label).toEqual([]);
        expect(o.op['x-access'], label).toEqual({ public: true, roles: [] });
        continue;
      }
      expect(o.op['x-access'], `${label} declares no access`).toBeDefined();
      if (o.op['x-access']!.signedLink) {
        expect(o.op.security, label).toEqual([{ calendarLink: [] }]);
        continue;
      }
      const expected = policy(o.op.operationId);
      expect(expected, `${label} is not in this test's policy table: add it (and to the README's role table)`).toBeDefined();
      expect([...o.op['x-access']!.roles].sort(), label).toEqual([...expected!].sort());
    }
  });
});

describe('clinic isolation', () => {
  it("answers 404 to every role on every route of a clinic not in its token, exactly as for a clinic that does not exist", async () => {
    let n = 0;
    for (const o of protectedOps()) {
      if (!o.route.includes('{id}')) continue;
      for (const role of ROLES) {
        const headers = { ...tokenOf(role, [A]), ...headersOf(o) };
        const other = await call(api.url, o.method, pathOf(o, ids.B), bodyOf(o, ids.B, n++), headers);
        const none = await call(api.url, o.method, pathOf(o, ids.B, { id: NOWHERE }), bodyOf(o, ids.B, n++), headers);
        const label = `${role} ${o.method} ${pathOf(o, ids.B)} → ${other.status} ${other.text.slice(0, 200)}`;
        expect(other.status, label).toBe(404);
        expect(none.status, label).toBe(404);
        const { requestId: _r1, ...otherBody } = other.body;
        const { requestId: _r2, ...noneBody } = none.body;
        expect(otherBody, label).toEqual({ error: 'not-found', message: `clinic '${B}' not found` });
        expect({ ...noneBody, message: noneBody.message.replace(NOWHERE, B) }, label).toEqual(otherBody);
      }
    }
    // The same token reaches its own clinic (the 404s above are not a broken token).
    expect((await call(api.url, 'GET', `/clinics/${A}`, undefined, tokenOf('front-desk', [A]))).status).toBe(200);
  }, 120_000);

  it("answers 404 for another clinic's appointment, hold, request, set-up item or job under one's own clinic", async () => {
    const version = String((await call(api.url, 'GET', `/clinics/${A}`, undefined, admin(A))).body.version);
    let checked = 0;
    for (const o of protectedOps()) {
      const objectParam = o.op.parameters?.find((p) => p.in === 'path' && p.name !== 'id');
      // A PUT names a new object by its id: with B's id it creates one in A, which is right.
      if (!objectParam || o.method === 'PUT') continue;
      const path = pathOf(o, { ...ids.B, clinic: A });
      const headers = { ...admin(A), ...(headersOf(o)['if-match'] ? { 'if-match': `"${o.route.includes('/appointments/') ? 1 : version}"` } : {}) };
      const answer = await call(api.url, o.method, path, bodyOf(o, ids.A, 100 + checked), headers);
      expect(answer.status, `${o.method} ${path} → ${answer.status} ${answer.text.slice(0, 200)}`).toBe(404);
      expect(answer.body.error).toBe('not-found');
      checked++;
      // B's reads of the same ids find them: the ids are real, they are just not A's.
      if (o.method === 'GET' && !o.route.endsWith('/events')) {
        const own = await call(api.url, 'GET', pathOf(o, ids.B), undefined, admin(B));
        expect(own.status, `${pathOf(o, ids.B)} → ${own.text.slice(0, 200)}`).toBe(200);
      }
    }
    expect(checked).toBeGreaterThan(20);
    // Nothing of B's changed.
    const bDay = await listDay(t, B, DAY);
    expect(bDay.appointments.map((a) => [a.id, a.status]).sort()).toEqual([['a1', 'booked'], ['a2', 'booked'], ['a3', 'booked'], ['a4', 'booked']]);
  }, 120_000);
});

describe('roles', () => {
  it('gives each role on each route what the policy says: allowed never 401/403, any other role 403', async () => {
    let n = 0;
    const seen = new Map<string, number>();
    for (const o of protectedOps()) {
      const allowed = policy(o.op.operationId)!;
      for (const role of ROLES) {
        const answer = await call(api.url, o.method, pathOf(o, ids.A), bodyOf(o, ids.A, n++), { ...tokenOf(role, [A]), ...headersOf(o) });
        const label = `${role} ${o.method} ${pathOf(o, ids.A)} → ${answer.status} ${answer.text.slice(0, 200)}`;
        expect(answer.status, label).toBeLessThan(500);
        if (allowed.includes(role)) expect([401, 403], label).not.toContain(answer.status);
        else {
          expect(answer.status, label).toBe(403);
          expect(answer.body.error, label).toBe('forbidden');
        }
        seen.set(role, (seen.get(role) ?? 0) + 1);
      }
    }
    expect([...seen.values()].every((count) => count > 40)).toBe(true);
  }, 180_000);

  it("lets a clinician start and finish their own appointments only, and see only their own agenda", async () => {
    const desk = as('desk-1', 'front-desk', [A]);
    const own = as('dr-zero', 'clinician', [A], 'dr-0');
    const booked = await ok(call(api.url, 'POST', `/clinics/${A}/appointments`, visit('p-clin-1', 'dr-0', '13:00'), desk), 201);
    const others = await ok(call(api.url, 'POST', `/clinics/${A}/appointments`, visit('p-clin-2', 'dr-1', '13:00'), desk), 201);
    const checkedIn = await ok(call(api.url, 'POST', `/clinics/${A}/appointments/${others.body.id}/check-in`, {}, { ...desk, 'if-match': '"1"' }), 200);
    expect(checkedIn.body.version).toBe(2);

    const foreign = await call(api.url, 'POST', `/clinics/${A}/appointments/${others.body.id}/start`, {}, { ...own, 'if-match': '"2"' });
    expect(foreign.status, foreign.text).toBe(403);
    expect(foreign.body.message).toMatch(/own appointments/);
    expect(foreign.text).not.toMatch(/p-clin-2/);
    // ...a stale If-Match does not make it show the other provider's appointment either (412 carries it).
    const staleForeign = await call(api.url, 'POST', `/clinics/${A}/appointments/${others.body.id}/start`, {}, { ...own, 'if-match': '"1"' });
    expect(staleForeign.status).toBe(403);
    expect(staleForeign.text).not.toMatch(/p-clin-2/);
    expect((await call(api.url, 'GET', `/clinics/${A}/appointments/${others.body.id}`, undefined, own)).status).toBe(403);
    expect((await call(api.url, 'GET', `/clinics/${A}/appointments/${others.body.id}`, undefined, desk)).body.status).toBe('checked-in');

    await ok(call(api.url, 'POST', `/clinics/${A}/appointments/${booked.body.id}/check-in`, {}, { ...desk, 'if-match': '"1"' }), 200);
    const started = await ok(call(api.url, 'POST', `/clinics/${A}/appointments/${booked.body.id}/start`, {}, { ...own, 'if-match': '"2"' }), 200);
    const finished = await ok(call(api.url, 'POST', `/clinics/${A}/appointments/${booked.body.id}/finish`, { reason: 'done' }, { ...own, 'if-match': `"${started.body.version}"` }), 200);
    expect(finished.body.history.map((h: { by: string }) => h.by)).toEqual(['desk-1', 'desk-1', 'dr-zero', 'dr-zero']);
    // The desk may not start a visit; nor may a clinician book.
    expect((await call(api.url, 'POST', `/clinics/${A}/appointments/${others.body.id}/start`, {}, { ...desk, 'if-match': '"2"' })).status).toBe(403);
    expect((await call(api.url, 'POST', `/clinics/${A}/appointments`, visit('p-clin-3', 'dr-0', '14:00'), own)).status).toBe(403);

    const agenda = await ok(call(api.url, 'GET', `/clinics/${A}/schedule?date=${DAY}&include=all`, undefined, own), 200);
    expect(agenda.body.groups.map((g: { resourceId: string }) => g.resourceId)).toEqual(['dr-0']);
    const shown = agenda.body.groups.flatMap((g: { appointments: { providerId: string }[] }) => g.appointments);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown.every((a: { providerId: string }) => a.providerId === 'dr-0')).toBe(true);
    expect(agenda.body.unassigned).toEqual([]);
    const byRoom = await ok(call(api.url, 'GET', `/clinics/${A}/schedule?date=${DAY}&by=room`, undefined, own), 200);
    expect(byRoom.text).not.toMatch(/p-clin-2/);
    // The desk sees the whole day.
    const whole = await ok(call(api.url, 'GET', `/clinics/${A}/schedule?date=${DAY}`, undefined, desk), 200);
    expect(whole.text).toMatch(/p-clin-2/);
  }, 60_000);

  it('refuses a front desk (and an integration) applying a plan, starting an optimization or changing the set-up', async () => {
    const job = await ok(call(api.url, 'POST', `/clinics/${A}/optimizations`, { date: DAY }, admin(A)), 202);
    for (const who of [as('desk-2', 'front-desk', [A]), as('ehr', 'integration', [A])]) {
      const apply = await call(api.url, 'POST', `/clinics/${A}/optimizations/${job.body.jobId}/apply`, {}, who);
      expect(apply.status, apply.text).toBe(403);
      expect(apply.body.message).toMatch(/may not apply an optimization's or a re-plan's plan/);
      expect((await call(api.url, 'POST', `/clinics/${A}/optimizations`, { date: DAY }, who)).status).toBe(403);
      expect((await call(api.url, 'PUT', `/clinics/${A}/providers/dr-9`, { specialties: ['gp'], availability: [] }, { ...who, 'if-match': '"1"' })).status).toBe(403);
    }
    // The admin's apply gets past access (the job has not run: 409 not-ready).
    const adminApply = await call(api.url, 'POST', `/clinics/${A}/optimizations/${job.body.jobId}/apply`, {}, admin(A));
    expect(adminApply.status, adminApply.text).toBe(409);
    expect(adminApply.body.error).toBe('not-ready');
  });
});

describe('public routes', () => {
  it("a reminder's links take no credential and give a caller's token nothing: the token in the path is all that counts", async () => {
    const links = operations().filter((o) => o.route.startsWith('/r/'));
    expect(links.map((o) => `${o.method} ${o.route}`).sort()).toEqual(['GET /r/{token}/cancel', 'GET /r/{token}/confirm', 'POST /r/{token}/cancel', 'POST /r/{token}/confirm']);
    for (const o of links)
      for (const headers of [{ authorization: null }, tokenOf('scheduler-admin', [A]), { authorization: 'Bearer not-a-jwt' }]) {
        const answer = await call(api.url, o.method, o.route.replace('{token}', 'bogus.token'), undefined, headers);
        expect(answer.status, `${o.method} ${o.route} → ${answer.text.slice(0, 200)}`).toBe(401);
        expect(answer.body.error).toBe('invalid-link');
      }
  });
});

describe('signed links (calendar feeds)', () => {
  it('answer 401 to every role without the key, and the key only for its own clinic and person', async () => {
    const links = operations().filter((o) => o.op['x-access']?.signedLink);
    expect(links.map((o) => o.op.operationId)).toEqual(['getBriefingFeed']);
    for (const o of links)
      for (const role of ROLES) {
        const answer = await call(api.url, o.method, pathOf(o, ids.A), undefined, tokenOf(role, [A]));
        expect(answer.status, `${role} ${o.route} → ${answer.text.slice(0, 200)}`).toBe(401);
      }
    const link = await ok(call(api.url, 'POST', `/clinics/${A}/briefings/dr-0/subscription`, undefined, admin(A)), 200);
    const key = new URL(link.body.url).searchParams.get('key')!;
    expect((await call(api.url, 'GET', `${link.body.path}&from=${DAY}`, undefined, { authorization: null })).status).toBe(200);
    for (const path of [`/clinics/${B}/briefings/dr-0.ics?key=${key}`, `/clinics/${A}/briefings/dr-1.ics?key=${key}`, `/clinics/${NOWHERE}/briefings/dr-0.ics?key=${key}`])
      expect((await call(api.url, 'GET', path, undefined, { authorization: null })).status, path).toBe(401);
  });
});

describe('fields no caller may set', () => {
  it('refuses status, version, history, who and the clinic in bodies, naming each field, and stores nothing', async () => {
    const before = (await listDay(t, A, DAY)).appointments.length;
    const cases: [string, string, unknown, string[]][] = [
      ['POST', `/clinics/${A}/appointments`, { ...visit('p-f1', 'dr-1', '16:30'), status: 'fulfilled', version: 7 }, ['$.body.status', '$.body.version']],
      ['POST', `/clinics/${A}/appointments`, { ...visit('p-f2', 'dr-1', '16:30'), history: [], actor: 'boss', clinicId: B }, ['$.body.history', '$.body.actor', '$.body.clinicId']],
      ['POST', `/clinics/${A}/holds`, { ...visit('p-f3', 'dr-1', '16:30'), caller: 'someone', hold: { expiresAt: at('23:00') } }, ['$.body.caller', '$.body.hold']],
      ['POST', `/clinics/${A}/appointments`, { request: { patientId: 'p-f4', serviceId: 'visit', urgency: 'routine', status: 'fulfilled' }, providerId: 'dr-1', roomId: 'room-1', start: at('16:30') }, ['$.body.request.status']],
      ['POST', `/clinics/${A}/requests`, { patientId: 'p-f5', serviceId: 'visit', urgency: 'routine', clinicId: B }, ['$.body.clinicId']],
      ['POST', `/clinics/${A}/booking-batches`, { items: [{ requestId: 'bb-f', patientId: 'p-f6', serviceId: 'visit', providerId: 'dr-1', roomId: 'room-1', start: at('16:30'), end: at('17:00'), status: 'fulfilled', id: 'a99' }] }, ['$.body.items[0].id', '$.body.items[0].status']],
      ['POST', `/clinics/${A}/booking-batches`, { actor: 'ehr', items: [] }, ['$.body.actor']],
      ['PUT', `/clinics/${A}`, { ...setupOf[A], version: 9 }, ['$.body.version']],
      ['POST', `/clinics/${A}/optimizations/optimize:${A}:${DAY}/apply`, { actor: 'boss' }, ['$.body.actor']],
    ];
    for (const [method, path, body, fields] of cases) {
      const answer = await call(api.url, method, path, body, { ...admin(A), 'if-match': '"1"' });
      const label = `${method} ${path} ${JSON.stringify(body).slice(0, 100)} → ${answer.text.slice(0, 300)}`;
      expect(answer.status, label).toBe(400);
      const paths = answer.body.problems.map((p: { path: string }) => p.path);
      for (const field of fields) expect(paths, label).toContain(field);
      for (const p of answer.body.problems.filter((x: { path: string }) => fields.includes(x.path))) expect(p.message, label).toMatch(/not accepted/);
    }
    expect((await listDay(t, A, DAY)).appointments.length).toBe(before);
    expect((await call(api.url, 'GET', `/clinics/${A}`, undefined, admin(A))).body.version).toBe(1);
  });
});

describe('a configured integration role', () => {
  it('does what MEDSCHED_INTEGRATION_ACTIONS lists and nothing else, and /docs says so', async () => {
    const other = await startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_INTEGRATION_ACTIONS: 'search, read-schedule' });
    try {
      const ehr = as('ehr-2', 'integration', [A]);
      const search = await call(other.url, 'POST', `/clinics/${A}/slots/search`, { request: { patientId: 'p-int', serviceId: 'visit', urgency: 'routine' } }, ehr);
      expect(search.status, search.text).toBe(200);
      expect((await call(other.url, 'GET', `/clinics/${A}/schedule?date=${DAY}`, undefined, ehr)).status).toBe(200);
      expect((await call(other.url, 'POST', `/clinics/${A}/requests`, { patientId: 'p-int', serviceId: 'visit', urgency: 'routine' }, ehr)).status).toBe(403);
      expect((await call(other.url, 'GET', `/clinics/${A}`, undefined, ehr)).status).toBe(403);
      const docs = (await call(other.url, 'GET', '/docs', undefined, { authorization: null })).body as OpenApi;
      expect(docs.paths['/clinics/{id}/slots/search']!.post!['x-access']!.roles).toContain('integration');
      expect(docs.paths['/clinics/{id}/requests']!.post!['x-access']!.roles).not.toContain('integration');
    } finally {
      await other.stop();
    }
  }, 60_000);
});
