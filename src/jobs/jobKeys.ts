// Redis keys of the jobs' own records. A clinic's records carry its hash tag (clinicKeys), so a Lua
// script may touch them together with the clinic's other keys in a Redis Cluster.
import { clinicKeys } from '../store/keys.js';

export function jobKeys(prefix: string, clinicId: string) {
  const { base, plans } = clinicKeys(prefix, clinicId);
  return {
    /** Plans of optimizations and re-plans, by job id (hash: job id → JSON). */
    plans,
    /** A disruption set as posted (string: JSON, with a TTL). */
    events: (eventsId: string) => `${base}:events:${eventsId}`,
    /** A clinic-day's re-plan slots (hash: seq, waiting, ev:<jobId>); see replanCoalescing.ts. */
    replanSlots: (date: string) => `${base}:replan:${date}`,
    /** A bulk booking batch: its items (string: JSON, with a TTL). */
    batch: (batchId: string) => `${base}:batch:${batchId}`,
    /** Outcomes of a batch's items as they are handled (hash: item index → JSON). */
    batchOutcomes: (batchId: string) => `${base}:batch:${batchId}:out`,
  };
}

/** How long posted events, plans' events and batches are kept. */
export const RECORD_TTL_SECONDS = 7 * 24 * 3600;
