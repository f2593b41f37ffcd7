// Cancellations and billing over real HTTP, a real worker and a real Redis: a cancellation inside the
// late-cancellation window (judged on the store's clock against the start; the service's window, else the
// clinic's) and a no-show are flagged in the same step as the status change, with who, when, why, fee and
// policy, and appear in the day's billing export (JSON and CSV); one outside the window does not. A
// re-plan's cancellation events are flagged when its plan is applied. And the store's script reads the
// start's offset right (the time of day is judged in absolute time, whatever the zone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClinicSetup } from '../src/contract/clinicSetup.js';
import { localDateOf } from '../src/booking/dayGrid.js';
import { formatInZone, toMs } from '../src/domain/time.js';
import { listBilling } from '../src/store/billing.js';
import { book, changeStatus, connectStore, putSetup, storeReady, type Store } from '../src/store/index.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('api-cancellations');
let api: ApiProcess;
let worker: WorkerProcess;
let store: Store;

const HOUR = 3_600_000;
const SOON = 'cx-soon';
const PLAN = 'cx-plan';
const ZONE = 'Europe/Berlin';
const DESK = as('desk-cx', 'front-desk', [SOON, PLAN]);
const ADMIN = as('admin-cx', 'scheduler-admin', [SOON, PLAN]);

/** A clinic in Berlin open from yesterday to ten days from now, so visits can be booked a few hours ahead of the real clock. */
const nowHour = Math.floor(Date.now() / HOUR) * HOUR;
const soonSetup = {
  clinic: { id: SOON, timezone: ZONE, lateCancelHours: 24, lateCancelFee: 40 },
  slotMinutes: 15,
  providers: ['dr-0', 'dr-1'].map((id) => ({ id, specialties: ['gp'], availability: [{ start: new Date(nowHour - 24 * HOUR).toISOString(), end: new Date(nowHour + 240 * HOUR).toISOString() }] })),
  rooms: ['room-0', 'room-1'].map((id) => ({ id, capabilities: ['exam'], availability: [{ start: new Date(nowHour - 24 * HOUR).toISOString(), end: new Date(nowHour + 240 * HOUR).toISOString() }] })),
  services: [
    { id: 'visit', minutes: 30, specialty: 'gp', roomCapability: 'exam' },
    { id: 'scan', minutes: 30, specialty: 'gp', roomCapability: 'exam', lateCancelHours: 48, lateCancelFee: 150 },
  ],
};
/** `hours` from the top of this hour, in the clinic's zone (on the 15-minute grid). */
const inHours = (hours: number) => formatInZone(nowHour + hours * HOUR, ZONE);
const visit = (patientId: string, hours: number, serviceId = 'visit', providerId = 'dr-0') => ({
  request: { patientId, serviceId, urgency: 'routine' },
  providerId,
  roomId: providerId.replace('dr', 'room'),
  start: inHours(hours),
});

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  [api, worker] = await Promise.all([startApi({ MEDSCHED_PREFIX: t.prefix }), startWorker(t.prefix, 'w-cx', 'replan')]);
  const soon = await call(api.url, 'PUT', `/clinics/${SOON}`, soonSetup, ADMIN);
  expect(soon.status, soon.text).toBe(201);
  const plan = await call(api.url, 'PUT', `/clinics/${PLAN}`, { ...serviceClinic(PLAN, 2), clinic: { ...serviceClinic(PLAN, 2).clinic, lateCancelHours: 24, lateCancelFee: 25 } }, ADMIN);
  expect(plan.status, plan.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  store?.redis.disconnect();
  await t.cleanup();
});

async function booked(clinic: string, body: unknown): Promise<{ id: string; version: number; start: string; date: string }> {
  const r = await call(api.url, 'POST', `/clinics/${clinic}/appointments`, body, DESK);
  expect(r.status, r.text).toBe(201);
  return r.body;
}
const statusChange = (clinic: string, a: { id: string; version: number }, action: string, reason?: string) =>
  call(api.url, 'POST', `/clinics/${clinic}/appointments/${a.id}/${action}`, reason === undefined ? {} : { reason }, { ...DESK, 'if-match': `"${a.version}"` });

