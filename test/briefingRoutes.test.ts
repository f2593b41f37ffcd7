// Briefings over real HTTP against a real Redis, an API process and a re-plan worker: the JSON briefing
// and a clinician's view of it, the printable page, the calendar feed behind its signed, revocable link
// (parsed with ical.js and matched against the JSON agenda; the same UID and a higher SEQUENCE after the
// visit moves), and the notifications that reach exactly the people whose agenda a reschedule, a re-plan
// applied or a cancellation changed.
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicTrail, readAuditPage } from '../src/store/auditLog.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY } from './support/serviceClinic.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('briefing-routes');
const C = 'brf';
const OPEN = at('08:00');
const CLOSE = at('17:00');
const hours = [{ start: OPEN, end: CLOSE }];
const SETUP = {
  clinic: { id: C, name: 'Briefing <Clinic>', timezone: 'America/Chicago' },
  slotMinutes: 5,
  providers: [
    { id: 'dr-0', name: 'Dr. Zero', specialties: ['gp'], availability: hours },
    { id: 'dr-1', name: 'Dr. One', specialties: ['gp'], availability: hours },
  ],
  rooms: ['room-0', 'room-1', 'room-2'].map((id) => ({ id, name: `Exam ${id}`, capabilities: ['exam'], availability: hours })),
  staff: [
    { id: 'st-draw', name: 'Pat <phlebotomist>', skills: ['phlebotomy'], availability: hours },
    { id: 'st-ecg', name: 'Eve', skills: ['ecg'], availability: hours },
  ],
  equipment: [],
  services: [
    { id: 'physical', name: 'Annual physical', minutes: 40, specialty: 'gp', roomCapability: 'exam', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 30, minutes: 10 }], prep: ['lab requisition'] },
    { id: 'visit', name: 'Visit', minutes: 20, specialty: 'gp', roomCapability: 'exam' },
  ],
};

const ADMIN = as('brf-admin', 'scheduler-admin', [C]);
const DESK = as('brf-desk', 'front-desk', [C]);
const DR0 = as('brf-dr0', 'clinician', [C], 'dr-0');
let api: ApiProcess;
let worker: WorkerProcess;
let physical: { id: string; version: number };
let other: { id: string; version: number };

async function ok(reply: Promise<Reply>, status: number): Promise<Reply> {
  const r = await reply;
  expect(r.status, r.text.slice(0, 500)).toBe(status);
  return r;
}
const get = (path: string, headers: Record<string, string | null> = ADMIN) => call(api.url, 'GET', path, undefined, headers);

beforeAll(async () => {
  [api, worker] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix, REQUEST_DEADLINE_MS: '30000' }), startWorker(t.prefix, 'w-briefings', 'replan')]);
  await ok(call(api.url, 'PUT', `/clinics/${C}`, SETUP, ADMIN), 201);
  const book = (body: unknown) => ok(call(api.url, 'POST', `/clinics/${C}/appointments`, body, DESK), 201);
  physical = (
    await book({ request: { patientId: 'p-phys', serviceId: 'physical', urgency: 'routine' }, providerId: 'dr-0', roomId: 'room-0', start: at('09:00'), staff: [{ staffId: 'st-draw' }] })
  ).body;
  other = (await book({ request: { patientId: 'p-other', serviceId: 'visit', urgency: 'routine' }, providerId: 'dr-1', roomId: 'room-1', start: at('09:00') })).body;
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await t.cleanup();
}, 30_000);

type Notification = { personId: string; kind: string; cause: string; appointmentIds: string[]; date: string; sourceId: string };
async function notificationsSince(after: string | null): Promise<Notification[]> {
  const page = await ok(get(`/clinics/${C}/notifications?limit=1000${after ? `&after=${after}` : ''}`), 200);
  return page.body.notifications;
}
async function lastNotificationId(): Promise<string | null> {
  const page = await ok(get(`/clinics/${C}/notifications?limit=1000`), 200);
  return page.body.notifications.at(-1)?.id ?? null;
}

