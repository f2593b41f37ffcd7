import type { Mip } from './api.js';
import type { Assignment, Model, Placement } from './model/types.js';
import { fits, forEachUse, placementValue, type Usage } from './usage.js';

export type Candidate = { request: number; placement: Placement };

/**
 * The exact ILP over the candidates of some free requests, on top of fixed usage:
 * maximize total value; each request at most once (exactly once if mandatory);
 * per lane and slot, units in use within the residual capacity; per provider, its appointment cap.
 * Rows that can never bind are left out, which keeps neighbourhood models small.
 */
export function buildSubproblem(model: Model, fixed: Usage, free: number[], candidates: Candidate[], current: Assignment, breakTies = false): Mip {
  // Not on a model whose solution is to be proven optimal: its bound would carry the tie-break.
  const tie = breakTies ? capTieBreak(model, candidates) : candidates.map(() => 0);
  const colCost = candidates.map((c, j) => placementValue(model.requests[c.request]!, c.placement) + tie[j]!);
  const rows: Mip['rows'] = [];
  const byRequest = new Map<number, number[]>();
  candidates.forEach((c, j) => (byRequest.get(c.request) ?? byRequest.set(c.request, []).get(c.request)!).push(j));
  for (const i of free) {
    const cols = byRequest.get(i) ?? [];
    if (cols.length === 0) continue;
    rows.push({ cols, coefs: cols.map(() => 1), lower: model.requests[i]!.mandatory ? 1 : -Infinity, upper: 1 });
  }

  rows.push(...capacityRows(model, fixed, candidates));

  const start = candidates.map((c) => {
    const p = current[c.request];
    return p && p.mode === c.placement.mode && p.start === c.placement.start ? 1 : 0;
  });
  return { numCols: candidates.length, colCost, colUpper: candidates.map(() => 1), integer: candidates.map(() => true), rows, start };
}

/** Per model: the smallest step by which two schedules' scores can differ (a slot of waiting, a preference, an urgency). */
const scoreSteps = new WeakMap<Model, number>();
function scoreStep(model: Model): number {
  let step = scoreSteps.get(model);
  if (step === undefined) {
    step = 1;
    for (const r of model.requests) for (const v of [r.base, r.waitPerSlot, ...r.modes.map((m) => m.bonus)]) if (v > 1e-9) step = Math.min(step, v);
    scoreSteps.set(model, step);
  }
  return step;
}

/**
 * Among solutions of equal score, the one that gives the providers with maxAppointments the longer visits:
 * their limit is a count, so each minute they take frees a minute on a provider whose limit is the clock,
 * where the next waiting patient can fit. The whole tie-break stays under half the score's smallest weight
 * (a slot of waiting, a preference), so it does not outweigh a real difference; and a move is kept only
 * when the real score does not drop (applyMove in lns.ts).
 */
function capTieBreak(model: Model, candidates: Candidate[]): number[] {
  // Per candidate: its length in slots when its provider has maxAppointments, else 0.
  const cappedSlots = candidates.map((c) => {
    const r = model.requests[c.request]!;
    return Number.isFinite(model.maxAppointments.get(r.modes[c.placement.mode]!.provider) ?? Infinity) ? r.length : 0;
  });
  const lengths = new Map<number, number>();
  candidates.forEach((c, j) => {
    if (cappedSlots[j]! > 0) lengths.set(c.request, cappedSlots[j]!);
  });
  const perSlot = scoreStep(model) / (2 * ([...lengths.values()].reduce((a, b) => a + b, 0) + 1));
  return cappedSlots.map((slots) => perSlot * slots);
}

/**
 * Per lane and slot, units in use within the residual capacity; per provider, its appointment cap.
 * Rows that can never bind are left out, which keeps the models small.
 */
