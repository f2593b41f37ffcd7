// API processes for the service tests: `src/api/main.ts` run from the sources on a free port, waited
// for until it answers (and, unless told otherwise, until it reaches Redis), stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { defaultAuthFor, TEST_AUTH_ENV } from './auth.js';
import { repoRoot } from './paths.js';

const HIGH_RATE_LIMITS = { RATE_LIMIT_PER_IP: '10000000', RATE_LIMIT_PER_CALLER: '10000000' };

export type ApiProcess = { url: string; child: ChildProcess; output: () => string; stop: () => Promise<number | null> };

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An API process with the test JWT settings (test/support/auth.ts) unless `env` overrides them. */
export async function startApi(env: Record<string, string>, options: { waitForRedis?: boolean } = {}): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
    cwd: repoRoot,
    // The tests and the bench send thousands of requests a minute from one address: rate limits far above
    // that unless a test sets its own (test/apiLimits.test.ts does).
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', READY_REQUIRE_WORKERS: 'false', ...HIGH_RATE_LIMITS, ...TEST_AUTH_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const api: ApiProcess = {
    url,
    child,
    output: () => output,
    /** SIGTERM and its exit code; SIGKILL after 15 s so a stuck shutdown cannot hang the suite (then null). */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API process exited (${child.exitCode}) before answering:\n${output}`);
    // 404 for an unknown clinic means it answers and reaches Redis; /health only that it answers.
    const probe = options.waitForRedis === false ? '/health' : '/clinics/probe-not-a-clinic';
    const status = await fetch(url + probe, { headers: { authorization: defaultAuthFor(probe) } }).then((r) => r.status, () => 0);
    if (status === (options.waitForRedis === false ? 200 : 404)) return api;
    if (Date.now() > deadline) {
      await api.stop();
      throw new Error(`the API process did not become ready within 30 s (last status ${status}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
