// A redis-server of a test's own (free port, temp dir, nothing kept on disk unless asked), for tests
// that stop or reconfigure Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './apiProcess.js';

export type OwnRedis = {
  url: string;
  port: number;
  start: () => Promise<void>;
  kill: () => Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing answers (a hung or partitioned Redis). */
  pause: () => void;
  resume: () => void;
  remove: () => Promise<void>;
};

export async function ownRedis(extraArgs: string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'medsched-redis-'));
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  const signal = (name: NodeJS.Signals) => () => void (child as ChildProcess | null)?.kill(name);
  await start();
  return {
    url,
    port,
    start,
    kill,
    pause: signal('SIGSTOP'),
    resume: signal('SIGCONT'),
    remove: async () => {
      signal('SIGCONT')();
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
