import { contractAppointment, holdsCapacity, type Appointment, type Booking } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Instance, Request } from '../contract/instance.js';
import { formatInZone } from '../domain/time.js';
import { dayBounds } from './dayGrid.js';

export type InstanceForDayOptions = {
  /**
   * Let the optimizer move booked appointments (they stay on the schedule, maybe elsewhere). Default
   * false: every live appointment is pinned, as slot search needs. Holds, checked-in and later
   * statuses are always pinned.
   */
  movable?: boolean;
  /**
   * Overbooking: each request's estimated no-show probability. Only with these does a clinic's
   * `overbooking` reach the instance; slot search and the front desk's bookings never overbook.
   */
  noShow?: ReadonlyMap<string, number> | null;
};

/**
 * The contract instance of one clinic-local date: horizon = that local day in the clinic's zone, the
 * appointments that hold capacity (holds included) as bookings, the requests as given.
 */
export function instanceForDay(
  setup: ClinicSetup,
  date: string,
  appointments: readonly (Appointment & { hold?: unknown })[],
  requests: readonly Request[],
  options: InstanceForDayOptions = {},
): Instance {
  const zone = setup.clinic.timezone;
  const day = dayBounds(date, zone);
  const bookings: Booking[] = appointments.filter((a) => holdsCapacity(a.status)).map((a) => asBooking(a, options));
  const { overbooking, ...rest } = setup;
  const noShow = overbooking ? options.noShow : null;
  return {
    ...rest,
    version: 1,
    horizon: { start: formatInZone(day.start, zone), end: formatInZone(day.end, zone) },
    requests: noShow ? requests.map((r) => (noShow.has(r.id) ? { ...r, noShowProbability: noShow.get(r.id)! } : r)) : [...requests],
    bookings,
    ...(noShow ? { overbooking } : {}),
  };
}

/** The contract's fields (one object shape for every booking: see contractAppointment), pinned unless movable. */
function asBooking(a: Appointment & { hold?: unknown }, options: InstanceForDayOptions): Booking {
  const movable = options.movable === true && a.hold === undefined && (a.status === undefined || a.status === 'booked');
  return { ...contractAppointment(a), pinned: !movable };
}
