import { holdsCapacity, type Booking } from '../../src/contract/appointment.js';
import type { Instance, Request, Service } from '../../src/contract/instance.js';
import { limitThousandths, loadThousandths, MAX_AT_ONCE, visitLoadThousandths } from '../../src/contract/overbooking.js';
import { toMs } from '../../src/domain/time.js';
import { coveredSlots, makeGrid, touchedSlots, type Grid } from './grid.js';
import type { CompiledRequest, Lane, Mode, ModeFactors, Model, StaffNeed } from './types.js';

const MAX_STAFF_COMBOS = 64;

/**
 * Turns a parsed instance into lanes and request modes. Pinned bookings become blocked capacity.
 * `poolRooms: false` keeps every room its own lane (a re-plan prices a room change, so rooms differ).
 */
export function compileModel(inst: Instance, options: { poolRooms?: boolean } = {}): Model {
  const grid = makeGrid(inst.horizon, inst.slotMinutes);
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const requestsById = new Map(inst.requests.map((r) => [r.id, r]));
  const live = inst.bookings.filter((b) => holdsCapacity(b.status));
  const pinned = live.filter((b) => b.pinned);
  const unpinned = live.filter((b) => !b.pinned);
  const lanes: Lane[] = [];
  const addLane = (lane: Lane) => lanes.push(lane) - 1;

  // Providers: one lane each; pinned bookings take their slots and one of maxAppointments. Overbooking lets
  // a provider lane hold two visits at once and adds a lane of expected load (thousandths) beside it.
  const providerLane = new Map<string, number>();
  const loadLane = new Map<number, number>();
  const maxAppointments = new Map<number, number>();
  const loadOf = (b: Booking) => visitLoadThousandths(b.status, requestsById.get(b.requestId)?.noShowProbability);
  for (const p of inst.providers) {
    const covered = coveredSlots(grid, p.availability);
    const atOnce = inst.overbooking ? MAX_AT_ONCE : 1;
    const cap = Int32Array.from(covered, (c) => c * atOnce);
    for (const b of pinned) if (b.providerId === p.id) blockSlots(grid, cap, b.start, b.end, 1);
    const lane = addLane({ kind: 'provider', ids: [p.id], label: p.name ?? p.id, cap });
    providerLane.set(p.id, lane);
    if (inst.overbooking) {
      const limit = limitThousandths(inst.overbooking);
      const load = Int32Array.from(covered, (c) => c * limit);
      for (const b of pinned) if (b.providerId === p.id) blockSlots(grid, load, b.start, b.end, loadOf(b));
      loadLane.set(lane, addLane({ kind: 'load', ids: [p.id], label: `${p.name ?? p.id} (expected load)`, cap: load, unit: 1000 }));
    }
    const used = pinned.filter((b) => b.providerId === p.id).length;
    maxAppointments.set(lane, p.maxAppointments === undefined ? Infinity : Math.max(0, p.maxAppointments - used));
  }

  // Rooms and staff: members that share capabilities and free slots form one pool (interchangeable).
  const roomPools = pool(inst.rooms, (room) => {
    const open = coveredSlots(grid, room.availability);
    const free = Uint8Array.from(open);
    for (const b of pinned) if (b.roomId === room.id) {
      const turnover = services.get(b.serviceId)?.turnoverMinutes ?? 0;
      clearSlots(grid, free, toMs(b.start), toMs(b.end) + turnover * 60_000);
    }
    const key = options.poolRooms === false ? `room:${room.id}` : [...room.capabilities].sort().join('|') + '#' + maskKey(open) + maskKey(free);
    return { key, free, open, tags: room.capabilities };
  });
  const roomLanes = roomPools.map((p) =>
    addLane({ kind: 'room', ids: p.members.map((r) => r.id), label: poolLabel(p.members), cap: p.cap, open: p.open, tags: p.tags }),
  );
  const staffPools = pool(inst.staff, (member) => {
    const free = coveredSlots(grid, member.availability);
    for (const b of pinned) for (const s of b.staff) if (s.staffId === member.id) clearSlots(grid, free, toMs(s.start), toMs(s.end));
    return { key: [...member.skills].sort().join('|') + '#' + maskKey(free), free, open: free, tags: member.skills };
  });
  const staffLanes = staffPools.map((p) =>
    addLane({ kind: 'staff', ids: p.members.map((s) => s.id), label: poolLabel(p.members), cap: p.cap, tags: p.tags }),
  );

  // Equipment: units per slot, less downtime and pinned use.
  const equipmentLane = new Map<string, number>();
  for (const e of inst.equipment) {
    const cap = new Int32Array(grid.slots).fill(e.count);
    for (const d of e.downtime) blockSlots(grid, cap, d.start, d.end, d.units ?? e.count);
    for (const b of pinned) for (const u of b.equipment) if (u.id === e.id) blockSlots(grid, cap, b.start, b.end, u.count);
    equipmentLane.set(e.id, addLane({ kind: 'equipment', ids: [e.id], label: e.name ?? e.id, cap }));
  }

  // The requests to place: open requests, plus unpinned bookings (mandatory, starting from where they are).
  const pinnedIds = new Set(pinned.map((b) => b.requestId));
  const toPlace: { request: Request; booking?: Booking }[] = inst.requests
    .filter((r) => !pinnedIds.has(r.id))
    .map((request) => ({ request, booking: unpinned.find((b) => b.requestId === request.id) }));
  for (const b of unpinned)
    if (!requestsById.has(b.requestId)) toPlace.push({ request: requestFromBooking(b), booking: b });

  // Patients with more than one appointment get a lane so their visits never overlap.
  const patientCount = new Map<string, number>();
  for (const { request } of toPlace) patientCount.set(request.patientId, (patientCount.get(request.patientId) ?? 0) + 1);
  for (const b of pinned) patientCount.set(b.patientId, (patientCount.get(b.patientId) ?? 0) + 1);
  const patientLane = new Map<string, number>();
  for (const [patientId, n] of patientCount) {
    if (n < 2) continue;
    const cap = new Int32Array(grid.slots).fill(1);
    for (const b of pinned) if (b.patientId === patientId) blockSlots(grid, cap, b.start, b.end, 1);
    patientLane.set(patientId, addLane({ kind: 'patient', ids: [patientId], label: patientId, cap }));
  }

  const weights = inst.weights;
  const requests: CompiledRequest[] = toPlace.map(({ request, booking }, index) => {
    const service = services.get(request.serviceId)!;
    const length = (request.minutes ?? service.minutes) / inst.slotMinutes;
    const es = request.earliestStart ? toMs(request.earliestStart) : grid.origin;
    const le = request.latestEnd ? toMs(request.latestEnd) : toMs(inst.horizon.end);
    const first = Math.max(0, Math.ceil((es - grid.origin) / grid.slotMs));
    const last = Math.min(grid.slots - length, Math.floor((le - grid.origin) / grid.slotMs) - length);
    const compiled: CompiledRequest = {
      index,
      id: request.id,
      patientId: request.patientId,
      serviceId: service.id,
      urgency: request.urgency,
      length,
      turnover: Math.ceil(service.turnoverMinutes / inst.slotMinutes),
      equipment: service.equipment.map((e) => ({ lane: equipmentLane.get(e.id)!, id: e.id, count: e.count })),
      patientLane: patientLane.get(request.patientId) ?? -1,
      load: booking ? visitLoadThousandths(booking.status, request.noShowProbability) : loadThousandths(request.noShowProbability),
      first,
      last,
      base: weights.urgency[request.urgency] - (weights.waitPerHour * (grid.origin - es)) / 3_600_000,
      waitPerSlot: (weights.waitPerHour * inst.slotMinutes) / 60,
      modes: [],
      factors: { providers: [], rooms: [], staff: [], modeIndex: new Int32Array(0) },
      mandatory: booking !== undefined,
    };
    const built = buildModes(inst, service, request, compiled, lanes, providerLane, loadLane, roomLanes, staffLanes);
    compiled.modes = built.modes;
    compiled.factors = built.factors;
    if (booking) compiled.hint = locateBooking(grid, compiled, booking, lanes);
    return compiled;
  });

  let fixedScore = 0;
  for (const b of pinned) {
    const r = requestsById.get(b.requestId) ?? requestFromBooking(b);
    const es = r.earliestStart ? toMs(r.earliestStart) : grid.origin;
    const preferred = b.providerId !== null && r.preferredProviderIds.includes(b.providerId);
    fixedScore += weights.urgency[r.urgency] + (preferred ? weights.preferredProvider : 0) - (weights.waitPerHour * (toMs(b.start) - es)) / 3_600_000;
  }

  return {
    slotMinutes: inst.slotMinutes,
    slots: grid.slots,
    origin: grid.origin,
    timeZone: inst.clinic.timezone,
    lanes,
    requests,
    maxAppointments,
    fixedScore,
    fixedScheduled: pinned.length,
  };
}

