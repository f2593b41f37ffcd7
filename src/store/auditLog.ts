// The audit trail in Redis: one append-only stream per clinic (under the clinic's hash tag, so in its
// Cluster slot) and one for the deployment, each a hash chain (see scripts/auditScripts.ts for why the
// hash is computed here and only checked-and-set in Redis).
import { GENESIS, type AuditDraft, type AuditEntry } from '../audit/auditEntry.js';
import { entryHash } from '../audit/entryHash.js';
import type { ChainHead } from '../audit/verifyChain.js';
import { runScript } from './commands.js';
import { clinicKeys, deploymentAuditKeys, type AuditKeys } from './keys.js';
import type { Store } from './store.js';

/** A clinic's trail, or the deployment's (clinicId null). */
export type AuditTrail = { clinicId: string | null; keys: AuditKeys };

export const clinicTrail = (prefix: string, clinicId: string): AuditTrail => {
  const k = clinicKeys(prefix, clinicId);
  return { clinicId, keys: { audit: k.audit, auditHead: k.auditHead } };
};
export const deploymentTrail = (prefix: string): AuditTrail => ({ clinicId: null, keys: deploymentAuditKeys(prefix) });

/** Another process appending at the same moment costs a retry; this many in a row means something is wrong. */
const MAX_ATTEMPTS = 50;

// Per connection and stream: the head this process last saw (so an append is usually one round trip),
// and the entries waiting while an append is under way: they go together in the next call, so under
// load a busy clinic's trail costs one round trip per batch, not per entry.
type Waiting = { draft: AuditDraft; resolve: (done: Appended | null) => void; reject: (error: unknown) => void };
type StreamState = { head: ChainHead; waiting: Waiting[]; busy: boolean };
const streams = new WeakMap<Store, Map<string, StreamState>>();

/** At most this many entries in one call (a script runs alone: keep each short). */
const BATCH = 200;

export type Appended = { trail: AuditTrail; id: string; entry: AuditEntry };

/**
 * Appends an entry to the clinic's trail, or, when the clinic does not exist (or `clinicId` is null),
 * to the deployment's: a request for a clinic that is not there must not create keys for it.
 */
export async function appendAudit(store: Store, clinicId: string | null, draft: AuditDraft): Promise<Appended> {
  if (clinicId !== null) {
    const done = await appendTo(store, clinicTrail(store.prefix, clinicId), draft);
    if (done) return done;
  }
  return (await appendTo(store, deploymentTrail(store.prefix), draft))!;
}

/** Null when the trail is a clinic's and the clinic has no set-up. */
function appendTo(store: Store, trail: AuditTrail, draft: AuditDraft): Promise<Appended | null> {
  let all = streams.get(store);
  if (!all) streams.set(store, (all = new Map()));
  const key = trail.keys.audit;
  let state = all.get(key);
  if (!state) all.set(key, (state = { head: { seq: 0, hash: GENESIS }, waiting: [], busy: false }));
  const promise = new Promise<Appended | null>((resolve, reject) => state.waiting.push({ draft, resolve, reject }));
  if (!state.busy) void drain(store, trail, state);
  return promise;
}

/** Appends what waits, batch after batch, until nothing does. */
async function drain(store: Store, trail: AuditTrail, state: StreamState): Promise<void> {
  state.busy = true;
  while (state.waiting.length > 0) {
    const batch = state.waiting.splice(0, BATCH);
    try {
      const done = await appendBatch(store, trail, state, batch.map((w) => w.draft));
      batch.forEach((w, i) => w.resolve(done && done[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
  state.busy = false;
}

async function appendBatch(store: Store, trail: AuditTrail, state: StreamState, drafts: AuditDraft[]): Promise<Appended[] | null> {
  const setupKey = trail.clinicId === null ? trail.keys.auditHead : clinicKeys(store.prefix, trail.clinicId).setup;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const from = state.head;
    const entries: AuditEntry[] = [];
    let prev = from;
    for (const draft of drafts) {
      const unhashed = { v: 1 as const, seq: prev.seq + 1, ...draft, prev: prev.hash };
      const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
      entries.push(entry);
      prev = { seq: entry.seq, hash: entry.hash };
    }
    const reply = (await runScript(store, 'medschedAppendAudit', [trail.keys.audit, trail.keys.auditHead, setupKey], [
      trail.clinicId === null ? '0' : '1',
      from.seq,
      from.hash,
      ...entries.flatMap((e) => [e.hash, JSON.stringify(e)]),
    ])) as string[];
    if (reply[0] === 'ok') {
      state.head = prev;
      return entries.map((entry, i) => ({ trail, id: reply[i + 1]!, entry }));
    }
    if (reply[0] === 'no-clinic') return null;
    state.head = { seq: Number(reply[1]), hash: reply[2]! };
  }
  throw new Error(`the audit chain head kept moving: ${MAX_ATTEMPTS} attempts to append failed`);
}

/** The head the append script keeps beside the stream, or null when the trail has none. */
export async function readAuditHead(store: Store, trail: AuditTrail): Promise<ChainHead | null> {
  const [seq, hash] = await store.redis.hmget(trail.keys.auditHead, 'seq', 'hash');
  if (seq === null || seq === undefined || hash === null || hash === undefined) return null;
  return { seq: Number(seq), hash };
}

/** A stored entry as read: its stream id and its JSON as parsed (checked by whoever reads it). */
export type RawAuditEntry = { id: string; raw: unknown };

/**
 * Up to `count` entries in stream order from `start` to `end` (stream ids, or `-`/`+`; `(id` excludes
 * it). An entry whose `entry` field is missing or not JSON is returned as what it is (a broken chain).
 */
export async function readAuditPage(store: Store, trail: AuditTrail, start: string, end: string, count: number): Promise<RawAuditEntry[]> {
  const page = await store.redis.xrange(trail.keys.audit, start, end, 'COUNT', count);
  return page.map(([id, fields]) => ({ id, raw: entryOf(fields) }));
}

function entryOf(fields: string[]): unknown {
  if (fields.length !== 2 || fields[0] !== 'entry') return { fields };
  try {
    return JSON.parse(fields[1]!);
  } catch {
    return { entry: fields[1] };
  }
}
