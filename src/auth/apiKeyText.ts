// API keys for integrations: `msk_<keyId>_<secret>`, both parts random (node:crypto). The key id names the
// stored record; only a SHA-256 of the secret is kept (the secret is 256 random bits, so a fast hash is
// enough: there is nothing to guess), and it is compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY = /^msk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const KEY_ID = /^[0-9a-f]{16}$/;

export type NewApiKey = { keyId: string; key: string; secretHash: string };

export function newApiKey(): NewApiKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, key: `msk_${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** The key id and secret of a key as given, or null when it is not shaped like one of ours. */
export function parseApiKey(text: string): { keyId: string; secret: string } | null {
  const match = KEY.exec(text);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The secret matches the stored hash (constant time in the secret). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}
