// The booking API over real HTTP and a real Redis: slot search, holds (expiry, per-caller cap),
// bookings, Idempotency-Key (replay, mismatch, in flight), If-Match (428, 412), FHIR status changes
// with who (the authenticated caller) and why, reschedule, and the day's schedule by provider, room and staff.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyHash } from '../src/api/idempotency.js';
import { abandonIdempotent, beginIdempotent } from '../src/store/idempotency.js';
import { listDay } from '../src/store/day.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-booking');
let api: ApiProcess;
const C = 'bk';
const base = () => api.url;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) => call(base(), 'POST', path, body, headers);
/** A front desk of this clinic by name (the hold cap's caller, the history's "by"). */
const desk = (name: string) => as(name, 'front-desk', [C]);
const get = (path: string) => call(base(), 'GET', path);

beforeAll(async () => {
  api = await startApi({ MEDSCHED_PREFIX: t.prefix, MAX_HOLDS_PER_CALLER: '2', HOLD_MAX_SECONDS: '600' });
  const created = await call(base(), 'PUT', `/clinics/${C}`, serviceClinic(C, 4));
  expect(created.status, created.text).toBe(201);
}, 60_000);
afterAll(async () => {
  await api.stop();
  await t.cleanup();
});

const visitOf = (patient: string, provider: string, room: string, hhmm: string) => ({
  request: { patientId: patient, serviceId: 'visit', urgency: 'routine' },
  providerId: provider,
  roomId: room,
  start: at(hhmm),
});

