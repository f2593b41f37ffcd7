// Operating the API: configuration checked at start, /health and /ready (Redis, its eviction policy,
// worker heartbeats), a fast 503 (never a hang) while Redis is unreachable or gone, recovery when it is
// back, and a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startHeartbeat } from '../src/jobs/heartbeat.js';
import { freePort, startApi, type ApiProcess } from './support/apiProcess.js';
import { defaultAuthFor } from './support/auth.js';
import { call } from './support/http.js';
import { ownRedis, type OwnRedis } from './support/ownRedis.js';
import { repoRoot } from './support/paths.js';
import { testRedis } from './support/redis.js';
import { at, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-ops');
const started: ApiProcess[] = [];
const redises: OwnRedis[] = [];
afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  await Promise.all(redises.map((r) => r.remove()));
  await t.cleanup();
}, 40_000);

async function api(env: Record<string, string>, waitForRedis = true): Promise<ApiProcess> {
  const a = await startApi(env, { waitForRedis });
  started.push(a);
  return a;
}

/** The answer must come within 2 s (a hang or a slow timeout fails): the bound for Redis trouble. */
const within2s = (base: string, method: string, path: string, body?: unknown) =>
  fetch(base + path, {
    method,
    headers: { authorization: defaultAuthFor(path), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

const booking = (patient: string, hhmm: string) => ({
  request: { patientId: patient, serviceId: 'visit', urgency: 'routine' },
  providerId: 'dr-0',
  roomId: 'room-0',
  start: at(hhmm),
});

describe('configuration', () => {
  it('refuses to start on a bad variable, naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: 'eighty', LOG_LEVEL: 'chatty', REDIS_URL: 'http://nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid configuration/);
    expect(stderr).toMatch(/PORT: must be a whole number/);
    expect(stderr).toMatch(/LOG_LEVEL: must be one of/);
    expect(stderr).toMatch(/REDIS_URL: must be a redis:\/\//);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  }, 30_000);
});

describe('Redis unreachable', () => {
  it('answers /ready and a booking with 503 within 2 s when nothing listens at REDIS_URL; /health stays 200', async () => {
    const nowhere = await freePort();
    const a = await api({ MEDSCHED_PREFIX: t.prefix, REDIS_URL: `redis://127.0.0.1:${nowhere}`, SHUTDOWN_GRACE_MS: '2000' }, false);
    const ready = await within2s(a.url, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, redis: 'unreachable' });
    const booked = await within2s(a.url, 'POST', '/clinics/c/appointments', booking('p', '09:00'));
    expect(booked.status).toBe(503);
    expect(booked.body.error).toBe('store-unavailable');
    const read = await within2s(a.url, 'GET', '/clinics/c');
    expect(read.status).toBe(503);
    expect((await within2s(a.url, 'GET', '/health')).status).toBe(200);
  }, 60_000);

  it('answers 503 within 2 s once Redis dies, and serves again when it is back', async () => {
    const redis = await ownRedis();
    redises.push(redis);
    const a = await api({ MEDSCHED_PREFIX: 'ops', REDIS_URL: redis.url, SHUTDOWN_GRACE_MS: '2000' });
    expect((await call(a.url, 'PUT', '/clinics/gone', serviceClinic('gone', 1))).status).toBe(201);
    expect((await call(a.url, 'POST', '/clinics/gone/appointments', booking('p-1', '09:00'))).status).toBe(201);

    await redis.kill();
    const booked = await within2s(a.url, 'POST', '/clinics/gone/appointments', booking('p-2', '10:00'));
    expect(booked.status).toBe(503);
    expect(booked.body.error).toBe('store-unavailable');
    expect((await within2s(a.url, 'GET', '/ready')).status).toBe(503);

    await redis.start(); // empty: it keeps nothing on disk
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 404) {
      status = (await call(a.url, 'GET', '/clinics/gone')).status;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(404); // reachable again (the restarted Redis has no clinic)
  }, 60_000);

  it('answers 503 instead of hanging while Redis is connected but silent (stopped)', async () => {
    const redis = await ownRedis();
    redises.push(redis);
    const a = await api({ MEDSCHED_PREFIX: 'ops', REDIS_URL: redis.url, SHUTDOWN_GRACE_MS: '2000' });
    expect((await call(a.url, 'PUT', '/clinics/hung', serviceClinic('hung', 1))).status).toBe(201);
    redis.pause();
    try {
      // The store's command timeout decides how soon; the bound here only says "no hang".
      const answer = await fetch(`${a.url}/clinics/hung/appointments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: defaultAuthFor('/clinics/hung/appointments') },
        body: JSON.stringify(booking('p-h', '09:00')),
        signal: AbortSignal.timeout(10_000),
      });
      expect(answer.status).toBe(503);
      expect(((await answer.json()) as { error: string }).error).toBe('store-unavailable');
      expect((await fetch(`${a.url}/ready`, { signal: AbortSignal.timeout(10_000) })).status).toBe(503);
    } finally {
      redis.resume();
    }
  }, 60_000);
});

describe('/ready', () => {
  it('needs noeviction and, unless told otherwise, a live worker heartbeat', async () => {
    const lru = await ownRedis(['--maxmemory-policy', 'allkeys-lru']);
    redises.push(lru);
    const evicting = await api({ MEDSCHED_PREFIX: 'ops', REDIS_URL: lru.url });
    const notReady = await call(evicting.url, 'GET', '/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.maxmemoryPolicy).toBe('allkeys-lru');
    expect(notReady.body.problems.join(' ')).toMatch(/noeviction/);

    const a = await api({ MEDSCHED_PREFIX: t.prefix, READY_REQUIRE_WORKERS: 'true' });
    const noWorkers = await call(a.url, 'GET', '/ready');
    expect(noWorkers.status).toBe(503);
    expect(noWorkers.body).toMatchObject({ redis: 'ok', maxmemoryPolicy: 'noeviction', workers: 0 });
    const leave = startHeartbeat(t.redis, t.prefix, 15, { workerId: 'w-test', queues: [], pid: 1, startedAt: new Date().toISOString() }, (e) => {
      throw e;
    });
    try {
      let ready = await call(a.url, 'GET', '/ready');
      // The first beat is on its way.
      for (let k = 0; k < 50 && ready.status !== 200; k++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await call(a.url, 'GET', '/ready');
      }
      expect(ready.status, ready.text).toBe(200);
      expect(ready.body).toMatchObject({ ready: true, workers: 1, problems: [] });
    } finally {
      await leave();
    }
    const gone = await call(a.url, 'GET', '/ready');
    expect(gone.body).toMatchObject({ ready: false, workers: 0 });
  }, 60_000);
});

describe('shutdown', () => {
  it('exits 0 on SIGTERM after finishing what is in flight', async () => {
    const a = await startApi({ MEDSCHED_PREFIX: t.prefix });
    const inFlight = call(a.url, 'PUT', '/clinics/bye', serviceClinic('bye', 50));
    await new Promise((r) => setTimeout(r, 5));
    const code = await a.stop();
    expect(code).toBe(0);
    const answer = await inFlight.catch(() => null);
    // Either it was answered before the server closed, or it never reached it; never a broken answer.
    if (answer) expect([201, 503]).toContain(answer.status);
    expect(a.output()).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  }, 30_000);
});
