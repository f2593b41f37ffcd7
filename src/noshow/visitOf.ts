// A stored appointment as the no-show model's Visit: lead time from the first `booked` entry of its
// history, time of day and weekday in the clinic's zone (the appointment's `date` is clinic-local).
import { localTime, toMs } from '../domain/time.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import type { FinishedVisit, Visit } from './visit.js';

export function visitOf(a: StoredAppointment, timeZone: string): Visit {
  const booked = a.history.find((h) => h.status === 'booked');
  return visitAt(a.id, a.patientId, toMs(a.start), booked ? toMs(booked.at) : null, a.date, timeZone);
}

/** A visit starting at `startMs` on the clinic-local `date`: its weekday and local time of day. */
export function visitAt(id: string, patientId: string, startMs: number, bookedAtMs: number | null, date: string, timeZone: string): Visit {
  const [hh, mm] = localTime(startMs, timeZone).split(':').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return { id, patientId, startMs, bookedAtMs, weekday: new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay(), minuteOfDay: hh! * 60 + mm! };
}

/** The finished appointments (fulfilled or noshow) as the model's training history; others are left out. */
export function finishedVisitsOf(appointments: readonly StoredAppointment[], timeZone: string): FinishedVisit[] {
  return appointments
    .filter((a) => !a.hold && (a.status === 'fulfilled' || a.status === 'noshow'))
    .map((a) => ({ ...visitOf(a, timeZone), noShow: a.status === 'noshow' }));
}