/** A booking whose request is not in the instance is scored as a routine request with no wishes. */
export function requestFromBooking(b: Booking): Request {
  return {
    id: b.requestId,
    patientId: b.patientId,
    serviceId: b.serviceId,
    urgency: 'routine',
    preferredProviderIds: [],
    ...(b.providerId ? { providerId: b.providerId } : {}),
  };
}

function buildModes(
  inst: Instance,
  service: Service,
  request: Request,
  r: CompiledRequest,
  lanes: Lane[],
  providerLane: Map<string, number>,
  loadLane: Map<number, number>,
  roomLanes: number[],
  staffLanes: number[],
): { modes: Mode[]; factors: ModeFactors } {
  const providers: (string | null)[] = service.specialty
    ? inst.providers.filter((p) => p.specialties.includes(service.specialty!) && (!request.providerId || p.id === request.providerId)).map((p) => p.id)
    : [null];
  const rooms = roomLanes.filter((l) => lanes[l]!.tags!.includes(service.roomCapability));
  const taskOptions = service.staffTasks.map((task) =>
    staffLanes
      .filter((l) => lanes[l]!.tags!.includes(task.skill))
      .map((lane): StaffNeed => ({ lane, skill: task.skill, offset: task.offsetMinutes / inst.slotMinutes, length: task.minutes / inst.slotMinutes })),
  );
  const staffCombos = cartesian(taskOptions).slice(0, MAX_STAFF_COMBOS);
  const free = (lane: number, from: number, to: number, need = 1) => freeRun(lanes[lane]!, need, from, to);
  // Starts each resource allows on its own (over the request's window), then their intersection per mode.
  const span = Math.max(0, r.last - r.first + 1);
  const okStarts = (check: (t: number) => boolean) => {
    const ok = new Uint8Array(span);
    for (let k = 0; k < span; k++) ok[k] = check(r.first + k) ? 1 : 0;
    return ok;
  };
  const common = okStarts(
    (t) =>
      r.equipment.every((e) => free(e.lane, t, t + r.length, e.count)) &&
      (r.patientLane < 0 || free(r.patientLane, t, t + r.length)),
  );
  const roomOk = rooms.map((room) => okStarts((t) => common[t - r.first] === 1 && free(room, t, t + r.length)));
  const staffOk = staffCombos.map((staff) => {
    // Tasks of one visit that overlap in the same pool need that many members at once.
    const demand = new Map<number, number>();
    for (const x of staff) for (let k = x.offset; k < x.offset + x.length; k++) demand.set(x.lane * 100_000 + k, (demand.get(x.lane * 100_000 + k) ?? 0) + 1);
    const needs = [...demand].map(([key, n]) => ({ lane: Math.floor(key / 100_000), slot: key % 100_000, n }));
    return okStarts((t) => needs.every((d) => lanes[d.lane]!.cap[t + d.slot]! >= d.n));
  });
  const modes: Mode[] = [];
  const factors: ModeFactors = {
    providers: [],
    rooms: rooms.map((lane, ri) => ({ lane, ok: roomOk[ri]! })),
    staff: staffCombos.map((needs, si) => ({ needs, ok: staffOk[si]! })),
    modeIndex: new Int32Array(0),
  };
  const index: number[] = [];
  for (const providerId of providers) {
    const provider = providerId === null ? -1 : providerLane.get(providerId)!;
    const load = loadLane.get(provider) ?? -1;
    const providerOk = provider < 0 ? null : okStarts((t) => free(provider, t, t + r.length) && (load < 0 || free(load, t, t + r.length, r.load)));
    if (providerOk && !providerOk.includes(1)) continue;
    const bonus = providerId !== null && request.preferredProviderIds.includes(providerId) ? inst.weights.preferredProvider : 0;
    factors.providers.push({ lane: provider, load, bonus, ok: providerOk });
    rooms.forEach((room, ri) =>
      staffCombos.forEach((staff, si) => {
        const starts: number[] = [];
        const a = roomOk[ri]!;
        const b = staffOk[si]!;
        for (let k = 0; k < span; k++) if (a[k] && b[k] && (!providerOk || providerOk[k])) starts.push(r.first + k);
        index.push(starts.length > 0 ? modes.length : -1);
        if (starts.length > 0) modes.push({ provider, providerId, load, room, staff, bonus, starts });
      }),
    );
  }
  factors.modeIndex = Int32Array.from(index);
  return { modes, factors };
}

