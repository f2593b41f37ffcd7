// Clinic set-up over HTTP (whole document and each provider, room, equipment item, staff member and
// service), waiting requests, and the API's error envelope: every 4xx is JSON naming what is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-setup');
let api: ApiProcess;
const req = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(api.url, method, path, body, headers);

beforeAll(async () => {
  api = await startApi({ MEDSCHED_PREFIX: t.prefix, BODY_LIMIT: '65536' });
}, 60_000);
afterAll(async () => {
  await api.stop();
  await t.cleanup();
});

describe('the whole set-up', () => {
  it('creates (201), reads with its version as ETag, and replaces only with If-Match', async () => {
    const setup = serviceClinic('whole', 2);
    const created = await req('PUT', '/clinics/whole', setup);
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const read = await req('GET', '/clinics/whole');
    expect(read.status).toBe(200);
    expect(read.body.version).toBe(1);
    expect(read.body.setup.providers.map((p: { id: string }) => p.id)).toEqual(['dr-0', 'dr-1']);

    expect((await req('PUT', '/clinics/whole', setup)).status).toBe(428);
    const stale = await req('PUT', '/clinics/whole', setup, { 'if-match': '"5"' });
    expect(stale.status).toBe(412);
    expect(stale.body.current.version).toBe(1);
    const replaced = await req('PUT', '/clinics/whole', { ...setup, slotMinutes: 5 }, { 'if-match': '"1"' });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.headers.get('etag')).toBe('"2"');
  });

  it('names every problem by its JSON path in the body', async () => {
    const setup = serviceClinic('bad', 2);
    setup.providers[1]!.availability = [{ start: at('12:00'), end: at('11:00') }];
    (setup.services[0] as { specialty: string }).specialty = 'cardiology';
    setup.rooms[0]!.id = 'room-1';
    const answer = await req('PUT', '/clinics/bad', setup);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid-request');
    const paths = answer.body.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['$.body.providers[1].availability[0].end', '$.body.services[0].specialty', '$.body.rooms[1].id']),
    );
    expect(answer.body.problems.find((p: { path: string }) => p.path === '$.body.services[0].specialty').message).toMatch(/cardiology/);

    const wrongType = await req('PUT', '/clinics/bad', { ...serviceClinic('bad', 1), providers: [{ id: 7, specialties: 'gp' }] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['$.body.providers[0].id', '$.body.providers[0].specialties']));

    const overbooked = await req('PUT', '/clinics/bad', { ...serviceClinic('bad', 1), overbooking: { maxExpectedLoad: 2.5 } });
    expect(overbooked.status).toBe(400);
    expect(overbooked.body.problems).toEqual([expect.objectContaining({ path: '$.body.overbooking.maxExpectedLoad', message: expect.stringMatching(/at most 2/) })]);

    const otherClinic = await req('PUT', '/clinics/bad', serviceClinic('elsewhere', 1));
    expect(otherClinic.status).toBe(400);
    expect(otherClinic.body.problems).toEqual([expect.objectContaining({ path: '$.body.clinic.id' })]);
    expect((await req('GET', '/clinics/bad')).status).toBe(404);
  });

  it('refuses sizes over the caps with the path of the list', async () => {
    const setup = serviceClinic('big', 1);
    setup.providers[0]!.availability = Array.from({ length: 101 }, (_, i) => ({ start: `2030-01-${String(1 + (i % 28)).padStart(2, '0')}T0${i % 10}:00:00Z`, end: `2030-01-${String(1 + (i % 28)).padStart(2, '0')}T0${i % 10}:01:00Z` }));
    const answer = await req('PUT', '/clinics/big', setup);
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual(expect.arrayContaining([{ path: '$.body.providers[0].availability', message: 'at most 100 intervals (got 101)' }]));
  });
});

