// The waitlist over real HTTP and a real Redis: a cancelled visit's place is offered, as a hold nobody
// else can book, to the first waiting request it fits; declining passes it to the next in line, accepting
// books it; an entry with a booked appointment is moved earlier and the place it leaves is offered in
// turn; a no-show's place is offered too; urgency order when the clinic asks for it; and an offer that
// runs out passes on when the job timed at its expiry runs (the store's clock moved on, as the scripts allow in tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, storeReady, type Store } from '../src/store/index.js';
import { readWaitlist } from '../src/store/waitlist.js';
import { runWaitlistJob } from '../src/reminders/waitlistExpiry.js';
import { waitlistJobId } from '../src/reminders/reminderJobs.js';
import { remindersQueue } from '../src/reminders/reminderQueue.js';
import { Queue } from 'bullmq';
import { clinicTrail, readAuditPage } from '../src/store/auditLog.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-waitlist');
let api: ApiProcess;
let store: Store;
let reminders: Queue;

const C = 'wl';
const URGENT = 'wl-urgent';
const DESK = as('desk-wl', 'front-desk', [C, URGENT]);

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  api = await startApi({ MEDSCHED_PREFIX: t.prefix });
  reminders = remindersQueue(t.redis, t.prefix);
  // One provider and one room: every visit competes for the same place.
  const one = serviceClinic(C, 1);
  expect((await call(api.url, 'PUT', `/clinics/${C}`, one)).status).toBe(201);
  const urgent = serviceClinic(URGENT, 1);
  const put = await call(api.url, 'PUT', `/clinics/${URGENT}`, { ...urgent, clinic: { ...urgent.clinic, waitlist: { order: 'urgency', offerMinutes: 10 } } });
  expect(put.status, put.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await reminders?.close();
  await api?.stop();
  store?.redis.disconnect();
  await t.cleanup();
});

const post = (clinic: string, path: string, body: unknown = {}, headers = DESK) => call(api.url, 'POST', `/clinics/${clinic}${path}`, body, headers);
async function ok(reply: Promise<Reply>, status: number): Promise<Reply> {
  const r = await reply;
  expect(r.status, r.text).toBe(status);
  return r;
}
const request = (clinic: string, id: string, extra: Record<string, unknown> = {}) =>
  ok(post(clinic, '/requests', { id, patientId: `p-${id}`, serviceId: 'visit', urgency: 'routine', ...extra }), 201);
const bookAt = (clinic: string, patientId: string, hhmm: string) =>
  ok(post(clinic, '/appointments', { request: { patientId, serviceId: 'visit', urgency: 'routine' }, providerId: 'dr-0', roomId: 'room-0', start: at(hhmm) }), 201);
const cancel = (clinic: string, a: { id: string; version: number }, action = 'cancel') =>
  ok(post(clinic, `/appointments/${a.id}/${action}`, { reason: 'called in' }, { ...DESK, 'if-match': `"${a.version}"` }), 200);
const offers = async (clinic: string) => (await ok(call(api.url, 'GET', `/clinics/${clinic}/waitlist/offers`, undefined, DESK), 200)).body.offers;
const waitlist = async (clinic: string) => (await ok(call(api.url, 'GET', `/clinics/${clinic}/waitlist`, undefined, DESK), 200)).body.entries;

