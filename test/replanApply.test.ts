// What applying a re-plan writes besides the moved visits: a visit under way that an overrun makes
// longer keeps its provider and room until its new end (so nothing is booked into that time), and a
// visit a no-show event ended is recorded as a no-show, not as "left out of the plan".
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReplanEvent } from '../src/contract/replan.js';
import { toMs } from '../src/domain/time.js';
import { book, connectStore, listDay, putRequest, storeReady, type Store } from '../src/store/index.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { as } from './support/auth.js';
import { call } from './support/http.js';
import { LAKESHORE_DATE, seedLakeshoreDay } from './support/lakeshore.js';
import { testRedis } from './support/redis.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

const t = testRedis('replan-apply');
let api: ApiProcess;
let worker: WorkerProcess;
let store: Store;
let day: Awaited<ReturnType<typeof seedLakeshoreDay>>;

beforeAll(async () => {
  store = connectStore(t.url, t.prefix);
  await storeReady(store);
  [api, worker, day] = await Promise.all([
    startApi({ MEDSCHED_PREFIX: t.prefix, REQUEST_DEADLINE_MS: '40000' }),
    startWorker(t.prefix, 'w-replan-apply', 'replan'),
    seedLakeshoreDay(store, 'lake'),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  store?.redis.disconnect();
  await t.cleanup();
});

const at = (hhmm: string) => `${LAKESHORE_DATE}T${hhmm}:00-06:00`;

it('an overrun applied holds the visit until its new end (on the grid); a no-show event applied records a no-show', async () => {
  const overran = day.ids.get('appt-037')!; // Dr. Okafor, exam 7, 10:00-10:40, in progress
  const events: ReplanEvent[] = [{ type: 'overrun', appointmentId: overran, expectedEnd: at('10:52') }];
  const before = await listDay(store, 'lake', LAKESHORE_DATE);
  const answer = await call(api.url, 'POST', '/clinics/lake/disruptions?wait=true&waitMs=35000', { now: at('10:05'), events });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.plan.extended).toEqual([expect.objectContaining({ id: overran, status: 'in-progress' })]);
  expect(toMs(answer.body.plan.extended[0].end)).toBe(toMs(at('10:55'))); // 10:52 rounded up to the 5-minute grid

  const applied = await call(api.url, 'POST', `/clinics/lake/disruptions/${answer.body.jobId}/apply`, {}, as('charge-nurse', 'scheduler-admin', ['lake']));
  expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  const after = await listDay(store, 'lake', LAKESHORE_DATE);
  expect(after.version).toBe(before.version + 1);

  const visit = after.appointments.find((a) => a.id === overran)!;
  const was = before.appointments.find((a) => a.id === overran)!;
  expect(visit.status).toBe('in-progress');
  expect(toMs(visit.end)).toBe(toMs(at('10:55')));
  expect(visit.version).toBe(was.version + 1);
  expect({ ...visit, end: was.end, version: was.version, history: was.history }).toEqual(was);
  expect(visit.history.at(-1)).toMatchObject({ status: 'in-progress', by: 'charge-nurse', action: 'plan' });

  // Dr. Okafor is taken from 10:40 on now: a booking there meets the longer visit.
  const extra = { id: 'req-extra', patientId: 'pt-extra', serviceId: 'fm-followup', urgency: 'routine' as const, preferredProviderIds: [] };
  expect((await putRequest(store, 'lake', extra)).ok).toBe(true);
  const clash = await book(
    store,
    'lake',
    { requestId: extra.id, patientId: extra.patientId, serviceId: extra.serviceId, providerId: 'dr-okafor', roomId: 'exam-8', start: at('10:40'), end: at('11:00'), equipment: [], staff: [] },
    { actor: 'desk' },
  );
  expect(clash.ok).toBe(false);
  if (clash.ok || clash.reason !== 'conflict') throw new Error(`expected a conflict, got ${JSON.stringify(clash)}`);
  const okafor = clash.conflicts.find((c) => c.resource === 'provider:dr-okafor');
  expect(okafor, JSON.stringify(clash.conflicts)).toBeDefined();
  expect(toMs(okafor!.start)).toBeLessThanOrEqual(toMs(at('10:40')));

  // Later, a booked patient does not come: applying that re-plan records a no-show.
  const absent = after.appointments.find((a) => a.id === day.ids.get('appt-050'))!; // Dr. Okafor, booked at 11:30
  expect(absent.status).toBe('booked');
  const later = await call(api.url, 'POST', '/clinics/lake/disruptions?wait=true&waitMs=35000', {
    now: new Date(toMs(absent.start) + 60_000).toISOString(),
    events: [{ type: 'noshow', appointmentId: absent.id }],
  });
  expect(later.status, JSON.stringify(later.body)).toBe(200);
  expect(later.body.plan.ended).toEqual([expect.objectContaining({ id: absent.id, status: 'noshow' })]);
  const second = await call(api.url, 'POST', `/clinics/lake/disruptions/${later.body.jobId}/apply`, {}, as('front-desk-2', 'scheduler-admin', ['lake']));
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  const noShow = (await listDay(store, 'lake', LAKESHORE_DATE)).appointments.find((a) => a.id === absent.id)!;
  expect(noShow.status).toBe('noshow');
  expect(noShow.history.at(-1)).toMatchObject({ status: 'noshow', by: 'front-desk-2', action: 'plan' });
}, 85_000);
