// The API's limits over real HTTP: rate limits counted in one Redis across two API processes (429 with
// Retry-After and the error body), separate budgets per client address and per caller, no 500 while
// Redis is away; helmet's headers on every answer; CORS closed unless the origin is listed; per-route
// body limits (413 in the error body); and each cap on problem size answered 4xx naming it and its path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/api/config.js';
import { REQUEST_CAPS, SETUP_CAPS } from '../src/api/caps.js';
import { clinicKeys } from '../src/store/keys.js';
import { freePort, startApi, type ApiProcess } from './support/apiProcess.js';
import { bearer as bearerOf } from './support/auth.js';
import { call, type Reply } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, DAY, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-limits');
/** Requests per window in the low-limit processes. */
const LIMIT = 10;
const LISTED = 'https://desk.example.org';
const started: ApiProcess[] = [];
/** Two processes sharing one Redis and one key prefix, LIMIT requests per address; the first lists one CORS origin. */
let a: ApiProcess;
let b: ApiProcess;
/** LIMIT requests per caller and 3 * LIMIT per address, behind a trusted proxy (127.0.0.1): X-Forwarded-For names the client. */
let perCaller: ApiProcess;
/** High limits, CORS closed, a 512 KiB BODY_LIMIT: for the headers, body limits and caps. */
let open: ApiProcess;
const prefixOf = { shared: `${t.prefix}:ab`, perCaller: `${t.prefix}:pc`, open: `${t.prefix}:open` };
const C = 'lim';
const CLINICS = [C, 'cap-big', 'cap-wait', 'nowhere', 'no-such-clinic'];

/** The Authorization header of a scheduler-admin token for the test's clinics, for `subject`. */
const bearer = (subject: string) => bearerOf({ subject, role: 'scheduler-admin', clinics: CLINICS });
let admin: Record<string, string>;
/** `call` with the admin token. */
const as = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(base, method, path, body, { ...admin, ...headers });

/** An API process, waited for on /health and then /ready (neither is rate-limited, unlike startApi's probe of a store route). */
async function api(env: Record<string, string>, reachesRedis = true): Promise<ApiProcess> {
  const apiProcess = await startApi(env, { waitForRedis: false });
  started.push(apiProcess);
  for (let tries = 0; reachesRedis && (await call(apiProcess.url, 'GET', '/ready')).status !== 200; tries++) {
    if (tries > 100) throw new Error(`the API never became ready:\n${apiProcess.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return apiProcess;
}

/** Forgets every rate-limit count under `prefix` (the start-up probes count too). */
async function resetBudgets(prefix: string): Promise<void> {
  const keys = await t.redis.keys(`${prefix}:ratelimit:*`);
  if (keys.length > 0) await t.redis.del(...keys);
}

beforeAll(async () => {
  admin = bearer('admin-1');
  const low = { RATE_LIMIT_PER_IP: String(LIMIT), RATE_LIMIT_PER_CALLER: '1000000' };
  [a, b, perCaller, open] = await Promise.all([
    api({ MEDSCHED_PREFIX: prefixOf.shared, ...low, CORS_ORIGINS: `${LISTED}, https://other.example.org` }),
    api({ MEDSCHED_PREFIX: prefixOf.shared, ...low }),
    api({ MEDSCHED_PREFIX: prefixOf.perCaller, RATE_LIMIT_PER_IP: String(3 * LIMIT), RATE_LIMIT_PER_CALLER: String(LIMIT), TRUST_PROXY: '127.0.0.1' }),
    api({ MEDSCHED_PREFIX: prefixOf.open, BODY_LIMIT: String(512 * 1024) }),
  ]);
  for (const [base, prefix] of [[a.url, prefixOf.shared], [open.url, prefixOf.open]] as const) {
    const put = await as(base, 'PUT', `/clinics/${C}`, serviceClinic(C, 2));
    expect(put.status, put.text).toBe(201);
    await resetBudgets(prefix);
  }
}, 90_000);
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  await t.cleanup();
}, 40_000);

/** The error body every refusal carries. */
function expectErrorBody(reply: Reply, status: number, error: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(reply.body).toMatchObject({ error, message: expect.any(String), requestId: expect.any(String) });
}

