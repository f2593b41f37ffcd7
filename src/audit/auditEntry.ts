// One entry of the audit trail: who did what to which object (and which patients it concerned), when,
// with what outcome, and its place in the hash chain. The stream keeps each entry as its JSON; an
// export adds the stream id it was stored under.
import { z } from 'zod';

/** The `prev` of the first entry of a chain. */
export const GENESIS = '0'.repeat(64);

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex');

/** A Redis stream id, `<ms>-<n>`. */
export const StreamId = z.string().regex(/^\d{1,20}-\d{1,20}$/, 'must be a stream id such as 1767225600000-0');

// Strict: a field added to a stored entry is tampering too, not something to drop quietly.
export const AuditEntry = z
  .strictObject({
    v: z.literal(1).describe('format version'),
    seq: z.number().int().positive().describe('1 for the first entry of the stream, then one more each'),
    at: z.iso.datetime().describe('when the API answered (its clock), ISO 8601 UTC'),
    clinicId: z.string().nullable().describe('the clinic the request named (null when none or not a valid id)'),
    subject: z.string().describe("who: the caller's token subject or API key, `anonymous` when unauthenticated"),
    role: z.string().describe('the caller\'s role, `none` when unauthenticated'),
    via: z.enum(['jwt', 'api-key', 'signed-link', 'none']).describe('how the caller proved who it is (signed-link: a calendar subscription link\'s key)'),
    action: z.string().describe('what, e.g. appointment.read, appointment.create, plan.apply; auth.denied for a failed authorisation'),
    attempted: z.string().nullable().describe('for auth.denied: the action that was refused'),
    objectType: z.string().describe('which kind of object, e.g. appointment, schedule, request'),
    objectId: z.string().nullable().describe("the object's id, when the request names or created one"),
    patientIds: z.array(z.string()).describe('the patients whose data the request read or changed'),
    method: z.string(),
    route: z.string().describe('the route pattern, e.g. /clinics/:id/appointments/:aid (never the URL itself)'),
    status: z.number().int().describe('the HTTP status answered'),
    outcome: z.enum(['allowed', 'denied']).describe('denied: 401, 403, or 404 for a clinic the caller may not see'),
    requestId: z.string(),
    prev: Sha256.describe('the hash of the entry before (64 zeros for the first)'),
    hash: Sha256.describe('SHA-256 of the RFC 8785 canonical JSON of every other field of this entry'),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

/** What the API knows of a request before the entry takes its place in the chain. */
export type AuditDraft = Omit<AuditEntry, 'v' | 'seq' | 'prev' | 'hash'>;

/** An entry as queried or exported: with the id of the stream entry it is stored in. */
export const StoredAuditEntry = AuditEntry.extend({ id: StreamId.describe('the stream id: when Redis recorded it, and the paging cursor') }).meta({
  id: 'StoredAuditEntry',
});
export type StoredAuditEntry = z.infer<typeof StoredAuditEntry>;
