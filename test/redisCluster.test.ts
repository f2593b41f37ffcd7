// The service on a Redis Cluster of three masters of its own: the API and a worker process configured with
// REDIS_CLUSTER_NODES book through HTTP (a conflicting booking is 409), run an optimization to completion
// and apply it, re-plan and book a batch through their queues, and report ready with the worker seen and
// every master's eviction policy checked; a drained worker leaves; a master gone is a fast 503, not a hang.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/api/config.js';
import { liveWorkers } from '../src/jobs/heartbeat.js';
import { QUEUE_NAMES } from '../src/jobs/jobIds.js';
import { queuePrefix } from '../src/jobs/queues.js';
import { loadWorkerConfig } from '../src/jobs/workerConfig.js';
import { clinicKeys } from '../src/store/keys.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { defaultAuthFor } from './support/auth.js';
import { until } from './support/until.js';
import { call } from './support/http.js';
import { ownCluster, type OwnCluster } from './support/ownCluster.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';
import { startWorker, type WorkerProcess } from './support/workerProcess.js';

describe('configuration', () => {
  it('reads REDIS_CLUSTER_NODES as host:port pairs and names a malformed one', () => {
    const ok = loadWorkerConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b.internal:7001 ,[::1]:7002' });
    expect(ok.ok && ok.config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    const single = loadConfig({});
    expect(single.ok && single.config.redis).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    for (const bad of ['10.0.0.1:7000,redis-b', '10.0.0.1:70000', 'redis://10.0.0.1:7000', '10.0.0.1:7000,,10.0.0.2:7000']) {
      const refused = loadConfig({ REDIS_CLUSTER_NODES: bad });
      expect(refused.ok ? [] : refused.problems).toEqual([{ path: 'REDIS_CLUSTER_NODES', message: expect.stringMatching(/^must be host:port pairs separated by commas \(e\.g\. .+\); '.*' is not$/) }]);
    }
    const both = loadWorkerConfig({ REDIS_URL: 'redis://10.0.0.9:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' });
    expect(both.ok ? [] : both.problems).toEqual([{ path: 'REDIS_CLUSTER_NODES', message: expect.stringMatching(/either REDIS_URL .* or REDIS_CLUSTER_NODES .*not both/) }]);
  });
});

describe('on a Redis Cluster', () => {
  const PREFIX = 'medsched-cluster-test';
  let cluster: OwnCluster;
  let client: Cluster;
  let env: Record<string, string>;
  let api: ApiProcess;
  let worker: WorkerProcess;
  /** Two clinics whose keys live on different masters. */
  let clinics: { id: string; port: number }[];

  /** The master (its port) that holds a key's slot. */
  const portOf = async (key: string) => {
    const slot = Number(await client.cluster('KEYSLOT', key));
    return Number(client.slots[slot]![0]!.split(':').at(-1));
  };

  beforeAll(async () => {
    cluster = await ownCluster(3);
    client = new Cluster(cluster.nodes.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
    client.on('error', () => {});
    await client.ping(); // connected, and the slots known
    clinics = [];
    for (let i = 0; clinics.length < 2; i++) {
      const id = `clinic-${i}`;
      const port = await portOf(clinicKeys(PREFIX, id).setup);
      if (!clinics.some((c) => c.port === port)) clinics.push({ id, port });
    }
    // REDIS_URL empty: the cluster is the only Redis named.
    env = { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes, MEDSCHED_PREFIX: PREFIX };
    [api, worker] = await Promise.all([
      startApi({ ...env, READY_REQUIRE_WORKERS: 'true', SHUTDOWN_GRACE_MS: '3000' }),
      startWorker(PREFIX, 'w-cluster', 'optimize,replan,bookings', env),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop('SIGKILL')]);
    client?.disconnect();
    await cluster?.remove();
  }, 40_000);

  const booking = (patient: string, hhmm: string, room = 'room-0') => ({
    request: { patientId: patient, serviceId: 'visit', urgency: 'routine' },
    providerId: 'dr-0',
    roomId: room,
    start: at(hhmm),
  });

  const processes = () => `worker:\n${worker.output()}\napi:\n${api.output()}`;

  it('sets up clinics on different masters and books through HTTP: a conflicting booking is 409, a repeated key replays', async () => {
    for (const { id } of clinics) expect((await call(api.url, 'PUT', `/clinics/${id}`, serviceClinic(id, 2))).status).toBe(201);
    const [a, b] = clinics.map((c) => c.id) as [string, string];
    const first = await call(api.url, 'POST', `/clinics/${a}/appointments`, booking('p-1', '09:00'), { 'idempotency-key': 'k-1' });
    expect(first.status, first.text).toBe(201);
    const conflict = await call(api.url, 'POST', `/clinics/${a}/appointments`, booking('p-2', '09:15', 'room-1'));
    expect(conflict.status, conflict.text).toBe(409);
    expect(conflict.body.conflicts).toContainEqual(expect.objectContaining({ resource: 'provider:dr-0' }));
    const replay = await call(api.url, 'POST', `/clinics/${a}/appointments`, booking('p-1', '09:00'), { 'idempotency-key': 'k-1' });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    // The other clinic, on another master, books the same provider and time: clinics do not collide.
    expect((await call(api.url, 'POST', `/clinics/${b}/appointments`, booking('p-9', '09:00'))).status).toBe(201);

    const schedule = await call(api.url, 'GET', `/clinics/${a}/schedule?date=${DAY}&by=provider`);
    expect(schedule.status).toBe(200);
    expect(JSON.stringify(schedule.body)).toContain(first.body.id);
    expect(JSON.stringify(schedule.body)).not.toContain('p-2');
  }, 60_000);

  it('runs an optimization to completion (a repeat request gets the same job) and applies its plan once', async () => {
    const id = clinics[0]!.id;
    for (let i = 0; i < 6; i++) {
      const request = { patientId: `w-${i}`, serviceId: 'visit', urgency: i < 2 ? 'urgent' : 'routine', earliestStart: at('08:00'), latestEnd: at('12:00') };
      expect((await call(api.url, 'POST', `/clinics/${id}/requests`, request)).status).toBe(201);
    }
    const [started, repeat] = await Promise.all([
      call(api.url, 'POST', `/clinics/${id}/optimizations`, { date: DAY }),
      call(api.url, 'POST', `/clinics/${id}/optimizations`, { date: DAY }),
    ]);
    expect([started.status, repeat.status], started.text).toEqual([202, 202]);
    const jobId: string = started.body.jobId;
    expect(jobId).toBe(`optimize:${id}:${DAY}`);
    expect(repeat.body.jobId).toBe(jobId);
    expect([started.body.repeat, repeat.body.repeat].sort()).toEqual([false, true]);

    const view = await until(`${jobId} to complete`, async () => {
      const r = await call(api.url, 'GET', `/clinics/${id}/optimizations/${jobId}`);
      expect(r.status).toBe(200);
      expect(r.body.state).not.toBe('failed');
      return r.body.state === 'completed' ? r.body : undefined;
    }, { timeoutMs: 60_000, context: processes });
    expect(view.plan.stale).toBe(false);
    expect(view.plan.diff.added.length).toBe(6); // every waiting request fits the morning
    const applied = await call(api.url, 'POST', `/clinics/${id}/optimizations/${jobId}/apply`, { planId: view.plan.planId });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body.version).toBe(view.plan.readVersion + 1);
    const again = await call(api.url, 'POST', `/clinics/${id}/optimizations/${jobId}/apply`, {});
    expect(again.status).toBe(409);
    const day = await call(api.url, 'GET', `/clinics/${id}/schedule?date=${DAY}&by=provider`);
    expect(day.headers.get('etag')).toBe(`"${applied.body.version}"`);
  }, 90_000);

  it('re-plans a disruption (?wait=true) and books a batch, each through its queue', async () => {
    const id = clinics[0]!.id;
    const replan = await call(api.url, 'POST', `/clinics/${id}/disruptions?wait=true&waitMs=40000`, {
      date: DAY,
      now: at('08:00'),
      events: [{ type: 'delay', providerId: 'dr-0', availableFrom: at('10:00') }],
    });
    expect(replan.status, replan.text).toBe(200);
    expect(replan.body).toMatchObject({ jobId: `replan:${id}:${DAY}.1`, state: 'completed', kind: 'replan' });
    expect(replan.body.plan.stale).toBe(false);

    const items = [0, 1].map((i) => ({ requestId: `b-${i}`, patientId: `bp-${i}`, serviceId: 'visit', providerId: 'dr-1', roomId: 'room-1', start: at('15:00'), end: at('15:30') }));
    const posted = await call(api.url, 'POST', `/clinics/${id}/booking-batches`, { items });
    expect(posted.status, posted.text).toBe(202);
    const batch = await until('the batch to be booked', async () => {
      const r = await call(api.url, 'GET', `/clinics/${id}/booking-batches/${posted.body.jobId}`);
      expect(r.body.state).not.toBe('failed');
      return r.body.state === 'completed' ? r.body : undefined;
    }, { timeoutMs: 60_000, context: processes });
    expect(batch.outcomes.map((o: { status: string }) => o.status)).toEqual(['booked', 'refused']);
  }, 90_000);

  it('is ready with the worker seen and every master noeviction; a drained worker leaves', async () => {
    const ready = await call(api.url, 'GET', '/ready');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body).toEqual({ ready: true, redis: 'ok', maxmemoryPolicy: 'noeviction', workers: 1, problems: [] });
    expect(await liveWorkers(client, PREFIX)).toEqual(['w-cluster']);
    // Every master's policy counts: one that may evict makes the service not ready, and is named.
    for (const master of client.nodes('master')) {
      await master.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const evicting = await call(api.url, 'GET', '/ready');
      await master.config('SET', 'maxmemory-policy', 'noeviction');
      expect(evicting.status).toBe(503);
      expect(evicting.body.maxmemoryPolicy).toBe('allkeys-lru');
      expect(evicting.body.problems).toEqual([expect.stringContaining(`allkeys-lru on 127.0.0.1:${master.options.port}`)]);
    }
    // Each queue's keys share one slot (its hash tag), and the data is spread over more than one master.
    for (const queue of QUEUE_NAMES) {
      const keys = (await Promise.all(client.nodes('master').map((m) => m.keys(`${queuePrefix(PREFIX, queue)}:*`)))).flat();
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k)))).size).toBe(1);
    }
    const holding = await Promise.all(client.nodes('master').map(async (m) => (await m.keys(`${PREFIX}:*`)).length));
    expect(holding.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await liveWorkers(client, PREFIX)).toEqual([]);
    const alone = await call(api.url, 'GET', '/ready');
    expect(alone.status).toBe(503);
    expect(alone.body).toMatchObject({ redis: 'ok', workers: 0 });
  }, 60_000);

  /** The answer must come within 2 s (a hang or a slow timeout fails): the bound for Redis trouble. */
  const within2s = (method: string, path: string, body?: unknown) =>
    fetch(api.url + path, {
      method,
      headers: { authorization: defaultAuthFor(path), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(2000),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('answers 503 within 2 s for a clinic whose master is gone while another master serves; 503 on /ready once all are gone', async () => {
    const [gone, other] = clinics as [{ id: string; port: number }, { id: string; port: number }];
    await cluster.kill(gone.port);
    const refused = await within2s('POST', `/clinics/${gone.id}/appointments`, booking('p-3', '11:00'));
    expect(refused).toMatchObject({ status: 503, body: { error: 'store-unavailable' } });
    const partly = await within2s('GET', '/ready');
    expect(partly).toMatchObject({ status: 503, body: { ready: false, redis: 'ok' } });
    expect(partly.body.problems).toContainEqual(`Redis Cluster master 127.0.0.1:${gone.port} did not answer PING`);
    const served = await within2s('POST', `/clinics/${other.id}/appointments`, booking('p-4', '11:00'));
    expect(served.status).toBe(201);

    for (const port of cluster.ports) await cluster.kill(port);
    const ready = await within2s('GET', '/ready');
    expect(ready).toMatchObject({ status: 503, body: { ready: false, redis: 'unreachable' } });
    expect((await within2s('POST', `/clinics/${other.id}/appointments`, booking('p-5', '12:00'))).status).toBe(503);
    expect((await within2s('GET', '/health')).status).toBe(200);
  }, 60_000);
});