describe('slot search, holds and bookings', () => {
  it('sees holds come and go at once, though it keeps the day between searches', async () => {
    const request = { id: 'rq-cache', patientId: 'p-cache', serviceId: 'draw', urgency: 'urgent', earliestStart: at('14:00'), latestEnd: at('14:30') };
    type Option = { providerId: string | null; roomId: string; start: string; staff: { staffId: string }[] };
    // Another patient searches (a request's own hold or booking counts as free for it: a reschedule).
    const other = { ...request, id: 'rq-cache-2', patientId: 'p-cache-2' };
    const search = async () => {
      const found = await post(`/clinics/${C}/slots/search`, { request: other, k: 20 });
      expect(found.status, found.text).toBe(200);
      return found.body.options as Option[];
    };
    // The held place: its room and its staff member at its start.
    const [best] = await search();
    expect(best).toBeDefined();
    const clashes = (options: Option[]) => options.filter((o) => o.start === best!.start && (o.roomId === best!.roomId || o.staff[0]?.staffId === best!.staff[0]?.staffId));
    // A hold takes the place at once (the cached day is stale the moment the hold is made)...
    const held = await post(`/clinics/${C}/holds`, { request, ...best }, desk('desk-cache'));
    expect(held.status, held.text).toBe(201);
    expect(clashes(await search())).toEqual([]);
    // ...its release gives it back at once...
    expect((await call(base(), 'DELETE', `/clinics/${C}/holds/${held.body.id}`)).status).toBe(200);
    expect((await search())[0]).toEqual(best);
    // ...and so does its expiry, which changes nothing in Redis until someone writes.
    const brief = await post(`/clinics/${C}/holds`, { request, ...best, ttlSeconds: 1 }, desk('desk-cache'));
    expect(brief.status, brief.text).toBe(201);
    expect(clashes(await search())).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await search())[0]).toEqual(best);
  });

  it('offers ranked options, holds and books the first, and no longer offers it', async () => {
    const request = { id: 'rq-search', patientId: 'p-search', serviceId: 'draw', urgency: 'urgent', earliestStart: at('10:00'), latestEnd: at('11:00') };
    const found = await post(`/clinics/${C}/slots/search`, { request, k: 3 });
    expect(found.status, found.text).toBe(200);
    expect(found.body.date).toBe(DAY);
    expect(found.body.options).toHaveLength(3);
    expect(found.body.options.map((o: { rank: number }) => o.rank)).toEqual([1, 2, 3]);
    const best = found.body.options[0];
    expect(best.start).toBe(at('10:00'));
    expect(best.staff).toHaveLength(1);

    const held = await post(`/clinics/${C}/holds`, { request, ...best }, desk('desk-search'));
    expect(held.status, held.text).toBe(201);
    expect(held.body.hold.caller).toBe('desk-search');
    const booked = await post(`/clinics/${C}/appointments`, { holdId: held.body.id, reason: 'patient agreed' }, desk('desk-search'));
    expect(booked.status, booked.text).toBe(201);
    expect(booked.headers.get('etag')).toBe(`"${booked.body.version}"`);
    expect(booked.body.hold).toBeUndefined();
    expect(booked.body.history).toEqual([expect.objectContaining({ status: 'booked', by: 'desk-search', reason: 'patient agreed' })]);

    const again = await post(`/clinics/${C}/slots/search`, { request: { ...request, id: 'rq-other', patientId: 'p-other' }, k: 20 });
    expect(again.status).toBe(200);
    const taken = again.body.options.filter(
      (o: { start: string; roomId: string; staff: { staffId: string }[] }) =>
        o.start === best.start && (o.roomId === best.roomId || o.staff[0]!.staffId === best.staff[0].staffId),
    );
    expect(taken).toEqual([]);
  });

  it('says why when there is no place', async () => {
    const found = await post(`/clinics/${C}/slots/search`, {
      request: { patientId: 'p-late', serviceId: 'visit', urgency: 'routine', earliestStart: at('17:30'), latestEnd: at('18:30') },
    });
    expect(found.status, found.text).toBe(200);
    expect(found.body.options).toEqual([]);
    expect(found.body.reasons.length).toBeGreaterThan(0);
    expect(found.body.reasons.join(' ')).toMatch(/no provider with specialty 'gp' is available for 30 min between 17:30 and 18:30/);
  });

  it('answers 409 naming the taken resource, and 422 naming what breaks the set-up', async () => {
    const first = await post(`/clinics/${C}/appointments`, visitOf('p-a', 'dr-1', 'room-1', '13:00'));
    expect(first.status, first.text).toBe(201);
    const clash = await post(`/clinics/${C}/appointments`, visitOf('p-b', 'dr-1', 'room-2', '13:15'));
    expect(clash.status).toBe(409);
    expect(clash.body.error).toBe('conflict');
    expect(clash.body.conflicts).toEqual([{ resource: 'provider:dr-1', start: at('13:15'), end: at('13:30') }]);
    const closed = await post(`/clinics/${C}/appointments`, visitOf('p-c', 'dr-2', 'room-2', '07:00'));
    expect(closed.status).toBe(422);
    expect(closed.body.problems.map((p: { path: string }) => p.path)).toContain('$.body.providerId');
    const unknown = await post(`/clinics/${C}/appointments`, visitOf('p-c', 'dr-nobody', 'room-2', '09:00'));
    expect(unknown.status).toBe(422);
    expect(unknown.text).toMatch(/dr-nobody/);
  });

  it('lets a hold expire: booking it is 410 and its place is free again', async () => {
    const held = await post(`/clinics/${C}/holds`, { ...visitOf('p-exp', 'dr-3', 'room-3', '15:00'), ttlSeconds: 1 }, desk('desk-exp'));
    expect(held.status, held.text).toBe(201);
    const blocked = await post(`/clinics/${C}/appointments`, visitOf('p-exp2', 'dr-3', 'room-0', '15:00'));
    expect(blocked.status).toBe(409);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await get(`/clinics/${C}/appointments/${held.body.id}`)).status).toBe(404);
    const late = await post(`/clinics/${C}/appointments`, { holdId: held.body.id });
    expect(late.status).toBe(410);
    expect(late.body.error).toBe('hold-expired');
    const now = await post(`/clinics/${C}/appointments`, visitOf('p-exp2', 'dr-3', 'room-0', '15:00'));
    expect(now.status, now.text).toBe(201);
  });

  it('caps live holds per caller (the authenticated subject, whatever its credential) and the hold length', async () => {
    const hold = (hhmm: string, caller: Record<string, string>, body: Record<string, unknown> = {}) =>
      post(`/clinics/${C}/holds`, { ...visitOf(`p-cap-${hhmm}`, 'dr-0', 'room-0', hhmm), ...body }, caller);
    expect((await hold('11:00', desk('desk-cap'))).status).toBe(201);
    // Another token of the same subject (here a scheduler-admin's) counts against the same cap.
    expect((await hold('11:30', as('desk-cap', 'scheduler-admin', [C]))).status).toBe(201);
    const third = await hold('12:00', desk('desk-cap'));
    expect(third.status).toBe(429);
    expect(third.body.error).toBe('too-many-holds');
    expect((await hold('12:00', desk('desk-other'))).status).toBe(201);
    const tooLong = await hold('12:30', desk('desk-long'), { ttlSeconds: 601 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.problems[0].path).toBe('$.body.ttlSeconds');
    // Naming another caller in the body (or X-Caller, which is ignored) changes nothing: a body field is refused.
    const named = await hold('12:30', { ...desk('desk-cap'), 'x-caller': 'desk-b' }, { caller: 'desk-b' });
    expect(named.status).toBe(400);
    expect(named.body.problems).toEqual([{ path: '$.body.caller', message: expect.stringMatching(/authenticated/) }]);
    expect((await hold('12:30', { ...desk('desk-cap'), 'x-caller': 'desk-b' })).status).toBe(429);
  });

  it('books a stored request by its id', async () => {
    const stored = await post(`/clinics/${C}/requests`, { id: 'rq-stored', patientId: 'p-stored', serviceId: 'visit', urgency: 'urgent' });
    expect(stored.status, stored.text).toBe(201);
    expect((await post(`/clinics/${C}/requests`, { id: 'rq-stored', patientId: 'p-x', serviceId: 'visit', urgency: 'urgent' })).status).toBe(409);
    const booked = await post(`/clinics/${C}/appointments`, { requestId: 'rq-stored', providerId: 'dr-2', roomId: 'room-2', start: at('16:00') });
    expect(booked.status, booked.text).toBe(201);
    expect(booked.body.patientId).toBe('p-stored');
    const missing = await post(`/clinics/${C}/appointments`, { requestId: 'rq-none', providerId: 'dr-2', roomId: 'room-2', start: at('16:30') });
    expect(missing.status).toBe(422);
    expect(missing.body.problems[0].path).toBe('$.body.requestId');
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same request, refuses another request (422)', async () => {
    const body = visitOf('p-idem', 'dr-0', 'room-1', '14:00');
    const first = await post(`/clinics/${C}/appointments`, body, { 'idempotency-key': 'idem-1' });
    expect(first.status, first.text).toBe(201);
    const replay = await post(`/clinics/${C}/appointments`, body, { 'idempotency-key': 'idem-1' });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await post(`/clinics/${C}/appointments`, { ...body, start: at('14:30') }, { 'idempotency-key': 'idem-1' });
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency-key-reused');
    // Another caller with the same key and body never gets this caller's answer.
    const stranger = await post(`/clinics/${C}/appointments`, body, { ...desk('desk-stranger'), 'idempotency-key': 'idem-1' });
    expect(stranger.status).toBe(422);
    const day = await listDay(t, C, DAY);
    expect(day.appointments.filter((a) => a.patientId === 'p-idem')).toHaveLength(1);
  });

  it('replays an error answer too (a retried conflicting booking stays 409)', async () => {
    const body = visitOf('p-idem-2', 'dr-0', 'room-2', '14:00'); // dr-0 is taken at 14:00 by the test above
    const first = await post(`/clinics/${C}/appointments`, body, { 'idempotency-key': 'idem-2' });
    expect(first.status).toBe(409);
    const replay = await post(`/clinics/${C}/appointments`, body, { 'idempotency-key': 'idem-2' });
    expect(replay.status).toBe(409);
    expect(replay.body.conflicts).toEqual(first.body.conflicts);
  });

  it('answers 409 while the same request is still running elsewhere, and runs it once that gives up', async () => {
    const held = await post(`/clinics/${C}/holds`, visitOf('p-flight', 'dr-3', 'room-3', '16:00'), desk('desk-flight'));
    expect(held.status, held.text).toBe(201);
    const body = { holdId: held.body.id };
    // Another API process has claimed this key for the same request and is still working on it.
    const hash = idempotencyHash('POST', `/clinics/${C}/appointments`, body, 'desk-flight');
    expect(await beginIdempotent(t, C, 'idem-flight', hash)).toEqual({ state: 'new' });
    const during = await post(`/clinics/${C}/appointments`, body, { ...desk('desk-flight'), 'idempotency-key': 'idem-flight' });
    expect(during.status).toBe(409);
    expect(during.body.error).toBe('idempotency-key-in-flight');
    await abandonIdempotent(t, C, 'idem-flight', hash); // it failed without an answer
    const after = await post(`/clinics/${C}/appointments`, body, { ...desk('desk-flight'), 'idempotency-key': 'idem-flight' });
    expect(after.status, after.text).toBe(201);
  });

  it('rejects a malformed key', async () => {
    const bad = await post(`/clinics/${C}/appointments`, visitOf('p-k', 'dr-0', 'room-0', '16:00'), { 'idempotency-key': 'has space' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].path).toBe('$.headers.idempotency-key');
  });
});

