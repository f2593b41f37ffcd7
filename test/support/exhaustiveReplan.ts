// An exact re-planner for tiny days, written from the contract (../shared/spec/problem.md, "Disruptions and
// re-planning the rest of the day") and the README ("Re-planning the rest of the day") alone. It is
// independent of solver/ and src/validator/: it imports nothing from there, parses instants itself and
// shares no model. It enumerates every concrete way to place each appointment that may move (and each new
// request), then searches depth-first over them (place at one of its options, or bump it) for the least
// re-plan cost, with incremental conflict checks and an optimistic bound.
//
// Semantics, where the README leaves room (test/replanProperties.test.ts relies on them):
// - Overtime: a provider may work on past the end E of each of their (merged) availability intervals, in
//   the window [E, E + maxOvertimeMinutes) cut at the horizon end and at the first delay or down window
//   after E ("never into a delay or a down time"); no window when E itself lies in a delay or down window.
//   Overtime minutes are those outside the instance's availability. Non-history overtime is capped per
//   provider; history that holds capacity (an in-progress overrun) counts in the cost only.
// - An in-progress overrun keeps its provider, room, staff tasks (at their listed times) and equipment and
//   ends at `expectedEnd`; its room turnover follows that end. A booked/checked-in overrun lasts
//   max(planned, expectedEnd - start rounded up to the grid).
// - A new request's lateness counts from max(now, earliestStart) with `now` as given (not rounded).
// - A booked/checked-in appointment whose request is not in the instance is routine, with the horizon as
//   its window. Kept appointments keep their duration (end - start) unless they overrun.
// - Requests' `latestEnd` and providers' `maxAppointments` (counting history that holds capacity) hold.
// Supports at most one new request of urgency emergency.
import type { Appointment } from '../../src/contract/appointment.js';
import type { Instance, Request, Service } from '../../src/contract/instance.js';
import type { Change, ReplanInput } from '../../src/contract/replan.js';
import { capacityFits, type Down } from './exhaustiveSearch.js';

const MINUTE = 60_000;
const EPS = 1e-9;

type Span = { start: number; end: number };
type Urgency = 'emergency' | 'urgent' | 'routine';
type StaffUse = { staffId: string; skill: string; start: number; end: number };

/** One concrete way to place an item (a kept appointment or a new request). */
export type ReplanOption = {
  item: number;
  providerId: string | null;
  roomId: string;
  start: number;
  end: number;
  /** The room is blocked until end + turnover. */
  roomEnd: number;
  staff: StaffUse[];
  equipment: { id: string; count: number }[];
  /** Minutes outside the provider's availability. */
  overtime: number;
  lateness: number;
  reassigned: boolean;
  roomChanged: boolean;
  /** The option's share of the re-plan cost. */
  cost: number;
};

/** What the re-plan decides about: an appointment that may move, or a new request (emergency, walk-in). */
export type ReplanItem = {
  kind: 'kept' | 'new';
  /** Position in input.appointments (kept), or in input.events (new). */
  index: number;
  requestId: string;
  patientId: string;
  serviceId: string;
  urgency: Urgency;
  /** The cost of leaving it out, null when it may not be left out. */
  bumpCost: number | null;
  /** Every option, cheapest first (for an emergency: only those at its earliest start). */
  options: ReplanOption[];
};

export type ReplanBreakdown = { lateness: number; reassignments: number; roomChanges: number; bumps: number; overtime: number };

export type ExactReplan = {
  /** The least re-plan cost (history overtime included). */
  cost: number;
  breakdown: ReplanBreakdown;
  /** The whole day after the re-plan: history as it was (overrun and event statuses applied), the rest re-placed, bumped left out. */
  appointments: Appointment[];
  /** One entry per touched appointment (moved, reassigned, bumped, added, cancelled), as a result lists them. */
  changes: Change[];
  /** Chosen option per item (null: bumped / left out). */
  chosen: (ReplanOption | null)[];
  items: ReplanItem[];
  /** New requests left out: emergencies that fit nowhere next to the history and the disruptions, walk-ins left out. */
  unscheduled: string[];
  /** Earliest start (ms) of each new emergency request that fits somewhere. */
  emergencyStart: Map<string, number>;
  /** Overtime cost of history that holds capacity (an in-progress overrun), included in `cost`. */
  historyOvertimeCost: number;
  /** Movable appointments (input positions). */
  movable: number[];
  nodes: number;
};

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

