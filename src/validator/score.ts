import { holdsCapacity, type Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import { toMs } from '../domain/time.js';
import { demandsOf } from './demands.js';

const HOUR_MS = 3_600_000;

/**
 * The batch objective of the contract:
 *   sum over scheduled requests r of urgency[r.urgency]
 *     + preferredProvider * [r's provider is in r.preferredProviderIds]
 *     - waitPerHour * hours(start(r) - earliestStart(r))
 *
 * Only appointments that hold capacity count, each request once (its first appointment in the list);
 * appointments whose requestId is neither a request nor a booking of the instance score nothing.
 * A booking whose requestId is not among instance.requests scores as a routine request with no
 * preferred providers whose earliestStart is the horizon start (see demandsOf).
 *
 * Waits are summed in whole epoch milliseconds and converted to hours once, so the only rounding
 * is that of the final multiplication.
 */
export function scoreSchedule(
  instance: Instance,
  appointments: readonly Appointment[],
): { score: number; scheduled: number } {
  const demands = demandsOf(instance);
  const { weights } = instance;
  const seen = new Set<string>();
  let reward = 0;
  let waitMs = 0;
  for (const a of appointments) {
    if (!holdsCapacity(a.status) || seen.has(a.requestId)) continue;
    const d = demands.get(a.requestId);
    if (!d) continue;
    seen.add(a.requestId);
    reward += weights.urgency[d.urgency];
    if (a.providerId !== null && d.preferredProviderIds.includes(a.providerId)) reward += weights.preferredProvider;
    waitMs += toMs(a.start) - d.earliestStart;
  }
  return { score: reward - (weights.waitPerHour * waitMs) / HOUR_MS, scheduled: seen.size };
}