describe('late cancellations and no-shows', () => {
  it('flags a late cancellation and a no-show with who, when, why, fee and policy; an early cancellation is not flagged', async () => {
    const late = await booked(SOON, visit('p-late', 3));
    const early = await booked(SOON, visit('p-early', 30, 'visit', 'dr-1'));
    const scan = await booked(SOON, visit('p-scan', 30, 'scan'));
    const absent = await booked(SOON, visit('p-absent', 4, 'visit', 'dr-1'));
    const before = Date.now();
    for (const [a, action, reason] of [[late, 'cancel', 'feels better'], [early, 'cancel', 'travelling'], [scan, 'cancel', 'moved away'], [absent, 'no-show', undefined]] as const) {
      const r = await statusChange(SOON, a, action, reason);
      expect(r.status, r.text).toBe(200);
    }
    const after = Date.now();

    const dates = [...new Set([late, early, scan, absent].map((a) => a.date))];
    const flags = (await Promise.all(dates.map((d) => listBilling(store, SOON, d)))).flat();
    expect(flags.map((f) => f.appointmentId).sort()).toEqual([late.id, scan.id, absent.id].sort());
    const of = (id: string) => flags.find((f) => f.appointmentId === id)!;
    expect(of(late.id)).toMatchObject({
      kind: 'late-cancellation', patientId: 'p-late', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0', date: late.date, start: late.start,
      windowHours: 24, fee: 40, policy: { windowFrom: 'clinic', feeFrom: 'clinic' }, by: 'desk-cx', reason: 'feels better', source: 'status',
    });
    // When: the store's clock at the change; hours before: from then to the start.
    const lateAt = toMs(of(late.id).at);
    expect(lateAt).toBeGreaterThanOrEqual(before - 1000);
    expect(lateAt).toBeLessThanOrEqual(after + 1000);
    expect(of(late.id).hoursBefore).toBeCloseTo((toMs(late.start) - lateAt) / HOUR, 1);
    // The service's own window (48 h) and fee, though the clinic's 24 h would not have caught it.
    expect(of(scan.id)).toMatchObject({ kind: 'late-cancellation', windowHours: 48, fee: 150, policy: { windowFrom: 'service', feeFrom: 'service' } });
    expect(of(scan.id).hoursBefore).toBeGreaterThan(24);
    expect(of(absent.id)).toMatchObject({ kind: 'no-show', patientId: 'p-absent', fee: 40, by: 'desk-cx' });
    expect(of(absent.id).reason).toBeUndefined();
  }, 30_000);

  it('exports a day as JSON (times in the clinic zone, totals) and as CSV, to the scheduler-admin only', async () => {
    const a = await booked(SOON, visit('p-csv', 6));
    expect((await statusChange(SOON, a, 'cancel', 'sick, "flu"')).status).toBe(200);
    const json = await call(api.url, 'GET', `/clinics/${SOON}/billing?date=${a.date}`, undefined, ADMIN);
    expect(json.status, json.text).toBe(200);
    expect(json.body).toMatchObject({ clinicId: SOON, date: a.date, timezone: ZONE });
    const flag = json.body.flags.find((f: { appointmentId: string }) => f.appointmentId === a.id);
    expect(flag).toMatchObject({ patientId: 'p-csv', kind: 'late-cancellation', fee: 40, reason: 'sick, "flu"' });
    expect(flag.at).toMatch(/[+-]0[12]:00$/); // Berlin's offset, not Z
    expect(json.body.totals.fees).toBe(json.body.flags.reduce((n: number, f: { fee: number | null }) => n + (f.fee ?? 0), 0));
    expect(json.body.totals.lateCancellations + json.body.totals.noShows).toBe(json.body.flags.length);

    const csv = await call(api.url, 'GET', `/clinics/${SOON}/billing?date=${a.date}&format=csv`, undefined, ADMIN);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\n');
    expect(lines[0]).toBe('date,appointmentId,patientId,requestId,serviceId,providerId,roomId,start,end,kind,at,hoursBefore,windowHours,fee,windowFrom,feeFrom,by,reason,source');
    expect(lines.length).toBe(json.body.flags.length + 1);
    const row = lines.find((l) => l.includes(`,${a.id},p-csv,`))!;
    expect(row).toMatch(new RegExp(`^${a.date},${a.id},p-csv,r-[^,]+,visit,dr-0,room-0,${a.start.replace(/\+/g, '\\+')},`));
    expect(row).toMatch(/,late-cancellation,/);
    expect(row).toMatch(/,24,40,clinic,clinic,desk-cx,"sick, ""flu""",status$/);

    const desk = await call(api.url, 'GET', `/clinics/${SOON}/billing?date=${a.date}`, undefined, DESK);
    expect(desk.status).toBe(403);
    const bad = await call(api.url, 'GET', `/clinics/${SOON}/billing?date=tomorrow`, undefined, ADMIN);
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].path).toBe('$.querystring.date');
    const none = await call(api.url, 'GET', `/clinics/${SOON}/billing?date=2031-02-03`, undefined, ADMIN);
    expect(none.body).toMatchObject({ flags: [], totals: { lateCancellations: 0, noShows: 0, fees: 0 } });
  }, 30_000);

  it("flags a re-plan's late cancellation event when its plan is applied (by whoever applies it, when the event says)", async () => {
    const a = await booked(PLAN, { request: { patientId: 'p-plan', serviceId: 'visit', urgency: 'routine' }, providerId: 'dr-0', roomId: 'room-0', start: at('10:00') });
    const events = [{ type: 'cancellation', appointmentId: a.id, at: at('08:30') }];
    const posted = await call(api.url, 'POST', `/clinics/${PLAN}/disruptions?wait=true&waitMs=8000`, { now: at('08:30'), date: DAY, events }, ADMIN);
    expect(posted.status, posted.text).toBe(200);
    expect(posted.body.plan.result.billing).toEqual([expect.objectContaining({ appointmentId: a.id, fee: 25, windowHours: 24 })]);
    expect(await listBilling(store, PLAN, DAY)).toEqual([]); // not before it is applied
    const applied = await call(api.url, 'POST', `/clinics/${PLAN}/disruptions/${posted.body.jobId}/apply`, {}, as('charge-nurse', 'scheduler-admin', [PLAN]));
    expect(applied.status, applied.text).toBe(200);
    expect(await listBilling(store, PLAN, DAY)).toEqual([
      expect.objectContaining({ appointmentId: a.id, patientId: 'p-plan', kind: 'late-cancellation', at: at('08:30'), hoursBefore: 1.5, fee: 25, by: 'charge-nurse', source: 'replan' }),
    ]);
    const stored = await call(api.url, 'GET', `/clinics/${PLAN}/appointments/${a.id}`, undefined, ADMIN);
    expect(stored.body.status).toBe('cancelled');
  }, 30_000);
});

