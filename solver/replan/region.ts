import type { Instance } from '../../src/contract/instance.js';
import { MINUTE_MS, toMs } from '../../src/domain/time.js';
import type { DisruptedDay, LiveAppointment } from './disruptedDay.js';

/** A day with at most this many live appointments is re-planned whole (the model is small anyway). */
export const WHOLE_DAY_LIVE = 40;
/** A knock-on delay is followed this far past the first reached appointment on a provider. */
const KNOCK_ON_MIN = 180;
/** An emergency may displace what is on this many providers and rooms (the least busy ones). */
const EMERGENCY_LANES = 3;
const EMERGENCY_SLACK_MIN = 30;

/**
 * Which live appointments the re-plan may move: on a small day all of them; otherwise those the events
 * reach (late already, or using a disrupted provider, room, staff member or equipment item after the
 * disruption starts, or on the few providers and rooms least busy at an emergency's earliest place), then
 * what follows them on the same provider for 3 h, where a knock-on delay travels. The rest is fixed capacity.
 */
export function reachableAppointments(
  inst: Instance,
  day: DisruptedDay,
  emergencyAt: Map<string, number>,
  /** Where push-later put each new request (by request id): reachable too. */
  baselinePlaces: Map<string, { providerId: string | null; roomId: string }> = new Map(),
): Set<number> {
  if (day.live.length <= WHOLE_DAY_LIVE) return new Set(day.live.map((_, k) => k));
  const h0 = Date.parse(inst.horizon.start);
  const slotMs = inst.slotMinutes * MINUTE_MS;
  const end = (l: LiveAppointment) => l.plannedStart + l.minutes * MINUTE_MS;
  const touchedFrom = (kind: 'providers' | 'rooms' | 'staff' | 'equipment', id: string) =>
    day.touched[kind].has(id) ? day.touched.from.get(`${kind}:${id}`)! : Infinity;

  // Emergencies: the few providers and rooms least busy around their earliest start; what is there may move.
  const services = new Map(inst.services.map((x) => [x.id, x]));
  const windows: { providers: Set<string>; rooms: Set<string>; from: number; to: number }[] = [];
  for (const r of day.newRequests) {
    const service = services.get(r.serviceId)!;
    const at = emergencyAt.get(r.id);
    const from = at === undefined ? day.startFrom : h0 + at * slotMs;
    const to = from + ((r.minutes ?? service.minutes) + EMERGENCY_SLACK_MIN) * MINUTE_MS;
    const busy = (uses: (l: LiveAppointment) => boolean) =>
      day.live.filter((l) => uses(l) && l.plannedStart < to && end(l) > from).reduce((s, l) => s + Math.min(end(l), to) - Math.max(l.plannedStart, from), 0);
    const leastBusy = (ids: string[], uses: (id: string) => (l: LiveAppointment) => boolean) =>
      new Set(ids.map((id) => ({ id, busy: busy(uses(id)) })).sort((x, y) => x.busy - y.busy).slice(0, EMERGENCY_LANES).map((x) => x.id));
    const providers = inst.providers
      .filter((p) => service.specialty && p.specialties.includes(service.specialty) && (!r.providerId || r.providerId === p.id))
      .map((p) => p.id);
    const roomIds = inst.rooms.filter((room) => room.capabilities.includes(service.roomCapability)).map((room) => room.id);
    const w = { providers: leastBusy(providers, (id) => (l) => l.appt.providerId === id), rooms: leastBusy(roomIds, (id) => (l) => l.appt.roomId === id), from, to };
    const there = baselinePlaces.get(r.id);
    if (there?.providerId) w.providers.add(there.providerId);
    if (there) w.rooms.add(there.roomId);
    windows.push(w);
  }

  const seeds = new Set<number>();
  day.live.forEach((l, k) => {
    const a = l.appt;
    const hit =
      l.plannedStart < day.startFrom ||
      day.touched.patients.has(a.patientId) ||
      (a.providerId !== null && end(l) > touchedFrom('providers', a.providerId)) ||
      end(l) > touchedFrom('rooms', a.roomId) ||
      a.staff.some((s) => end(l) > touchedFrom('staff', s.staffId)) ||
      a.equipment.some((e) => end(l) > touchedFrom('equipment', e.id)) ||
      windows.some((w) => l.plannedStart < w.to && end(l) > w.from && ((a.providerId !== null && w.providers.has(a.providerId)) || w.rooms.has(a.roomId)));
    if (hit) seeds.add(k);
  });

  // Knock-on: what follows a reached appointment on its provider (or, without one, in its room), within reach.
  const movable = new Set(seeds);
  const firstOn = new Map<string, number>();
  const laneOf = (l: LiveAppointment) => l.appt.providerId ?? `room:${l.appt.roomId}`;
  for (const k of seeds) {
    const l = day.live[k]!;
    firstOn.set(laneOf(l), Math.min(firstOn.get(laneOf(l)) ?? Infinity, l.plannedStart));
  }
  day.live.forEach((l, k) => {
    const first = firstOn.get(laneOf(l));
    if (first !== undefined && l.plannedStart >= first && l.plannedStart < first + KNOCK_ON_MIN * MINUTE_MS) movable.add(k);
  });
  // A cancellation or no-show frees its place for a later patient on that provider or in that room who may
  // come earlier (checked in, or earlierOk); for anyone else the plan they have stays as good as it was.
  day.live.forEach((l, k) => {
    if (!l.checkedIn && !l.appt.earlierOk) return;
    const freed = day.cancelled.some(
      (c) => toMs(c.appt.start) < l.plannedStart && ((c.appt.providerId !== null && c.appt.providerId === l.appt.providerId) || c.appt.roomId === l.appt.roomId),
    );
    if (freed) movable.add(k);
  });
  // A patient's other visits move with them: a fixed one could leave a moved visit no room at all.
  const patients = new Set([...movable].map((k) => day.live[k]!.appt.patientId));
  day.live.forEach((l, k) => patients.has(l.appt.patientId) && movable.add(k));
  return movable;
}