function locateBooking(grid: Grid, r: CompiledRequest, b: Booking, lanes: Lane[]): { mode: number; start: number } | undefined {
  const start = Math.round((toMs(b.start) - grid.origin) / grid.slotMs);
  const mode = r.modes.findIndex(
    (m) =>
      m.providerId === b.providerId &&
      lanes[m.room]!.ids.includes(b.roomId) &&
      m.staff.every((s, i) => b.staff[i] !== undefined && lanes[s.lane]!.ids.includes(b.staff[i]!.staffId)) &&
      m.starts.includes(start),
  );
  return mode >= 0 ? { mode, start } : undefined;
}

type Pooled<T> = { members: T[]; cap: Int32Array; open: Uint8Array; tags: string[] };

function pool<T>(items: T[], describe: (item: T) => { key: string; free: Uint8Array; open: Uint8Array; tags: string[] }): Pooled<T>[] {
  const pools = new Map<string, Pooled<T>>();
  for (const item of items) {
    const { key, free, open, tags } = describe(item);
    let p = pools.get(key);
    if (!p) pools.set(key, (p = { members: [], cap: new Int32Array(free.length), open, tags }));
    p.members.push(item);
    for (let t = 0; t < free.length; t++) p.cap[t]! += free[t]!;
  }
  return [...pools.values()];
}

