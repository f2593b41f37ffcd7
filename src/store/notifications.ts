// Agenda-change notifications: one entry per person whose agenda a change touched, in the clinic's stream
// (ids only: who, which date, which appointments, what caused it). Capped at about MAX_ENTRIES per clinic,
// oldest first out: it tells people what changed lately; the audit trail is the record of who did what.
import { AgendaNotification } from '../contract/briefing.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

export const MAX_NOTIFICATIONS = 100_000;
/** Entries read from the stream per round while filtering a page. */
const SCAN = 500;

export type StoredNotification = AgendaNotification & { id: string };

/** Appends the notifications (one stream entry each) in one round trip; the ids they were stored under. */
export async function appendNotifications(store: Store, clinicId: string, notifications: readonly AgendaNotification[]): Promise<string[]> {
  if (notifications.length === 0) return [];
  const key = clinicKeys(store.prefix, clinicId).notifications;
  const pipeline = store.redis.pipeline();
  for (const n of notifications) pipeline.xadd(key, 'MAXLEN', '~', MAX_NOTIFICATIONS, '*', 'n', JSON.stringify(AgendaNotification.parse(n)));
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}

export type NotificationQuery = { personId?: string | undefined; date?: string | undefined; after?: string | undefined; limit: number };

/**
 * A page of notifications, oldest first, after stream id `after` (exclusive), keeping those of `personId`
 * and `date` when given; `next` is the `after` of the next page, null once the stream is read to its end.
 */
export async function readNotifications(store: Store, clinicId: string, q: NotificationQuery): Promise<{ notifications: StoredNotification[]; next: string | null }> {
  const key = clinicKeys(store.prefix, clinicId).notifications;
  const found: StoredNotification[] = [];
  let from = q.after !== undefined ? `(${q.after}` : '-';
  for (;;) {
    const page = await store.redis.xrange(key, from, '+', 'COUNT', SCAN);
    for (const [id, fields] of page) {
      const at = fields.indexOf('n');
      const parsed = at >= 0 ? AgendaNotification.safeParse(JSON.parse(fields[at + 1]!)) : undefined;
      if (!parsed?.success) continue;
      const n = parsed.data;
      if ((q.personId !== undefined && n.personId !== q.personId) || (q.date !== undefined && n.date !== q.date)) continue;
      found.push({ id, ...n });
      if (found.length === q.limit) return { notifications: found, next: id };
    }
    if (page.length < SCAN) return { notifications: found, next: null };
    from = `(${page.at(-1)![0]}`;
  }
}
