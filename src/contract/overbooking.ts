// Extension (optional): overbooking. With it, a provider may have two visits at once where their patients'
// estimated no-show probabilities keep the expected load under a limit. Off unless the instance sets it.
import { z } from 'zod';
import type { AppointmentStatus } from './appointment.js';

export const Overbooking = z.object({
  maxExpectedLoad: z
    .number()
    .min(1, 'must be at least 1 (1 allows no overbooking)')
    .max(2, 'must be at most 2 (two visits at once, both sure to come)')
    .describe(
      'At every moment, the visits a provider has at once may add up to at most this expected load: a visit counts ' +
        '1 - noShowProbability of its request (0 when it has none), to three decimals, or 1 once its patient has checked in; and at most two visits at once.',
    ),
});
export type Overbooking = z.infer<typeof Overbooking>;

/** Most visits one provider may have at once when overbooking. */
export const MAX_AT_ONCE = 2;

/**
 * A visit's expected load in thousandths: 1000 less its no-show probability in thousandths. Integer
 * arithmetic, so the solver and the validator add loads up exactly the same way.
 */
export function loadThousandths(noShowProbability: number | undefined): number {
  return 1000 - Math.round(1000 * (noShowProbability ?? 0));
}

/** A visit whose patient has come (checked in, under way, done) counts in full: the chance of a no-show is gone. */
export function visitLoadThousandths(status: AppointmentStatus | undefined, noShowProbability: number | undefined): number {
  return status === 'checked-in' || status === 'in-progress' || status === 'fulfilled' ? 1000 : loadThousandths(noShowProbability);
}

/** Visits that overlap another visit of the same provider (only overbooking allows any): what a summary reports. */
export function sharingProvider<T extends { providerId: string | null; start: string; end: string }>(visits: readonly T[]): T[] {
  return visits.filter((a) =>
    a.providerId !== null &&
    visits.some((b) => b !== a && b.providerId === a.providerId && Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)),
  );
}

export function limitThousandths(overbooking: Overbooking): number {
  return Math.round(1000 * overbooking.maxExpectedLoad);
}
