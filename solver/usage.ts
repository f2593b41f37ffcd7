import type { Assignment, CompiledRequest, Model, Placement } from './model/types.js';

/** Calls `use` for every lane interval a placement occupies. Room turnover counts only where the room is open. */
export function forEachUse(
  model: Model,
  r: CompiledRequest,
  p: Placement,
  use: (lane: number, from: number, to: number, amount: number) => void,
): void {
  const mode = r.modes[p.mode]!;
  const t = p.start;
  const end = t + r.length;
  if (mode.provider >= 0) use(mode.provider, t, end, 1);
  if (mode.load >= 0) use(mode.load, t, end, r.load);
  use(mode.room, t, end, 1);
  if (r.turnover > 0) {
    // The room stays blocked for turnover after the visit, wherever it is open then.
    const open = model.lanes[mode.room]!.open;
    const stop = Math.min(model.slots, end + r.turnover);
    let from = end;
    while (from < stop) {
      while (from < stop && open && !open[from]) from++;
      let to = from;
      while (to < stop && (!open || open[to])) to++;
      if (to > from) use(mode.room, from, to, 1);
      from = to;
    }
  }
  for (const s of mode.staff) use(s.lane, t + s.offset, t + s.offset + s.length, 1);
  for (const e of r.equipment) use(e.lane, t, end, e.count);
  if (r.patientLane >= 0) use(r.patientLane, t, end, 1);
}

/** Units in use per lane and slot, plus appointments per provider lane. */
export type Usage = { used: Int32Array[]; providerCount: Map<number, number> };

export function emptyUsage(model: Model): Usage {
  return { used: model.lanes.map(() => new Int32Array(model.slots)), providerCount: new Map() };
}

export function cloneUsage(usage: Usage): Usage {
  return { used: usage.used.map((u) => u.slice()), providerCount: new Map(usage.providerCount) };
}

export function fits(model: Model, usage: Usage, r: CompiledRequest, p: Placement): boolean {
  const mode = r.modes[p.mode]!;
  if (mode.provider >= 0 && (usage.providerCount.get(mode.provider) ?? 0) >= model.maxAppointments.get(mode.provider)!) return false;
  // Most misses are a busy provider or room: look there first, without touching the usage.
  const end = p.start + r.length;
  if (mode.provider >= 0 && !hasRoom(model, usage, mode.provider, p.start, end)) return false;
  if (!hasRoom(model, usage, mode.room, p.start, end)) return false;
  // Place it and look for overflow: one visit may use a lane twice at once (two tasks, one staff pool).
  place(model, usage, r, p, 1);
  let ok = true;
  forEachUse(model, r, p, (lane, from, to) => {
    if (!ok) return;
    const cap = model.lanes[lane]!.cap;
    const used = usage.used[lane]!;
    for (let t = from; t < to; t++)
      if (used[t]! > cap[t]!) {
        ok = false;
        return;
      }
  });
  place(model, usage, r, p, -1);
  return ok;
}

/** Whether one more unit fits on the lane throughout [from, to). */
function hasRoom(model: Model, usage: Usage, lane: number, from: number, to: number): boolean {
  const cap = model.lanes[lane]!.cap;
  const used = usage.used[lane]!;
  for (let t = from; t < to; t++) if (used[t]! >= cap[t]!) return false;
  return true;
}

/** Whether the request fits there if its provider had one appointment fewer (room for a swap under maxAppointments). */
export function fitsWithOneLess(model: Model, usage: Usage, lane: number, r: CompiledRequest, p: Placement): boolean {
  const n = usage.providerCount.get(lane) ?? 0;
  usage.providerCount.set(lane, n - 1);
  const ok = fits(model, usage, r, p);
  usage.providerCount.set(lane, n);
  return ok;
}

export function place(model: Model, usage: Usage, r: CompiledRequest, p: Placement, sign: 1 | -1): void {
  const mode = r.modes[p.mode]!;
  if (mode.provider >= 0) usage.providerCount.set(mode.provider, (usage.providerCount.get(mode.provider) ?? 0) + sign);
  forEachUse(model, r, p, (lane, from, to, amount) => {
    const used = usage.used[lane]!;
    for (let t = from; t < to; t++) used[t]! += sign * amount;
  });
}

export function usageOf(model: Model, assignment: Assignment): Usage {
  const usage = emptyUsage(model);
  assignment.forEach((p, i) => p && place(model, usage, model.requests[i]!, p, 1));
  return usage;
}

export function placementValue(r: CompiledRequest, p: Placement): number {
  return r.base + r.modes[p.mode]!.bonus - r.waitPerSlot * p.start;
}

export function assignmentScore(model: Model, assignment: Assignment): number {
  let score = model.fixedScore;
  assignment.forEach((p, i) => {
    if (p) score += placementValue(model.requests[i]!, p);
  });
  return score;
}

/** Whether the assignment keeps within every lane's capacity and every provider's maxAppointments. */
export function usageFits(model: Model, assignment: Assignment): boolean {
  const usage = usageOf(model, assignment);
  return model.lanes.every((lane, l) => usage.used[l]!.every((u, t) => u <= lane.cap[t]!)) &&
    [...usage.providerCount].every(([lane, n]) => n <= model.maxAppointments.get(lane)!);
}
