// The day as disrupted, as an ordinary Instance, so that the batch validator can check a re-plan
// against every hard constraint of the contract.
import type { Booking } from '../contract/appointment.js';
import type { Instance, Request } from '../contract/instance.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import { spansOf } from './context.js';
import { union, type Span } from './intervals.js';
import { holdsHistoryCapacity, type DayExpectations } from './replanExpectations.js';

/** The parts of `spans` outside every interval of `cuts`. */
export function subtract(spans: readonly Span[], cuts: readonly Span[]): Span[] {
  let rest = union(spans);
  for (const cut of union(cuts)) {
    rest = rest.flatMap((s) => {
      if (cut.end <= s.start || s.end <= cut.start) return [s];
      const parts: Span[] = [];
      if (s.start < cut.start) parts.push({ start: s.start, end: cut.start });
      if (cut.end < s.end) parts.push({ start: cut.end, end: s.end });
      return parts;
    });
  }
  return rest;
}

/**
 * Overtime windows: after the end of each (merged) availability interval a provider may work on for
 * up to `maxMinutes`, contiguously, stopping at the first delay or down window and at the horizon end.
 */
export function overtimeWindows(availability: readonly Span[], out: readonly Span[], horizonEnd: number, maxMinutes: number): Span[] {
  const windows: Span[] = [];
  for (const { end } of union(availability)) {
    if (out.some((o) => o.start <= end && end < o.end)) continue;
    const stops = out.filter((o) => o.start > end).map((o) => o.start);
    const stop = Math.min(end + maxMinutes * MINUTE_MS, horizonEnd, ...stops);
    if (stop > end) windows.push({ start: end, end: stop });
  }
  return windows;
}

const toIntervals = (spans: readonly Span[]) =>
  spans.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() }));

/**
 * The instance for the rest of the day:
 * - providers: availability less delays and down windows, plus the overtime windows;
 * - rooms and staff: availability less down windows and absences; equipment: downtime plus down events;
 * - bookings: exactly the history that holds capacity (in-progress with its overrun end, fulfilled), pinned;
 *   the day state replaces the instance's own bookings;
 * - requests: the instance's, less those of that history (so their booked lengths are accepted);
 *   a booked appointment that overruns gets its longer length; an appointment of the day without a request
 *   becomes a routine request of its booked length; plus the new requests of emergency events.
 */
export function disruptedInstance(instance: Instance, day: DayExpectations): Instance {
  const h1 = toMs(instance.horizon.end);
  const { providerOut, roomOut, staffOut, equipmentDown } = day.disruptions;
  const maxOvertime = instance.replan.maxOvertimeMinutes;

  const providers = instance.providers.map((p) => {
    const out = providerOut.get(p.id) ?? [];
    const original = spansOf(p.availability);
    const extended = [...original, ...overtimeWindows(original, out, h1, maxOvertime)];
    return { ...p, availability: toIntervals(subtract(extended, out)) };
  });
  const rooms = instance.rooms.map((r) => ({ ...r, availability: toIntervals(subtract(spansOf(r.availability), roomOut.get(r.id) ?? [])) }));
  const staff = instance.staff.map((s) => ({ ...s, availability: toIntervals(subtract(spansOf(s.availability), staffOut.get(s.id) ?? [])) }));
  const equipment = instance.equipment.map((e) => ({ ...e, downtime: [...e.downtime, ...(equipmentDown.get(e.id) ?? [])] }));

  const pinnedHistory = day.history.filter(holdsHistoryCapacity);
  const bookings: Booking[] = pinnedHistory.map((h) => ({ ...h.expected, pinned: true }));
  const historyRequests = new Set(pinnedHistory.map((h) => h.expected.requestId));

  const known = new Set(instance.requests.map((r) => r.id));
  // A live appointment keeps the length it is booked for (an earlier re-plan may have lengthened it after
  // an overrun), or the longer one an overrun event gives it now.
  const bookedMinutes = (a: { start: string; end: string }) => (toMs(a.end) - toMs(a.start)) / MINUTE_MS;
  const longer = new Map(day.live.map((l) => [l.planned.requestId, l.overrunMinutes ?? bookedMinutes(l.planned)] as const));
  const requests: Request[] = instance.requests
    .filter((r) => !historyRequests.has(r.id))
    .map((r) => (longer.has(r.id) ? { ...r, minutes: longer.get(r.id)! } : r));
  for (const l of day.live) {
    const a = l.planned;
    if (known.has(a.requestId)) continue;
    known.add(a.requestId);
    const booked = bookedMinutes(a);
    requests.push({
      id: a.requestId,
      patientId: a.patientId,
      serviceId: a.serviceId,
      urgency: 'routine',
      minutes: l.overrunMinutes ?? booked,
      preferredProviderIds: [],
    });
  }
  for (const q of day.fresh) requests.push(q.request);

  return { ...instance, providers, rooms, staff, equipment, requests, bookings };
}