type FeedEvent = { uid: string; start: number; end: number; summary: string; sequence: number; description: string };
function feedEvents(text: string): FeedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return { uid: e.uid, start: e.startDate.toJSDate().getTime(), end: e.endDate.toJSDate().getTime(), summary: e.summary, sequence: e.sequence, description: e.description };
  });
}

describe('the JSON briefing', () => {
  it("gives the phlebotomist her draw inside Dr. Zero's physical, and each person their own agenda and prep", async () => {
    const all = await ok(get(`/clinics/${C}/briefings?date=${DAY}`), 200);
    expect(all.body).toMatchObject({ clinicId: C, date: DAY, timezone: 'America/Chicago' });
    const person = (id: string) => all.body.people.find((p: { personId: string }) => p.personId === id);
    expect(person('st-draw').tasks).toEqual([
      expect.objectContaining({ appointmentId: physical.id, startLocal: '09:30', endLocal: '09:40', skill: 'phlebotomy', roomId: 'room-0', providerId: 'dr-0', providerName: 'Dr. Zero', patientId: 'p-phys' }),
    ]);
    expect(person('st-draw').agenda).toEqual([]);
    expect(person('dr-0').agenda.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([physical.id]);
    expect(person('dr-0').prep.totals).toEqual([{ item: 'lab requisition', count: 1 }]);
    expect(person('dr-1').agenda.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([other.id]);
    expect(person('st-ecg')).toMatchObject({ agenda: [], tasks: [] });
    expect(all.body.prep.visits.map((v: { appointmentId: string }) => v.appointmentId)).toEqual([physical.id]);

    const one = await ok(get(`/clinics/${C}/briefings?date=${DAY}&person=st-draw`, DESK), 200);
    expect(one.body.people.map((p: { personId: string }) => p.personId)).toEqual(['st-draw']);
    expect(one.body.prep.visits.map((v: { appointmentId: string }) => v.appointmentId)).toEqual([physical.id]);
    const unknown = await get(`/clinics/${C}/briefings?date=${DAY}&person=nobody`);
    expect(unknown.status).toBe(404);
    const badDate = await get(`/clinics/${C}/briefings?date=2030-02-30`);
    expect(badDate.status).toBe(400);
    expect(badDate.body.problems[0].path).toBe('$.querystring.date');
  });

  it("gives a clinician their own briefing only", async () => {
    const own = await ok(get(`/clinics/${C}/briefings?date=${DAY}`, DR0), 200);
    expect(own.body.people.map((p: { personId: string }) => p.personId)).toEqual(['dr-0']);
    expect(own.text).not.toContain('p-other');
    for (const path of [`/clinics/${C}/briefings?date=${DAY}&person=dr-1`, `/clinics/${C}/briefings/st-draw.html?date=${DAY}`, `/clinics/${C}/notifications?person=dr-1`]) {
      const refused = await get(path, DR0);
      expect(refused.status, path).toBe(403);
      expect(refused.body.message).toMatch(/only .* their own/);
    }
    expect((await call(api.url, 'POST', `/clinics/${C}/briefings/dr-1/subscription`, undefined, DR0)).status).toBe(403);
    expect((await call(api.url, 'POST', `/clinics/${C}/briefings/dr-0/subscription`, undefined, DR0)).status).toBe(200);
  });
});

describe('the printable page', () => {
  it('is HTML with every name escaped, under a policy that allows its style block only', async () => {
    const page = await ok(get(`/clinics/${C}/briefings/st-draw.html?date=${DAY}`, DESK), 200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; frame-ancestors 'none'/);
    expect(page.text).toMatch(/^<!doctype html>/);
    expect(page.text).toContain('Pat &lt;phlebotomist&gt; (st-draw)');
    expect(page.text).toContain('Briefing &lt;Clinic&gt;');
    expect(page.text).not.toContain('<phlebotomist>');
    expect(page.text).toMatch(/<td>09:30–09:40<\/td><td>phlebotomy<\/td>/);
    const everyone = await ok(get(`/clinics/${C}/briefings?date=${DAY}&format=html`, DESK), 200);
    expect(everyone.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // One sheet per person with something on the day: dr-0, dr-1, st-draw.
    expect(everyone.text.match(/<section>/g)?.length).toBe(3);
  });
});

describe('the calendar feed', () => {
  it('answers its signed link only, parses with ical.js and matches the agenda; revoking ends every link issued before', async () => {
    const link = await ok(call(api.url, 'POST', `/clinics/${C}/briefings/st-draw/subscription`, undefined, DESK), 200);
    expect(link.body.url).toBe(`${api.url}${link.body.path}`);
    expect(link.body.webcalUrl).toBe(link.body.url.replace(/^http:/, 'webcal:'));
    const feedPath = `${link.body.path}&from=${DAY}&days=2`;
    // A calendar app sends no token: the key is all it has.
    const feed = await ok(get(feedPath, { authorization: null }), 200);
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const events = feedEvents(feed.text);
    const briefing = (await ok(get(`/clinics/${C}/briefings?date=${DAY}&person=st-draw`), 200)).body.people[0];
    expect(events.map((e) => [e.start, e.end])).toEqual(briefing.tasks.map((x: { start: string; end: string }) => [Date.parse(x.start), Date.parse(x.end)]));
    expect(events[0]!.summary).toBe('phlebotomy: Annual physical with Dr. Zero · Exam room-0');
    expect(events[0]!.sequence).toBe(physical.version);
    expect(events[0]!.description).toContain('Patient: p-phys');

    // No key, a wrong key, another person's key, another clinic: 401, saying nothing of the clinic.
    const key = new URL(link.body.url).searchParams.get('key')!;
    const ecgKey = new URL((await ok(call(api.url, 'POST', `/clinics/${C}/briefings/st-ecg/subscription`, undefined, DESK), 200)).body.url).searchParams.get('key')!;
    for (const path of [
      `/clinics/${C}/briefings/st-draw.ics`,
      `/clinics/${C}/briefings/st-draw.ics?key=${key.slice(0, -2)}xx`,
      `/clinics/${C}/briefings/st-draw.ics?key=${ecgKey}`,
      `/clinics/other-clinic/briefings/st-draw.ics?key=${key}`,
    ]) {
      const refused = await get(path, { authorization: null });
      expect(refused.status, path).toBe(401);
      expect(refused.body.error).toBe('unauthenticated');
      expect(refused.text).not.toContain(key);
    }
    // A bearer token is no key either.
    expect((await get(`/clinics/${C}/briefings/st-draw.ics`, ADMIN)).status).toBe(401);

    // The feed read is in the audit trail, as the link's holder, with the patients it showed.
    const deadline = Date.now() + 10_000;
    let entry: Record<string, unknown> | undefined;
    while (!entry && Date.now() < deadline) {
      const entries = await readAuditPage({ redis: t.redis, prefix: t.prefix }, clinicTrail(t.prefix, C), '-', '+', 10_000);
      entry = entries.map((e) => e.raw as Record<string, unknown>).find((e) => e.action === 'briefing.feed' && e.status === 200);
      if (!entry) await new Promise((r) => setTimeout(r, 100));
    }
    expect(entry).toMatchObject({ subject: 'calendar-link:st-draw', via: 'signed-link', role: 'none', patientIds: ['p-phys'] });

    await ok(call(api.url, 'DELETE', `/clinics/${C}/briefings/st-draw/subscription`, undefined, DESK), 200);
    expect((await get(feedPath, { authorization: null })).status).toBe(401);
    const renewed = await ok(call(api.url, 'POST', `/clinics/${C}/briefings/st-draw/subscription`, undefined, DESK), 200);
    expect(renewed.body.path).not.toBe(link.body.path);
    await ok(get(`${renewed.body.path}&from=${DAY}`, { authorization: null }), 200);
    // Revoking one person's links leaves the others'.
    await ok(get(`/clinics/${C}/briefings/st-ecg.ics?key=${ecgKey}&from=${DAY}`, { authorization: null }), 200);
  });
});

describe('changes reach the people affected', () => {
  it('a reschedule: the provider and the phlebotomist, whose feed event keeps its UID with a higher SEQUENCE', async () => {
    const link = (await ok(call(api.url, 'POST', `/clinics/${C}/briefings/st-draw/subscription`, undefined, DESK), 200)).body;
    const before = feedEvents((await ok(get(`${link.path}&from=${DAY}`, { authorization: null }), 200)).text);
    const mark = await lastNotificationId();
    const moved = await ok(call(api.url, 'POST', `/clinics/${C}/appointments/${physical.id}/reschedule`, { start: at('11:00') }, { ...DESK, 'if-match': `"${physical.version}"` }), 200);
    physical = moved.body;
    const notes = await notificationsSince(mark);
    expect(notes.map((n) => [n.kind, n.personId, n.cause, n.appointmentIds, n.date, n.sourceId])).toEqual([
      ['provider', 'dr-0', 'appointment.reschedule', [physical.id], DAY, physical.id],
      ['staff', 'st-draw', 'appointment.reschedule', [physical.id], DAY, physical.id],
    ]);
    const after = feedEvents((await ok(get(`${link.path}&from=${DAY}`, { authorization: null }), 200)).text);
    expect(after.map((e) => e.uid)).toEqual(before.map((e) => e.uid));
    expect(after[0]!.sequence).toBeGreaterThan(before[0]!.sequence);
    expect(after[0]!.start).toBe(Date.parse(at('11:30')));
    // Filtered by person: only theirs.
    const drawOnly = await ok(get(`/clinics/${C}/notifications?person=st-draw${mark ? `&after=${mark}` : ''}`), 200);
    expect(drawOnly.body.notifications.map((n: Notification) => n.personId)).toEqual(['st-draw']);
  });

  it('a re-plan applied that moves the visit with a staff task: a notification for that staff member and the provider, nobody else', async () => {
    const mark = await lastNotificationId();
    const posted = await ok(
      call(api.url, 'POST', `/clinics/${C}/disruptions?wait=true&waitMs=25000`, { now: at('08:00'), date: DAY, events: [{ type: 'delay', providerId: 'dr-0', availableFrom: at('11:15') }] }, ADMIN),
      200,
    );
    const change = posted.body.plan.diff ?? posted.body.plan;
    expect(JSON.stringify(change)).toContain(physical.id);
    const reported = posted.body.plan.result.notifications.staff.map((s: { kind: string; id: string }) => `${s.kind}:${s.id}`).sort();
    expect(reported).toEqual(['provider:dr-0', 'staff:st-draw']);
    await ok(call(api.url, 'POST', `/clinics/${C}/disruptions/${posted.body.jobId}/apply`, {}, ADMIN), 200);
    const notes = await notificationsSince(mark);
    expect(notes.map((n) => `${n.kind}:${n.personId}:${n.cause}:${n.appointmentIds.join(',')}`)).toEqual([
      `provider:dr-0:replan.apply:${physical.id}`,
      `staff:st-draw:replan.apply:${physical.id}`,
    ]);
    expect(notes.every((n) => n.sourceId === posted.body.jobId && n.date === DAY)).toBe(true);
    const now = (await ok(get(`/clinics/${C}/briefings?date=${DAY}&person=st-draw`), 200)).body.people[0].tasks[0];
    expect(now.startLocal).toBe('11:45');
  }, 40_000);

  it('a cancellation: everyone on the visit, and it leaves their briefing', async () => {
    const current = (await ok(get(`/clinics/${C}/appointments/${physical.id}`), 200)).body;
    const mark = await lastNotificationId();
    await ok(call(api.url, 'POST', `/clinics/${C}/appointments/${physical.id}/cancel`, { reason: 'patient called' }, { ...DESK, 'if-match': `"${current.version}"` }), 200);
    const notes = await notificationsSince(mark);
    expect(notes.map((n) => `${n.kind}:${n.personId}:${n.cause}`)).toEqual(['provider:dr-0:appointment.cancel', 'staff:st-draw:appointment.cancel']);
    const draw = (await ok(get(`/clinics/${C}/briefings?date=${DAY}&person=st-draw`), 200)).body.people[0];
    expect(draw.tasks).toEqual([]);
    // The clinician reads their own notifications.
    const mine = await ok(get(`/clinics/${C}/notifications`, DR0), 200);
    expect(mine.body.notifications.length).toBeGreaterThanOrEqual(3);
    expect(mine.body.notifications.every((n: Notification) => n.personId === 'dr-0')).toBe(true);
  });
});
