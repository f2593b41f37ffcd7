import { holdsCapacity, type Appointment } from '../src/contract/appointment.js';
import type { Instance } from '../src/contract/instance.js';
import { formatInZone } from '../src/domain/time.js';
import type { Assignment, Model } from './model/types.js';
import { forEachUse } from './usage.js';

/**
 * Turns placements into appointments with concrete rooms and staff. Pools hold interchangeable members,
 * and intervals in a pool of k members never overlap more than k deep, so assigning in start order
 * to the first free member always succeeds (interval graphs are perfect).
 */
export function decodeAssignment(
  inst: Instance,
  model: Model,
  assignment: Assignment,
  /** Room and staff ids to try first for a request (a re-plan keeps people where they were). */
  prefer: (requestId: string) => readonly string[] = () => [],
): { appointments: Appointment[]; unplaced: number[] } {
  const busy = new Map<string, Uint8Array>();
  const busyOf = (id: string) => busy.get(id) ?? busy.set(id, new Uint8Array(model.slots)).get(id)!;
  const order = assignment
    .map((p, i) => ({ p, i }))
    .filter((x) => x.p !== null)
    .sort((a, b) => a.p!.start - b.p!.start || a.i - b.i);
  const formatted = new Map<number, string>(); // a day has few distinct slots; zone formatting is slow
  const at = (slot: number) =>
    formatted.get(slot) ?? formatted.set(slot, formatInZone(model.origin + slot * model.slotMinutes * 60_000, model.timeZone)).get(slot)!;
  const bookingIds = new Map(inst.bookings.map((b) => [b.requestId, b.id]));
  const appointments: Appointment[] = inst.bookings
    .filter((b) => b.pinned && holdsCapacity(b.status))
    .map(({ pinned: _pinned, ...appointment }) => appointment);
  const unplaced: number[] = [];

  for (const { p, i } of order) {
    const r = model.requests[i]!;
    const mode = r.modes[p!.mode]!;
    const roomRuns: [number, number][] = [];
    forEachUse(model, r, p!, (lane, from, to) => lane === mode.room && roomRuns.push([from, to]));
    const preferred = prefer(r.id);
    const ordered = (ids: string[]) => (preferred.length === 0 ? ids : [...ids].sort((a, b) => Number(preferred.includes(b)) - Number(preferred.includes(a))));
    const roomId = pick(ordered(model.lanes[mode.room]!.ids), roomRuns, busyOf);
    // Claim as we go: two tasks of one visit in the same pool must get two different members.
    const claimed: [string, [number, number][]][] = [];
    const staffIds = mode.staff.map((s) => {
      const run: [number, number][] = [[p!.start + s.offset, p!.start + s.offset + s.length]];
      const id = pick(ordered(model.lanes[s.lane]!.ids), run, busyOf);
      if (id !== null) {
        claim(busyOf(id), run);
        claimed.push([id, run]);
      }
      return id;
    });
    if (roomId === null || staffIds.includes(null)) {
      for (const [id, run] of claimed) release(busyOf(id), run);
      unplaced.push(i);
      continue;
    }
    claim(busyOf(roomId), roomRuns);
    const id = bookingIds.get(r.id);
    appointments.push({
      ...(id ? { id } : {}),
      requestId: r.id,
      patientId: r.patientId,
      serviceId: r.serviceId,
      providerId: mode.providerId,
      roomId,
      start: at(p!.start),
      end: at(p!.start + r.length),
      equipment: r.equipment.map((e) => ({ id: e.id, count: e.count })),
      staff: mode.staff.map((s, k) => ({ staffId: staffIds[k]!, skill: s.skill, start: at(p!.start + s.offset), end: at(p!.start + s.offset + s.length) })),
      status: 'booked',
    });
  }
  return { appointments, unplaced };
}

function pick(ids: string[], runs: [number, number][], busyOf: (id: string) => Uint8Array): string | null {
  for (const id of ids) {
    const busy = busyOf(id);
    if (runs.every(([from, to]) => busy.subarray(from, to).every((b) => b === 0))) return id;
  }
  return null;
}

function claim(busy: Uint8Array, runs: [number, number][]): void {
  for (const [from, to] of runs) busy.fill(1, from, to);
}

function release(busy: Uint8Array, runs: [number, number][]): void {
  for (const [from, to] of runs) busy.fill(0, from, to);
}