function poolLabel(members: { id: string; name?: string | undefined }[]): string {
  return members.map((m) => m.name ?? m.id).join(', ');
}

function maskKey(mask: Uint8Array): string {
  return mask.join('');
}

function blockSlots(grid: Grid, cap: Int32Array, start: string, end: string, units: number): void {
  const [from, to] = touchedSlots(grid, toMs(start), toMs(end));
  for (let t = from; t < to; t++) cap[t] = Math.max(0, cap[t]! - units);
}

function clearSlots(grid: Grid, mask: Uint8Array, a: number, b: number): void {
  const [from, to] = touchedSlots(grid, a, b);
  mask.fill(0, from, to);
}

function cartesian<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
}

/** Whether a lane has `need` units over [from, to); a per-need prefix count of short slots makes it O(1). */
const shortPrefix = new WeakMap<Lane, Map<number, Int32Array>>();
function freeRun(lane: Lane, need: number, from: number, to: number): boolean {
  let byNeed = shortPrefix.get(lane);
  if (!byNeed) shortPrefix.set(lane, (byNeed = new Map()));
  let prefix = byNeed.get(need);
  if (!prefix) {
    prefix = new Int32Array(lane.cap.length + 1);
    for (let t = 0; t < lane.cap.length; t++) prefix[t + 1] = prefix[t]! + (lane.cap[t]! < need ? 1 : 0);
    byNeed.set(need, prefix);
  }
  return prefix[to]! - prefix[from]! === 0;
}
