import type { Booking } from '../../src/contract/appointment.js';
import type { Instance, Request } from '../../src/contract/instance.js';
import type { Urgency } from '../../src/contract/primitives.js';
import { formatInZone, MINUTE_MS, toMs } from '../../src/domain/time.js';
import { compileModel } from '../model/compile.js';
import { coveredSlots, makeGrid } from '../model/grid.js';
import type { Model } from '../model/types.js';
import type { DisruptedDay, LiveAppointment } from './disruptedDay.js';
import { toInterval, type Span } from './spans.js';

/** Something the re-plan places: a live appointment that may move, or a new request. */
export type ReplanItem = {
  /** Index in model.requests. */
  index: number;
  requestId: string;
  urgency: Urgency;
  live: LiveAppointment | undefined;
  request: Request | undefined;
  /** Lateness is measured from here: the planned start, or for a new request max(now, earliestStart). */
  reference: number;
  /** Cost of leaving it off the day (an emergency is never left off: Infinity). */
  bumpCost: number;
};

export type ReplanModel = {
  derived: Instance;
  model: Model;
  items: ReplanItem[];
  /** Live appointments the disruption does not reach: they keep their place. */
  fixed: LiveAppointment[];
  /** Per provider lane: 1 where the provider's own availability covers the slot (else it is overtime). */
  regular: Map<number, Uint8Array>;
  /** Per provider lane: overtime minutes the re-plan may still add (the cap less fixed appointments' overtime). */
  overtimeLeft: Map<number, number>;
};

/**
 * The re-plan as a compiled model: the disrupted day's capacity, with history and the appointments out of
 * reach as fixed (pinned) capacity, and the movable appointments and new requests as requests that start
 * no earlier than they may. Rooms are not pooled when `exactRooms`, so a room change can be priced exactly.
 */
export function buildReplanModel(
  inst: Instance,
  day: DisruptedDay,
  movable: Set<number>,
  exactRooms: boolean,
  /** Only each appointment's own provider (push-later reassigns only an emergency: a far smaller model). */
  ownProviderOnly = false,
): ReplanModel {
  const zone = inst.clinic.timezone;
  const iso = (ms: number) => formatInZone(ms, zone);
  const intervals = (list: Span[]) => list.map(toInterval);
  const moving = day.live.filter((_, k) => movable.has(k));
  const fixed = day.live.filter((_, k) => !movable.has(k));

  const pinned: Booking[] = [
    ...day.history.filter((h) => h.appt.status === 'in-progress' || h.appt.status === 'fulfilled').map((h) => ({ ...h.appt, pinned: true })),
    ...fixed.map((l) => ({ ...l.appt, status: 'booked' as const, pinned: true })),
  ];
  const asRequest = (l: LiveAppointment): Request => ({
    id: l.appt.requestId,
    patientId: l.appt.patientId,
    serviceId: l.appt.serviceId,
    urgency: l.urgency,
    earliestStart: iso(l.earliest),
    latestEnd: iso(Math.max(l.latestEnd, l.earliest)),
    minutes: l.minutes,
    preferredProviderIds: [],
    // Overbooking reads the chance of a no-show; a patient who has checked in has come.
    ...(l.appt.status === 'checked-in' ? { noShowProbability: 0 } : l.request?.noShowProbability !== undefined ? { noShowProbability: l.request.noShowProbability } : {}),
    ...(ownProviderOnly && l.appt.providerId && l.urgency !== 'emergency' ? { providerId: l.appt.providerId } : l.request?.providerId ? { providerId: l.request.providerId } : {}),
  });
  const asNew = (r: Request): Request => ({
    ...r,
    earliestStart: iso(Math.max(day.startFrom, r.earliestStart ? toMs(r.earliestStart) : toMs(inst.horizon.start))),
  });
  const derived: Instance = {
    ...inst,
    providers: inst.providers.map((p) => ({
      ...p,
      availability: intervals([...day.providerAvailability.get(p.id)!, ...(day.overtimeWindows.get(p.id) ?? [])]),
    })),
    rooms: inst.rooms.map((r) => ({ ...r, availability: intervals(day.roomAvailability.get(r.id)!) })),
    staff: inst.staff.map((s) => ({ ...s, availability: intervals(day.staffAvailability.get(s.id)!) })),
    equipment: inst.equipment.map((e) => ({
      ...e,
      downtime: [...e.downtime, ...(day.equipmentDown.get(e.id) ?? []).map((d) => ({ ...toInterval(d), units: d.units }))],
    })),
    requests: [...moving.map(asRequest), ...day.newRequests.map(asNew)],
    bookings: pinned,
  };
  const model = compileModel(derived, { poolRooms: !exactRooms });

  const replan = inst.replan;
  const items: ReplanItem[] = model.requests.map((r, index) => {
    const live = index < moving.length ? moving[index] : undefined;
    const request = live ? live.request : day.newRequests[index - moving.length];
    const reference = live
      ? live.plannedStart
      : Math.max(day.now, request?.earliestStart ? toMs(request.earliestStart) : toMs(inst.horizon.start));
    return {
      index,
      requestId: r.id,
      urgency: r.urgency,
      live,
      request,
      reference,
      bumpCost: r.urgency === 'emergency' ? Infinity : replan.bump[r.urgency],
    };
  });

  const grid = makeGrid(inst.horizon, inst.slotMinutes);
  const regular = new Map<number, Uint8Array>();
  const overtimeLeft = new Map<number, number>();
  model.lanes.forEach((lane, l) => {
    if (lane.kind !== 'provider') return;
    const provider = inst.providers.find((p) => p.id === lane.ids[0])!;
    const mask = coveredSlots(grid, provider.availability);
    regular.set(l, mask);
    let used = 0;
    for (const f of fixed) if (f.appt.providerId === provider.id) used += outsideMinutes(mask, grid.origin, grid.slotMs, f.plannedStart, f.minutes);
    overtimeLeft.set(l, Math.max(0, replan.maxOvertimeMinutes - used));
  });
  return { derived, model, items, fixed, regular, overtimeLeft };
}

/** Minutes of [start, start + minutes) that the provider's own availability does not cover. */
export function outsideMinutes(regular: Uint8Array, origin: number, slotMs: number, start: number, minutes: number): number {
  const from = Math.round((start - origin) / slotMs);
  const to = Math.round((start + minutes * MINUTE_MS - origin) / slotMs);
  let slots = 0;
  for (let t = from; t < to; t++) if (!regular[t]) slots++;
  return (slots * slotMs) / MINUTE_MS;
}
