// The waitlist as the store keeps it: entries (hash: id → JSON), the places freed for it (hash: slot id
// → JSON), and a short per-clinic lock that every change takes, so two API processes never offer one
// place twice or two places to one entry. The offers themselves are holds (see waitlistFlow.ts).
import { randomUUID } from 'node:crypto';
import { FreedSlot, WaitlistEntry } from '../contract/waitlist.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

/** The lock could not be had in time (another process is changing this clinic's waitlist). */
export class WaitlistBusy extends Error {}

const LOCK_MS = 10_000;
const WAIT_MS = 5_000;
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Runs `work` holding the clinic's waitlist lock (waiting up to 5 s for it). */
export async function withWaitlistLock<T>(store: Store, clinicId: string, work: () => Promise<T>): Promise<T> {
  const key = clinicKeys(store.prefix, clinicId).waitlistLock;
  const token = randomUUID();
  const until = Date.now() + WAIT_MS;
  while ((await store.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    if (Date.now() > until) throw new WaitlistBusy(`the waitlist of clinic '${clinicId}' is busy; retry`);
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    return await work();
  } finally {
    await store.redis.eval(RELEASE, 1, key, token);
  }
}

export type WaitlistState = { entries: Map<string, WaitlistEntry>; freed: Map<string, FreedSlot> };

export async function readWaitlist(store: Store, clinicId: string): Promise<WaitlistState> {
  const k = clinicKeys(store.prefix, clinicId);
  const [entries, freed] = await Promise.all([store.redis.hvals(k.waitlist), store.redis.hvals(k.waitlistFreed)]);
  const parse = <T>(schema: { safeParse: (v: unknown) => { success: boolean; data?: T } }, raws: string[]) =>
    raws.flatMap((raw) => {
      const parsed = schema.safeParse(JSON.parse(raw));
      return parsed.success ? [parsed.data as T] : [];
    });
  return {
    entries: new Map(parse<WaitlistEntry>(WaitlistEntry, entries).map((e) => [e.id, e])),
    freed: new Map(parse<FreedSlot>(FreedSlot, freed).map((s) => [s.id, s])),
  };
}

export async function waitlistSize(store: Store, clinicId: string): Promise<number> {
  return store.redis.hlen(clinicKeys(store.prefix, clinicId).waitlist);
}

export async function putEntry(store: Store, clinicId: string, entry: WaitlistEntry): Promise<void> {
  await store.redis.hset(clinicKeys(store.prefix, clinicId).waitlist, entry.id, JSON.stringify(entry));
}

export async function deleteEntry(store: Store, clinicId: string, entryId: string): Promise<void> {
  await store.redis.hdel(clinicKeys(store.prefix, clinicId).waitlist, entryId);
}

export async function putFreed(store: Store, clinicId: string, slot: FreedSlot): Promise<void> {
  await store.redis.hset(clinicKeys(store.prefix, clinicId).waitlistFreed, slot.id, JSON.stringify(slot));
}

export async function deleteFreed(store: Store, clinicId: string, slotId: string): Promise<void> {
  await store.redis.hdel(clinicKeys(store.prefix, clinicId).waitlistFreed, slotId);
}
