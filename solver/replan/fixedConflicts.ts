import { holdsCapacity, type Appointment } from '../../src/contract/appointment.js';
import type { Instance } from '../../src/contract/instance.js';
import { MINUTE_MS, toMs } from '../../src/domain/time.js';
import { coveredSlots, makeGrid, touchedSlots } from '../model/grid.js';
import type { DisruptedDay } from './disruptedDay.js';
import { toInterval, type Span } from './spans.js';

type Use = { key: string; start: number; end: number; units: number };

/**
 * Live appointments left out of the re-plan that no longer fit the disrupted day where they are: they
 * overlap history or each other on a provider, room, staff member, device or patient, or sit where a
 * resource is no longer available. The region (region.ts) should never leave one; this is the safety net
 * that keeps a missed case from turning into a double booking: the caller lets them move.
 */
export function fixedConflicts(inst: Instance, day: DisruptedDay, movable: Set<number>): Set<number> {
  const grid = makeGrid(inst.horizon, inst.slotMinutes);
  const turnover = new Map(inst.services.map((s) => [s.id, s.turnoverMinutes ?? 0]));
  const usesOf = (a: Appointment, start: number, end: number): Use[] => [
    ...(a.providerId !== null ? [{ key: `p:${a.providerId}`, start, end, units: 1 }] : []),
    // The room: open for the visit itself, and free of others until its turnover is done.
    { key: `r:${a.roomId}`, start, end, units: 1 },
    { key: `turnover:${a.roomId}`, start, end: end + (turnover.get(a.serviceId) ?? 0) * MINUTE_MS, units: 1 },
    ...a.staff.map((s) => ({ key: `s:${s.staffId}`, start: toMs(s.start), end: toMs(s.end), units: 1 })),
    ...a.equipment.map((e) => ({ key: `e:${e.id}`, start, end, units: e.count })),
    { key: `pt:${a.patientId}`, start, end, units: 1 },
  ];

  const capacity = new Map<string, Int32Array>();
  const open = (list: Span[]) => Int32Array.from(coveredSlots(grid, list.map(toInterval)));
  for (const p of inst.providers) capacity.set(`p:${p.id}`, open([...day.providerAvailability.get(p.id)!, ...(day.overtimeWindows.get(p.id) ?? [])]));
  for (const r of inst.rooms) capacity.set(`r:${r.id}`, open(day.roomAvailability.get(r.id)!));
  for (const s of inst.staff) capacity.set(`s:${s.id}`, open(day.staffAvailability.get(s.id)!));
  for (const e of inst.equipment) {
    const cap = new Int32Array(grid.slots).fill(e.count);
    const down = [...e.downtime.map((d) => ({ start: toMs(d.start), end: toMs(d.end), units: d.units ?? e.count })), ...(day.equipmentDown.get(e.id) ?? [])];
    for (const d of down) {
      const [from, to] = touchedSlots(grid, d.start, d.end);
      for (let t = from; t < to; t++) cap[t]! -= d.units;
    }
    capacity.set(`e:${e.id}`, cap);
  }

  const used = new Map<string, Int32Array>();
  const add = (u: Use) => {
    let row = used.get(u.key);
    if (!row) used.set(u.key, (row = new Int32Array(grid.slots)));
    const [from, to] = touchedSlots(grid, u.start, u.end);
    for (let t = from; t < to; t++) row[t]! += u.units;
  };
  for (const h of day.history) if (holdsCapacity(h.appt.status)) usesOf(h.appt, toMs(h.appt.start), toMs(h.appt.end)).forEach(add);
  const fixed = day.live.map((l, k) => ({ l, k })).filter(({ k }) => !movable.has(k));
  const fixedUses = fixed.map(({ l, k }) => ({ k, uses: usesOf(l.appt, l.plannedStart, l.plannedStart + l.minutes * MINUTE_MS) }));
  for (const { uses } of fixedUses) uses.forEach(add);

  const conflicts = new Set<number>();
  for (const { k, uses } of fixedUses) {
    const over = uses.some((u) => {
      const cap = capacity.get(u.key); // patients and turnovers: one at a time
      const row = used.get(u.key)!;
      const [from, to] = touchedSlots(grid, u.start, u.end);
      for (let t = from; t < to; t++) if (row[t]! > (cap ? cap[t]! : 1)) return true;
      return false;
    });
    if (over) conflicts.add(k);
  }
  return conflicts;
}
