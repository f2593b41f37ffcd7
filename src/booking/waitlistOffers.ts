// Which waiting requests a freed place could go to, and in which order (pure). A request fits when the
// freed provider, room, staff and equipment can serve its service inside the freed time, within the
// request's window and the patient's, earlier than the place it has (if it has one), and it is cleared
// for booking (prior authorisation). The store's hold then checks the place in full (availability, grid,
// the patient's other visits) and the next in line gets it if that fails.
import type { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import type { Urgency } from '../contract/primitives.js';
import type { WaitlistEntry, FreedSlot } from '../contract/waitlist.js';
import type { WaitlistPolicy } from '../contract/waitlistPolicy.js';
import { MINUTE_MS, formatInZone, toMs } from '../domain/time.js';
import { authorizationRefusal } from './authorizationCheck.js';

/** A waitlist entry with its request and, when it has one, the start of the appointment it would leave. */
export type WaitingCandidate = { entry: WaitlistEntry; request: Request; currentStartMs: number | null };

/** An entry the freed place fits, with the appointment its request would have there. */
export type WaitlistFit = { entryId: string; appointment: Appointment };

const URGENCY_RANK: Record<Urgency, number> = { emergency: 0, urgent: 1, routine: 2 };

/**
 * The entries `freed` fits, in the order they are offered it: first-come (who joined first), or by
 * urgency then who joined first. Entries holding an offer already, those that passed on this place, the
 * patient who freed it, and places that have started by `nowMs` are left out.
 */
export function waitlistOrder(
  setup: ClinicSetup,
  freed: Pick<FreedSlot, 'appointment' | 'passedBy'>,
  candidates: readonly WaitingCandidate[],
  policy: WaitlistPolicy,
  nowMs: number,
): WaitlistFit[] {
  if (toMs(freed.appointment.start) <= nowMs) return [];
  const passed = new Set(freed.passedBy);
  const fits: (WaitlistFit & { candidate: WaitingCandidate })[] = [];
  for (const candidate of candidates) {
    const { entry, request } = candidate;
    if (entry.offer !== undefined || passed.has(entry.id) || request.patientId === freed.appointment.patientId) continue;
    const appointment = placeFor(setup, freed.appointment, candidate);
    if (appointment) fits.push({ entryId: entry.id, appointment, candidate });
  }
  const joined = (c: WaitingCandidate) => toMs(c.entry.joinedAt);
  fits.sort(
    (a, b) =>
      (policy.order === 'urgency' ? URGENCY_RANK[a.candidate.request.urgency] - URGENCY_RANK[b.candidate.request.urgency] : 0) ||
      joined(a.candidate) - joined(b.candidate) ||
      (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0),
  );
  return fits.map(({ entryId, appointment }) => ({ entryId, appointment }));
}

/** The appointment `candidate`'s request would have in the freed place (from its start), or null when it does not fit. */
export function placeFor(setup: ClinicSetup, freed: Appointment, candidate: WaitingCandidate): Appointment | null {
  const { entry, request, currentStartMs } = candidate;
  const service = setup.services.find((s) => s.id === request.serviceId);
  if (!service) return null;
  const zone = setup.clinic.timezone;
  const start = toMs(freed.start);
  const end = start + (request.minutes ?? service.minutes) * MINUTE_MS;
  if (end > toMs(freed.end)) return null;
  // Within the request's window and the patient's, and earlier than the place the patient has.
  const earliest = Math.max(...[request.earliestStart, entry.earliestStart].map((t) => (t === undefined ? -Infinity : toMs(t))));
  const latest = Math.min(...[request.latestEnd, entry.latestEnd].map((t) => (t === undefined ? Infinity : toMs(t))));
  if (start < earliest || end > latest) return null;
  if (currentStartMs !== null && start >= currentStartMs) return null;
  // The freed provider and room can do it.
  if (service.specialty !== undefined) {
    const provider = setup.providers.find((p) => p.id === freed.providerId);
    if (!provider || !provider.specialties.includes(service.specialty)) return null;
    if (request.providerId !== undefined && request.providerId !== provider.id) return null;
  }
  const room = setup.rooms.find((r) => r.id === freed.roomId);
  if (!room || !room.capabilities.includes(service.roomCapability)) return null;
  // Each staff task by the member who did the freed one with the same skill, inside the time they were freed for.
  const staff: Appointment['staff'] = [];
  for (const [j, task] of service.staffTasks.entries()) {
    const was = freed.staff[j];
    const from = start + task.offsetMinutes * MINUTE_MS;
    const to = from + task.minutes * MINUTE_MS;
    if (!was || was.skill !== task.skill || from < toMs(was.start) || to > toMs(was.end)) return null;
    staff.push({ staffId: was.staffId, skill: task.skill, start: formatInZone(from, zone), end: formatInZone(to, zone) });
  }
  // Equipment the freed visit was using, enough units of each.
  for (const need of service.equipment) {
    const had = freed.equipment.filter((e) => e.id === need.id).reduce((n, e) => n + e.count, 0);
    if (had < need.count) return null;
  }
  if (authorizationRefusal(setup, request, start) !== null) return null;
  return {
    requestId: request.id,
    patientId: request.patientId,
    serviceId: service.id,
    providerId: service.specialty !== undefined ? freed.providerId : null,
    roomId: freed.roomId,
    start: formatInZone(start, zone),
    end: formatInZone(end, zone),
    equipment: service.equipment.map((e) => ({ id: e.id, count: e.count })),
    staff,
    status: 'booked',
  };
}
