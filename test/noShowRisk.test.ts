// The no-show risk of a day over real HTTP and a real Redis: with a seeded history (a patient who never
// came, one who always did, others), each booked appointment of the date gets a probability with its
// factors, the never-came patient above the always-came one; checked-in and cancelled ones are left out;
// a clinic with little history gets its base rate and says so; bad input is a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';

const t = testRedis('no-show-risk');
const RICH = 'nsr-rich';
const POOR = 'nsr-poor';
const DESK = as('desk-nsr', 'front-desk', [RICH, POOR]);
const LOOKBACK = 30;
let api: ApiProcess;

const FIRST = 1; // 2030-01-01 … 2030-01-16 is history, 2030-01-17 (a Thursday) is the day asked about
const DAYS = 16;
const date = (day: number) => `2030-01-${String(day).padStart(2, '0')}`;
const at = (day: number, hhmm: string) => `${date(day)}T${hhmm}:00-06:00`;
const QUERY_DAY = FIRST + DAYS;

function setup(id: string) {
  const open = [{ start: at(1, '08:00'), end: at(QUERY_DAY, '17:00') }];
  return {
    clinic: { id, name: `Test clinic ${id}`, timezone: 'America/Chicago' },
    slotMinutes: 15,
    providers: ['dr-0', 'dr-1', 'dr-2'].map((pid) => ({ id: pid, specialties: ['gp'], availability: open })),
    rooms: ['room-0', 'room-1', 'room-2'].map((rid) => ({ id: rid, capabilities: ['exam'], availability: open })),
    services: [{ id: 'visit', minutes: 30, specialty: 'gp', roomCapability: 'exam' }],
  };
}

async function send(clinic: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return call(api.url, method, `/clinics/${clinic}${path}`, body, { ...DESK, ...headers });
}

/** Books a visit and takes it to `to` through the statuses on the way. */
async function visitTo(clinic: string, patientId: string, day: number, hhmm: string, provider: string, to: 'booked' | 'checked-in' | 'fulfilled' | 'noshow' | 'cancelled') {
  const booked = await send(clinic, 'POST', '/appointments', {
    request: { patientId, serviceId: 'visit', urgency: 'routine' },
    providerId: provider,
    roomId: provider.replace('dr', 'room'),
    start: at(day, hhmm),
  });
  expect(booked.status, booked.text).toBe(201);
  const steps = { booked: [], 'checked-in': ['check-in'], fulfilled: ['check-in', 'start', 'finish'], noshow: ['no-show'], cancelled: ['cancel'] }[to];
  let version = booked.body.version as number;
  for (const step of steps) {
    const r = await send(clinic, 'POST', `/appointments/${booked.body.id}/${step}`, { reason: 'test' }, { ...as('admin-nsr', 'scheduler-admin', [clinic]), 'if-match': `"${version}"` });
    expect(r.status, r.text).toBe(200);
    version = r.body.version;
  }
  return booked.body.id as string;
}

beforeAll(async () => {
  api = await startApi({ MEDSCHED_PREFIX: t.prefix, NO_SHOW_LOOKBACK_DAYS: String(LOOKBACK) });
  for (const clinic of [RICH, POOR]) {
    const r = await call(api.url, 'PUT', `/clinics/${clinic}`, setup(clinic), as('admin-nsr', 'scheduler-admin', [clinic]));
    expect(r.status, r.text).toBe(201);
  }
  // RICH: two finished visits a day for 16 days; p-flaky missed all four of theirs, p-steady came to all
  // four, the others missed one in four.
  const seeded: Promise<unknown>[] = [];
  for (let i = 0; i < DAYS; i++) {
    const day = FIRST + i;
    const first = i % 4 === 0 ? 'p-flaky' : i % 4 === 1 ? 'p-steady' : `p-o${i}`;
    const firstTo = first === 'p-flaky' ? 'noshow' : first === 'p-steady' ? 'fulfilled' : i % 4 === 2 ? 'noshow' : 'fulfilled';
    seeded.push(visitTo(RICH, first, day, '09:00', 'dr-0', firstTo), visitTo(RICH, `p-x${i}`, day, '14:00', 'dr-1', i % 3 === 0 ? 'noshow' : 'fulfilled'));
  }
  // POOR: two finished visits only.
  seeded.push(visitTo(POOR, 'p-a', 10, '09:00', 'dr-0', 'noshow'), visitTo(POOR, 'p-b', 11, '09:00', 'dr-0', 'fulfilled'));
  await Promise.all(seeded);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await t.cleanup();
});

