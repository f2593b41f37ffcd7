// Checks an audit chain, entry by entry, so a stream of any length is walked in pages (the CLI reads
// Redis or an export file as it goes): each entry must hash to its `hash`, follow the one before it
// (seq one more, prev = its hash), and a whole stream must start at seq 1 and end at its head, the
// seq and hash the append script records with every entry. Pure: no I/O.
import { parseWith } from '../contract/parse.js';
import { AuditEntry, GENESIS } from './auditEntry.js';
import { entryHash } from './entryHash.js';

/** What the store records beside the stream on every append: the last entry's seq and hash. */
export type ChainHead = { seq: number; hash: string };

/** Where an entry was read: its stream id and/or its line in an export file. */
export type EntryPlace = { id?: string | null; line?: number };

export type ChainBreak = {
  kind: 'malformed' | 'altered' | 'removed' | 'inserted';
  /** The first entry that does not check (null when the break is at the end of the chain). */
  seq: number | null;
  id: string | null;
  line: number | null;
  message: string;
};

export type ChainState = {
  /** A whole stream starts at seq 1; an export of a time range may start anywhere. */
  fromStart: boolean;
  count: number;
  first: { seq: number; id: string | null } | null;
  last: { seq: number; hash: string; id: string | null } | null;
};

export type StepResult = { ok: true; state: ChainState } | { ok: false; broken: ChainBreak };

export const startChain = (fromStart: boolean): ChainState => ({ fromStart, count: 0, first: null, last: null });

function where(seq: number | null, place: EntryPlace): string {
  const parts = [seq !== null ? `entry seq ${seq}` : 'an entry'];
  if (place.id) parts.push(`stream id ${place.id}`);
  if (place.line !== undefined) parts.push(`line ${place.line}`);
  return parts.length === 1 ? parts[0]! : `${parts[0]} (${parts.slice(1).join(', ')})`;
}

const broken = (kind: ChainBreak['kind'], seq: number | null, place: EntryPlace, message: string): StepResult => ({
  ok: false,
  broken: { kind, seq, id: place.id ?? null, line: place.line ?? null, message: `${where(seq, place)}: ${message}` },
});

/** Checks the next entry of the chain (`raw`: the parsed JSON of an entry, an export line's `id` allowed). */
export function stepChain(state: ChainState, raw: unknown, place: EntryPlace = {}): StepResult {
  const parsed = parseWith(AuditEntry, stripId(raw));
  if (!parsed.ok) {
    const seq = typeof (raw as { seq?: unknown })?.seq === 'number' ? (raw as { seq: number }).seq : null;
    return broken('malformed', seq, place, `not an audit entry (${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`);
  }
  const entry = parsed.value;
  if (entryHash(entry) !== entry.hash) return broken('altered', entry.seq, place, 'its hash does not match its content: the entry was altered or forged');
  const last = state.last;
  if (last === null) {
    if (entry.seq === 1 && entry.prev !== GENESIS) return broken('inserted', 1, place, 'the first entry must have prev 0…0: the entry was forged');
    if (state.fromStart && entry.seq !== 1)
      return broken('removed', entry.seq, place, `the stream starts at seq ${entry.seq}: entries 1..${entry.seq - 1} were removed`);
  } else {
    const expected = last.seq + 1;
    if (entry.seq > expected) {
      const missing = entry.seq === expected + 1 ? `entry seq ${expected} is` : `entries seq ${expected}..${entry.seq - 1} are`;
      return broken('removed', entry.seq, place, `${missing} missing after seq ${last.seq}: removed`);
    }
    if (entry.seq < expected)
      return broken('inserted', entry.seq, place, `it repeats seq ${entry.seq} after seq ${last.seq}: an entry was inserted or replayed`);
    if (entry.prev !== last.hash)
      return broken('inserted', entry.seq, place, `its prev does not match the hash of seq ${last.seq} before it: that entry was replaced or inserted`);
  }
  return {
    ok: true,
    state: {
      ...state,
      count: state.count + 1,
      first: state.first ?? { seq: entry.seq, id: place.id ?? null },
      last: { seq: entry.seq, hash: entry.hash, id: place.id ?? null },
    },
  };
}

/**
 * Whether the chain ends where its head says: the append script moves the head with every entry, so a
 * stream that stops short of it lost its last entries, and an entry past it was not appended by medsched.
 */
export function endChain(state: ChainState, head: ChainHead | null): ChainBreak | null {
  const last = state.last;
  const at = (message: string, kind: ChainBreak['kind']): ChainBreak => ({ kind, seq: null, id: null, line: null, message });
  if (head === null) return last === null ? null : at(`the stream has ${state.count} entries but no head record: the head was removed`, 'removed');
  if (last === null) return head.seq === 0 ? null : at(`the stream is empty but its head records ${head.seq} entries: they were removed`, 'removed');
  if (last.seq < head.seq)
    return at(`the stream ends at seq ${last.seq} but its head records seq ${head.seq}: the last entries were removed`, 'removed');
  if (last.seq > head.seq)
    return at(`the stream goes on past its head (seq ${head.seq}) to seq ${last.seq}: entries were added without the append script`, 'inserted');
  if (last.hash !== head.hash) return at(`the last entry (seq ${last.seq}) is not the one its head records: it was replaced`, 'inserted');
  return null;
}

export type ChainVerdict = { ok: true; count: number; first: ChainState['first']; last: ChainState['last'] } | { ok: false; broken: ChainBreak };

/** The whole check over entries in hand; with a head (a whole stream) the chain must also end there. */
export function verifyChain(entries: Iterable<{ raw: unknown; place?: EntryPlace }>, options: { fromStart: boolean; head?: ChainHead | null }): ChainVerdict {
  let state = startChain(options.fromStart);
  for (const { raw, place } of entries) {
    const step = stepChain(state, raw, place);
    if (!step.ok) return step;
    state = step.state;
  }
  if (options.head !== undefined) {
    const end = endChain(state, options.head);
    if (end) return { ok: false, broken: end };
  }
  return { ok: true, count: state.count, first: state.first, last: state.last };
}

function stripId(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('id' in raw)) return raw;
  const { id: _id, ...rest } = raw as Record<string, unknown>;
  return rest;
}