function merge(intervals: readonly Span[]): Span[] {
  const sorted = intervals.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** [start, end) lies inside the union of the (merged) intervals. */
function covered(merged: readonly Span[], start: number, end: number): boolean {
  return merged.some((iv) => iv.start <= start && end <= iv.end);
}

/** The pieces of [start, end) outside the merged intervals. */
function outside(merged: readonly Span[], start: number, end: number): Span[] {
  const pieces: Span[] = [];
  let cursor = start;
  for (const iv of merged) {
    if (iv.end <= cursor) continue;
    if (iv.start >= end) break;
    if (iv.start > cursor) pieces.push({ start: cursor, end: Math.min(iv.start, end) });
    cursor = Math.max(cursor, iv.end);
    if (cursor >= end) break;
  }
  if (cursor < end) pieces.push({ start: cursor, end });
  return pieces;
}

const spans = (xs: readonly { start: string; end: string }[]): Span[] => xs.map((x) => ({ start: Date.parse(x.start), end: Date.parse(x.end) }));

/** An event's appointment: by id, else by requestId among appointments without an id. */
function refOf(appointments: readonly Appointment[], ref: string): number {
  const byId = appointments.findIndex((a) => a.id === ref);
  return byId >= 0 ? byId : appointments.findIndex((a) => a.id === undefined && a.requestId === ref);
}

const HISTORY = new Set(['in-progress', 'fulfilled', 'cancelled', 'noshow']);

/** The least-cost re-plan of a tiny day, by depth-first branch and bound. */
export function exhaustiveReplan(
  inst: Instance,
  input: ReplanInput,
  { maxNodes = 3_000_000, prune = true }: { maxNodes?: number; prune?: boolean } = {},
): ExactReplan {
  const w = inst.replan;
  const h0 = Date.parse(inst.horizon.start);
  const h1 = Date.parse(inst.horizon.end);
  const slot = inst.slotMinutes * MINUTE;
  const now = Date.parse(input.now);
  const nowGrid = h0 + Math.max(0, Math.ceil((now - h0) / slot)) * slot;
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const requests = new Map(inst.requests.map((r) => [r.id, r]));
  const availability = new Map(inst.providers.map((p) => [p.id, merge(spans(p.availability))]));
  const roomAvailability = new Map(inst.rooms.map((r) => [r.id, merge(spans(r.availability))]));
  const staffAvailability = new Map(inst.staff.map((s) => [s.id, merge(spans(s.availability))]));

  // ---- The day after the events: statuses, overruns, disruptions.
  const appointments = input.appointments;
  const status = appointments.map((a) => a.status ?? 'booked');
  const endOf = appointments.map((a) => Date.parse(a.end));
  const durationOf = appointments.map((a) => Date.parse(a.end) - Date.parse(a.start));
  const providerBlocks = new Map<string, Span[]>();
  const roomBlocks = new Map<string, Span[]>();
  const staffBlocks = new Map<string, Span[]>();
  const equipmentDowns = new Map<string, Down[]>(
    inst.equipment.map((e) => [e.id, e.downtime.map((d) => ({ start: Date.parse(d.start), end: Date.parse(d.end), units: d.units ?? e.count }))]),
  );
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const newRequests: { request: Request; event: number }[] = [];
  input.events.forEach((e, k) => {
    switch (e.type) {
      case 'delay':
        push(providerBlocks, e.providerId, { start: h0, end: Date.parse(e.availableFrom) });
        break;
      case 'overrun': {
        const i = refOf(appointments, e.appointmentId);
        if (i < 0) throw new Error(`overrun of unknown appointment '${e.appointmentId}'`);
        const start = Date.parse(appointments[i]!.start);
        if (status[i] === 'in-progress') endOf[i] = Date.parse(e.expectedEnd);
        else durationOf[i] = Math.max(durationOf[i]!, Math.ceil((Date.parse(e.expectedEnd) - start) / slot) * slot);
        break;
      }
      case 'cancellation':
      case 'noshow': {
        const i = refOf(appointments, e.appointmentId);
        if (i < 0) throw new Error(`${e.type} of unknown appointment '${e.appointmentId}'`);
        status[i] = e.type === 'noshow' ? 'noshow' : 'cancelled';
        break;
      }
      case 'emergency':
        newRequests.push({ request: e.request, event: k });
        break;
      case 'resource-down': {
        const span = { start: Date.parse(e.start), end: Date.parse(e.end) };
        if (e.kind === 'provider') push(providerBlocks, e.id, span);
        else if (e.kind === 'room') push(roomBlocks, e.id, span);
        else {
          const item = inst.equipment.find((x) => x.id === e.id);
          if (item) push(equipmentDowns, e.id, { ...span, units: e.units ?? item.count });
        }
        break;
      }
      case 'staff-absence':
        push(staffBlocks, e.staffId, { start: Date.parse(e.start), end: Date.parse(e.end) });
        break;
    }
  });
  if (newRequests.filter((n) => n.request.urgency === 'emergency').length > 1)
    throw new Error('exhaustiveReplan supports at most one emergency');

  // Where each provider may work: availability plus the overtime window after the end of each interval.
  const workable = new Map(
    inst.providers.map((p) => {
      const avail = availability.get(p.id)!;
      const out = providerBlocks.get(p.id) ?? [];
      const windows = avail.flatMap(({ end }) => {
        if (out.some((o) => o.start <= end && end < o.end)) return [];
        const stop = Math.min(end + w.maxOvertimeMinutes * MINUTE, h1, ...out.filter((o) => o.start > end).map((o) => o.start));
        return stop > end ? [{ start: end, end: stop }] : [];
      });
      return [p.id, merge([...avail, ...windows])];
    }),
  );

  const isHistory = (i: number) => HISTORY.has(appointments[i]!.status ?? 'booked');
  const movable = appointments.map((_, i) => i).filter((i) => !isHistory(i) && (status[i] === 'booked' || status[i] === 'checked-in'));

  // ---- Options of an item.
  const enumerate = (
    item: number,
    spec: {
      service: Service;
      request: Request | undefined;
      duration: number;
      earliest: number;
      latestEnd: number;
      providerIds: (string | null)[];
      cost: (start: number, providerId: string | null, roomId: string, overtime: number) => Omit<ReplanOption, 'item' | 'providerId' | 'roomId' | 'start' | 'end' | 'roomEnd' | 'staff' | 'equipment' | 'overtime'>;
    },
  ): ReplanOption[] => {
    const { service, duration } = spec;
    const options: ReplanOption[] = [];
    const first = h0 + Math.max(0, Math.ceil((spec.earliest - h0) / slot)) * slot;
    for (let start = first; start + duration <= Math.min(h1, spec.latestEnd); start += slot) {
      const end = start + duration;
      const providers: { id: string | null; overtime: number }[] = [];
      for (const id of spec.providerIds) {
        if (id === null) {
          providers.push({ id, overtime: 0 });
          continue;
        }
        if ((providerBlocks.get(id) ?? []).some((b) => overlaps(b, { start, end }))) continue;
        if (!covered(workable.get(id) ?? [], start, end)) continue;
        const overtime = outside(availability.get(id) ?? [], start, end).reduce((n, piece) => n + (piece.end - piece.start) / MINUTE, 0);
        if (overtime > w.maxOvertimeMinutes) continue;
        providers.push({ id, overtime });
      }
      if (providers.length === 0) continue;
      const rooms = inst.rooms
        .filter((room) => room.capabilities.includes(service.roomCapability))
        .filter((room) => covered(roomAvailability.get(room.id)!, start, end))
        .filter((room) => !(roomBlocks.get(room.id) ?? []).some((b) => overlaps(b, { start, end })));
      if (rooms.length === 0) continue;
      const equipmentFits = service.equipment.every((need) => {
        const item = inst.equipment.find((x) => x.id === need.id);
        return item !== undefined && capacityFits(item.count, equipmentDowns.get(need.id) ?? [], [], start, end, need.count);
      });
      if (!equipmentFits) continue;
      let staffings: StaffUse[][] = [[]];
      for (const task of service.staffTasks) {
        const span = { start: start + task.offsetMinutes * MINUTE, end: start + (task.offsetMinutes + task.minutes) * MINUTE };
        const members = inst.staff.filter(
          (s) =>
            s.skills.includes(task.skill) &&
            covered(staffAvailability.get(s.id)!, span.start, span.end) &&
            !(staffBlocks.get(s.id) ?? []).some((b) => overlaps(b, span)),
        );
        staffings = staffings.flatMap((partial) =>
          members
            .filter((m) => !partial.some((e) => e.staffId === m.id && overlaps(e, span)))
            .map((m) => [...partial, { staffId: m.id, skill: task.skill, ...span }]),
        );
      }
      for (const p of providers)
        for (const room of rooms)
          for (const staff of staffings)
            options.push({
              item,
              providerId: p.id,
              roomId: room.id,
              start,
              end,
              roomEnd: end + service.turnoverMinutes * MINUTE,
              staff,
              equipment: service.equipment.map((e) => ({ id: e.id, count: e.count })),
              overtime: p.overtime,
              ...spec.cost(start, p.id, room.id, p.overtime),
            });
    }
    return options.sort((a, b) => a.cost - b.cost || a.start - b.start);
  };

  const eligibleProviders = (service: Service, request: Request | undefined): (string | null)[] =>
    service.specialty === undefined
      ? [null]
      : inst.providers
          .filter((p) => p.specialties.includes(service.specialty!))
          .filter((p) => request?.providerId === undefined || p.id === request.providerId)
          .map((p) => p.id);

  const items: ReplanItem[] = [];
  for (const i of movable) {
    const a = appointments[i]!;
    const request = requests.get(a.requestId);
    const service = services.get(request?.serviceId ?? a.serviceId);
    if (!service) throw new Error(`unknown service of appointment ${i}`);
    const urgency: Urgency = request?.urgency ?? 'routine';
    const planned = Date.parse(a.start);
    const es = request?.earliestStart ? Date.parse(request.earliestStart) : h0;
    const mayComeEarlier = status[i] === 'checked-in' || a.earlierOk === true;
    const index = items.length;
    items.push({
      kind: 'kept',
      index: i,
      requestId: a.requestId,
      patientId: a.patientId,
      serviceId: service.id,
      urgency,
      bumpCost: urgency === 'emergency' ? null : w.bump[urgency],
      options: enumerate(index, {
        service,
        request,
        duration: durationOf[i]!,
        earliest: Math.max(nowGrid, es, mayComeEarlier ? h0 : planned),
        latestEnd: request?.latestEnd ? Date.parse(request.latestEnd) : h1,
        providerIds: eligibleProviders(service, request),
        cost: (start, providerId, roomId, overtime) => {
          const lateness = (w.lateness[urgency] * Math.max(0, start - planned)) / MINUTE;
          const reassigned = providerId !== a.providerId;
          const roomChanged = roomId !== a.roomId;
          return {
            lateness,
            reassigned,
            roomChanged,
            cost: lateness + (reassigned ? w.reassignProvider : 0) + (roomChanged ? w.changeRoom : 0) + w.overtimePerMinute * overtime,
          };
        },
      }),
    });
  }
  for (const { request, event } of newRequests) {
    const service = services.get(request.serviceId);
    if (!service) throw new Error(`unknown service of emergency ${request.id}`);
    const es = request.earliestStart ? Date.parse(request.earliestStart) : h0;
    const from = Math.max(now, es);
    const index = items.length;
    items.push({
      kind: 'new',
      index: event,
      requestId: request.id,
      patientId: request.patientId,
      serviceId: service.id,
      urgency: request.urgency,
      bumpCost: request.urgency === 'emergency' ? null : w.bump[request.urgency],
      options: enumerate(index, {
        service,
        request,
        duration: (request.minutes ?? service.minutes) * MINUTE,
        earliest: Math.max(nowGrid, es),
        latestEnd: request.latestEnd ? Date.parse(request.latestEnd) : h1,
        providerIds: eligibleProviders(service, request),
        cost: (start, _p, _r, overtime) => {
          const lateness = (w.lateness[request.urgency] * (start - from)) / MINUTE;
          return { lateness, reassigned: false, roomChanged: false, cost: lateness + w.overtimePerMinute * overtime };
        },
      }),
    });
  }

  // ---- Incremental state: what is in use. History first (it never moves).
  const providerUse = new Map<string, Span[]>();
  const providerOvertime = new Map<string, number>(); // non-history minutes
  const roomUse = new Map<string, Span[]>(); // [start, end + turnover)
  const staffUse = new Map<string, Span[]>();
  const patientUse = new Map<string, Span[]>();
  const equipmentUse = new Map<string, (Span & { count: number })[]>();
  const listOf = <T>(map: Map<string, T[]>, key: string): T[] => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    return list;
  };
  let historyOvertime = 0;
  appointments.forEach((a, i) => {
    if (!isHistory(i) || status[i] === 'cancelled' || status[i] === 'noshow') return;
    const span = { start: Date.parse(a.start), end: endOf[i]! };
    const service = services.get(requests.get(a.requestId)?.serviceId ?? a.serviceId);
    if (a.providerId !== null) {
      listOf(providerUse, a.providerId).push(span);
      historyOvertime += outside(availability.get(a.providerId) ?? [], span.start, span.end).reduce((n, p) => n + (p.end - p.start) / MINUTE, 0);
    }
    listOf(roomUse, a.roomId).push({ start: span.start, end: span.end + (service?.turnoverMinutes ?? 0) * MINUTE });
    for (const s of a.staff) listOf(staffUse, s.staffId).push({ start: Date.parse(s.start), end: Date.parse(s.end) });
    listOf(patientUse, a.patientId).push(span);
    for (const e of a.equipment) listOf(equipmentUse, e.id).push({ ...span, count: e.count });
  });
  const maxAppointments = new Map(inst.providers.map((p) => [p.id, p.maxAppointments ?? Infinity]));

  const fits = (o: ReplanOption): boolean => {
    const it = items[o.item]!;
    if (o.providerId !== null) {
      const used = listOf(providerUse, o.providerId);
      if (used.length >= maxAppointments.get(o.providerId)!) return false;
      if (used.some((u) => overlaps(u, o))) return false;
      if ((providerOvertime.get(o.providerId) ?? 0) + o.overtime > w.maxOvertimeMinutes) return false;
    }
    const blocked = { start: o.start, end: o.roomEnd };
    if (listOf(roomUse, o.roomId).some((u) => overlaps(u, blocked))) return false;
    for (const s of o.staff) if (listOf(staffUse, s.staffId).some((u) => overlaps(u, s))) return false;
    if (listOf(patientUse, it.patientId).some((u) => overlaps(u, o))) return false;
    for (const e of o.equipment) {
      const item = inst.equipment.find((x) => x.id === e.id)!;
      if (!capacityFits(item.count, equipmentDowns.get(e.id) ?? [], listOf(equipmentUse, e.id), o.start, o.end, e.count)) return false;
    }
    return true;
  };
  const apply = (o: ReplanOption) => {
    if (o.providerId !== null) {
      listOf(providerUse, o.providerId).push(o);
      providerOvertime.set(o.providerId, (providerOvertime.get(o.providerId) ?? 0) + o.overtime);
    }
    listOf(roomUse, o.roomId).push({ start: o.start, end: o.roomEnd });
    for (const s of o.staff) listOf(staffUse, s.staffId).push(s);
    listOf(patientUse, items[o.item]!.patientId).push(o);
    for (const e of o.equipment) listOf(equipmentUse, e.id).push({ start: o.start, end: o.end, count: e.count });
  };
  const undo = (o: ReplanOption) => {
    if (o.providerId !== null) {
      listOf(providerUse, o.providerId).pop();
      providerOvertime.set(o.providerId, providerOvertime.get(o.providerId)! - o.overtime);
    }
    listOf(roomUse, o.roomId).pop();
    for (const s of o.staff) listOf(staffUse, s.staffId).pop();
    listOf(patientUse, items[o.item]!.patientId).pop();
    for (const e of o.equipment) listOf(equipmentUse, e.id).pop();
  };

  // ---- An emergency starts at the earliest start where it fits next to the history and disruptions alone.
  const fitsNowhere: string[] = [];
  const emergencyStart = new Map<string, number>();
  for (const it of items) {
    if (it.kind !== 'new' || it.urgency !== 'emergency') continue;
    const alone = it.options.filter(fits);
    if (alone.length === 0) {
      fitsNowhere.push(it.requestId);
      it.options = [];
      continue;
    }
    const earliest = Math.min(...alone.map((o) => o.start));
    emergencyStart.set(it.requestId, earliest);
    it.options = alone.filter((o) => o.start === earliest);
  }
  const active = items.map((_, k) => k).filter((k) => !fitsNowhere.includes(items[k]!.requestId));

  // Emergencies first, then the most constrained.
  const order = [...active].sort(
    (a, b) =>
      Number(items[b]!.bumpCost === null) - Number(items[a]!.bumpCost === null) || items[a]!.options.length - items[b]!.options.length,
  );
  const n = order.length;

  /** The least cost item order[k] can still have in the current state (Infinity: none and no bump). */
  const cheapest = (k: number): number => {
    const it = items[order[k]!]!;
    const bump = it.bumpCost ?? Infinity;
    for (const o of it.options) {
      if (o.cost >= bump) break;
      if (fits(o)) return o.cost;
    }
    return bump;
  };

  let best = Infinity;
  let bestChosen: (ReplanOption | null)[] = items.map(() => null);
  const chosen: (ReplanOption | null)[] = items.map(() => null);
  let nodes = 0;

  const search = (k: number, cost: number): void => {
    if (++nodes > maxNodes) throw new Error(`exhaustiveReplan: more than ${maxNodes} nodes`);
    if (k === n) {
      if (cost < best - EPS) {
        best = cost;
        bestChosen = [...chosen];
      }
      return;
    }
    let restAfter = 0;
    if (prune) {
      let optimistic = cost;
      for (let j = n - 1; j > k; j--) restAfter += cheapest(j);
      optimistic += restAfter + cheapest(k);
      if (optimistic >= best - EPS) return;
    }
    const it = items[order[k]!]!;
    for (const o of it.options) {
      if (prune && cost + o.cost + restAfter >= best - EPS) break; // sorted by cost: the others are no better
      if (!fits(o)) continue;
      apply(o);
      chosen[o.item] = o;
      search(k + 1, cost + o.cost);
      chosen[o.item] = null;
      undo(o);
    }
    if (it.bumpCost !== null) search(k + 1, cost + it.bumpCost);
  };
  search(0, 0);
  if (best === Infinity) throw new Error('exhaustiveReplan: no feasible re-plan');

  const historyOvertimeCost = w.overtimePerMinute * historyOvertime;
  const breakdown: ReplanBreakdown = { lateness: 0, reassignments: 0, roomChanges: 0, bumps: 0, overtime: historyOvertimeCost };
  for (const k of active) {
    const o = bestChosen[k];
    const it = items[k]!;
    if (!o) {
      breakdown.bumps += it.bumpCost!;
      continue;
    }
    breakdown.lateness += o.lateness;
    if (o.reassigned) breakdown.reassignments += w.reassignProvider;
    if (o.roomChanged) breakdown.roomChanges += w.changeRoom;
    breakdown.overtime += w.overtimePerMinute * o.overtime;
  }

  return {
    cost: best + historyOvertimeCost,
    breakdown,
    appointments: dayAfter(input, items, bestChosen, status, endOf),
    changes: changesOf(input, items, bestChosen, status),
    chosen: bestChosen,
    items,
    unscheduled: items.flatMap((it, k) => (it.kind === 'new' && !bestChosen[k] ? [it.requestId] : [])),
    emergencyStart,
    historyOvertimeCost,
    movable,
    nodes,
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function placed(o: ReplanOption): Pick<Appointment, 'providerId' | 'roomId' | 'start' | 'end' | 'equipment' | 'staff'> {
  return {
    providerId: o.providerId,
    roomId: o.roomId,
    start: iso(o.start),
    end: iso(o.end),
    equipment: o.equipment.map((e) => ({ ...e })),
    staff: o.staff.map((s) => ({ staffId: s.staffId, skill: s.skill, start: iso(s.start), end: iso(s.end) })),
  };
}

/** The whole day after the re-plan, in input order, then the new requests placed. */
function dayAfter(
  input: ReplanInput,
  items: readonly ReplanItem[],
  chosen: readonly (ReplanOption | null)[],
  status: readonly string[],
  endOf: readonly number[],
): Appointment[] {
  const itemOf = new Map(items.map((it, k) => [it.kind === 'kept' ? it.index : -1, k]));
  const day: Appointment[] = [];
  input.appointments.forEach((a, i) => {
    const k = itemOf.get(i);
    if (k === undefined) {
      // History, or cancelled / no-show by an event.
      const copy: Appointment = { ...a, status: status[i] as Appointment['status'] };
      if (status[i] === 'in-progress' && endOf[i] !== Date.parse(a.end)) copy.end = iso(endOf[i]!);
      day.push(copy);
      return;
    }
    const o = chosen[k];
    if (o) day.push({ ...a, ...placed(o) });
  });
  items.forEach((it, k) => {
    const o = chosen[k];
    if (it.kind !== 'new' || !o) return;
    day.push({ requestId: it.requestId, patientId: it.patientId, serviceId: it.serviceId, ...placed(o), status: 'booked' });
  });
  return day;
}

const slotOf = (a: Pick<Appointment, 'providerId' | 'roomId' | 'start' | 'end'>) => ({ providerId: a.providerId, roomId: a.roomId, start: a.start, end: a.end });

function changesOf(input: ReplanInput, items: readonly ReplanItem[], chosen: readonly (ReplanOption | null)[], status: readonly string[]): Change[] {
  const changes: Change[] = [];
  input.appointments.forEach((a, i) => {
    if (HISTORY.has(a.status ?? 'booked') || !(status[i] === 'cancelled' || status[i] === 'noshow')) return;
    changes.push({ kind: 'cancelled', ...(a.id ? { appointmentId: a.id } : {}), requestId: a.requestId, patientId: a.patientId, from: slotOf(a), to: null, delayMinutes: 0 });
  });
  items.forEach((it, k) => {
    const o = chosen[k];
    if (it.kind === 'new') {
      if (o) changes.push({ kind: 'added', requestId: it.requestId, patientId: it.patientId, from: null, to: slotOf(placed(o)), delayMinutes: 0 });
      return;
    }
    const a = input.appointments[it.index]!;
    const ref = a.id ? { appointmentId: a.id } : {};
    if (!o) {
      changes.push({ kind: 'bumped', ...ref, requestId: a.requestId, patientId: a.patientId, from: slotOf(a), to: null, delayMinutes: 0 });
      return;
    }
    const delayMinutes = (o.start - Date.parse(a.start)) / MINUTE;
    if (!o.reassigned && !o.roomChanged && delayMinutes === 0) return;
    changes.push({
      kind: o.reassigned ? 'reassigned' : 'moved',
      ...ref,
      requestId: a.requestId,
      patientId: a.patientId,
      from: slotOf(a),
      to: slotOf(placed(o)),
      delayMinutes,
      roomChanged: o.roomChanged,
    });
  });
  return changes;
}
