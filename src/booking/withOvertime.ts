import type { ClinicSetup } from '../contract/clinicSetup.js';
import { formatInZone, MINUTE_MS, toMs } from '../domain/time.js';

/**
 * The set-up with each provider's availability stretched past the end of every interval by up to
 * `minutes` (never into the provider's next interval): the room a re-plan has to let a provider work
 * on late (the contract's overtime). The per-provider cap over the day is the re-plan's own rule, checked
 * by its validator before a plan is kept; this only lets such a plan be stored.
 */
export function withOvertime(setup: ClinicSetup, minutes: number): ClinicSetup {
  if (minutes <= 0) return setup;
  const zone = setup.clinic.timezone;
  return {
    ...setup,
    providers: setup.providers.map((p) => {
      const spans = p.availability.map((iv) => ({ start: toMs(iv.start), end: toMs(iv.end) })).sort((a, b) => a.start - b.start);
      const stretched = spans.map((s, k) => ({ start: s.start, end: Math.max(s.end, Math.min(s.end + minutes * MINUTE_MS, spans[k + 1]?.start ?? Infinity)) }));
      return { ...p, availability: stretched.map((s) => ({ start: formatInZone(s.start, zone), end: formatInZone(s.end, zone) })) };
    }),
  };
}
