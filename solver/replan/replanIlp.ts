import type { Instance } from '../../src/contract/instance.js';
import { MINUTE_MS } from '../../src/domain/time.js';
import type { Mip, MipBackend, SolveOptions } from '../api.js';
import type { Assignment, Placement } from '../model/types.js';
import { capacityRows, candidatesFor, type Candidate } from '../subproblem.js';
import { emptyUsage } from '../usage.js';
import type { ReplanItem, ReplanModel } from './replanModel.js';

export type PricedCandidate = Candidate & { cost: number; overtime: number };

/** Which placements an item may take: providers (lanes; null = any eligible) and a start window in slots. */
export type Reach = { providers: Set<number> | null; from: number; to: number };

/** The re-plan cost of placing an item so: lateness, provider and room change, overtime. */
export function placementCost(inst: Instance, rm: ReplanModel, item: ReplanItem, p: Placement): { cost: number; overtime: number } {
  const { model } = rm;
  const w = inst.replan;
  const r = model.requests[item.index]!;
  const mode = r.modes[p.mode]!;
  const slotMs = model.slotMinutes * MINUTE_MS;
  const start = model.origin + p.start * slotMs;
  let cost = (w.lateness[item.urgency] * Math.max(0, start - item.reference)) / MINUTE_MS;
  if (item.live) {
    if (mode.providerId !== item.live.appt.providerId) cost += w.reassignProvider;
    // A pooled lane may hold the old room: counted as kept (optimistic, so the model's bound stays a bound).
    if (!model.lanes[mode.room]!.ids.includes(item.live.appt.roomId)) cost += w.changeRoom;
  }
  let overtime = 0;
  const regular = mode.provider >= 0 ? rm.regular.get(mode.provider) : undefined;
  if (regular) for (let t = p.start; t < p.start + r.length; t++) if (!regular[t]) overtime += model.slotMinutes;
  return { cost: cost + w.overtimePerMinute * overtime, overtime };
}

/**
 * Every placement within each item's reach that fits next to the fixed capacity, priced; a placement that
 * costs at least as much as bumping is left out (bumping uses no capacity, so it is never worse), and with
 * `perItem` only the cheapest that many are kept.
 */
export function replanCandidates(inst: Instance, rm: ReplanModel, reach: (item: ReplanItem) => Reach, perItem = Infinity): PricedCandidate[] {
  const fixed = emptyUsage(rm.model); // history and unreached appointments are already out of the lanes' capacity
  const out: PricedCandidate[] = [];
  for (const item of rm.items) {
    const { providers, from, to } = reach(item);
    const r = rm.model.requests[item.index]!;
    const mode = providers ? (m: number) => providers.has(r.modes[m]!.provider) : undefined;
    const priced = candidatesFor(rm.model, fixed, item.index, { ...(mode ? { mode } : {}), from, to })
      .map((c) => ({ ...c, ...placementCost(inst, rm, item, c.placement) }))
      .filter((c) => c.cost < item.bumpCost);
    if (priced.length > perItem) priced.sort((a, b) => a.cost - b.cost || a.placement.start - b.placement.start);
    out.push(...priced.slice(0, perItem));
  }
  return out;
}

export type ReplanSolution = {
  assignment: Assignment;
  /** The model's cost of the plan (room changes inside a pooled lane not counted). */
  cost: number;
  /** A proven lower bound on the model's cost. */
  bound: number;
  columns: number;
  rows: number;
};

/**
 * The re-plan ILP: each item takes one candidate or is bumped (a column priced at its bump cost; an
 * emergency has none, so it must be placed); capacity per lane and slot; each provider's overtime cap.
 * Returns null when it has no solution (several emergencies that cannot all go where they were allowed).
 */
export function solveReplanIlp(
  rm: ReplanModel,
  candidates: PricedCandidate[],
  backend: MipBackend,
  options: Pick<SolveOptions, 'timeLimitMs' | 'clock'>,
  start?: Assignment,
): ReplanSolution | null {
  const n = candidates.length;
  const colCost = candidates.map((c) => -c.cost);
  const byItem = new Map<number, number[]>();
  candidates.forEach((c, j) => (byItem.get(c.request) ?? byItem.set(c.request, []).get(c.request)!).push(j));
  const rows: Mip['rows'] = [];
  const bumpCol = new Map<number, number>();
  for (const item of rm.items) {
    const cols = [...(byItem.get(item.index) ?? [])];
    if (Number.isFinite(item.bumpCost)) {
      bumpCol.set(item.index, n + bumpCol.size);
      colCost.push(-item.bumpCost);
      cols.push(bumpCol.get(item.index)!);
    } else if (cols.length === 0) continue; // an emergency that fits nowhere: reported, not modelled
    rows.push({ cols, coefs: cols.map(() => 1), lower: 1, upper: 1 });
  }
  rows.push(...capacityRows(rm.model, emptyUsage(rm.model), candidates));
  const overtime = new Map<number, number[]>();
  candidates.forEach((c, j) => {
    if (c.overtime <= 0) return;
    const lane = rm.model.requests[c.request]!.modes[c.placement.mode]!.provider;
    (overtime.get(lane) ?? overtime.set(lane, []).get(lane)!).push(j);
  });
  for (const [lane, cols] of overtime) {
    const left = rm.overtimeLeft.get(lane) ?? 0;
    if (cols.reduce((s, j) => s + candidates[j]!.overtime, 0) > left)
      rows.push({ cols, coefs: cols.map((j) => candidates[j]!.overtime), lower: -Infinity, upper: left });
  }

  const numCols = colCost.length;
  const mip: Mip = { numCols, colCost, colUpper: new Array(numCols).fill(1), integer: new Array(numCols).fill(true), rows };
  if (start) {
    const x = candidates.map((c) => {
      const p = start[c.request];
      return p && p.mode === c.placement.mode && p.start === c.placement.start ? 1 : 0;
    });
    for (const [i] of bumpCol) x.push(start[i] ? 0 : 1);
    mip.start = x;
  }
  // The LP relaxation first: after a small disruption it is often integral already (measured: 0.2 s where
  // HiGHS's branch and bound took 5 s on the same 7,000-column model); its optimum is a bound either way.
  const lp = backend.solve(mip, { ...options, relaxation: true, purpose: 'whole-day' });
  const integral = lp.x !== null && lp.x.every((v) => Math.abs(v - Math.round(v)) <= 1e-6);
  const solved = integral ? lp : backend.solve(mip, { ...options, purpose: 'whole-day' });
  if (!solved.x) return null;
  const assignment: Assignment = rm.model.requests.map(() => null);
  candidates.forEach((c, j) => {
    if (solved.x![j]! > 0.5) assignment[c.request] = c.placement;
  });
  const bound = integral ? lp.objective : (solved.bound ?? (lp.x ? lp.objective : null));
  const cost = -solved.objective;
  return { assignment, cost, bound: bound === null ? 0 : Math.min(cost, -bound), columns: numCols, rows: rows.length };
}