describe('security headers and CORS', () => {
  it("sets helmet's headers for an API on answers, errors and refusals, and keeps GET /docs working", async () => {
    const answers = [
      await as(open.url, 'GET', `/clinics/${C}`),
      await as(open.url, 'GET', '/clinics/no-such-clinic'),
      await as(open.url, 'GET', '/no/such/route'),
      await as(open.url, 'POST', `/clinics/${C}/holds`, '{"broken'),
      await as(open.url, 'GET', '/health'),
      await call(open.url, 'GET', `/clinics/${C}`, undefined, { authorization: null }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 404, 400, 200, 401]);
    for (const reply of answers) {
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.headers.get('x-powered-by')).toBeNull();
    }
    const docs = await as(open.url, 'GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toBe('3.0.3');
    // The limits are documented where they apply.
    const hold = docs.body.paths['/clinics/{id}/holds'].post.responses;
    expect(Object.keys(hold)).toEqual(expect.arrayContaining(['413', '429']));
    expect(Object.keys(docs.body.paths['/health'].get.responses)).not.toContain('429');
  });

  it('answers no CORS headers unless the origin is listed: not for an unlisted origin, not when none is configured', async () => {
    const preflight = (base: string, origin: string) =>
      call(base, 'OPTIONS', `/clinics/${C}`, undefined, {
        authorization: null, // a browser sends no credential with a preflight
        origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, content-type, if-match',
      });
    const listed = await preflight(a.url, LISTED);
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(listed.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(listed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listed.headers.get('vary')).toMatch(/origin/i);

    for (const [base, origin] of [[a.url, 'https://evil.example.com'], [a.url, `${LISTED}.evil.example.com`], [open.url, LISTED]] as const) {
      const refused = await preflight(base, origin);
      expect(refused.headers.get('access-control-allow-origin'), `${base} ${origin}`).toBeNull();
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();
      expect(refused.headers.get('access-control-allow-headers')).toBeNull();
      expectErrorBody(refused, 404, 'not-found');
    }

    const simple = await as(a.url, 'GET', `/clinics/${C}`, undefined, { origin: LISTED });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(simple.headers.get('access-control-expose-headers')).toContain('retry-after');
    const unlisted = await as(a.url, 'GET', `/clinics/${C}`, undefined, { origin: 'https://evil.example.com' });
    expect(unlisted.status).toBe(200);
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    const closed = await as(open.url, 'GET', `/clinics/${C}`, undefined, { origin: LISTED });
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limits', () => {
  it('counts one budget per address across two API processes sharing one Redis: exactly LIMIT pass, then 429 with Retry-After', async () => {
    await resetBudgets(prefixOf.shared);
    const replies: Reply[] = [];
    // Alternating processes; a forged X-Forwarded-For changes nothing where no proxy is trusted.
    for (let i = 0; i < 2 * LIMIT + 4; i++)
      replies.push(await as(i % 2 === 0 ? a.url : b.url, 'GET', `/clinics/${C}`, undefined, { 'x-forwarded-for': `192.0.2.${i + 1}` }));
    // Each process saw half of them: counted per process, all 2 * LIMIT + 4 would have passed.
    expect(replies.map((r) => r.status)).toEqual([...Array(LIMIT).fill(200), ...Array(LIMIT + 4).fill(429)]);
    const passed = replies.slice(0, LIMIT);
    const refused = replies.slice(LIMIT);
    expect(passed.map((r) => Number(r.headers.get('x-ratelimit-remaining')))).toEqual(Array.from({ length: LIMIT }, (_, i) => LIMIT - 1 - i));
    for (const reply of refused) {
      expectErrorBody(reply, 429, 'rate-limited');
      const retryAfter = Number(reply.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${reply.headers.get('retry-after')}`).toBe(true);
      expect(reply.body.limit).toBe('per-ip');
      expect(reply.body.message).toContain(`at most ${LIMIT} per 60 s`);
      expect(reply.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // Health and readiness answer all the same; a body is not read once the budget is spent.
    expect((await as(a.url, 'GET', '/health')).status).toBe(200);
    expect((await as(b.url, 'GET', '/ready')).status).toBe(200);
    expect((await as(b.url, 'GET', '/docs')).status).toBe(200);
    expectErrorBody(await as(b.url, 'POST', `/clinics/${C}/requests`, { patientId: 'p', serviceId: 'visit', urgency: 'routine' }), 429, 'rate-limited');
    // The count lives in Redis under the deployment's prefix.
    expect(await t.redis.get(`${prefixOf.shared}:ratelimit:ip:127.0.0.1`)).toBe(String(replies.length + 1));
  });

  it('gives each token a budget of its own, whatever address it comes from', async () => {
    await resetBudgets(prefixOf.perCaller);
    const [first, second] = [bearer('desk-1'), bearer('desk-2')];
    // Spread over addresses: the per-address budget (3 * LIMIT) never binds here.
    const from = (headers: Record<string, string>, i: number) =>
      call(perCaller.url, 'GET', '/clinics/nowhere', undefined, { ...headers, 'x-forwarded-for': `192.0.2.${10 + (i % 3)}` });
    const statuses = async (headers: Record<string, string>, n: number) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push((await from(headers, i)).status);
      return seen;
    };
    expect(await statuses(first, LIMIT + 1)).toEqual([...Array(LIMIT).fill(404), 429]);
    const over = await from(first, 0);
    expectErrorBody(over, 429, 'rate-limited');
    expect(over.body.limit).toBe('per-caller');
    expect(over.body.message).toContain(`at most ${LIMIT} per 60 s`);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another token from the same addresses has its whole budget.
    expect(await statuses(second, LIMIT + 1)).toEqual([...Array(LIMIT).fill(404), 429]);
    expect(await t.redis.get(`${prefixOf.perCaller}:ratelimit:caller:sub:desk-1`)).toBe(String(LIMIT + 2));
  });

  it('gives each client address a budget of its own, spent by requests with a bad token too (a trusted proxy names the address)', async () => {
    await resetBudgets(prefixOf.perCaller);
    const from = (address: string, headers: Record<string, string>) =>
      call(perCaller.url, 'GET', '/clinics/nowhere', undefined, { ...headers, 'x-forwarded-for': address });
    const guessed = { authorization: 'Bearer not.a.token' };
    const seen: number[] = [];
    for (let i = 0; i <= 3 * LIMIT; i++) seen.push((await from('192.0.2.20', guessed)).status);
    expect(seen).toEqual([...Array(3 * LIMIT).fill(401), 429]);
    const over = await from('192.0.2.20', admin);
    expectErrorBody(over, 429, 'rate-limited');
    expect(over.body.limit).toBe('per-ip');
    // Another address behind the same proxy is not affected; a forwarded address is only believed from a trusted proxy (test above).
    expect((await from('198.51.100.7', guessed)).status).toBe(401);
    expect((await from('198.51.100.7', admin)).status).toBe(404);
  });

  it('never turns a request into a 500 while Redis is away: store routes 503, the rest answer as usual', async () => {
    const nowhere = await freePort();
    const away = await api({ MEDSCHED_PREFIX: `${t.prefix}:away`, REDIS_URL: `redis://127.0.0.1:${nowhere}`, RATE_LIMIT_PER_IP: '1' }, false);
    for (let i = 0; i < 3; i++) {
      expectErrorBody(await as(away.url, 'GET', `/clinics/${C}`), 503, 'store-unavailable');
      expectErrorBody(await as(away.url, 'POST', `/clinics/${C}/requests`, { patientId: 'p', serviceId: 'visit', urgency: 'routine' }), 503, 'store-unavailable');
      expectErrorBody(await as(away.url, 'GET', '/no/such/route'), 404, 'not-found');
      expect((await as(away.url, 'GET', '/health')).status).toBe(200);
    }
  });
});

describe('body limits', () => {
  const padded = (size: number) => ({ patientId: 'p', serviceId: 'visit', urgency: 'routine', note: 'x'.repeat(size) });

  it('answers 413 in the error body over a route\'s limit: small routes take 64 KiB, the set-up BODY_LIMIT', async () => {
    for (const path of [`/clinics/${C}/holds`, `/clinics/${C}/requests`, `/clinics/${C}/slots/search`, `/clinics/${C}/appointments`]) {
      const big = await as(open.url, 'POST', path, padded(100 * 1024));
      expectErrorBody(big, 413, 'body-too-large');
      expect(big.body.message).toContain('65536 bytes');
    }
    // The same size is fine where a whole document is expected (400: it is no set-up, but it was read).
    const setup = await as(open.url, 'PUT', `/clinics/${C}`, padded(100 * 1024), { 'if-match': '"1"' });
    expect(setup.status, setup.text).toBe(400);
    const huge = await as(open.url, 'PUT', `/clinics/${C}`, padded(600 * 1024), { 'if-match': '"1"' });
    expectErrorBody(huge, 413, 'body-too-large');
    expect(huge.body.message).toContain(`${512 * 1024} bytes`);
  });
});

describe('caps on problem size', () => {
  const problemsOf = (reply: Reply) => (reply.body?.problems ?? []) as { path: string; message: string }[];
  const expectCap = (reply: Reply, status: number, path: string, words: string) => {
    expect(reply.status, reply.text).toBe(status);
    expect(problemsOf(reply), reply.text).toContainEqual({ path, message: expect.stringContaining(words) });
  };
  const request = { patientId: 'p-cap', serviceId: 'visit', urgency: 'routine' };

  it('refuses a set-up over a cap, naming the cap and its path', async () => {
    const n = SETUP_CAPS.items + 1;
    const tooBig = await as(open.url, 'PUT', '/clinics/cap-big', serviceClinic('cap-big', n));
    for (const list of ['providers', 'rooms', 'staff']) expectCap(tooBig, 400, `$.body.${list}`, `at most ${SETUP_CAPS.items} ${list} (got ${n})`);
    const intervals = Array.from({ length: SETUP_CAPS.intervals + 1 }, (_, i) => ({ start: at('08:00').replace('T08', `T${String(8 + (i % 9)).padStart(2, '0')}`), end: at('17:00') }));
    const current = await as(open.url, 'GET', `/clinics/${C}`);
    const item = await as(open.url, 'PUT', `/clinics/${C}/providers/dr-9`, { specialties: ['gp'], availability: intervals }, { 'if-match': `"${current.body.version}"` });
    expectCap(item, 400, '$.body.availability', `at most ${SETUP_CAPS.intervals} intervals`);
  });

  it('refuses requests, searches, holds, disruptions and bulk bookings over a cap, naming it and its path', async () => {
    const preferred = Array.from({ length: REQUEST_CAPS.preferredProviders + 1 }, (_, i) => `dr-${i}`);
    expectCap(await as(open.url, 'POST', `/clinics/${C}/requests`, { ...request, preferredProviderIds: preferred }), 400, '$.body.preferredProviderIds', `at most ${REQUEST_CAPS.preferredProviders} preferred providers`);
    expectCap(await as(open.url, 'POST', `/clinics/${C}/requests`, { ...request, id: 'r'.repeat(201) }), 400, '$.body.id', 'at most 200 characters');
    expectCap(
      await as(open.url, 'POST', `/clinics/${C}/holds`, { request: { ...request, preferredProviderIds: preferred }, providerId: 'dr-0', roomId: 'room-0', start: at('09:00') }),
      400,
      '$.body.request.preferredProviderIds',
      `at most ${REQUEST_CAPS.preferredProviders}`,
    );
    expectCap(await as(open.url, 'POST', `/clinics/${C}/slots/search`, { request, k: 51 }), 400, '$.body.k', 'at most 50');
    const events = Array.from({ length: 201 }, () => ({ type: 'delay', providerId: 'dr-0', availableFrom: at('09:00') }));
    expectCap(await as(open.url, 'POST', `/clinics/${C}/disruptions`, { now: at('08:00'), events }), 400, '$.body.events', 'at most 200 events');
    const appointment = { requestId: 'r-b', patientId: 'p-b', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0', start: at('10:00'), end: at('10:30') };
    expectCap(await as(open.url, 'POST', `/clinics/${C}/booking-batches`, { actor: 'feed', items: Array(501).fill(appointment) }), 400, '$.body.items', 'at most 500 bookings');
    const staff = Array.from({ length: REQUEST_CAPS.appointmentParts + 1 }, () => ({ staffId: 'st-0', skill: 'phlebotomy', start: at('10:00'), end: at('10:15') }));
    expectCap(await as(open.url, 'POST', `/clinics/${C}/booking-batches`, { actor: 'feed', items: [{ ...appointment, staff }] }), 400, '$.body.items[0].staff', `at most ${REQUEST_CAPS.appointmentParts} staff members`);
  });

  it('keeps at most the cap of waiting requests per clinic, and optimizes at most the cap of requests per day', async () => {
    const clinic = 'cap-wait';
    expect((await as(open.url, 'PUT', `/clinics/${clinic}`, serviceClinic(clinic, 1))).status).toBe(201);
    // Fill the waiting list straight in Redis, to one short of the cap (requests without a window reach into every day).
    const key = clinicKeys(prefixOf.open, clinic).requests;
    for (let from = 0; from < REQUEST_CAPS.waitingPerClinic - 1; from += 5_000) {
      const fields: string[] = [];
      for (let i = from; i < Math.min(from + 5_000, REQUEST_CAPS.waitingPerClinic - 1); i++)
        fields.push(`w${i}`, JSON.stringify({ ...request, id: `w${i}`, patientId: `p${i}`, preferredProviderIds: [] }));
      await t.redis.hset(key, ...fields);
    }
    expect((await as(open.url, 'POST', `/clinics/${clinic}/requests`, { ...request, id: 'last' })).status).toBe(201);
    const full = await as(open.url, 'POST', `/clinics/${clinic}/requests`, { ...request, id: 'one-too-many' });
    expectErrorBody(full, 409, 'cap-reached');
    expect(full.body.message).toContain(`${REQUEST_CAPS.waitingPerClinic} waiting requests`);
    expectCap(full, 409, '$.body', `at most ${REQUEST_CAPS.waitingPerClinic} waiting requests`);
    expectErrorBody(await as(open.url, 'PUT', `/clinics/${clinic}/requests/another`, request), 409, 'cap-reached');
    // Replacing one that is there is no new one; removing one makes room.
    expect((await as(open.url, 'PUT', `/clinics/${clinic}/requests/w7`, { ...request, urgency: 'urgent' })).status).toBe(200);
    expect((await as(open.url, 'DELETE', `/clinics/${clinic}/requests/w8`)).status).toBe(200);
    expect((await as(open.url, 'POST', `/clinics/${clinic}/requests`, { ...request, id: 'fits-again' })).status).toBe(201);
    expect(await t.redis.hlen(key)).toBe(REQUEST_CAPS.waitingPerClinic);

    const optimize = await as(open.url, 'POST', `/clinics/${clinic}/optimizations`, { date: DAY });
    expectErrorBody(optimize, 422, 'cap-exceeded');
    expectCap(optimize, 422, '$.body.date', `at most ${REQUEST_CAPS.perOptimizedDay} waiting requests per optimized day (got ${REQUEST_CAPS.waitingPerClinic})`);
  }, 60_000);
});

describe('configuration', () => {
  it('refuses bad limit settings by name', () => {
    const problems = (env: Record<string, string>) => {
      const loaded = loadConfig(env);
      return loaded.ok ? [] : loaded.problems.map((p) => p.path);
    };
    expect(problems({ RATE_LIMIT_PER_IP: '0' })).toEqual(['RATE_LIMIT_PER_IP']);
    expect(problems({ RATE_LIMIT_PER_CALLER: 'lots' })).toEqual(['RATE_LIMIT_PER_CALLER']);
    expect(problems({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toEqual(['RATE_LIMIT_WINDOW_SECONDS']);
    for (const origins of ['*', 'desk.example.org', 'https://desk.example.org/', 'ftp://desk.example.org', 'https://a.example.org,https://b.example.org/app'])
      expect(problems({ CORS_ORIGINS: origins }), origins).toEqual(['CORS_ORIGINS']);
    for (const proxies of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8', '::1/129'])
      expect(problems({ TRUST_PROXY: proxies }), proxies).toEqual(['TRUST_PROXY']);
    const fine = loadConfig({ CORS_ORIGINS: ' https://desk.example.org , http://localhost:5173', TRUST_PROXY: '10.0.0.0/8,loopback,::1' });
    expect(fine.ok && fine.config.corsOrigins).toEqual(['https://desk.example.org', 'http://localhost:5173']);
    expect(fine.ok && fine.config.trustProxy).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    const defaults = loadConfig({});
    expect(defaults.ok && [defaults.config.rateLimitPerCaller, defaults.config.rateLimitPerIp, defaults.config.rateLimitWindowMs, defaults.config.corsOrigins]).toEqual([600, 3000, 60_000, []]);
  });
});
