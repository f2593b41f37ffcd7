// An exact solver for tiny instances, written from the contract alone (../shared/spec/problem.md)
// and independent of solver/: it imports nothing from there, parses instants itself and shares no
// model. It enumerates every concrete way to place each request, then searches depth-first over the
// requests (place at one of its options, or leave it out) with incremental conflict checks and an
// optimistic bound. Bookings are not supported (the tiny clinics have none).
import type { Appointment } from '../../src/contract/appointment.js';
import type { Instance } from '../../src/contract/instance.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const EPS = 1e-9;

type Span = { start: number; end: number };

/** One concrete way to schedule a request. */
export type Option = {
  request: number;
  providerId: string | null;
  roomId: string;
  start: number;
  end: number;
  /** The room is blocked until end + turnover. */
  roomEnd: number;
  staff: { staffId: string; skill: string; start: number; end: number }[];
  equipment: { id: string; count: number }[];
  value: number;
};

export type ExactSolution = {
  /** The best score of the batch objective over all valid schedules. */
  score: number;
  /** The chosen option per request (input order), null when left out. */
  chosen: (Option | null)[];
  /** The best schedule in the contract's Appointment form. */
  appointments: Appointment[];
  /** Search nodes visited. */
  nodes: number;
  /** How many options each request has (input order). */
  optionCounts: number[];
};

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

/** [start, end) lies inside the union of the intervals. */
function covered(intervals: readonly Span[], start: number, end: number): boolean {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let cursor = start;
  for (const iv of sorted) {
    if (iv.start > cursor) break;
    if (iv.end > cursor) cursor = iv.end;
    if (cursor >= end) return true;
  }
  return cursor >= end;
}

const spans = (xs: readonly { start: string; end: string }[]): Span[] => xs.map((x) => ({ start: Date.parse(x.start), end: Date.parse(x.end) }));

/** Every concrete option of every request, each list sorted by value, best first. */
export function enumerateOptions(inst: Instance): Option[][] {
  const h0 = Date.parse(inst.horizon.start);
  const h1 = Date.parse(inst.horizon.end);
  const slot = inst.slotMinutes * MINUTE;
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const equipment = new Map(inst.equipment.map((e) => [e.id, e]));
  const w = inst.weights;

  return inst.requests.map((r, index) => {
    const service = services.get(r.serviceId);
    if (!service) return [];
    const minutes = r.minutes ?? service.minutes;
    const es = r.earliestStart ? Date.parse(r.earliestStart) : h0;
    const le = r.latestEnd ? Date.parse(r.latestEnd) : h1;
    const options: Option[] = [];
    for (let start = h0; start + minutes * MINUTE <= h1; start += slot) {
      const end = start + minutes * MINUTE;
      if (start < es || end > le) continue;
      const providers: (string | null)[] =
        service.specialty === undefined
          ? [null]
          : inst.providers
              .filter((p) => p.specialties.includes(service.specialty!))
              .filter((p) => r.providerId === undefined || p.id === r.providerId)
              .filter((p) => (p.maxAppointments ?? 1) > 0)
              .filter((p) => covered(spans(p.availability), start, end))
              .map((p) => p.id);
      const rooms = inst.rooms
        .filter((room) => room.capabilities.includes(service.roomCapability))
        .filter((room) => covered(spans(room.availability), start, end));
      // Each item alone must fit what is left of it while units are down (constraint 3).
      const equipmentFits = service.equipment.every((need) => {
        const item = equipment.get(need.id);
        return item !== undefined && capacityFits(item.count, downtimesOf(item), [], start, end, need.count);
      });
      if (!equipmentFits) continue;
      // Every assignment of staff members to the tasks, no member on two overlapping tasks.
      let staffings: Option['staff'][] = [[]];
      for (const task of service.staffTasks) {
        const span = { start: start + task.offsetMinutes * MINUTE, end: start + (task.offsetMinutes + task.minutes) * MINUTE };
        const members = inst.staff.filter((s) => s.skills.includes(task.skill) && covered(spans(s.availability), span.start, span.end));
        staffings = staffings.flatMap((partial) =>
          members
            .filter((m) => !partial.some((e) => e.staffId === m.id && overlaps(e, span)))
            .map((m) => [...partial, { staffId: m.id, skill: task.skill, ...span }]),
        );
      }
      for (const providerId of providers) {
        const preferred = providerId !== null && r.preferredProviderIds.includes(providerId);
        const value = w.urgency[r.urgency] + (preferred ? w.preferredProvider : 0) - (w.waitPerHour * (start - es)) / HOUR;
        for (const room of rooms)
          for (const staff of staffings)
            options.push({
              request: index,
              providerId,
              roomId: room.id,
              start,
              end,
              roomEnd: end + service.turnoverMinutes * MINUTE,
              staff,
              equipment: service.equipment.map((e) => ({ id: e.id, count: e.count })),
              value,
            });
      }
    }
    return options.sort((a, b) => b.value - a.value);
  });
}

