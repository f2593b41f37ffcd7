// Which Redis a deployment uses: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, a few of
// its nodes as host:port; the client learns the rest from them). Read from the environment by the API and
// the workers alike.
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';

export type ClusterNode = { host: string; port: number };
export type RedisTarget = { kind: 'single'; url: string } | { kind: 'cluster'; nodes: ClusterNode[] };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

// A host name, an IPv4 address or a bracketed IPv6 address, then a port.
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;
const EXAMPLE = 'e.g. 10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000';

/** `host:port,host:port,...` as nodes; each entry that is not host:port is named. */
export const ClusterNodes = z.string().transform((text, ctx): ClusterNode[] => {
  const entries = text.split(',').map((s) => s.trim());
  const nodes: ClusterNode[] = [];
  for (const entry of entries) {
    const match = HOST_PORT.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65_535) {
      ctx.addIssue({ code: 'custom', message: `must be host:port pairs separated by commas (${EXAMPLE}); '${entry}' is not` });
      return z.NEVER;
    }
    nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return nodes;
});

type TargetEnv = { REDIS_URL?: string | undefined; REDIS_CLUSTER_NODES?: ClusterNode[] | undefined };

/** Naming both is a mistake worth stopping for: which one was meant? */
export function redisTargetProblems(e: TargetEnv): Problem[] {
  return e.REDIS_URL !== undefined && e.REDIS_CLUSTER_NODES !== undefined
    ? [{ path: 'REDIS_CLUSTER_NODES', message: 'set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both' }]
    : [];
}

export function redisTargetOf(e: TargetEnv): RedisTarget {
  return e.REDIS_CLUSTER_NODES ? { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES } : { kind: 'single', url: e.REDIS_URL ?? DEFAULT_REDIS_URL };
}

/** For logs and messages: where the deployment's Redis is (a URL's credentials left out). */
export const describeTarget = (target: RedisTarget) =>
  target.kind === 'single' ? target.url.replace(/\/\/[^@/]*@/, '//') : `cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
