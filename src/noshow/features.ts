// The model's inputs, grouped into the factors an estimate is explained by. Each feature is a number
// (NaN when unknown: it is then taken at the clinic's average); groups are what a person reads.
import { DAY_MS, type PatientPast, type Visit } from './visit.js';

export type Factor = 'lead-time' | 'patient-history' | 'time-of-day' | 'weekday';
export const FACTORS: readonly Factor[] = ['lead-time', 'patient-history', 'time-of-day', 'weekday'];

/** Feature names, in vector order, with the factor each belongs to. */
export const FEATURES: readonly { name: string; factor: Factor }[] = [
  { name: 'log1p-lead-days', factor: 'lead-time' },
  { name: 'patient-smoothed-rate', factor: 'patient-history' },
  { name: 'log1p-patient-no-shows', factor: 'patient-history' },
  { name: 'afternoon', factor: 'time-of-day' },
  { name: 'late-afternoon', factor: 'time-of-day' },
  ...['sun', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => ({ name: d, factor: 'weekday' as const })),
];
/** Features whose weights are kept ≥ 0, so that more past no-shows never lower an estimate. */
export const NON_NEGATIVE = new Set(['patient-smoothed-rate', 'log1p-patient-no-shows']);

/** How many pseudo-visits at the clinic's base rate a patient's own rate is shrunk toward (a Beta prior). */
export const PATIENT_PRIOR_VISITS = 2;

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_FEATURE: Record<number, number> = { 0: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5 }; // Monday is the reference

export function leadDays(v: Visit): number | null {
  return v.bookedAtMs === null ? null : Math.max(0, (v.startMs - v.bookedAtMs) / DAY_MS);
}

/** The patient's no-show rate shrunk toward the clinic's base rate (posterior mean of a Beta prior). */
export function smoothedRate(past: PatientPast, baseRate: number): number {
  return (past.noShows + PATIENT_PRIOR_VISITS * baseRate) / (past.visits + PATIENT_PRIOR_VISITS);
}

export function featuresOf(v: Visit, past: PatientPast, baseRate: number): number[] {
  const lead = leadDays(v);
  const hour = v.minuteOfDay / 60;
  const weekday = Array<number>(6).fill(0);
  const slot = WEEKDAY_FEATURE[v.weekday];
  if (slot !== undefined) weekday[slot] = 1;
  return [
    lead === null ? Number.NaN : Math.log1p(lead),
    smoothedRate(past, baseRate),
    Math.log1p(past.noShows),
    hour >= 12 && hour < 16 ? 1 : 0,
    hour >= 16 ? 1 : 0,
    ...weekday,
  ];
}

/** Words for one factor of one visit. */
export function describe(factor: Factor, v: Visit, past: PatientPast): string {
  switch (factor) {
    case 'lead-time': {
      const lead = leadDays(v);
      return lead === null ? 'booking time unknown' : `booked ${Math.round(lead)} day${Math.round(lead) === 1 ? '' : 's'} ahead`;
    }
    case 'patient-history':
      return past.visits === 0
        ? 'no earlier finished visits of the patient'
        : `${past.noShows} of the patient's ${past.visits} earlier finished visit${past.visits === 1 ? ' was a no-show' : 's were no-shows'}`;
    case 'time-of-day': {
      const hour = v.minuteOfDay / 60;
      const part = hour >= 16 ? 'late afternoon (16:00 or later)' : hour >= 12 ? 'afternoon (12:00–16:00)' : 'morning (before 12:00)';
      return `starts in the ${part}`;
    }
    case 'weekday':
      return `on a ${WEEKDAYS[v.weekday] ?? '?'}`;
  }
}