export type Down = Span & { units: number };

function downtimesOf(item: Instance['equipment'][number]): Down[] {
  return item.downtime.map((d) => ({ start: Date.parse(d.start), end: Date.parse(d.end), units: d.units ?? item.count }));
}

/** At every instant of [start, end): units in use + `count` ≤ item count − units down. */
export function capacityFits(total: number, downs: readonly Down[], uses: readonly (Span & { count: number })[], start: number, end: number, count: number): boolean {
  const cuts = new Set([start, end]);
  for (const s of [...downs, ...uses]) {
    if (s.start > start && s.start < end) cuts.add(s.start);
    if (s.end > start && s.end < end) cuts.add(s.end);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1]!;
    const down = Math.min(total, downs.filter((d) => d.start <= a && b <= d.end).reduce((n, d) => n + d.units, 0));
    const inUse = uses.filter((u) => u.start <= a && b <= u.end).reduce((n, u) => n + u.count, 0);
    if (inUse + count > total - down) return false;
  }
  return true;
}

/** The best score over all valid schedules, by depth-first branch and bound. */
export function exhaustiveSearch(inst: Instance, { maxNodes = 5_000_000 }: { maxNodes?: number } = {}): ExactSolution {
  if (inst.bookings.length > 0) throw new Error('exhaustiveSearch does not support bookings');
  const options = enumerateOptions(inst);
  const n = inst.requests.length;
  const equipment = new Map(inst.equipment.map((e) => [e.id, { count: e.count, downs: downtimesOf(e) }]));
  const maxAppointments = new Map(inst.providers.map((p) => [p.id, p.maxAppointments ?? Infinity]));
  const patientOf = inst.requests.map((r) => r.patientId);
  const loadOf = inst.requests.map((r) => 1000 - Math.round(1000 * (r.noShowProbability ?? 0)));

  // Search the requests with the most valuable (then the most constrained) first.
  const order = [...Array(n).keys()].sort(
    (a, b) => (options[b]![0]?.value ?? 0) - (options[a]![0]?.value ?? 0) || options[a]!.length - options[b]!.length,
  );

  // Incremental state: what is in use.
  const providerUse = new Map<string, Option[]>();
  const roomUse = new Map<string, Span[]>(); // [start, end + turnover)
  const staffUse = new Map<string, Span[]>();
  const patientUse = new Map<string, Span[]>();
  const equipmentUse = new Map<string, (Span & { count: number })[]>();
  const listOf = <T>(map: Map<string, T[]>, key: string): T[] => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    return list;
  };

  const fits = (o: Option): boolean => {
    if (o.providerId !== null) {
      const used = listOf(providerUse, o.providerId);
      if (used.length >= maxAppointments.get(o.providerId)!) return false;
      if (inst.overbooking) {
        // Overbooking: at every instant at most two visits, whose loads (1000 less the no-show chance in
        // thousandths) add up to at most the limit in thousandths.
        const loads = used.map((u) => ({ start: u.start, end: u.end, count: loadOf[u.request]! }));
        if (!capacityFits(Math.round(1000 * inst.overbooking.maxExpectedLoad), [], loads, o.start, o.end, loadOf[o.request]!)) return false;
        if (!capacityFits(2, [], used.map((u) => ({ start: u.start, end: u.end, count: 1 })), o.start, o.end, 1)) return false;
      } else if (used.some((u) => overlaps(u, o))) return false;
    }
    // Turnover: the blocked stretches [start, end + turnover) of one room never overlap.
    const blocked = { start: o.start, end: o.roomEnd };
    if (listOf(roomUse, o.roomId).some((u) => overlaps(u, blocked))) return false;
    for (const s of o.staff) if (listOf(staffUse, s.staffId).some((u) => overlaps(u, s))) return false;
    if (listOf(patientUse, patientOf[o.request]!).some((u) => overlaps(u, o))) return false;
    for (const e of o.equipment) {
      const item = equipment.get(e.id)!;
      if (!capacityFits(item.count, item.downs, listOf(equipmentUse, e.id), o.start, o.end, e.count)) return false;
    }
    return true;
  };
  const apply = (o: Option) => {
    if (o.providerId !== null) listOf(providerUse, o.providerId).push(o);
    listOf(roomUse, o.roomId).push({ start: o.start, end: o.roomEnd });
    for (const s of o.staff) listOf(staffUse, s.staffId).push(s);
    listOf(patientUse, patientOf[o.request]!).push(o);
    for (const e of o.equipment) listOf(equipmentUse, e.id).push({ start: o.start, end: o.end, count: e.count });
  };
  const undo = (o: Option) => {
    if (o.providerId !== null) listOf(providerUse, o.providerId).pop();
    listOf(roomUse, o.roomId).pop();
    for (const s of o.staff) listOf(staffUse, s.staffId).pop();
    listOf(patientUse, patientOf[o.request]!).pop();
    for (const e of o.equipment) listOf(equipmentUse, e.id).pop();
  };

  /** The best value each request still has in the current state (its first option that fits). */
  const bestFitting = (k: number): number => {
    for (const o of options[order[k]!]!) if (fits(o)) return Math.max(0, o.value);
    return 0;
  };

  let best = 0;
  let bestChosen: (Option | null)[] = Array(n).fill(null);
  const chosen: (Option | null)[] = Array(n).fill(null);
  let nodes = 0;

  const search = (k: number, score: number): void => {
    if (++nodes > maxNodes) throw new Error(`exhaustiveSearch: more than ${maxNodes} nodes`);
    if (k === n) {
      if (score > best + EPS) {
        best = score;
        bestChosen = [...chosen];
      }
      return;
    }
    // Optimistic bound: every remaining request at the best option that still fits on its own.
    const rest: number[] = [];
    let optimistic = score;
    for (let j = n - 1; j >= k; j--) rest[j] = optimistic += bestFitting(j);
    if (optimistic <= best + EPS) return;
    const restAfter = k + 1 < n ? rest[k + 1]! - score : 0;
    const request = order[k]!;
    for (const o of options[request]!) {
      if (score + o.value + restAfter <= best + EPS) break; // sorted by value: the others are no better
      if (!fits(o)) continue;
      apply(o);
      chosen[request] = o;
      search(k + 1, score + o.value);
      chosen[request] = null;
      undo(o);
    }
    search(k + 1, score); // leave it out
  };
  search(0, 0);

  return { score: best, chosen: bestChosen, appointments: toAppointments(inst, bestChosen), nodes, optionCounts: options.map((o) => o.length) };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toAppointments(inst: Instance, chosen: readonly (Option | null)[]): Appointment[] {
  return chosen.flatMap((o, i) => {
    if (!o) return [];
    const r = inst.requests[i]!;
    return [
      {
        requestId: r.id,
        patientId: r.patientId,
        serviceId: r.serviceId,
        providerId: o.providerId,
        roomId: o.roomId,
        start: iso(o.start),
        end: iso(o.end),
        equipment: o.equipment.map((e) => ({ ...e })),
        staff: o.staff.map((s) => ({ staffId: s.staffId, skill: s.skill, start: iso(s.start), end: iso(s.end) })),
      },
    ];
  });
}
