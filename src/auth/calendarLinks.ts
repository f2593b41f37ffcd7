// Calendar subscription links: a calendar app cannot send a bearer token, so a person's feed URL carries
// its own key, an HMAC-SHA256 (with the deployment's link secret) over the clinic, the person and the
// link generation the store keeps for that person. Revoking a person's links moves their generation on,
// which makes every key issued before it fail; the secret never leaves the API.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What the link secret is derived from when MEDSCHED_FEED_SECRET is not set (the JWT secret). */
const DERIVE_LABEL = 'medsched calendar subscription links v1';

/** The link secret: the configured one, else one derived from the JWT secret, else none (links are off). */
export function linkSecretOf(configured: string | undefined, jwtSecret: Uint8Array | null): Uint8Array | null {
  if (configured !== undefined) return new Uint8Array(Buffer.from(configured, 'utf8'));
  if (jwtSecret === null) return null;
  return new Uint8Array(createHmac('sha256', jwtSecret).update(DERIVE_LABEL).digest());
}

/** The key of a person's feed link at `generation` (43 base64url characters). */
export function calendarLinkKey(secret: Uint8Array, clinicId: string, personId: string, generation: number): string {
  return createHmac('sha256', secret).update(JSON.stringify(['feed', clinicId, personId, generation])).digest('base64url');
}

/** Whether `given` is the key of the person's current generation (compared in constant time). */
export function calendarLinkKeyMatches(secret: Uint8Array, clinicId: string, personId: string, generation: number, given: string): boolean {
  const expected = Buffer.from(calendarLinkKey(secret, clinicId, personId, generation));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
