// A Redis Cluster of a test's own: `masters` redis-server processes in cluster mode (free ports, a temp dir,
// nothing kept on disk, noeviction), joined with `redis-cli --cluster create` without replicas, and waited
// for until every node reports cluster_state:ok.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './apiProcess.js';

export type OwnCluster = {
  /** `127.0.0.1:<port>,...`: what REDIS_CLUSTER_NODES takes. */
  nodes: string;
  ports: number[];
  /** SIGKILL of the node on `port`. */
  kill: (port: number) => Promise<void>;
  remove: () => Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilAnswers(port: number, check: (node: Redis) => Promise<boolean>, what: string): Promise<void> {
  const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  node.on('error', () => {});
  const deadline = Date.now() + 20_000;
  try {
    for (;;) {
      try {
        if (node.status !== 'ready') await node.connect();
        if (await check(node)) return;
      } catch {
        node.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port}: ${what} within 20 s`);
      await sleep(100);
    }
  } finally {
    node.disconnect();
  }
}

export async function ownCluster(masters = 3): Promise<OwnCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'medsched-cluster-'));
  const children = new Map<number, ChildProcess>();
  const kill = async (port: number) => {
    const child = children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  const remove = async () => {
    await Promise.all([...children.keys()].map(kill));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    for (const port of ports) {
      // The cluster bus gets a free port of its own (port + 10000 may be past 65535).
      const bus = await freePort();
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-port', String(bus)];
      args.push('--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction');
      children.set(port, spawn('/usr/bin/redis-server', args, { stdio: 'ignore' }));
    }
    await Promise.all(ports.map((port) => untilAnswers(port, async (n) => (await n.ping()) === 'PONG', 'no PONG')));
    const hosts = ports.map((port) => `127.0.0.1:${port}`);
    await promisify(execFile)('redis-cli', ['--cluster', 'create', ...hosts, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const ok = async (n: Redis) => /^cluster_state:ok\r?$/m.test(await n.cluster('INFO'));
    await Promise.all(ports.map((port) => untilAnswers(port, ok, 'no cluster_state:ok')));
    return { nodes: hosts.join(','), ports, kill, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
