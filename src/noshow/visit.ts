// What the no-show model knows of an appointment: plain numbers, read once at the edge (see visitOf.ts).
/** An appointment as the model sees it. `bookedAtMs` is null when its history has no `booked` entry. */
export type Visit = {
  id: string;
  patientId: string;
  startMs: number;
  bookedAtMs: number | null;
  /** Clinic-local weekday, 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Clinic-local minutes after midnight of the start. */
  minuteOfDay: number;
};

/** A visit that is over: the patient came (fulfilled) or did not (noshow). */
export type FinishedVisit = Visit & { noShow: boolean };

/** A patient's finished visits before some instant. */
export type PatientPast = { visits: number; noShows: number };

export const DAY_MS = 86_400_000;

/** Each patient's finished visits by start, with the running count of no-shows, for quick look-ups. */
export type PastIndex = Map<string, { starts: number[]; noShowsThrough: number[] }>;

export function pastIndex(history: readonly FinishedVisit[]): PastIndex {
  const index: PastIndex = new Map();
  const sorted = [...history].sort((a, b) => a.startMs - b.startMs);
  for (const h of sorted) {
    let entry = index.get(h.patientId);
    if (!entry) index.set(h.patientId, (entry = { starts: [], noShowsThrough: [] }));
    entry.noShowsThrough.push((entry.noShowsThrough.at(-1) ?? 0) + (h.noShow ? 1 : 0));
    entry.starts.push(h.startMs);
  }
  return index;
}

/** A patient's finished visits that started before `beforeMs`. */
export function pastOf(index: PastIndex, patientId: string, beforeMs: number): PatientPast {
  const entry = index.get(patientId);
  if (!entry) return { visits: 0, noShows: 0 };
  // Binary search: how many of the patient's starts are before `beforeMs`.
  let lo = 0;
  let hi = entry.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entry.starts[mid]! < beforeMs) lo = mid + 1;
    else hi = mid;
  }
  return { visits: lo, noShows: lo === 0 ? 0 : entry.noShowsThrough[lo - 1]! };
}
