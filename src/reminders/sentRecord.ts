// One reminder's delivery record (per appointment and offset), written as the delivery goes:
// claimed (a worker is sending it, under a lease) → sent, or skipped (nobody to send it to, a channel not
// configured) or failed (refused for good). Every step is one Lua script on the record, by Redis's clock.
//
// Why a claim with a lease: a worker that dies mid-send leaves `claimed` behind. The job comes back to
// another worker (BullMQ's stalled-job check); it finds the claim and
// - waits while the lease runs (the first worker may still be sending: the lease outlasts a send's timeout);
// - once it lapsed, takes the claim over and sends again, with the same Message-ID (the id is derived from
//   the reminder, so every attempt of one reminder is one message to the receiving side).
// A record that says `sent` is never sent again, whoever asks and however often.
//
// What remains: SMTP has no idempotency. A worker that dies after the server accepted the message (its
// "250 OK") and before `sent` is written leaves a claim that looks exactly like a send that never
// finished; the next attempt sends again. That window is one Redis write long (milliseconds), and the
// repeat carries the same Message-ID, which mail systems may use to drop the duplicate. The webhook
// channels pass the same id as `Idempotency-Key`, for a provider that deduplicates. The alternative (never
// resend an unfinished claim) would lose the reminder instead; a duplicate reminder is the lesser harm.
import { z } from 'zod';
import type { Store } from '../store/store.js';
import { RECORD_KEEP_MS, reminderKeys } from './reminderKeys.js';

export const DeliveryState = z.enum(['claimed', 'sent', 'skipped', 'failed']);
export type DeliveryState = z.infer<typeof DeliveryState>;

export const DeliveryRecord = z
  .object({
    start: z.string().describe("epoch ms of the appointment's start this reminder was for"),
    state: DeliveryState,
    channel: z.string(),
    messageId: z.string(),
    attempts: z.number().int().describe('claims so far (a retry after a crash or a failed send claims again)'),
    holder: z.string().optional(),
    leaseUntil: z.number().optional().describe('epoch ms: a claim whose lease has lapsed may be taken over'),
    claimedAt: z.number().optional(),
    finishedAt: z.number().optional(),
    detail: z.string().optional().describe('what the channel answered (sent), or why it was skipped or failed'),
    lastError: z.string().optional(),
  })
  .meta({ id: 'ReminderDelivery' });
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] record. ARGV: 1 start, 2 holder, 3 lease ms, 4 message id, 5 channel, 6 expiry (epoch ms). */
const CLAIM = `#!lua
${NOW}
local attempts = 1
local raw = redis.call('GET', KEYS[1])
if raw then
  local r = cjson.decode(raw)
  if r.start == ARGV[1] then
    if r.state ~= 'claimed' then return {'done', raw} end
    if r.holder ~= ARGV[2] and tonumber(r.leaseUntil) > now then return {'busy', raw} end
    attempts = tonumber(r.attempts) + 1
  end
end
local out = cjson.encode({ start = ARGV[1], state = 'claimed', holder = ARGV[2], leaseUntil = now + tonumber(ARGV[3]),
  attempts = attempts, messageId = ARGV[4], channel = ARGV[5], claimedAt = now })
redis.call('SET', KEYS[1], out, 'PXAT', ARGV[6])
return {'claimed', out}
`;

/** KEYS[1] record. ARGV: 1 start, 2 final state, 3 detail, 4 expiry. A record already final stays as it is. */
const FINISH = `#!lua
${NOW}
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local r = cjson.decode(raw)
if r.start ~= ARGV[1] or r.state ~= 'claimed' then return 0 end
r.state = ARGV[2]
r.detail = ARGV[3]
r.finishedAt = now
r.leaseUntil = nil
redis.call('SET', KEYS[1], cjson.encode(r), 'PXAT', ARGV[4])
return 1
`;

/** KEYS[1] record. ARGV: 1 start, 2 holder, 3 error. A send that failed: its lease ends now, so the retry may claim at once. */
const RELEASE = `#!lua
${NOW}
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local r = cjson.decode(raw)
if r.start ~= ARGV[1] or r.state ~= 'claimed' or r.holder ~= ARGV[2] then return 0 end
r.leaseUntil = now
r.lastError = ARGV[3]
redis.call('SET', KEYS[1], cjson.encode(r), 'KEEPTTL')
return 1
`;

export type ReminderRef = { clinicId: string; appointmentId: string; offset: string; startMs: number };

const keyOf = (store: Store, r: ReminderRef) => reminderKeys(store.prefix, r.clinicId).sent(r.appointmentId, r.offset);
const expiryOf = (r: ReminderRef) => r.startMs + RECORD_KEEP_MS;

export type Claim =
  | { outcome: 'claimed'; record: DeliveryRecord }
  /** Someone else's lease still runs: try again once it lapses. */
  | { outcome: 'busy'; record: DeliveryRecord }
  /** Sent, skipped or failed already: nothing more to do. */
  | { outcome: 'done'; record: DeliveryRecord };

export async function claimReminder(store: Store, r: ReminderRef, holder: string, leaseMs: number, messageId: string, channel: string): Promise<Claim> {
  const [outcome, raw] = (await store.redis.eval(CLAIM, 1, keyOf(store, r), String(r.startMs), holder, leaseMs, messageId, channel, expiryOf(r))) as [Claim['outcome'], string];
  return { outcome, record: DeliveryRecord.parse(JSON.parse(raw)) } as Claim;
}

export async function finishReminder(store: Store, r: ReminderRef, state: Exclude<DeliveryState, 'claimed'>, detail: string): Promise<boolean> {
  return (await store.redis.eval(FINISH, 1, keyOf(store, r), String(r.startMs), state, detail, expiryOf(r))) === 1;
}

export async function releaseReminder(store: Store, r: ReminderRef, holder: string, error: string): Promise<void> {
  await store.redis.eval(RELEASE, 1, keyOf(store, r), String(r.startMs), holder, error.slice(0, 500));
}

export async function deliveryRecord(store: Store, clinicId: string, appointmentId: string, offset: string): Promise<DeliveryRecord | null> {
  const raw = await store.redis.get(reminderKeys(store.prefix, clinicId).sent(appointmentId, offset));
  if (raw === null) return null;
  const parsed = DeliveryRecord.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}
