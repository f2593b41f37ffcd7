import type { Appointment } from '../contract/appointment.js';
import { MINUTE_MS, toMs } from '../domain/time.js';

/** Patients arrive this long before their start and are checked in by then. */
const CHECK_IN_MINUTES = 15;

/**
 * The day as the front desk sees it at `now`: what ended is fulfilled, what started is in progress, the
 * patients due within a quarter of an hour are checked in, the rest is booked. Cancelled and no-show
 * appointments stay as they are. Gives appointments without an id the id `appt-N` (events name them).
 */
export function dayAt(appointments: readonly Appointment[], now: number): Appointment[] {
  return appointments.map((a, k) => {
    const id = a.id ?? `appt-${String(k + 1).padStart(3, '0')}`;
    if (a.status === 'cancelled' || a.status === 'noshow') return { ...a, id };
    const start = toMs(a.start);
    const end = toMs(a.end);
    const status =
      end <= now ? 'fulfilled' : start <= now ? 'in-progress' : start - now <= CHECK_IN_MINUTES * MINUTE_MS ? 'checked-in' : (a.status ?? 'booked');
    return { ...a, id, status };
  });
}
