// How bearer tokens are checked and issued, from the environment: the key (an HS256 secret and/or an
// identity provider's public key), the pinned algorithm(s), issuer and audience, and the clock tolerance.
// Without a secret the documented development secret is used, but only off production and only while the
// API listens on this machine alone; anything else refuses to start, naming the variable.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { envInt, envText } from '../runtime/envSchema.js';

/** Known to everyone (it is in the README): only for trying medsched out on one's own machine. */
export const DEV_JWT_SECRET = 'medsched-development-secret-never-use-in-production';
export const MIN_SECRET_BYTES = 32;

export const PUBLIC_KEY_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type PublicKeyAlg = (typeof PUBLIC_KEY_ALGS)[number];

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const JwtEnv = {
  NODE_ENV: optional(z.string()),
  /** HS256 secret of the tokens medsched issues (`medsched token create`) and accepts. */
  MEDSCHED_JWT_SECRET: optional(
    z.string().refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} bytes (e.g. the output of: openssl rand -base64 48)`),
  ),
  /** An identity provider's public key (PEM, SPKI; `\n` may stand for line breaks), for its RS/PS/ES/EdDSA tokens. */
  MEDSCHED_JWT_PUBLIC_KEY: optional(z.string()),
  MEDSCHED_JWT_PUBLIC_KEY_ALG: envText(z.enum(PUBLIC_KEY_ALGS, { error: `must be one of ${PUBLIC_KEY_ALGS.join(', ')}` }), 'RS256'),
  MEDSCHED_JWT_ISSUER: envText(z.string().max(300, 'must be at most 300 characters'), 'medsched'),
  MEDSCHED_JWT_AUDIENCE: envText(z.string().max(300, 'must be at most 300 characters'), 'medsched-api'),
  /** Leeway for `exp`/`nbf`/`iat` between clocks. */
  MEDSCHED_JWT_CLOCK_TOLERANCE_SECONDS: envInt(0, 300, 30),
};

const JwtEnvObject = z.object(JwtEnv);
export type JwtEnvValues = z.infer<typeof JwtEnvObject>;

export type JwtSettings = {
  /** The HS256 key, or null when only a public key verifies tokens. */
  secret: Uint8Array | null;
  publicKey: { key: KeyObject; alg: PublicKeyAlg } | null;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** The development secret is in use (no MEDSCHED_JWT_SECRET; not production; loopback only). */
  devSecret: boolean;
};

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** The key types each public-key algorithm needs (node's asymmetricKeyType). */
const KEY_TYPES: Record<string, string[]> = { R: ['rsa'], P: ['rsa', 'rsa-pss'], E: ['ec', 'ed25519', 'ed448'] };

/**
 * The JWT settings from the parsed environment. `host` is where the API listens (the API passes it; the
 * command line does not): the development secret is refused on any other address than this machine's.
 */
export function jwtSettingsOf(e: JwtEnvValues, host?: string): { ok: true; settings: JwtSettings } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  let publicKey: JwtSettings['publicKey'] = null;
  if (e.MEDSCHED_JWT_PUBLIC_KEY !== undefined) {
    try {
      const key = createPublicKey(e.MEDSCHED_JWT_PUBLIC_KEY.replace(/\\n/g, '\n'));
      const alg = e.MEDSCHED_JWT_PUBLIC_KEY_ALG;
      const family = alg === 'EdDSA' ? ['ed25519', 'ed448'] : KEY_TYPES[alg[0]!]!;
      if (!family.includes(key.asymmetricKeyType ?? ''))
        problems.push({ path: 'MEDSCHED_JWT_PUBLIC_KEY', message: `is a ${key.asymmetricKeyType} key, which ${alg} (MEDSCHED_JWT_PUBLIC_KEY_ALG) cannot use` });
      else publicKey = { key, alg };
    } catch {
      problems.push({ path: 'MEDSCHED_JWT_PUBLIC_KEY', message: 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)' });
    }
  }
  let secret = e.MEDSCHED_JWT_SECRET;
  let devSecret = false;
  if (secret === undefined && e.MEDSCHED_JWT_PUBLIC_KEY === undefined) {
    const how = `set it to at least ${MIN_SECRET_BYTES} random bytes (e.g. the output of: openssl rand -base64 48), or set MEDSCHED_JWT_PUBLIC_KEY to accept an identity provider's tokens`;
    if (e.NODE_ENV === 'production') problems.push({ path: 'MEDSCHED_JWT_SECRET', message: `is required in production: ${how}` });
    else if (host !== undefined && !LOOPBACK.test(host))
      problems.push({ path: 'MEDSCHED_JWT_SECRET', message: `is required when the API listens beyond this machine (HOST=${host}): ${how}` });
    else {
      secret = DEV_JWT_SECRET;
      devSecret = true;
    }
  }
  if (e.MEDSCHED_JWT_ISSUER.trim() === '') problems.push({ path: 'MEDSCHED_JWT_ISSUER', message: 'must not be blank' });
  if (e.MEDSCHED_JWT_AUDIENCE.trim() === '') problems.push({ path: 'MEDSCHED_JWT_AUDIENCE', message: 'must not be blank' });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      secret: secret === undefined ? null : new TextEncoder().encode(secret),
      publicKey,
      issuer: e.MEDSCHED_JWT_ISSUER,
      audience: e.MEDSCHED_JWT_AUDIENCE,
      clockToleranceSeconds: e.MEDSCHED_JWT_CLOCK_TOLERANCE_SECONDS,
      devSecret,
    },
  };
}

/** The settings straight from an environment (the command line's way); every bad variable by name. */
export function jwtSettingsFromEnv(env: Record<string, string | undefined>): { ok: true; settings: JwtSettings } | { ok: false; problems: Problem[] } {
  const parsed = JwtEnvObject.safeParse(env);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
  return jwtSettingsOf(parsed.data);
}
