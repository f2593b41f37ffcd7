// Each person's calendar link generation (0 until their links are first revoked): a link's key is signed
// over it, so moving it on revokes every link issued before (see src/auth/calendarLinks.ts).
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

export async function calendarLinkGeneration(store: Store, clinicId: string, personId: string): Promise<number> {
  return Number((await store.redis.hget(clinicKeys(store.prefix, clinicId).calendarLinks, personId)) ?? 0);
}

/** Revokes the person's links; the new generation. */
export async function revokeCalendarLinks(store: Store, clinicId: string, personId: string): Promise<number> {
  return store.redis.hincrby(clinicKeys(store.prefix, clinicId).calendarLinks, personId, 1);
}
