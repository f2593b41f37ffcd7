// The confirm/cancel links of a reminder: `/r/<token>/confirm`, `/r/<token>/cancel`. The token names the
// clinic, the appointment and the version it had when the reminder was written, and expires when the
// appointment starts; it is signed with HMAC-SHA256 under the deployment's link secret, so a patient needs
// no login and nobody can make one for another appointment. Compact on purpose (a path parameter is at
// most 200 characters): base64url of a JSON array, a dot, the 43-character MAC.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DEV_JWT_SECRET } from '../auth/jwtSettings.js';

export type LinkClaims = { clinicId: string; appointmentId: string; version: number; expiresAtMs: number };

const LABEL = 'medsched reminder link v1\n';
const TOKEN = /^([A-Za-z0-9_-]{8,160})\.([A-Za-z0-9_-]{43})$/;
const Payload = z.tuple([z.string().min(1).max(64), z.string().min(1).max(200), z.number().int().positive(), z.number().int().positive()]);

const mac = (secret: Uint8Array, payload: string) => createHmac('sha256', secret).update(LABEL + payload).digest('base64url');

export function signLink(secret: Uint8Array, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify([claims.clinicId, claims.appointmentId, claims.version, Math.floor(claims.expiresAtMs / 1000)])).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'expired'; claims: LinkClaims };

/** Whether the token is one of ours, unaltered, and not expired at `nowMs`. */
export function verifyLink(secret: Uint8Array, token: string, nowMs: number): LinkCheck {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'invalid' };
  const [, payload, given] = m as unknown as [string, string, string];
  const expected = Buffer.from(mac(secret, payload));
  if (!timingSafeEqual(expected, Buffer.from(given))) return { ok: false, reason: 'invalid' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parsed = Payload.safeParse(decoded);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const [clinicId, appointmentId, version, exp] = parsed.data;
  const claims = { clinicId, appointmentId, version, expiresAtMs: exp * 1000 };
  return nowMs >= claims.expiresAtMs ? { ok: false, reason: 'expired', claims } : { ok: true, claims };
}

/** What the link secret is derived from when MEDSCHED_REMINDER_LINK_SECRET is not set (the JWT secret). */
const DERIVE_LABEL = 'medsched reminder links v1';

/**
 * The link secret: MEDSCHED_REMINDER_LINK_SECRET, else one derived from the HS256 JWT secret (the API and
 * the workers of one deployment share it), else, off production, from the documented development secret.
 */
export function reminderLinkSecretOf(configured: string | undefined, jwtSecret: Uint8Array | string | null, production: boolean): Uint8Array | null {
  if (configured !== undefined) return new Uint8Array(Buffer.from(configured, 'utf8'));
  const base = jwtSecret ?? (production ? null : DEV_JWT_SECRET);
  if (base === null) return null;
  return new Uint8Array(createHmac('sha256', typeof base === 'string' ? Buffer.from(base, 'utf8') : base).update(DERIVE_LABEL).digest());
}