export function capacityRows(model: Model, fixed: Usage, candidates: Candidate[]): Mip['rows'] {
  const rows: Mip['rows'] = [];
  // Capacity rows keyed by lane and slot.
  const cells = new Map<number, { cols: number[]; coefs: number[]; total: number }>();
  candidates.forEach((c, j) => {
    forEachUse(model, model.requests[c.request]!, c.placement, (lane, from, to, amount) => {
      for (let t = from; t < to; t++) {
        const key = lane * model.slots + t;
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { cols: [], coefs: [], total: 0 }));
        // Candidates are visited in order, so a repeat of j can only be the last entry.
        const k = cell.cols.length - 1;
        if (cell.cols[k] === j) cell.coefs[k]! += amount;
        else {
          cell.cols.push(j);
          cell.coefs.push(amount);
        }
        cell.total += amount;
      }
    });
  });
  for (const [key, cell] of cells) {
    const lane = Math.floor(key / model.slots);
    const t = key % model.slots;
    const residual = model.lanes[lane]!.cap[t]! - fixed.used[lane]![t]!;
    if (cell.total <= residual) continue;
    // A load lane's thousandths go to the solver as whole units (0.65 + 0.65 <= 1.3): coefficients near
    // 1 keep the LP well scaled; javascript-lp-solver stalled on the raw ones.
    const unit = model.lanes[lane]!.unit ?? 1;
    if (unit === 1) {
      rows.push({ cols: cell.cols, coefs: cell.coefs, lower: -Infinity, upper: residual });
      continue;
    }
    rows.push({ cols: cell.cols, coefs: cell.coefs.map((c) => c / unit), lower: -Infinity, upper: residual / unit });
    // Two candidates each over half the residual never fit together: at most one of them (a clique row,
    // which the knapsack row alone leaves the LP free to split; measured: re-plans of overbooked days).
    const heavy = cell.cols.filter((_, k) => 2 * cell.coefs[k]! > residual);
    if (heavy.length > 1) rows.push({ cols: heavy, coefs: heavy.map(() => 1), lower: -Infinity, upper: 1 });
  }

  const perProvider = new Map<number, number[]>();
  candidates.forEach((c, j) => {
    const lane = model.requests[c.request]!.modes[c.placement.mode]!.provider;
    if (lane >= 0 && Number.isFinite(model.maxAppointments.get(lane)!)) (perProvider.get(lane) ?? perProvider.set(lane, []).get(lane)!).push(j);
  });
  for (const [lane, cols] of perProvider) {
    const left = model.maxAppointments.get(lane)! - (fixed.providerCount.get(lane) ?? 0);
    if (cols.length > left) rows.push({ cols, coefs: cols.map(() => 1), lower: -Infinity, upper: left });
  }

  return rows;
}

/** Candidates of request i that fit on top of the fixed usage, optionally limited to some modes and starts in [from, to]. */
export function candidatesFor(
  model: Model,
  fixed: Usage,
  i: number,
  limits: { mode?: (modeIndex: number) => boolean; from?: number; to?: number } = {},
): Candidate[] {
  const r = model.requests[i]!;
  const from = limits.from ?? 0;
  const to = limits.to ?? Infinity;
  const out: Candidate[] = [];
  r.modes.forEach((mode, m) => {
    if (limits.mode && !limits.mode(m)) return;
    // Starts are sorted: jump to the first one in range.
    let lo = 0;
    let hi = mode.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (mode.starts[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < mode.starts.length && mode.starts[k]! <= to; k++) {
      const placement = { mode: m, start: mode.starts[k]! };
      if (fits(model, fixed, r, placement)) out.push({ request: i, placement });
    }
  });
  return out;
}

/** Reads the chosen placements back from a MIP point. */
export function chosenPlacements(candidates: Candidate[], x: number[]): Map<number, Placement> {
  const out = new Map<number, Placement>();
  candidates.forEach((c, j) => {
    if (x[j]! > 0.5) out.set(c.request, c.placement);
  });
  return out;
}