describe('a freed place reaches the waitlist', () => {
  it('offers a cancelled visit to the first fitting entry as a hold; declined, it goes to the next; accepted, it is booked', async () => {
    await request(C, 'rq-late', { earliestStart: at('13:00') }); // does not fit a morning place
    await request(C, 'rq-1', { latestEnd: at('12:00') });
    await request(C, 'rq-2');
    const late = await ok(post(C, '/waitlist', { requestId: 'rq-late' }), 201);
    const first = await ok(post(C, '/waitlist', { requestId: 'rq-1', earliestStart: at('09:00') }), 201);
    const second = await ok(post(C, '/waitlist', { requestId: 'rq-2' }), 201);
    expect(first.body.entry).toMatchObject({ requestId: 'rq-1', patientId: 'p-rq-1', by: 'desk-wl' });
    expect(first.body.entry.offer).toBeUndefined();
    expect(await offers(C)).toEqual([]);

    const visit = await bookAt(C, 'p-leaving', '10:00');
    await cancel(C, visit.body);
    const [offer, ...more] = await offers(C);
    expect(more).toEqual([]);
    expect(offer).toMatchObject({ entryId: first.body.entry.id, requestId: 'rq-1', patientId: 'p-rq-1', providerId: 'dr-0', roomId: 'room-0', start: at('10:00'), end: at('10:30') });
    expect(Date.parse(offer.expiresAt) - Date.parse(offer.offeredAt)).toBeGreaterThan(29 * 60_000); // the default 30 minutes

    // The hold keeps the place: nobody else books it meanwhile.
    const held = await ok(call(api.url, 'GET', `/clinics/${C}/appointments/${offer.holdId}`, undefined, DESK), 200);
    expect(held.body).toMatchObject({ requestId: 'rq-1', hold: { caller: 'waitlist' } });
    const intruder = await post(C, '/appointments', { request: { patientId: 'p-intruder', serviceId: 'visit', urgency: 'routine' }, providerId: 'dr-0', roomId: 'room-0', start: at('10:00') });
    expect(intruder.status).toBe(409);
    const direct = await post(C, '/appointments', { holdId: offer.holdId });
    expect(direct.status).toBe(409);
    expect(direct.body.error).toBe('waitlist-offer');

    // Declined: the same place, held now for the next in line; the first keeps waiting, without an offer.
    const declined = await ok(post(C, `/waitlist/${first.body.entry.id}/decline`), 200);
    expect(declined.body.entry.offer).toBeUndefined();
    const [next] = await offers(C);
    expect(next).toMatchObject({ entryId: second.body.entry.id, requestId: 'rq-2', start: at('10:00') });
    expect((await call(api.url, 'GET', `/clinics/${C}/appointments/${offer.holdId}`, undefined, DESK)).status).toBe(404);

    // Accepted: booked from the hold, with who and why; the entry leaves the waitlist.
    const accepted = await ok(post(C, `/waitlist/${second.body.entry.id}/accept`, { reason: 'patient said yes' }), 201);
    expect(accepted.body).toMatchObject({ id: next.holdId, requestId: 'rq-2', patientId: 'p-rq-2', status: 'booked', start: at('10:00'), providerId: 'dr-0' });
    expect(accepted.body.hold).toBeUndefined();
    expect(accepted.body.history).toEqual([expect.objectContaining({ status: 'booked', by: 'desk-wl', action: 'book', reason: expect.stringMatching(/^patient said yes; earlier place from the waitlist/) })]);
    expect((await waitlist(C)).map((e: { id: string }) => e.id)).toEqual([late.body.entry.id, first.body.entry.id]);
    expect(await offers(C)).toEqual([]);
    expect((await post(C, `/waitlist/${second.body.entry.id}/accept`)).status).toBe(404);
    expect((await post(C, `/waitlist/${first.body.entry.id}/accept`)).body.error).toBe('no-offer');

    // The audit trail names the patient a cancellation's offer was made for.
    const trail = (await readAuditPage(store, clinicTrail(t.prefix, C), '-', '+', 10_000)).map((e) => e.raw as { action: string; patientIds: string[] });
    expect(trail.find((e) => e.action === 'appointment.status' && e.patientIds.includes('p-leaving'))!.patientIds).toContain('p-rq-1');
  }, 30_000);

  it('moves a booked appointment earlier into a no-show\'s place, and offers the place it left in turn', async () => {
    // The entry that declined before is in the way for the 11:00 place: it leaves the waitlist.
    for (const e of await waitlist(C)) await ok(call(api.url, 'DELETE', `/clinics/${C}/waitlist/${e.id}`, undefined, DESK), 200);
    await request(C, 'rq-moving');
    const current = await ok(post(C, '/appointments', { requestId: 'rq-moving', providerId: 'dr-0', roomId: 'room-0', start: at('15:00') }), 201);
    // A request with a place must name it to join; then only earlier places are offered.
    expect((await post(C, '/waitlist', { requestId: 'rq-moving' })).status).toBe(409);
    const entry = await ok(post(C, '/waitlist', { requestId: 'rq-moving', appointmentId: current.body.id }), 201);
    await request(C, 'rq-after-that', { earliestStart: at('14:00') });
    const follower = await ok(post(C, '/waitlist', { requestId: 'rq-after-that' }), 201);

    const absent = await bookAt(C, 'p-absent', '11:00');
    await cancel(C, absent.body, 'no-show');
    const [offer] = await offers(C);
    expect(offer).toMatchObject({ entryId: entry.body.entry.id, appointmentId: current.body.id, start: at('11:00') });

    const moved = await ok(post(C, `/waitlist/${entry.body.entry.id}/accept`), 200);
    expect(moved.body).toMatchObject({ id: current.body.id, requestId: 'rq-moving', start: at('11:00'), end: at('11:30'), status: 'booked' });
    expect(moved.body.history.at(-1)).toMatchObject({ action: 'reschedule', by: 'desk-wl' });
    // The 15:00 place it left goes to the next entry it fits.
    const [passed] = await offers(C);
    expect(passed).toMatchObject({ entryId: follower.body.entry.id, requestId: 'rq-after-that', start: at('15:00') });
  }, 30_000);

  it('answers clearly when joining goes wrong', async () => {
    const unknown = await post(C, '/waitlist', { requestId: 'rq-nobody' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.problems).toEqual([{ path: '$.body.requestId', message: expect.stringMatching(/unknown request 'rq-nobody'/) }]);
    await request(C, 'rq-twice');
    await ok(post(C, '/waitlist', { requestId: 'rq-twice' }), 201);
    expect((await post(C, '/waitlist', { requestId: 'rq-twice' })).body.error).toBe('exists');
    const window = await post(C, '/waitlist', { requestId: 'rq-twice', earliestStart: at('12:00'), latestEnd: at('11:00') });
    expect(window.status).toBe(400);
    expect(window.body.problems[0].path).toBe('$.body.latestEnd');
    const wrongAppointment = await post(C, '/waitlist', { requestId: 'rq-2', appointmentId: 'a999' });
    expect(wrongAppointment.body.problems).toEqual([{ path: '$.body.appointmentId', message: expect.stringMatching(/has no appointment 'a999'/) }]);
    expect((await call(api.url, 'DELETE', `/clinics/${C}/waitlist/w-none`, undefined, DESK)).status).toBe(404);
    // Only the desk's roles accept or decline; a clinician may not even read the waitlist.
    expect((await call(api.url, 'GET', `/clinics/${C}/waitlist`, undefined, as('dr', 'clinician', [C], 'dr-0'))).status).toBe(403);
  }, 30_000);
});

describe('by urgency, and an offer that runs out', () => {
  it('offers the urgent request first, and the routine one once the offer has expired', async () => {
    await request(URGENT, 'rq-routine');
    await request(URGENT, 'rq-urgent', { urgency: 'urgent' });
    const routine = await ok(post(URGENT, '/waitlist', { requestId: 'rq-routine' }), 201);
    const urgent = await ok(post(URGENT, '/waitlist', { requestId: 'rq-urgent' }), 201);
    const visit = await bookAt(URGENT, 'p-gone', '09:00');
    await cancel(URGENT, visit.body);
    const [offer] = await offers(URGENT);
    expect(offer).toMatchObject({ entryId: urgent.body.entry.id, start: at('09:00') });
    expect(Date.parse(offer.expiresAt) - Date.parse(offer.offeredAt)).toBeLessThanOrEqual(10 * 60_000 + 1000); // offerMinutes: 10

    // The offer's expiry has a job waiting on the reminders queue: the place moves on without anyone reading.
    const expiry = await reminders.getJob(waitlistJobId(URGENT, Date.parse(offer.expiresAt)));
    expect(expiry?.name).toBe('waitlist');
    expect(await expiry!.getState()).toBe('delayed');
    expect(expiry!.timestamp + expiry!.opts.delay!).toBeGreaterThan(Date.parse(offer.expiresAt));

    // Eleven minutes later (on the store's clock) the job runs: the hold has lapsed and the place goes to the next in line.
    const later: Store = { ...store, clockOffsetMs: 11 * 60_000 };
    const ran = await runWaitlistJob(later, reminders, expiry!.data, Date.now() + 11 * 60_000);
    expect(ran).toEqual({ outcome: 'advanced', offers: 1 });
    const state = await readWaitlist(store, URGENT);
    expect(state.entries.get(urgent.body.entry.id)!.offer).toBeUndefined();
    const next = state.entries.get(routine.body.entry.id)!.offer;
    expect(next).toMatchObject({ start: at('09:00'), providerId: 'dr-0' });
    // ...whose own expiry is timed in turn.
    expect(await reminders.getJob(waitlistJobId(URGENT, Date.parse(next!.expiresAt)))).toBeDefined();
    // ...and the urgent entry's late accept finds no offer: nothing is booked for it.
    const lateAccept = await post(URGENT, `/waitlist/${urgent.body.entry.id}/accept`);
    expect(lateAccept.status).toBe(409);
    expect(lateAccept.body.error).toBe('no-offer');
  }, 30_000);
});
