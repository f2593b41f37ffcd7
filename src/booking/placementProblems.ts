import { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import { parseWith, type Problem } from '../contract/parse.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import { checkAssignment } from '../validator/checkAssignment.js';
import { checkResources } from '../validator/checkResources.js';
import { checkTiming } from '../validator/checkTiming.js';
import { buildContext } from '../validator/context.js';
import type { Violation } from '../validator/validateResult.js';
import { localDateOf } from './dayGrid.js';
import { instanceForDay } from './instanceForDay.js';

export type PlacementOptions = {
  /** The request the appointment books: then its window, its length and its provider wish apply too. */
  request?: Request;
  /** The clinic-local date the appointment must lie in (default: the date it starts on). */
  date?: string;
};

/**
 * What one appointment must satisfy on its own, besides not colliding with others (usageOf and the
 * store's scripts see to that): known ids, the service's specialty, room capability, staff skills, its
 * staff tasks and equipment exactly as the service has them, availability of provider, room and staff,
 * the slot grid from the clinic-local midnight, inside that local day, and its length (the request's or
 * the service's when a request is given; else a positive multiple of the grid that holds every staff
 * task). The validator's own checks (constraints 1-3), so the rules and the messages are the same.
 * Paths point into the appointment: `$.staff[0].staffId`.
 */
export function placementProblems(setup: ClinicSetup, appointment: Appointment, options: PlacementOptions = {}): Problem[] {
  const parsed = parseWith(Appointment, appointment);
  if (!parsed.ok) return parsed.problems;
  const appt = parsed.value;
  const zone = setup.clinic.timezone;
  const start = toMs(appt.start);
  const end = toMs(appt.end);
  const date = options.date ?? localDateOf(start, zone);
  const problems: Problem[] = [];

  const service = setup.services.find((s) => s.id === appt.serviceId);
  const request = options.request;
  if (!service) problems.push({ path: '$.serviceId', message: `unknown service '${appt.serviceId}'` });
  if (request && request.id !== appt.requestId)
    problems.push({ path: '$.requestId', message: `the appointment is for request '${appt.requestId}' but was given request '${request.id}'` });
  if (!request && service) {
    const minutes = (end - start) / MINUTE_MS;
    const slot = setup.slotMinutes;
    const taskEnd = Math.max(0, ...service.staffTasks.map((t) => t.offsetMinutes + t.minutes));
    if (minutes > 0 && minutes % slot !== 0)
      problems.push({ path: '$.end', message: `the appointment lasts ${minutes} min, off the ${slot}-minute grid (use a multiple of ${slot})` });
    else if (minutes > 0 && minutes < taskEnd)
      problems.push({ path: '$.end', message: `the appointment lasts ${minutes} min but the staff tasks of '${service.id}' run until minute ${taskEnd}` });
  }

  // Without a request the appointment stands for itself (a booking-only demand keeps its own length).
  const instance = instanceForDay(setup, date, request ? [] : [{ ...appt, status: 'booked' }], request ? [request] : []);
  const violations: Violation[] = [];
  const ctx = buildContext(instance, [{ ...appt, status: 'booked' }], violations);
  checkAssignment(ctx, []);
  checkTiming(ctx);
  checkResources(ctx);
  for (const v of violations) problems.push({ path: v.path.replace(/^\$\.appointments\[0\]/, '$'), message: v.message });
  return problems;
}