describe('one item at a time', () => {
  it('adds, replaces, reads and removes providers, rooms, equipment, staff and services with If-Match', async () => {
    expect((await req('PUT', '/clinics/items', serviceClinic('items', 1))).status).toBe(201);
    let version = 1;
    const items: [string, string, Record<string, unknown>][] = [
      ['providers', 'dr-new', { specialties: ['gp'], availability: [{ start: at('08:00'), end: at('12:00') }] }],
      ['rooms', 'room-new', { capabilities: ['exam'] }],
      ['equipment', 'us', { count: 2 }],
      ['staff', 'st-new', { skills: ['phlebotomy'] }],
      ['services', 'us-visit', { minutes: 30, specialty: 'gp', roomCapability: 'exam', equipment: [{ id: 'us' }] }],
    ];
    for (const [kind, id, body] of items) {
      const path = `/clinics/items/${kind}/${id}`;
      expect((await req('PUT', path, body)).status).toBe(428);
      const added = await req('PUT', path, body, { 'if-match': `"${version}"` });
      expect(added.status, added.text).toBe(201);
      expect(added.body.item.id).toBe(id);
      version = added.body.version;
      expect(added.headers.get('etag')).toBe(`"${version}"`);
      const replaced = await req('PUT', path, { ...body, name: `renamed ${id}` }, { 'if-match': `"${version}"` });
      expect(replaced.status, replaced.text).toBe(200);
      version = replaced.body.version;
      const read = await req('GET', path);
      expect(read.body.item.name).toBe(`renamed ${id}`);
    }
    // The service uses the equipment: removing it would leave the set-up invalid.
    const inUse = await req('DELETE', '/clinics/items/equipment/us', undefined, { 'if-match': `"${version}"` });
    expect(inUse.status).toBe(409);
    expect(inUse.body.problems[0].path).toBe('$.services[3].equipment[0].id');
    const removed = await req('DELETE', '/clinics/items/services/us-visit', undefined, { 'if-match': `"${version}"` });
    expect(removed.status, removed.text).toBe(200);
    version = removed.body.version;
    expect((await req('GET', '/clinics/items/services/us-visit')).status).toBe(404);
    expect((await req('DELETE', '/clinics/items/services/us-visit', undefined, { 'if-match': `"${version}"` })).status).toBe(404);
    const stale = await req('DELETE', '/clinics/items/equipment/us', undefined, { 'if-match': `"${version - 1}"` });
    expect(stale.status).toBe(412);
  });

  it("reports an item's problems at paths in its body, others at paths in the set-up", async () => {
    const current = await req('GET', '/clinics/items');
    const tag = current.headers.get('etag')!;
    const bad = await req('PUT', '/clinics/items/providers/dr-bad', { specialties: ['gp'], availability: [{ start: at('10:00'), end: at('09:00') }] }, { 'if-match': tag });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([expect.objectContaining({ path: '$.body.availability[0].end' })]);
    // dr-0 was the only provider with 'gp' besides dr-new: dropping the specialty from both breaks the gp services
    const mismatch = await req('PUT', '/clinics/items/providers/dr-0', { id: 'dr-9', specialties: ['gp'] }, { 'if-match': tag });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.problems[0].path).toBe('$.body.id');
  });

  it('will not remove a room a live appointment uses', async () => {
    expect((await req('PUT', '/clinics/busy', serviceClinic('busy', 2))).status).toBe(201);
    const booked = await req('POST', '/clinics/busy/appointments', {
      request: { patientId: 'p', serviceId: 'visit', urgency: 'routine' },
      providerId: 'dr-0',
      roomId: 'room-0',
      start: at('09:00'),
    });
    expect(booked.status, booked.text).toBe(201);
    const refused = await req('DELETE', '/clinics/busy/rooms/room-0', undefined, { 'if-match': '"1"' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('in-use');
    expect(refused.body.problems[0].message).toMatch(/room 'room-0' is used by 1 live appointment/);
  });
});

describe('waiting requests', () => {
  it('creates, lists by date, reads, replaces and deletes', async () => {
    expect((await req('PUT', '/clinics/reqs', serviceClinic('reqs', 1))).status).toBe(201);
    const created = await req('POST', '/clinics/reqs/requests', { patientId: 'p1', serviceId: 'visit', urgency: 'routine', earliestStart: at('09:00'), latestEnd: at('12:00') }, { 'idempotency-key': 'rq-1' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.request.id;
    const replay = await req('POST', '/clinics/reqs/requests', { patientId: 'p1', serviceId: 'visit', urgency: 'routine', earliestStart: at('09:00'), latestEnd: at('12:00') }, { 'idempotency-key': 'rq-1' });
    expect(replay.body.request.id).toBe(id);
    expect((await req('GET', `/clinics/reqs/requests?date=${DAY}`)).body.requests.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await req('GET', '/clinics/reqs/requests?date=2030-01-16')).body.requests).toEqual([]);
    const unknown = await req('POST', '/clinics/reqs/requests', { patientId: 'p1', serviceId: 'x-ray', urgency: 'routine' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.problems).toEqual([{ path: '$.body.serviceId', message: "unknown service 'x-ray'" }]);
    const replaced = await req('PUT', `/clinics/reqs/requests/${id}`, { patientId: 'p1', serviceId: 'visit', urgency: 'urgent' });
    expect(replaced.status).toBe(200);
    expect((await req('GET', `/clinics/reqs/requests/${id}`)).body.request.urgency).toBe('urgent');
    expect((await req('DELETE', `/clinics/reqs/requests/${id}`)).status).toBe(200);
    expect((await req('GET', `/clinics/reqs/requests/${id}`)).status).toBe(404);
  });
});

describe('the error envelope', () => {
  it('answers unknown routes, other media types, broken JSON and oversized bodies with JSON', async () => {
    const unknownRoute = await req('GET', '/nothing/here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body).toMatchObject({ error: 'not-found' });
    const text = await call(api.url, 'PUT', '/clinics/x', 'clinic', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ error: 'unsupported-media-type' });
    const broken = await call(api.url, 'PUT', '/clinics/x', '{"clinic":', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: 'invalid-json' });
    const huge = await call(api.url, 'PUT', '/clinics/x', { ...serviceClinic('x', 1), padding: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: 'body-too-large' });
    const badId = await req('GET', '/clinics/has%20space');
    expect(badId.status).toBe(400);
    expect(badId.body.problems[0].path).toBe('$.params.id');
  });

  it('gives every answer a request id, keeping the caller\'s own', async () => {
    const mine = await req('GET', '/health', undefined, { 'x-request-id': 'trace-123' });
    expect(mine.headers.get('x-request-id')).toBe('trace-123');
    const fresh = await req('GET', '/clinics/none');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.body.requestId).toBe(fresh.headers.get('x-request-id'));
  });

  it('publishes the OpenAPI document generated from the schemas', async () => {
    const doc = await req('GET', '/docs');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const ops = Object.values(doc.body.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ops).toEqual(expect.arrayContaining(['putClinic', 'searchSlots', 'createHold', 'book', 'cancelAppointment', 'rescheduleAppointment', 'getSchedule', 'ready']));
    const book = doc.body.paths['/clinics/{id}/appointments'].post;
    expect(Object.keys(book.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '422']));
  });
});
