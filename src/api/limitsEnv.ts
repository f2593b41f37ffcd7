// The environment variables of the API's limits and browser policy: rate limits, the origins a browser may
// call from (none unless listed), and the proxies whose X-Forwarded-For names the client (none unless listed).
import net from 'node:net';
import { z } from 'zod';
import { envInt, envText } from '../runtime/envSchema.js';

/** A comma-separated list; each entry is trimmed and checked by `problem` (a message, or null when fine). */
const envList = (problem: (entry: string) => string | null) =>
  envText(
    z.string().superRefine((value, ctx) => {
      for (const entry of entries(value)) {
        const message = problem(entry);
        if (message) ctx.addIssue({ code: 'custom', message: `'${entry}' ${message}` });
      }
    }),
    '',
  ).transform(entries);

function entries(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/** An origin exactly as a browser sends it: http(s)://host[:port], no path. */
function originProblem(entry: string): string | null {
  if (entry === '*') return "is not allowed: list each origin (a browser app of this service handles patient data)";
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'is not an origin such as https://desk.example.org';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://';
  if (url.origin !== entry) return `is not an origin as a browser sends it (write ${url.origin})`;
  return null;
}

/** An address or CIDR range of a trusted proxy, or one of proxy-addr's names. */
function proxyProblem(entry: string): string | null {
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return null;
  const [address = '', bits, ...rest] = entry.split('/');
  const version = net.isIP(address);
  if (version === 0 || rest.length > 0) return 'is not an IP address or CIDR range (e.g. 10.0.0.0/8), nor loopback, linklocal or uniquelocal';
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128))) return `has a bad prefix length '/${bits}'`;
  return null;
}

export const LimitsEnv = {
  /** The rate limits' window; each limit counts requests per window. */
  RATE_LIMIT_WINDOW_SECONDS: envInt(1, 3_600, 60),
  /** Requests per window of one authenticated caller (its token's subject; without one, its address). */
  RATE_LIMIT_PER_CALLER: envInt(1, 10_000_000, 600),
  /** Requests per window from one client address, whoever it is (a clinic's desks behind one NAT share it). */
  RATE_LIMIT_PER_IP: envInt(1, 10_000_000, 3_000),
  /** Origins a browser may call the API from (comma-separated); empty: no CORS headers at all. */
  CORS_ORIGINS: envList(originProblem),
  /** Proxies in front of the API (addresses or CIDR ranges); their X-Forwarded-For names the client. Empty: none. */
  TRUST_PROXY: envList(proxyProblem),
};

export type LimitsConfig = {
  rateLimitWindowMs: number;
  rateLimitPerCaller: number;
  rateLimitPerIp: number;
  corsOrigins: readonly string[];
  trustProxy: readonly string[];
};

type LimitsValues = { [K in keyof typeof LimitsEnv]: z.output<(typeof LimitsEnv)[K]> };

export function limitsConfigOf(e: LimitsValues): LimitsConfig {
  return {
    rateLimitWindowMs: e.RATE_LIMIT_WINDOW_SECONDS * 1000,
    rateLimitPerCaller: e.RATE_LIMIT_PER_CALLER,
    rateLimitPerIp: e.RATE_LIMIT_PER_IP,
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: e.TRUST_PROXY,
  };
}
