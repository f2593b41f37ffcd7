import type { Instance } from '../../src/contract/instance.js';
import { MINUTE_MS } from '../../src/domain/time.js';
import type { DisruptedDay, LiveAppointment } from './disruptedDay.js';

/** A day with at most this many live appointments is re-planned whole (the model is small anyway). */
export const WHOLE_DAY_LIVE = 40;

/**
 * Which live appointments the re-plan may move: on a small day all of them; otherwise those the events
 * reach (late already, or using a disrupted provider, room, staff member or equipment item after the
 * disruption starts, or in the way of an emergency's earliest place), then everything after them on the
 * same provider and in the same room, where a knock-on delay would travel. The rest is fixed capacity.
 */
export function reachableAppointments(inst: Instance, day: DisruptedDay, emergencyAt: Map<string, number>): Set<number> {
  if (day.live.length <= WHOLE_DAY_LIVE) return new Set(day.live.map((_, k) => k));
  const h0 = Date.parse(inst.horizon.start);
  const slotMs = inst.slotMinutes * MINUTE_MS;
  const end = (l: LiveAppointment) => l.plannedStart + l.minutes * MINUTE_MS;
  const touchedFrom = (kind: 'providers' | 'rooms' | 'staff' | 'equipment', id: string) =>
    day.touched[kind].has(id) ? day.touched.from.get(`${kind}:${id}`)! : Infinity;

  // Emergencies: every lane they could use, around their earliest start.
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const windows: { providers: Set<string>; capability: string; from: number; to: number }[] = [];
  for (const r of day.newRequests) {
    const service = services.get(r.serviceId)!;
    const at = emergencyAt.get(r.id);
    const from = at === undefined ? day.startFrom : h0 + at * slotMs;
    const minutes = r.minutes ?? service.minutes;
    const providers = new Set(
      inst.providers.filter((p) => service.specialty && p.specialties.includes(service.specialty) && (!r.providerId || r.providerId === p.id)).map((p) => p.id),
    );
    windows.push({ providers, capability: service.roomCapability, from, to: from + (minutes + 60) * MINUTE_MS });
  }
  const rooms = new Map(inst.rooms.map((r) => [r.id, r]));

  const seeds = new Set<number>();
  day.live.forEach((l, k) => {
    const a = l.appt;
    const hit =
      l.plannedStart < day.startFrom ||
      (a.providerId !== null && end(l) > touchedFrom('providers', a.providerId)) ||
      end(l) > touchedFrom('rooms', a.roomId) ||
      a.staff.some((s) => end(l) > touchedFrom('staff', s.staffId)) ||
      a.equipment.some((e) => end(l) > touchedFrom('equipment', e.id)) ||
      windows.some(
        (w) =>
          l.plannedStart < w.to &&
          end(l) > w.from &&
          ((a.providerId !== null && w.providers.has(a.providerId)) || rooms.get(a.roomId)?.capabilities.includes(w.capability)),
      );
    if (hit) seeds.add(k);
  });

  // Knock-on: what follows a reached appointment on its provider or in its room.
  const movable = new Set(seeds);
  const firstOnProvider = new Map<string, number>();
  const firstInRoom = new Map<string, number>();
  for (const k of seeds) {
    const l = day.live[k]!;
    if (l.appt.providerId) firstOnProvider.set(l.appt.providerId, Math.min(firstOnProvider.get(l.appt.providerId) ?? Infinity, l.plannedStart));
    firstInRoom.set(l.appt.roomId, Math.min(firstInRoom.get(l.appt.roomId) ?? Infinity, l.plannedStart));
  }
  day.live.forEach((l, k) => {
    const p = l.appt.providerId;
    if ((p !== null && l.plannedStart >= (firstOnProvider.get(p) ?? Infinity)) || l.plannedStart >= (firstInRoom.get(l.appt.roomId) ?? Infinity))
      movable.add(k);
  });
  return movable;
}
