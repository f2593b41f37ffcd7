// An authorisation override given with a hold, so that booking the hold records it in the history (a
// hold itself has none). Kept a day past the hold's expiry at most.
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

const KEEP_MS = 86_400_000;

export async function saveHoldOverride(store: Store, clinicId: string, holdId: string, note: string, holdTtlMs: number): Promise<void> {
  await store.redis.set(clinicKeys(store.prefix, clinicId).holdOverride(holdId), note, 'PX', Math.round(holdTtlMs) + KEEP_MS);
}

/** The override's history note of a hold; null when it was held without one. */
export async function holdOverrideNote(store: Store, clinicId: string, holdId: string): Promise<string | null> {
  return store.redis.get(clinicKeys(store.prefix, clinicId).holdOverride(holdId));
}