describe('GET /clinics/{id}/no-show-risk', () => {
  it("estimates each booked appointment of the date with its factors, from the clinic's history", async () => {
    const ids = {
      flaky: await visitTo(RICH, 'p-flaky', QUERY_DAY, '09:00', 'dr-0', 'booked'),
      steady: await visitTo(RICH, 'p-steady', QUERY_DAY, '09:00', 'dr-1', 'booked'),
      newcomer: await visitTo(RICH, 'p-new', QUERY_DAY, '16:30', 'dr-2', 'booked'),
    };
    await visitTo(RICH, 'p-came', QUERY_DAY, '11:00', 'dr-0', 'checked-in');
    await visitTo(RICH, 'p-gone', QUERY_DAY, '12:00', 'dr-0', 'cancelled');

    const r = await send(RICH, 'GET', `/no-show-risk?date=${date(QUERY_DAY)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.model).toMatchObject({ kind: 'fitted', finished: 2 * DAYS, lookBackDays: LOOKBACK, from: '2029-12-18' });
    expect(r.body.model.noShows).toBe(4 + 4 + 6); // p-flaky's, the others' at 09:00 (i = 2, 6, 10, 14), the afternoon's (i = 0, 3, …, 15)
    const byId = new Map<string, any>(r.body.appointments.map((a: any) => [a.appointmentId, a]));
    expect([...byId.keys()].sort()).toEqual(Object.values(ids).sort());
    for (const a of byId.values()) {
      expect(a.probability).toBeGreaterThanOrEqual(0);
      expect(a.probability).toBeLessThanOrEqual(1);
      expect(a.factors.map((f: any) => f.factor)).toEqual(['lead-time', 'patient-history', 'time-of-day', 'weekday']);
      expect(Object.keys(a).sort()).toEqual(['appointmentId', 'base', 'factors', 'patientId', 'probability', 'providerId', 'serviceId', 'start']);
    }
    const flaky = byId.get(ids.flaky);
    const steady = byId.get(ids.steady);
    expect(flaky.patientId).toBe('p-flaky');
    expect(flaky.probability).toBeGreaterThan(steady.probability);
    const history = (a: any) => a.factors.find((f: any) => f.factor === 'patient-history');
    expect(history(flaky).text).toBe("4 of the patient's 4 earlier finished visits were no-shows");
    expect(history(flaky).effect).toBeGreaterThan(0);
    expect(history(steady).text).toBe("0 of the patient's 4 earlier finished visits were no-shows");
    expect(history(byId.get(ids.newcomer)).text).toBe('no earlier finished visits of the patient');
    expect(byId.get(ids.newcomer).factors.find((f: any) => f.factor === 'weekday').text).toBe('on a Thursday');
    expect(byId.get(ids.newcomer).start).toBe(at(QUERY_DAY, '16:30'));
  });

  it('gives the base rate with its prior when the history is too short, and says so', async () => {
    await visitTo(POOR, 'p-a', QUERY_DAY, '09:00', 'dr-0', 'booked');
    const r = await send(POOR, 'GET', `/no-show-risk?date=${date(QUERY_DAY)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.model).toMatchObject({ kind: 'base-rate', finished: 2, noShows: 1 });
    expect(r.body.model.note).toMatch(/base rate/);
    // (1 no-show + 0.1 × 20 pseudo-visits) / (2 + 20)
    expect(r.body.model.baseRate).toBeCloseTo(3 / 22, 4);
    expect(r.body.appointments).toHaveLength(1);
    expect(r.body.appointments[0]).toMatchObject({ patientId: 'p-a', probability: r.body.model.baseRate, factors: [] });
  });

  it('answers an empty day, a bad date with a 400 naming it, an unknown clinic with 404 and a clinician with 403', async () => {
    const empty = await send(RICH, 'GET', '/no-show-risk?date=2030-02-01');
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body.appointments).toEqual([]);
    const bad = await send(RICH, 'GET', '/no-show-risk?date=2030-02-30');
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.problems.map((p: any) => p.path).join(' ')).toMatch(/date/);
    const missing = await send(RICH, 'GET', '/no-show-risk');
    expect(missing.status, missing.text).toBe(400);
    const unknown = await call(api.url, 'GET', '/clinics/nsr-nowhere/no-show-risk?date=2030-01-17', undefined, as('admin-nsr', 'scheduler-admin', ['nsr-nowhere']));
    expect(unknown.status, unknown.text).toBe(404);
    const clinician = await call(api.url, 'GET', `/clinics/${RICH}/no-show-risk?date=2030-01-17`, undefined, as('dr', 'clinician', [RICH], 'dr-0'));
    expect(clinician.status, clinician.text).toBe(403);
  });
});