describe('status changes with If-Match', () => {
  it('walks booked → checked-in → in-progress → fulfilled, recording who (the caller), when and why', async () => {
    const booked = await post(`/clinics/${C}/appointments`, visitOf('p-life', 'dr-2', 'room-3', '09:00'), desk('desk-life'));
    expect(booked.status, booked.text).toBe(201);
    expect(booked.body.history).toEqual([expect.objectContaining({ status: 'booked', by: 'desk-life' })]);
    const path = `/clinics/${C}/appointments/${booked.body.id}`;
    const missing = await post(`${path}/check-in`, {});
    expect(missing.status).toBe(428);
    const stale = await post(`${path}/check-in`, {}, { 'if-match': '"99"' });
    expect(stale.status).toBe(412);
    expect(stale.body.current.version).toBe(1);
    const badTag = await post(`${path}/check-in`, {}, { 'if-match': 'soon' });
    expect(badTag.status).toBe(400);
    // Who acts is the caller: a body naming someone is refused, naming the field, and nothing changes.
    const named = await post(`${path}/check-in`, { actor: 'someone-else' }, { 'if-match': '"1"' });
    expect(named.status).toBe(400);
    expect(named.body.problems).toEqual([{ path: '$.body.actor', message: expect.stringMatching(/authenticated caller/) }]);
    expect((await get(path)).body.version).toBe(1);

    // The desk checks the patient in; their clinician (dr-2's) starts and finishes the visit.
    const steps = [
      ['check-in', 'checked-in', desk('desk-kim')],
      ['start', 'in-progress', as('dr-lee', 'clinician', [C], 'dr-2')],
      ['finish', 'fulfilled', as('dr-lee', 'clinician', [C], 'dr-2')],
    ] as const;
    let etag = booked.headers.get('etag')!;
    for (const [action, status, who] of steps) {
      const changed = await post(`${path}/${action}`, { reason: `${action} at the desk` }, { ...who, 'if-match': etag });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body.status).toBe(status);
      etag = changed.headers.get('etag')!;
    }
    const read = await get(path);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(etag);
    expect(read.body.history.map((h: { status: string }) => h.status)).toEqual(['booked', 'checked-in', 'in-progress', 'fulfilled']);
    expect(read.body.history.map((h: { by: string }) => h.by)).toEqual(['desk-life', 'desk-kim', 'dr-lee', 'dr-lee']);
    expect(read.body.history[1]).toMatchObject({ by: 'desk-kim', reason: 'check-in at the desk' });
    expect(Date.parse(read.body.history[1].at)).not.toBeNaN();

    const refused = await post(`${path}/cancel`, {}, { 'if-match': etag });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'invalid-transition', from: 'fulfilled', to: 'cancelled' });
  });

  it('cancel and no-show free the place', async () => {
    for (const action of ['cancel', 'no-show']) {
      const hhmm = action === 'cancel' ? '10:00' : '10:30';
      const booked = await post(`/clinics/${C}/appointments`, visitOf(`p-${action}`, 'dr-0', 'room-2', hhmm));
      expect(booked.status, booked.text).toBe(201);
      expect((await post(`/clinics/${C}/appointments`, visitOf(`p-${action}-2`, 'dr-0', 'room-3', hhmm))).status).toBe(409);
      const freed = await post(`/clinics/${C}/appointments/${booked.body.id}/${action}`, { reason: 'patient called' }, { 'if-match': booked.headers.get('etag')! });
      expect(freed.status, freed.text).toBe(200);
      expect(freed.body.status).toBe(action === 'cancel' ? 'cancelled' : 'noshow');
      expect((await post(`/clinics/${C}/appointments`, visitOf(`p-${action}-2`, 'dr-0', 'room-3', hhmm))).status).toBe(201);
    }
  });

  it('reschedules in one step (never colliding with itself), with If-Match', async () => {
    const booked = await post(`/clinics/${C}/appointments`, visitOf('p-move', 'dr-1', 'room-0', '15:30'));
    expect(booked.status, booked.text).toBe(201);
    const path = `/clinics/${C}/appointments/${booked.body.id}/reschedule`;
    expect((await post(path, { start: at('15:45') })).status).toBe(428);
    const moved = await post(path, { reason: 'patient late', start: at('15:45') }, { 'if-match': booked.headers.get('etag')! });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ start: at('15:45'), end: at('16:15'), providerId: 'dr-1', roomId: 'room-0', version: 2 });
    const into = await post(path, { start: at('13:00') }, { 'if-match': '"2"' }); // dr-1 is booked 13:00-13:30
    expect(into.status).toBe(409);
    expect(into.body.conflicts[0].resource).toBe('provider:dr-1');
    const stale = await post(path, { start: at('16:30') }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
  });
});

