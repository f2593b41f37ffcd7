// Redis killed with SIGKILL under a steady booking load through the API, then started again on the same
// files (AOF, appendfsync always): every booking the API acknowledged (201) is there afterwards, and the
// API answered 503 (never 5xx otherwise, never a hang) while Redis was away. Own redis-server, own API process.
import { afterAll, describe, expect, it } from 'vitest';
import { connectStore, listDay, storeReady } from '../src/store/index.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { ownRedis, type OwnRedis } from './support/ownRedis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const C = 'durable-api';
const PROVIDERS = 12;
const PREFIX = 'medsched-api-durability';
let redis: OwnRedis | undefined;
let api: ApiProcess | undefined;

afterAll(async () => {
  await api?.stop();
  await redis?.remove();
}, 30_000);

describe('bookings the API acknowledged survive kill -9 of Redis', () => {
  it('keeps every 201 across a Redis crash and restart under load', async () => {
    redis = await ownRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    api = await startApi({ REDIS_URL: redis.url, MEDSCHED_PREFIX: PREFIX, SHUTDOWN_GRACE_MS: '3000' });
    expect((await call(api.url, 'PUT', `/clinics/${C}`, serviceClinic(C, PROVIDERS))).status).toBe(201);

    // Every half hour of every provider with their own room: 216 bookings that never collide.
    const bodies = Array.from({ length: PROVIDERS }, (_, p) =>
      Array.from({ length: 18 }, (_, k) => {
        const minutes = 8 * 60 + 30 * k;
        const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        return { request: { patientId: `pt-${p}-${k}`, serviceId: 'visit', urgency: 'routine' }, providerId: `dr-${p}`, roomId: `room-${p}`, start: at(hhmm) };
      }),
    ).flat();
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let crashed = false;
    // A desk retries a booking that met Redis away (503) until it gets an answer: 201, or 409 when the
    // first try had in fact been stored before the answer was lost.
    const desk = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        let answer = await call(api!.url, 'POST', `/clinics/${C}/appointments`, body);
        for (let tries = 0; answer.status === 503 && tries < 200; tries++) {
          statuses.set(503, (statuses.get(503) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 50));
          answer = await call(api!.url, 'POST', `/clinics/${C}/appointments`, body);
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 201) acknowledged.push(answer.body.id as string);
        // Kill Redis once a third of the day is booked, while the other desks keep booking.
        if (!crashed && acknowledged.length >= bodies.length / 3) {
          crashed = true;
          await redis!.kill();
          await new Promise((r) => setTimeout(r, 300));
          await redis!.start();
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, desk));

    expect(crashed).toBe(true);
    // Only bookings, refusals for Redis being away, and (rarely) a retry of a booking that was stored.
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503 && s !== 409)).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    // Booking went on after the restart: nearly every visit is booked.
    expect(acknowledged.length + (statuses.get(409) ?? 0)).toBe(bodies.length);
    const store = connectStore(redis.url, PREFIX);
    try {
      await storeReady(store);
      const day = await listDay(store, C, DAY);
      const stored = new Set(day.appointments.map((a) => a.id));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      store.redis.disconnect();
    }
  }, 90_000);
});
