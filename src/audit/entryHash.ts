// The hash that chains the audit trail: SHA-256 over the RFC 8785 canonical JSON (keys sorted, one
// spelling of every value) of the entry's fields but `hash` itself and the stream id, `prev` included,
// so any tool that implements RFC 8785 can recompute it from an export.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEntry } from './auditEntry.js';

export function entryHash(entry: Omit<AuditEntry, 'hash'> & { hash?: string; id?: string }): string {
  const { hash: _hash, id: _id, ...hashed } = entry;
  return createHash('sha256').update(canonicalize(hashed)!, 'utf8').digest('hex');
}