describe("the store's judgement", () => {
  it('reads the start in absolute time whatever its offset, and records nothing without a window', async () => {
    // The same instants written with three offsets: 1 h 59 before the start is late for a 2 h window, 2 h 01 is not.
    const clinic = 'cx-store';
    const setup = ClinicSetup.parse({ ...serviceClinic(clinic, 3), clinic: { id: clinic, timezone: 'America/Chicago', lateCancelHours: 2 } });
    expect((await putSetup(store, clinic, setup, null)).ok).toBe(true);
    const nowMs = Date.now();
    const cases = [
      { provider: 'dr-0', minutesAhead: 121, late: false },
      { provider: 'dr-1', minutesAhead: 119, late: true },
      { provider: 'dr-2', minutesAhead: 45, late: true },
    ];
    const date = DAY;
    for (const [i, c] of cases.entries()) {
      // Booked on the test day, then the store's clock is moved so that the start lies `minutesAhead` away.
      const start = at(`${String(9 + i).padStart(2, '0')}:00`);
      const a = await book(store, clinic, { requestId: `r${i}`, patientId: `p${i}`, serviceId: 'visit', providerId: c.provider, roomId: `room-${i}`, start, end: at(`${String(9 + i).padStart(2, '0')}:30`), equipment: [], staff: [] }, { actor: 't' });
      if (!a.ok) throw new Error(JSON.stringify(a));
      const shifted: Store = { ...store, clockOffsetMs: toMs(start) - c.minutesAhead * 60_000 - nowMs };
      const done = await changeStatus(shifted, clinic, a.appointment.id, a.appointment.version, { to: 'cancelled', actor: 't' });
      expect(done.ok).toBe(true);
    }
    const flagged = await listBilling(store, clinic, date);
    expect(flagged.map((f) => f.providerId).sort()).toEqual(['dr-1', 'dr-2']);
    expect(flagged.find((f) => f.providerId === 'dr-2')!.hoursBefore).toBeCloseTo(0.75, 1);
    expect(localDateOf(toMs(flagged[0]!.start), 'America/Chicago')).toBe(date);

    // A clinic without a window flags nothing, not even a no-show.
    const bare = 'cx-bare';
    expect((await putSetup(store, bare, ClinicSetup.parse(serviceClinic(bare, 1)), null)).ok).toBe(true);
    const other = await book(store, bare, { requestId: 'r9', patientId: 'p9', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0', start: at('15:00'), end: at('15:30'), equipment: [], staff: [] }, { actor: 't' });
    if (!other.ok) throw new Error('not booked');
    const noPolicy = await changeStatus({ ...store, clockOffsetMs: toMs(at('14:59')) - Date.now() }, bare, other.appointment.id, other.appointment.version, { to: 'noshow', actor: 't' });
    expect(noPolicy.ok).toBe(true);
    expect(await listBilling(store, bare, date)).toEqual([]);
  }, 30_000);
});
