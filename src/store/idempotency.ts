import { runScript } from './commands.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

export type IdempotencyState =
  | { state: 'new' }
  | { state: 'in-flight' }
  | { state: 'done'; status: number; body: unknown }
  | { state: 'mismatch' };

/** A finished answer is replayed for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A claim whose process died before finishing lapses after this, so a retry can run. */
export const IN_FLIGHT_TTL_MS = 60_000;

type Record = { state: 'in-flight' | 'done'; hash: string; status?: number; body?: unknown };

/**
 * Claims an Idempotency-Key for a request body (by its hash): 'new' when this call now owns it;
 * 'in-flight' when the same request is still running; 'done' with the first answer; 'mismatch' when
 * the key was used with another body.
 */
export async function beginIdempotent(store: Store, clinicId: string, key: string, bodyHash: string): Promise<IdempotencyState> {
  const found = (await runScript(store, 'medschedBeginIdempotent', [clinicKeys(store.prefix, clinicId).idempotency(key)], [bodyHash, IN_FLIGHT_TTL_MS])) as string | null;
  if (found === null) return { state: 'new' };
  const record = JSON.parse(found) as Record;
  if (record.hash !== bodyHash) return { state: 'mismatch' };
  if (record.state === 'in-flight') return { state: 'in-flight' };
  return { state: 'done', status: record.status!, body: record.body };
}

/** Records the answer of a request that owns its key, to be replayed for 24 h. */
export async function finishIdempotent(store: Store, clinicId: string, key: string, bodyHash: string, status: number, body: unknown): Promise<void> {
  const record: Record = { state: 'done', hash: bodyHash, status, body };
  await runScript(store, 'medschedFinishIdempotent', [clinicKeys(store.prefix, clinicId).idempotency(key)], [bodyHash, JSON.stringify(record), IDEMPOTENCY_TTL_MS]);
}

/** Lets go of a key after a failure that must not be replayed (a 5xx), so a retry runs again. */
export async function abandonIdempotent(store: Store, clinicId: string, key: string, bodyHash: string): Promise<void> {
  await runScript(store, 'medschedAbandonIdempotent', [clinicKeys(store.prefix, clinicId).idempotency(key)], [bodyHash]);
}
