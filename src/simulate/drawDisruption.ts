import type { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import type { ReplanEvent } from '../contract/replan.js';
import { formatInZone, MINUTE_MS, toMs } from '../domain/time.js';

export const DISRUPTION_TYPES = ['delay', 'overrun', 'emergency', 'cancellation', 'noshow', 'resource-down', 'staff-absence'] as const;
export type DisruptionType = (typeof DISRUPTION_TYPES)[number];

/** The randomness a draw needs (seeded by the caller, so a seed reproduces a day). */
export type Draw = { int(min: number, max: number): number; pick<T>(items: readonly T[]): T };

/** A right-skewed number of minutes (most short, a few long), on a 5-minute step. */
export function skewedMinutes(draw: Draw, typical: number, max: number): number {
  const u = (draw.int(1, 1_000_000) / 1_000_000) ** 2.2; // most mass near 0, a long tail
  return Math.min(max, Math.max(5, Math.round((typical * 0.5 + u * (max - typical * 0.5)) / 5) * 5));
}

/**
 * One realistic disruption of the given type at `now` on a day (as dayAt gives it): which provider is late
 * and how long, which visit runs long, a walk-in emergency, a cancellation, a patient who did not come, a
 * room or device going down, a staff member out. Returns null when the day offers nothing to disrupt
 * (say, no visit in progress to overrun). The day comes back too: a no-show turns a visit that was about to
 * start back to booked.
 */
export function drawDisruption(
  inst: Instance,
  day: Appointment[],
  type: DisruptionType,
  now: number,
  draw: Draw,
): { appointments: Appointment[]; events: ReplanEvent[] } | null {
  const zone = inst.clinic.timezone;
  const at = (ms: number) => formatInZone(ms, zone);
  const h1 = toMs(inst.horizon.end);
  const ahead = day.filter((a) => (a.status === 'booked' || a.status === 'checked-in') && toMs(a.start) > now);
  const one = (events: ReplanEvent[]) => ({ appointments: day, events });
  switch (type) {
    case 'delay': {
      const providers = [...new Set(ahead.flatMap((a) => (a.providerId ? [a.providerId] : [])))];
      if (providers.length === 0) return null;
      const id = draw.pick(providers);
      const first = Math.min(...ahead.filter((a) => a.providerId === id).map((a) => toMs(a.start)));
      return one([{ type: 'delay', providerId: id, availableFrom: at(Math.min(h1, first + skewedMinutes(draw, 20, 90) * MINUTE_MS)) }]);
    }
    case 'overrun': {
      const running = day.filter((a) => a.status === 'in-progress' && a.providerId !== null);
      const pool = running.length > 0 ? running : ahead.filter((a) => a.providerId !== null);
      if (pool.length === 0) return null;
      const a = draw.pick(pool);
      return one([{ type: 'overrun', appointmentId: a.id!, expectedEnd: at(Math.min(h1, toMs(a.end) + skewedMinutes(draw, 15, 60) * MINUTE_MS)) }]);
    }
    case 'emergency': {
      const services = inst.services.filter((s) => s.specialty !== undefined && s.minutes <= 60);
      if (services.length === 0) return null;
      const s = draw.pick(services);
      const n = draw.int(1, 999_999);
      return one([{ type: 'emergency', request: { id: `walkin-${n}`, patientId: `pt-walkin-${n}`, serviceId: s.id, urgency: 'emergency', preferredProviderIds: [] } }]);
    }
    case 'cancellation': {
      const later = ahead.filter((a) => a.status === 'booked');
      if (later.length === 0) return null;
      return one([{ type: 'cancellation', appointmentId: draw.pick(later).id!, at: at(now) }]);
    }
    case 'noshow': {
      // A visit that should have started in the last 10 minutes, whose patient never came.
      const due = day.filter((a) => a.status === 'in-progress' && toMs(a.start) > now - 10 * MINUTE_MS);
      if (due.length === 0) return null;
      const a = draw.pick(due);
      return {
        appointments: day.map((x) => (x.id === a.id ? { ...x, status: 'booked' as const } : x)),
        events: [{ type: 'noshow', appointmentId: a.id! }],
      };
    }
    case 'resource-down': {
      const usedEquipment = [...new Set(ahead.flatMap((a) => a.equipment.map((e) => e.id)))];
      const usedRooms = [...new Set(ahead.map((a) => a.roomId))];
      const end = Math.min(h1, now + skewedMinutes(draw, 45, 180) * MINUTE_MS);
      if (usedEquipment.length > 0 && draw.int(0, 1) === 0)
        return one([{ type: 'resource-down', kind: 'equipment', id: draw.pick(usedEquipment), start: at(now), end: at(end) }]);
      if (usedRooms.length === 0) return null;
      return one([{ type: 'resource-down', kind: 'room', id: draw.pick(usedRooms), start: at(now), end: at(end) }]);
    }
    case 'staff-absence': {
      const staff = [...new Set(ahead.flatMap((a) => a.staff.map((s) => s.staffId)))];
      if (staff.length === 0) return null;
      const end = Math.min(h1, now + skewedMinutes(draw, 60, 240) * MINUTE_MS);
      return one([{ type: 'staff-absence', staffId: draw.pick(staff), start: at(now), end: at(end) }]);
    }
  }
}
