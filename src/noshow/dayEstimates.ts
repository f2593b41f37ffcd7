// The no-show estimates an overbooking plan is made with: one per request of the day. Pure: the caller
// reads the history and the day.
import type { Request } from '../contract/instance.js';
import { toMs } from '../domain/time.js';
import { dayBounds } from '../booking/dayGrid.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import { estimateAll, type NoShowModel } from './noShowModel.js';
import type { FinishedVisit, Visit } from './visit.js';
import { visitAt, visitOf } from './visitOf.js';

/**
 * Each request's estimated no-show probability, to three decimals (the precision overbooking counts in).
 * A booked request is estimated as booked (its start, its lead time); one not placed yet at the middle of
 * its window on the date (noon without one), with no lead time known.
 */
export function estimateDay(
  model: NoShowModel,
  history: readonly FinishedVisit[],
  timeZone: string,
  date: string,
  appointments: readonly StoredAppointment[],
  requests: readonly Request[],
): Map<string, number> {
  const booked = appointments.filter((a) => a.hold === undefined && (a.status === 'booked' || a.status === 'checked-in'));
  const placed = new Set(booked.map((a) => a.requestId));
  const day = dayBounds(date, timeZone);
  const open = (r: Request): Visit => {
    const from = r.earliestStart ? Math.max(day.start, toMs(r.earliestStart)) : null;
    const to = r.latestEnd ? Math.min(day.end, toMs(r.latestEnd)) : null;
    const startMs = from !== null && to !== null ? (from + to) / 2 : (from ?? to ?? day.start + 12 * 3_600_000);
    return visitAt(r.id, r.patientId, startMs, null, date, timeZone);
  };
  const visits: Visit[] = [
    ...booked.map((a) => ({ ...visitOf(a, timeZone), id: a.requestId })),
    ...requests.filter((r) => !placed.has(r.id)).map(open),
  ];
  return new Map(estimateAll(model, history, visits).map((e) => [e.visit.id, Math.round(1000 * e.probability) / 1000]));
}
