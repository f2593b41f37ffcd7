import { ClinicSetup } from '../contract/clinicSetup.js';
import { parseWith, type Problem } from '../contract/parse.js';
import { describeRef, refsOfSetup } from '../booking/resourceRefs.js';
import { runScript } from './commands.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

export type VersionedSetup = { setup: ClinicSetup; version: number };

export type PutSetupResult =
  | { ok: true; version: number }
  | { ok: false; reason: 'stale'; version: number }
  | { ok: false; reason: 'in-use'; problems: Problem[] }
  | { ok: false; reason: 'invalid'; problems: Problem[] };

// The last set-up read per store and clinic: a booking computes its counters on it and its script
// checks the version, so the cache is never trusted blindly (a stale one costs a retry).
const cache = new WeakMap<Store, Map<string, VersionedSetup>>();

function remember(store: Store, clinicId: string, value: VersionedSetup): VersionedSetup {
  let byClinic = cache.get(store);
  if (!byClinic) cache.set(store, (byClinic = new Map()));
  byClinic.set(clinicId, value);
  return value;
}

/** The clinic's set-up and its version (1 for the first), or null when it has none. */
export async function getSetup(store: Store, clinicId: string): Promise<VersionedSetup | null> {
  const [json, version] = await store.redis.hmget(clinicKeys(store.prefix, clinicId).setup, 'json', 'version');
  if (json === null || json === undefined || version === null || version === undefined) return null;
  const known = cache.get(store)?.get(clinicId);
  if (known && known.version === Number(version)) return known;
  return remember(store, clinicId, { setup: JSON.parse(json) as ClinicSetup, version: Number(version) });
}

/** The cached set-up if any, else a fresh read. */
export async function setupForWrite(store: Store, clinicId: string): Promise<VersionedSetup | null> {
  return cache.get(store)?.get(clinicId) ?? getSetup(store, clinicId);
}

/**
 * Stores the set-up if the stored version is still `expectedVersion` (null: the clinic has none yet).
 * Refused when it would remove a provider, room, staff member, equipment item or service a live
 * appointment or hold uses, or change slotMinutes or the time zone while any is booked.
 */
export async function putSetup(store: Store, clinicId: string, setup: ClinicSetup, expectedVersion: number | null): Promise<PutSetupResult> {
  const parsed = parseWith(ClinicSetup, setup);
  if (!parsed.ok) return { ok: false, reason: 'invalid', problems: parsed.problems };
  if (parsed.value.clinic.id !== clinicId)
    return { ok: false, reason: 'invalid', problems: [{ path: '$.clinic.id', message: `the set-up is for clinic '${parsed.value.clinic.id}' but was stored as clinic '${clinicId}'` }] };
  const k = clinicKeys(store.prefix, clinicId);
  const reply = JSON.parse(
    (await runScript(store, 'medschedPutSetup', [k.setup, k.refs], [expectedVersion ?? '', JSON.stringify(parsed.value), JSON.stringify(refsOfSetup(parsed.value))])) as string,
  ) as { ok?: true; version?: number; reason?: string; missing?: [string, number][] };
  if (reply.ok) {
    remember(store, clinicId, { setup: parsed.value, version: reply.version! });
    return { ok: true, version: reply.version! };
  }
  if (reply.reason === 'stale') return { ok: false, reason: 'stale', version: reply.version! };
  const problems = (reply.missing ?? []).map(([ref, count]) => {
    const { path, what } = describeRef(ref);
    return { path, message: `${what} is used by ${count} live appointment${count === 1 ? '' : 's'} or hold${count === 1 ? '' : 's'}; cancel or move them first` };
  });
  return { ok: false, reason: 'in-use', problems };
}

/** Forget a cached set-up (after a script found its version stale). */
export function forgetSetup(store: Store, clinicId: string): void {
  cache.get(store)?.delete(clinicId);
}