describe('the schedule of a day', () => {
  it('groups the day by provider, room and staff, with the day version as ETag', async () => {
    const byProvider = await get(`/clinics/${C}/schedule?date=${DAY}&by=provider`);
    expect(byProvider.status, byProvider.text).toBe(200);
    expect(byProvider.headers.get('etag')).toBe(`"${byProvider.body.version}"`);
    expect(byProvider.body.groups.map((g: { resourceId: string }) => g.resourceId)).toEqual(['dr-0', 'dr-1', 'dr-2', 'dr-3']);
    const stored = await listDay(t, C, DAY);
    const active = stored.appointments.filter((a) => a.status !== 'cancelled' && a.status !== 'noshow');
    const shown = [...byProvider.body.groups.flatMap((g: { appointments: { id: string }[] }) => g.appointments), ...byProvider.body.unassigned];
    expect(shown.map((a: { id: string }) => a.id).sort()).toEqual(active.map((a) => a.id).sort());
    for (const g of byProvider.body.groups)
      for (const a of g.appointments) expect(a.providerId).toBe(g.resourceId);
    // draws need no provider: they are the unassigned ones
    expect(byProvider.body.unassigned.every((a: { providerId: null }) => a.providerId === null)).toBe(true);

    const byStaff = await get(`/clinics/${C}/schedule?date=${DAY}&by=staff`);
    expect(byStaff.status).toBe(200);
    for (const g of byStaff.body.groups)
      for (const a of g.appointments) expect(a.staff.map((s: { staffId: string }) => s.staffId)).toContain(g.resourceId);

    const byRoomAll = await get(`/clinics/${C}/schedule?date=${DAY}&by=room&include=all`);
    const all = byRoomAll.body.groups.flatMap((g: { appointments: unknown[] }) => g.appointments);
    expect(all.length).toBe(stored.appointments.length);
    expect(all.some((a: { status: string }) => a.status === 'cancelled')).toBe(true);

    const badDate = await get(`/clinics/${C}/schedule?date=2030-02-30`);
    expect(badDate.status).toBe(400);
    expect(badDate.body.problems[0].path).toBe('$.querystring.date');
    expect((await get(`/clinics/nowhere/schedule?date=${DAY}`)).status).toBe(404);
  });
});
