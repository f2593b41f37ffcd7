// Credentials for the service tests: the JWT settings every test API process gets (a fixed test secret,
// issuer and audience) and tokens made here by hand (HMAC-SHA256 over the JWS signing input), so the tests
// check the API's verification with code of their own, and can make the bad tokens a client might send.
import { createHmac } from 'node:crypto';

export const TEST_JWT_SECRET = 'medsched-test-secret-5f2c9a1e7b3d4c6a8e0f1a2b3c4d5e6f';
export const TEST_JWT_ISSUER = 'medsched-test';
export const TEST_JWT_AUDIENCE = 'medsched-test-api';

/** What startApi passes to every API process unless a test overrides it. */
export const TEST_AUTH_ENV: Record<string, string> = {
  MEDSCHED_JWT_SECRET: TEST_JWT_SECRET,
  MEDSCHED_JWT_ISSUER: TEST_JWT_ISSUER,
  MEDSCHED_JWT_AUDIENCE: TEST_JWT_AUDIENCE,
};

export type Role = 'front-desk' | 'clinician' | 'scheduler-admin' | 'integration' | 'auditor';

export type TokenOptions = {
  clinics: string[];
  role?: Role;
  subject?: string;
  providerId?: string;
  /** Seconds from now until `exp` (negative: expired); default one hour. */
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  secret?: string;
  /** Another algorithm in the header (`none`: no signature at all). */
  alg?: string;
  /** Claims to add or override (undefined removes one). */
  claims?: Record<string, unknown>;
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with HS256 (or as `alg` says: `none` leaves the signature empty). */
export function token(o: TokenOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    sub: o.subject ?? 'test-user',
    role: o.role ?? 'scheduler-admin',
    clinics: o.clinics,
    ...(o.providerId !== undefined ? { providerId: o.providerId } : {}),
    iss: o.issuer ?? TEST_JWT_ISSUER,
    aud: o.audience ?? TEST_JWT_AUDIENCE,
    iat: now,
    exp: now + (o.ttlSeconds ?? 3600),
    ...o.claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  const alg = o.alg ?? 'HS256';
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  const signature = alg === 'none' ? '' : createHmac('sha256', o.secret ?? TEST_JWT_SECRET).update(input).digest('base64url');
  return `${input}.${signature}`;
}

/** The Authorization header of a token. */
export const bearer = (o: TokenOptions): Record<string, string> => ({ authorization: `Bearer ${token(o)}` });

/** Headers of a named caller (the history's "by", the hold cap's caller) with a role in some clinics. */
export const as = (subject: string, role: Role, clinics: string[], providerId?: string): Record<string, string> =>
  bearer({ subject, role, clinics, ...(providerId !== undefined ? { providerId } : {}) });

const CLINIC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const cached = new Map<string, { header: string; until: number }>();

/**
 * The default credential of `call`: a scheduler-admin (`test-admin`) of the clinic the path names (or of
 * no real clinic when it names none), so a test reaches the route as before authentication existed.
 */
export function defaultAuthFor(path: string): string {
  const match = /^\/clinics\/([^/?#]+)/.exec(path);
  let clinic = 'no-clinic';
  if (match) {
    try {
      const decoded = decodeURIComponent(match[1]!);
      if (CLINIC_ID.test(decoded)) clinic = decoded;
    } catch {
      // a broken escape: the token names no real clinic
    }
  }
  const hit = cached.get(clinic);
  if (hit && hit.until > Date.now()) return hit.header;
  const header = `Bearer ${token({ subject: 'test-admin', role: 'scheduler-admin', clinics: [clinic], ttlSeconds: 7200 })}`;
  cached.set(clinic, { header, until: Date.now() + 3_600_000 });
  return header;
}
