// Redis killed with SIGKILL under a steady booking load and started again on the same files (AOF with
// appendfsync always): every booking the store acknowledged is there afterwards, with its counters,
// and nothing half-written is. The test runs its own redis-server on a free port in a temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { ClinicSetup } from '../src/contract/clinicSetup.js';
import { holdsCapacity } from '../src/contract/appointment.js';
import { instanceForDay } from '../src/booking/instanceForDay.js';
import { usageOf } from '../src/booking/usageOf.js';
import { validateResult } from '../src/validator/validateResult.js';
import { book, connectStore, getAppointment, listDay, putSetup, storeReady, type Store } from '../src/store/index.js';
import { clinicKeys } from '../src/store/keys.js';
import { DATE, minutesAt, ZONE } from './support/storeClinic.js';

const PROVIDERS = 120;
const SLOTS = 18; // 30-minute visits, 08:00-17:00
const CLINIC = 'durable';
const PREFIX = 'medsched-durability';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let dir = '';
let server: ChildProcess | undefined;
const clients: { disconnect(): void }[] = [];

function startRedis(port: number): ChildProcess {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  return child;
}

async function untilAnswers(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

afterAll(async () => {
  for (const c of clients) c.disconnect();
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
    await exited(server);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

function clinic(): ClinicSetup {
  const day = [{ start: minutesAt(0), end: minutesAt(9 * 60) }];
  return {
    clinic: { id: CLINIC, timezone: ZONE },
    slotMinutes: 5,
    providers: Array.from({ length: PROVIDERS }, (_, i) => ({ id: `dr-${i}`, specialties: ['fm'], availability: day })),
    rooms: Array.from({ length: PROVIDERS }, (_, i) => ({ id: `room-${i}`, capabilities: ['exam'], availability: day })),
    equipment: [],
    staff: [],
    services: [{ id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam', equipment: [], staffTasks: [], turnoverMinutes: 0, prep: [] }],
    weights: { urgency: { emergency: 1000, urgent: 100, routine: 10 }, preferredProvider: 2, waitPerHour: 0.25 },
    replan: { maxOvertimeMinutes: 60, lateness: { emergency: 10, urgent: 2, routine: 1 }, reassignProvider: 30, changeRoom: 5, bump: { routine: 500, urgent: 2000 }, overtimePerMinute: 2 },
  };
}

/** The n-th booking of the load: its own provider, room, patient and request, so only a lost write could refuse it. */
function nth(n: number) {
  const provider = n % PROVIDERS;
  const slot = Math.floor(n / PROVIDERS);
  return {
    requestId: `req-${n}`,
    patientId: `pt-${n}`,
    serviceId: 'visit',
    providerId: `dr-${provider}`,
    roomId: `room-${provider}`,
    start: minutesAt(slot * 30),
    end: minutesAt(slot * 30 + 30),
    equipment: [],
    staff: [],
  };
}

describe('Redis killed (SIGKILL) under a booking load, with appendfsync always', () => {
  it('keeps every acknowledged booking', async () => {
    dir = await mkdtemp(join(tmpdir(), 'medsched-aof-'));
    const port = await freePort();
    server = startRedis(port);
    await untilAnswers(port);
    const url = `redis://127.0.0.1:${port}`;
    // The API's own connection settings: no offline queue, fast failure, reconnecting in the background.
    const stores: Store[] = [connectStore(url, PREFIX), connectStore(url, PREFIX), connectStore(url, PREFIX)];
    for (const s of stores) {
      clients.push(s.redis);
      s.redis.on('error', () => {}); // the outage is the point; failed calls are counted below
    }
    await Promise.all(stores.map((s) => storeReady(s)));
    expect(await putSetup(stores[0]!, CLINIC, clinic(), null)).toEqual({ ok: true, version: 1 });

    const acked = new Map<string, number>(); // appointment id → n
    let next = 0;
    let failures = 0;
    let refused = 0;
    let restartedAt = -1;
    let stop = false;
    const worker = async (store: Store) => {
      while (!stop && next < PROVIDERS * SLOTS) {
        const n = next++;
        try {
          const result = await book(store, CLINIC, nth(n), { actor: 'load' });
          if (result.ok) acked.set(result.appointment.id, n);
          else refused++;
        } catch {
          failures++; // Redis away: not acknowledged, so no promise was made
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const load = Promise.all(stores.map(worker));

    while (acked.size < 150) await new Promise((r) => setTimeout(r, 5));
    server.kill('SIGKILL');
    await exited(server);
    const ackedBeforeKill = acked.size;
    await new Promise((r) => setTimeout(r, 300));
    server = startRedis(port);
    await untilAnswers(port);
    restartedAt = acked.size;
    while (acked.size < restartedAt + 150 && next < PROVIDERS * SLOTS) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await load;

    expect(ackedBeforeKill).toBeGreaterThanOrEqual(150);
    expect(failures).toBeGreaterThan(0); // the load did run into the outage
    expect(refused).toBe(0); // every slot is its own: a refusal would mean a half-kept write
    const reader = new Redis(url, { maxRetriesPerRequest: null });
    clients.push(reader);
    const store: Store = { redis: reader, prefix: PREFIX };
    for (const [id, n] of acked) {
      const stored = await getAppointment(store, CLINIC, id);
      expect(stored, `acknowledged booking ${id} (#${n})`).not.toBeNull();
      expect(stored!.requestId).toBe(`req-${n}`);
      expect(stored!.status).toBe('booked');
    }
    // What is stored is whole: valid together, counters exactly as the appointments claim, version = count.
    const day = await listDay(store, CLINIC, DATE);
    expect(day.appointments.length).toBeGreaterThanOrEqual(acked.size);
    expect(day.version).toBe(day.appointments.length);
    const live = day.appointments.filter((a) => holdsCapacity(a.status));
    expect(validateResult(instanceForDay(clinic(), DATE, live, []), { appointments: live }).violations).toEqual([]);
    const usage = await reader.hgetall(clinicKeys(PREFIX, CLINIC).usage(DATE));
    const claimed = new Map<string, number>();
    for (const a of live) for (const u of usageOf(clinic(), a, DATE)) claimed.set(u.field, (claimed.get(u.field) ?? 0) + u.units);
    expect(Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Number(v)]))).toEqual(Object.fromEntries(claimed));
  }, 60_000);
});
