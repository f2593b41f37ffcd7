// `npm start` on one machine: the API and a worker as two processes; ready once the API reaches Redis and
// sees the worker's heartbeat; SIGTERM stops both cleanly.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { liveWorkers } from '../src/jobs/heartbeat.js';
import { freePort } from './support/apiProcess.js';
import { repoRoot } from './support/paths.js';
import { testRedis } from './support/redis.js';

const redis = testRedis('start-all');
afterAll(() => redis.cleanup());

describe('npm start', () => {
  it('runs the API and a worker together, is ready, and stops both on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/service/startAll.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, MEDSCHED_PREFIX: redis.prefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let ready = 0;
      for (let k = 0; k < 300 && ready !== 200; k++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status, () => 0);
      }
      expect(ready, output).toBe(200);
      // The worker's heartbeat is under the deployment's prefix.
      expect(await liveWorkers(redis.redis, redis.prefix)).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code, output).toBe(0);
  }, 60_000);
});
