// Authentication over real HTTP: every protected route (all of /docs but health and readiness) answers 401
// with `WWW-Authenticate: Bearer` and our JSON error to a missing, malformed, expired, wrongly signed,
// unsigned (`alg: none`), wrong-audience or wrong-issuer token, one with a bad role or no clinic, and to an
// unknown or revoked API key, never echoing the credential; good tokens and API keys (made by the
// `medsched token` and `medsched apikey` commands) work; an identity provider's RS256 tokens work with its
// public key, and that key cannot be used as an HMAC secret; the API refuses to start without a key
// where the development secret is not allowed, and uses it (saying so) where it is.
import { createSign, generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../src/auth/jwtSettings.js';
import { apiKeysKey } from '../src/store/apiKeys.js';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { bearer, TEST_AUTH_ENV, TEST_JWT_SECRET, token } from './support/auth.js';
import { call } from './support/http.js';
import { repoRoot } from './support/paths.js';
import { testRedis } from './support/redis.js';
import { medsched } from './support/runCli.js';
import { DAY, serviceClinic } from './support/serviceClinic.js';

const t = testRedis('api-auth');
const C = 'auth-a';
let api: ApiProcess;
let ops: { method: string; path: string }[] = [];
const cliEnv = { REDIS_URL: t.url, MEDSCHED_PREFIX: t.prefix, ...TEST_AUTH_ENV };

type OpenApi = { paths: Record<string, Record<string, { operationId: string; 'x-access'?: { signedLink?: boolean; public?: boolean } }>> };

beforeAll(async () => {
  api = await startApi({ MEDSCHED_PREFIX: t.prefix });
  const put = await call(api.url, 'PUT', `/clinics/${C}`, serviceClinic(C, 2));
  expect(put.status, put.text).toBe(201);
  const doc = (await call(api.url, 'GET', '/docs', undefined, { authorization: null })).body as OpenApi;
  ops = Object.entries(doc.paths)
    .filter(([route]) => route !== '/health' && route !== '/ready')
    .flatMap(([route, methods]) =>
      // A calendar feed takes its signed link's key and a reminder link its token, not a credential header
      // (test/apiAccess.test.ts, test/briefingRoutes.test.ts, test/reminders.test.ts).
      Object.keys(methods).filter((method) => !methods[method]!['x-access']?.signedLink && !methods[method]!['x-access']?.public).map((method) => ({
        method: method.toUpperCase(),
        path: route.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' ? C : name === 'jobId' ? `optimize:${C}:${DAY}` : 'x1')),
      })),
    );
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await t.cleanup();
}, 30_000);

const good = { clinics: [C], role: 'scheduler-admin' as const, subject: 'auth-admin' };

/** Expects a 401 of ours: the challenge header, the error body, no trace of the credential. */
function expect401(answer: Awaited<ReturnType<typeof call>>, label: string, secretPart?: string) {
  expect(answer.status, `${label} → ${answer.status} ${answer.text.slice(0, 200)}`).toBe(401);
  expect(answer.headers.get('www-authenticate'), label).toMatch(/^Bearer realm="medsched"/);
  expect(answer.body.error, label).toBe('unauthenticated');
  expect(answer.body.message, label).toMatch(/\S/);
  expect(answer.body.requestId, label).toBe(answer.headers.get('x-request-id'));
  if (secretPart) expect(answer.text, label).not.toContain(secretPart);
}

describe('bad credentials', () => {
  const bad: [string, Record<string, string | null>, RegExp][] = [
    ['no credential', { authorization: null }, /authentication required/],
    ['an empty Authorization', { authorization: '' }, /authentication required/],
    ['an expired token', bearer({ ...good, ttlSeconds: -3600 }), /expired/],
    ['a token signed with another secret', bearer({ ...good, secret: 'another-secret-another-secret-another-secret' }), /signature is invalid/],
    ['an unsigned token (alg: none)', bearer({ ...good, alg: 'none' }), /algorithm is not accepted/],
    ['a token for another audience', bearer({ ...good, audience: 'someone-else' }), /not meant for 'medsched-test-api'/],
    ['a token from another issuer', bearer({ ...good, issuer: 'evil-idp' }), /not issued by 'medsched-test'/],
    ['a token without exp', bearer({ ...good, claims: { exp: undefined } }), /exp claim is missing/],
    ['a token without sub', bearer({ ...good, claims: { sub: undefined } }), /sub claim is missing/],
    ['a token with an unknown role', bearer({ ...good, claims: { role: 'superuser' } }), /role: must be one of/],
    ['a token with no clinics', bearer({ ...good, claims: { clinics: [] } }), /clinics: must name at least one clinic/],
    ["a clinician's token without a provider", bearer({ ...good, role: 'clinician' }), /providerId: a clinician's credential must name their own provider/],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }, /malformed/],
    ['a Basic credential', { authorization: 'Basic dXNlcjpwYXNz' }, /scheme is not supported/],
    ['a malformed API key', { 'x-api-key': 'letmein' }, /API key is malformed/],
    ['an unknown API key', { 'x-api-key': `msk_0123456789abcdef_${'A'.repeat(43)}` }, /not known/],
  ];

  it('answers 401 on every protected route, saying what is wrong without echoing the credential', async () => {
    expect(ops.length).toBeGreaterThan(40);
    for (const [what, headers, message] of bad) {
      const credential = Object.values(headers).find((v) => typeof v === 'string' && v.length > 20);
      const secretPart = credential?.split(/[ .]/).pop();
      for (const { method, path } of ops) {
        const answer = await call(api.url, method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, headers);
        expect401(answer, `${what}: ${method} ${path}`, secretPart && secretPart.length > 10 ? secretPart : undefined);
        expect(answer.body.message, `${what}: ${method} ${path}`).toMatch(message);
      }
    }
  }, 120_000);

  it('answers nothing about the body before authentication, and leaves health, readiness and the document open', async () => {
    const malformed = await call(api.url, 'POST', `/clinics/${C}/appointments`, '{"broken', { authorization: null, 'content-type': 'application/json' });
    expect401(malformed, 'broken JSON without a token');
    for (const path of ['/health', '/ready', '/docs']) expect((await call(api.url, 'GET', path, undefined, { authorization: null })).status, path).toBe(200);
    // An unknown route is 404 whoever asks (nothing to protect).
    expect((await call(api.url, 'GET', '/nothing-here', undefined, { authorization: null })).status).toBe(404);
  });

  it('accepts a good token, and one within the clock tolerance of its expiry', async () => {
    expect((await call(api.url, 'GET', `/clinics/${C}`, undefined, bearer(good))).status).toBe(200);
    expect((await call(api.url, 'GET', `/clinics/${C}`, undefined, bearer({ ...good, ttlSeconds: -5 }))).status).toBe(200);
    expect401(await call(api.url, 'GET', `/clinics/${C}`, undefined, bearer({ ...good, ttlSeconds: -120 })), 'expired past the tolerance');
    // The scheme name is case-insensitive (RFC 7235).
    expect((await call(api.url, 'GET', `/clinics/${C}`, undefined, { authorization: `bearer ${token(good)}` })).status).toBe(200);
  });
});

describe('the command line', () => {
  it('`medsched token create` prints a token the API accepts, for the subject and role it names', async () => {
    const made = await medsched(['token', 'create', '--role', 'front-desk', '--clinic', C, '--subject', 'desk-cli', '--ttl', '1h'], 60_000, cliEnv);
    expect(made.code, made.stderr).toBe(0);
    const jwt = made.stdout.trim();
    expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const headers = { authorization: `Bearer ${jwt}` };
    const held = await call(api.url, 'POST', `/clinics/${C}/holds`, { request: { patientId: 'p-cli', serviceId: 'visit', urgency: 'routine' }, providerId: 'dr-0', roomId: 'room-0', start: `${DAY}T09:00:00-06:00` }, headers);
    expect(held.status, held.text).toBe(201);
    expect(held.body.hold.caller).toBe('desk-cli');
    expect((await call(api.url, 'PUT', `/clinics/${C}/rooms/room-9`, { capabilities: ['exam'], availability: [] }, { ...headers, 'if-match': '"1"' })).status).toBe(403);

    const clinician = await medsched(['token', 'create', '--role', 'clinician', '--clinic', C, '--subject', 'dr-x'], 60_000, cliEnv);
    expect(clinician.code).toBe(2);
    expect(clinician.stderr).toMatch(/--provider/);
    const long = await medsched(['token', 'create', '--role', 'auditor', '--clinic', C, '--subject', 'aud', '--ttl', '90d'], 60_000, cliEnv);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/--ttl must be between/);
    const production = await medsched(['token', 'create', '--role', 'auditor', '--clinic', C, '--subject', 'aud'], 60_000, { ...cliEnv, MEDSCHED_JWT_SECRET: '', NODE_ENV: 'production' });
    expect(production.code).toBe(2);
    expect(production.stderr).toMatch(/MEDSCHED_JWT_SECRET: is required in production/);
  }, 60_000);

  it('`medsched apikey` creates a key that works (both headers), lists it without its secret, and revokes it', async () => {
    const made = await medsched(['apikey', 'create', '--role', 'integration', '--clinic', C, '--clinic', 'auth-b', '--name', 'EHR bridge'], 60_000, cliEnv);
    expect(made.code, made.stderr).toBe(0);
    const key = made.stdout.trim();
    const match = /^msk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
    expect(match, key).not.toBeNull();
    const [, keyId, secret] = match!;

    // Only a hash of the secret is in Redis.
    const stored = await t.redis.hget(apiKeysKey(t.prefix), keyId!);
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(secret);
    expect(JSON.parse(stored!)).toMatchObject({ keyId, role: 'integration', clinics: [C, 'auth-b'], name: 'EHR bridge', revoked: null });

    const both: Record<string, string>[] = [{ 'x-api-key': key }, { authorization: `ApiKey ${key}` }];
    for (const headers of both) {
      const stored = await call(api.url, 'POST', `/clinics/${C}/requests`, { patientId: 'p-ehr', serviceId: 'visit', urgency: 'routine' }, headers);
      expect(stored.status, stored.text).toBe(201);
      expect((await call(api.url, 'GET', `/clinics/${C}/requests`, undefined, headers)).status).toBe(200);
      // What an integration may not do, and a clinic it was not given.
      expect((await call(api.url, 'POST', `/clinics/${C}/optimizations`, { date: DAY }, headers)).status).toBe(403);
      expect((await call(api.url, 'GET', '/clinics/auth-c', undefined, headers)).status).toBe(404);
    }
    // The wrong secret for a real key id is no key at all; both credentials at once are refused.
    expect401(await call(api.url, 'GET', `/clinics/${C}/requests`, undefined, { 'x-api-key': `msk_${keyId}_${'B'.repeat(43)}` }), 'wrong secret');
    expect401(await call(api.url, 'GET', `/clinics/${C}/requests`, undefined, { 'x-api-key': key, ...bearer(good) }), 'two credentials');

    const listed = await medsched(['apikey', 'list'], 60_000, cliEnv);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${keyId}\\s+active\\s+integration\\s+${C},auth-b`));
    expect(listed.stdout + listed.stderr).not.toContain(secret);
    const json = await medsched(['apikey', 'list', '--json'], 60_000, cliEnv);
    const records = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(records.find((r) => r.keyId === keyId)).not.toHaveProperty('secretHash');

    const revoked = await medsched(['apikey', 'revoke', keyId!], 60_000, cliEnv);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await call(api.url, 'GET', `/clinics/${C}/requests`, undefined, { 'x-api-key': key });
    expect401(refused, 'revoked key', secret);
    expect(refused.body.message).toMatch(/revoked/);
    expect((await medsched(['apikey', 'list'], 60_000, cliEnv)).stdout).toMatch(new RegExp(`${keyId}\\s+revoked`));
    expect((await medsched(['apikey', 'revoke', '0000000000000000'], 60_000, cliEnv)).code).toBe(1);
    expect((await medsched(['apikey', 'create', '--role', 'integration', '--clinic', C], 60_000, cliEnv)).code).toBe(2);
  }, 90_000);
});

describe("an identity provider's keys", () => {
  it("accepts RS256 tokens checked with its public key, and never that key as an HMAC secret", async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const idp = await startApi({ MEDSCHED_PREFIX: t.prefix, MEDSCHED_JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n'), MEDSCHED_JWT_PUBLIC_KEY_ALG: 'RS256' });
    try {
      const rs256 = (() => {
        const now = Math.floor(Date.now() / 1000);
        const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: 'sso-user', role: 'auditor', clinics: [C], iss: 'medsched-test', aud: 'medsched-test-api', iat: now, exp: now + 600 })}`;
        return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
      })();
      expect((await call(idp.url, 'GET', `/clinics/${C}/schedule?date=${DAY}`, undefined, { authorization: `Bearer ${rs256}` })).status).toBe(200);
      // The test secret is still configured alongside: its HS256 tokens work too.
      expect((await call(idp.url, 'GET', `/clinics/${C}`, undefined, bearer(good))).status).toBe(200);
      // Key confusion: an HS256 token "signed" with the public key's text is refused.
      const confused = bearer({ ...good, secret: pem });
      expect401(await call(idp.url, 'GET', `/clinics/${C}`, undefined, confused), 'HS256 with the public key as secret');
    } finally {
      await idp.stop();
    }
  }, 60_000);
});

