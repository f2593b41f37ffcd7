// Most routes start from the clinic's set-up: 404 when the clinic has none.
import { getSetup, setupForWrite, type VersionedSetup } from '../store/setup.js';
import type { Store } from '../store/store.js';
import { notFound } from './errors.js';

export async function clinicSetupOf(store: Store, clinicId: string): Promise<VersionedSetup> {
  const current = await getSetup(store, clinicId);
  if (!current) throw notFound(`clinic '${clinicId}'`);
  return current;
}

/**
 * The set-up as last read by this process, for building a hold or booking: the store's script checks
 * its version and the store re-checks the appointment on the current set-up when it changed, so a
 * stale copy costs a retry, never a wrong booking; it saves reading the whole set-up on every booking.
 */
export async function clinicSetupForWrite(store: Store, clinicId: string): Promise<VersionedSetup> {
  const current = await setupForWrite(store, clinicId);
  if (!current) throw notFound(`clinic '${clinicId}'`);
  return current;
}
