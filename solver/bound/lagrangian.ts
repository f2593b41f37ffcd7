import type { Model } from '../model/types.js';
import { forEachUse } from '../usage.js';
import { bestPriced, priceTable } from './prices.js';

// Halve the step after this many steps without a better bound (measured on 10- and 40-provider days:
// 40 converges in seconds but 0.2-1% higher; 100-400 keep lowering the bound for a minute).
const PATIENCE = 100;
/** Below this step size further steps no longer move the bound: it has converged. */
const CONVERGED_STEP = 1e-5;

/**
 * Lagrangian relaxation of every shared capacity (provider, room and staff pools, equipment, patients,
 * appointment caps). With prices on capacity, each request alone picks its best priced placement (or none),
 * so one evaluation is a pass over the candidates with prefix sums; its dual value is a proven upper bound,
 * and subgradient steps drive it toward the LP bound.
 */
export type LagrangianState = {
  price: Float64Array[];
  capPrice: Map<number, number>;
  best: number;
  step: number;
  sinceImprovement: number;
  iterations: number;
  patience: number;
};

export function startLagrangian(model: Model): LagrangianState {
  return {
    price: model.lanes.map(() => new Float64Array(model.slots)),
    capPrice: new Map(),
    best: Infinity,
    step: 2,
    sinceImprovement: 0,
    iterations: 0,
    patience: PATIENCE,
  };
}

export const hasConverged = (state: LagrangianState) => state.step <= CONVERGED_STEP;

/** Picks up from the converged prices with a larger step and more patience: slower, but often lower still. */
export function restartLagrangian(state: LagrangianState): void {
  state.step = 0.5;
  state.patience *= 2;
  state.sinceImprovement = 0;
}

/** One subgradient iteration; `target` is the best known score (a lower bound). Returns the dual value. */
export function lagrangianStep(model: Model, state: LagrangianState, target: number): number {
  const { slots, lanes } = model;
  const table = priceTable(model, state);
  const use = lanes.map(() => new Int32Array(slots));
  const capUse = new Map<number, number>();
  let value = model.fixedScore;

  for (const r of model.requests) {
    const best = bestPriced(model, table, r, r.mandatory ? -Infinity : 0);
    if (best.mode < 0) {
      if (r.mandatory) return Infinity; // no placement at all: nothing to bound
      continue;
    }
    const bestValue = best.value;
    const bestMode = best.mode;
    const bestStart = best.start;
    value += bestValue;
    markUse(model, r.index, bestMode, bestStart, use, capUse);
  }
  for (let l = 0; l < lanes.length; l++) {
    const cap = lanes[l]!.cap;
    const price = state.price[l]!;
    for (let t = 0; t < slots; t++) value += price[t]! * cap[t]!;
  }
  for (const [lane, price] of state.capPrice) value += price * model.maxAppointments.get(lane)!;

  // Subgradient: over-used capacity raises its price, idle capacity lowers it (never below 0).
  // A lane counted in finer units (a load lane's thousandths) is relaxed as use/unit <= cap/unit, so its
  // gradient and price step are scaled and it does not drown every other lane's step.
  let norm = 0;
  for (let l = 0; l < lanes.length; l++) {
    const cap = lanes[l]!.cap;
    const w = 1 / (lanes[l]!.unit ?? 1);
    for (let t = 0; t < slots; t++) {
      const g = (use[l]![t]! - cap[t]!) * w;
      if (g > 0 || state.price[l]![t]! > 0) norm += g * g;
    }
  }
  for (const [lane, n] of capUse) {
    const g = n - model.maxAppointments.get(lane)!;
    if (g > 0 || (state.capPrice.get(lane) ?? 0) > 0) norm += g * g;
  }
  if (value < state.best - 1e-9) {
    state.best = value;
    state.sinceImprovement = 0;
  } else if (++state.sinceImprovement >= state.patience) {
    state.step /= 2;
    state.sinceImprovement = 0;
  }
  state.iterations++;
  if (norm === 0) return value;
  const size = (state.step * Math.max(value - target, 1e-3 * Math.max(1, Math.abs(value)))) / norm;
  for (let l = 0; l < lanes.length; l++) {
    const cap = lanes[l]!.cap;
    const price = state.price[l]!;
    const u = use[l]!;
    const w2 = 1 / (lanes[l]!.unit ?? 1) ** 2;
    for (let t = 0; t < slots; t++) {
      const g = u[t]! - cap[t]!;
      if (g !== 0 || price[t]! > 0) price[t] = Math.max(0, price[t]! + size * g * w2);
    }
  }
  for (const lane of model.maxAppointments.keys()) {
    const max = model.maxAppointments.get(lane)!;
    if (!Number.isFinite(max)) continue;
    const g = (capUse.get(lane) ?? 0) - max;
    const next = Math.max(0, (state.capPrice.get(lane) ?? 0) + size * g);
    if (next > 0) state.capPrice.set(lane, next);
    else state.capPrice.delete(lane);
  }
  return value;
}

function markUse(model: Model, i: number, mode: number, start: number, use: Int32Array[], capUse: Map<number, number>): void {
  const r = model.requests[i]!;
  const provider = r.modes[mode]!.provider;
  if (provider >= 0) capUse.set(provider, (capUse.get(provider) ?? 0) + 1);
  forEachUse(model, r, { mode, start }, (lane, from, to, amount) => {
    const u = use[lane]!;
    for (let t = from; t < to; t++) u[t]! += amount;
  });
}