describe('configuration at start', () => {
  /** Runs the API with `env` (over the test's) and returns its exit code and stderr, or 'running' after 20 s. */
  function startWith(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', MEDSCHED_PREFIX: t.prefix, MEDSCHED_JWT_SECRET: '', MEDSCHED_JWT_PUBLIC_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ code: null, stderr });
      }, 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  it('refuses to start without a key in production, or listening beyond this machine, or with a short secret', async () => {
    const [production, exposed, short] = await Promise.all([
      startWith({ NODE_ENV: 'production', HOST: '127.0.0.1' }),
      startWith({ NODE_ENV: 'development', HOST: '0.0.0.0' }),
      startWith({ MEDSCHED_JWT_SECRET: 'too-short', HOST: '127.0.0.1' }),
    ]);
    expect(production.code, production.stderr).toBe(2);
    expect(production.stderr).toMatch(/MEDSCHED_JWT_SECRET: is required in production/);
    expect(exposed.code, exposed.stderr).toBe(2);
    expect(exposed.stderr).toMatch(/MEDSCHED_JWT_SECRET: is required when the API listens beyond this machine \(HOST=0\.0\.0\.0\)/);
    expect(short.code, short.stderr).toBe(2);
    expect(short.stderr).toMatch(/MEDSCHED_JWT_SECRET: must be at least 32 bytes/);
    for (const run of [production, exposed, short]) expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  }, 60_000);

  it('on this machine off production, uses the development secret (and says so), which `token create` uses too', async () => {
    // startApi's own probe carries a test-secret token, which this API refuses: wait for /health only.
    const dev = await startApi({ MEDSCHED_PREFIX: t.prefix, NODE_ENV: 'development', MEDSCHED_JWT_SECRET: '', MEDSCHED_JWT_ISSUER: '', MEDSCHED_JWT_AUDIENCE: '' }, { waitForRedis: false });
    try {
      const made = await medsched(['token', 'create', '--role', 'front-desk', '--clinic', C, '--subject', 'trial'], 60_000, {
        ...cliEnv,
        NODE_ENV: 'development',
        MEDSCHED_JWT_SECRET: '',
        MEDSCHED_JWT_ISSUER: '',
        MEDSCHED_JWT_AUDIENCE: '',
      });
      expect(made.code, made.stderr).toBe(0);
      expect(made.stderr).toMatch(/development secret/);
      const trial = { authorization: `Bearer ${made.stdout.trim()}` };
      let status = 0;
      for (let k = 0; k < 100 && (status === 0 || status === 503); k++) {
        status = (await call(dev.url, 'GET', `/clinics/${C}`, undefined, trial)).status;
        if (status === 503) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      // The test secret is not the development one: its tokens are refused here.
      expect(TEST_JWT_SECRET).not.toBe(DEV_JWT_SECRET);
      expect((await call(dev.url, 'GET', `/clinics/${C}`, undefined, bearer(good))).status).toBe(401);
      expect(dev.output()).toMatch(/MEDSCHED_JWT_SECRET is not set/);
    } finally {
      await dev.stop();
    }
  }, 60_000);
});
