import type { Instance } from '../src/contract/instance.js';
import { MAX_AT_ONCE } from '../src/contract/overbooking.js';
import type { OptimizationResult } from '../src/contract/result.js';
import type { OptimizeOptions } from './api.js';
import { hasConverged, lagrangianStep, startLagrangian } from './bound/lagrangian.js';
import { upperBoundAtRest } from './bound/trivial.js';
import { buildResult } from './buildResult.js';
import { bestValuePick, constructionOrder, earliestStartPick, placeInOrder, urgencyOrder } from './construct.js';
import { capSwapStep } from './capSwap.js';
import { lnsStep, relatedLanes, type LnsState } from './lns.js';
import { compileModel } from './model/compile.js';
import type { Assignment, Model } from './model/types.js';
import { seededRandom } from './random.js';
import { CAP_SWAP_SHARE, hasCappedProvider, LNS_PER_ROUND, NEIGHBOURHOOD_NODES, neighbourhoodSafetyMs, overbooks } from './searchSettings.js';
import { buildSubproblem, candidatesFor, chosenPlacements } from './subproblem.js';
import { takeBetterShared } from './takeBetterShared.js';
import { assignmentScore, emptyUsage, usageFits, usageOf } from './usage.js';

// The whole-day model on small days: HiGHS proves clinic-small optimal in a few hundred nodes.
const WHOLE_DAY_NODES = 20_000;
const BOUND_STEPS_PER_ROUND = 6;
const WARMUP_BOUND_STEPS = 150;

/**
 * The batch optimizer: a greedy construction, the whole day as one exact ILP when it is small enough,
 * then rounds of exact neighbourhood re-solves (the incumbent only ever improves) interleaved with
 * Lagrangian bound steps, until the gap closes, the time limit comes, or `maxRounds` is reached.
 */
export function optimize(inst: Instance, options: OptimizeOptions): OptimizationResult {
  const { backend, clock } = options;
  const began = clock();
  // The search stops early enough to decode, validate and explain the result within the limit.
  let reserve = 0;
  const left = () => began + options.timeLimitMs - reserve - clock();
  const model = compileModel(inst);
  const random = seededRandom(options.seed);

  // Overbooking: the search first runs without it (its neighbourhoods solve several times faster and
  // fill the day as well as ever), then overbooks on top of that day for the rest of the time.
  const strict = withoutOverbooking(model);
  let searchModel = strict;
  const overbookingFrom = began + options.timeLimitMs / 2;

  // Construction: the better of value-greedy and first-fit, so we never start below the baseline.
  const greedy = placeInOrder(strict, constructionOrder(strict), bestValuePick);
  const baseline = placeInOrder(strict, urgencyOrder(strict), earliestStartPick);
  let assignment: Assignment = assignmentScore(model, greedy) >= assignmentScore(model, baseline) ? greedy : baseline;
  const infeasible = model.requests.some((r, i) => r.mandatory && assignment[i] === null);
  let bound = upperBoundAtRest(model);
  let rounds = 0;
  let improvingMoves = 0;
  let boundMethod = 'trivial';
  const state: LnsState = { assignment, usage: usageOf(model, assignment), score: assignmentScore(model, assignment) };
  const gapOf = () => (bound - state.score) / Math.max(1, Math.abs(bound));
  const finish = (extra: Partial<OptimizationResult['stats']> = {}) =>
    buildResult(inst, model, {
      assignment: state.assignment,
      bound,
      solveMs: clock() - began,
      infeasible,
      stats: { backend: backend.name, seed: options.seed, iterations: rounds, improvingMoves, boundMethod, ...extra },
    });
  let lastBestAt = -Infinity;
  let finishCost = 0;
  const report = (improved: boolean) => {
    // A full result (decoded and validated) goes out at most once a second.
    const withBest = improved && clock() - lastBestAt >= Math.max(1000, 8 * finishCost);
    if (withBest) lastBestAt = clock();
    options.onProgress?.({
      elapsedMs: clock() - began,
      objective: state.score,
      bound,
      gap: Math.max(0, gapOf()),
      scheduled: state.assignment.filter(Boolean).length + model.fixedScheduled,
      requests: model.requests.length + model.fixedScheduled,
      ...(withBest ? { best: finish() } : {}),
    });
  };
  // A bound computed in parallel aims its steps at the best score: it gets the construction's at once.
  const parallel = options.parallelBound;
  parallel?.shareScore(state.score);
  // A search beside this one shares its best schedule both ways (not on days that overbook: this search's
  // two halves use different models, so a schedule from the other may not fit the half this one is in).
  const incumbent = overbooks(model) ? undefined : options.incumbent;
  incumbent?.offer(state.score, state.assignment);
  const takeShared = () => (incumbent ? takeBetterShared(model, state, incumbent) : false);
  const finishStarted = clock();
  if (options.onProgress) report(true);
  else finish();
  finishCost = clock() - finishStarted;
  reserve = Math.min(options.timeLimitMs / 4, 50 + 1.5 * finishCost);

  // Small days: the whole model, solved exactly.
  const columns = model.requests.reduce((n, r) => n + r.modes.reduce((k, m) => k + m.starts.length, 0), 0);
  if (columns <= backend.fullModelCols && left() > 0) {
    const whole = wholeModel(model, state.assignment);
    const solution = backend.solve(whole.mip, { timeLimitMs: Math.max(50, left() * 0.7), nodeLimit: WHOLE_DAY_NODES, clock, purpose: 'whole-day' });
    if (solution.x) {
      const chosen = chosenPlacements(whole.candidates, solution.x);
      const next = model.requests.map((_, i) => chosen.get(i) ?? null);
      const nextScore = assignmentScore(model, next);
      if (nextScore >= state.score - 1e-9 && usageFits(model, next)) {
        state.assignment = next;
        state.usage = usageOf(model, next);
        state.score = nextScore;
      }
    }
    if (backend.provesBound && solution.bound !== null && solution.bound < bound) {
      bound = solution.bound;
      boundMethod = 'mip';
    }
    if (solution.status === 'infeasible') bound = state.score;
    parallel?.shareScore(state.score);
    incumbent?.offer(state.score, state.assignment);
    report(true);
  }

  const lagrangian = startLagrangian(model);
  const related = relatedLanes(model);
  // Swaps under maxAppointments need a provider with a cap (a day without one draws as it did before);
  // once the search overbooks, the plain neighbourhoods do that work.
  const capped = hasCappedProvider(model);
  const lowerBoundTo = (value: number, method: string) => {
    if (value < bound) {
      bound = value;
      boundMethod = method;
    }
  };
  const boundStep = () => lowerBoundTo(lagrangianStep(model, lagrangian, state.score), 'lagrangian');
  // With a bound computed in parallel this thread only searches (taking that bound in as it goes);
  // otherwise, or once that bound is gone, it interleaves bound steps of its own with the search.
  const needOwnBound = () => {
    if (!parallel) return true;
    const latest = parallel.latest();
    if (latest === null) return true;
    lowerBoundTo(latest, 'lagrangian');
    return false;
  };
  // A first stretch of bound steps: the early steps move the bound the most.
  if (needOwnBound()) for (let k = 0; k < WARMUP_BOUND_STEPS && left() > 0 && gapOf() > 1e-6; k++) boundStep();
  const safetyMs = neighbourhoodSafetyMs(options.timeLimitMs);
  // The tie-break toward capped providers only on days that never overbook: those days search as they were
  // measured (a 3 s job without a pair, once blamed on it, was a search cut short before its overbooking half).
  const breakTies = !overbooks(model);
  const neighbourhoodLimits = () => ({ nodeLimit: NEIGHBOURHOOD_NODES, timeLimitMs: Math.min(safetyMs, Math.max(20, left())), clock, breakTies });
  // Overbooking on top of the day so far: the waiting requests placed greedily where a second visit fits.
  const startOverbooking = () => {
    searchModel = model;
    const next = placeInOrder(model, constructionOrder(model), bestValuePick, state.assignment);
    const nextScore = assignmentScore(model, next);
    if (nextScore < state.score) return;
    state.assignment = next;
    state.usage = usageOf(model, next);
    state.score = nextScore;
  };
  const overbookingDue = () => searchModel !== model && (clock() >= overbookingFrom || (options.maxRounds !== undefined && rounds >= options.maxRounds / 2));
  while (gapOf() > 1e-6 && left() > 0 && (options.maxRounds === undefined || rounds < options.maxRounds)) {
    if (overbookingDue()) startOverbooking();
    if (takeShared()) {
      parallel?.shareScore(state.score);
      report(true);
    }
    rounds++;
    // Once the step size has shrunk to nothing the bound has converged: the time goes to the search.
    if (needOwnBound() && !hasConverged(lagrangian)) for (let k = 0; k < BOUND_STEPS_PER_ROUND && left() > 0; k++) boundStep();
    const before = state.score;
    for (let k = 0; k < LNS_PER_ROUND && left() > 0; k++) {
      // A round can outlast the half time on a slow machine: switch between its steps, not only between rounds.
      if (options.maxRounds === undefined && overbookingDue()) startOverbooking();
      const step = capped && searchModel === strict && random.chance(CAP_SWAP_SHARE) ? capSwapStep : lnsStep;
      if (step(searchModel, state, backend, random, related, neighbourhoodLimits()) && state.score > before) improvingMoves++;
    }
    if (state.score > before) {
      parallel?.shareScore(state.score);
      incumbent?.offer(state.score, state.assignment);
    }
    report(state.score > before + 1e-9);
  }
  // A search cut short before the switch (or stopped by a closed gap) still overbooks where it pays.
  if (searchModel !== model) startOverbooking();
  takeShared(); // the other search's last word
  needOwnBound(); // the parallel bound's last word
  return finish();
}

/**
 * The model with each overbooked provider back to one visit at a time (a slot a fixed visit holds is full):
 * the same lanes and modes, so its schedules are schedules of the model. Without overbooking, the model.
 */
function withoutOverbooking(model: Model): Model {
  if (!overbooks(model)) return model;
  const lanes = model.lanes.map((lane) =>
    lane.kind === 'provider' ? { ...lane, cap: Int32Array.from(lane.cap, (c) => Math.max(0, c - (MAX_AT_ONCE - 1))) } : lane,
  );
  return { ...model, lanes };
}

function wholeModel(model: Model, current: Assignment) {
  const fixed = emptyUsage(model);
  const free = model.requests.map((r) => r.index);
  const candidates = free.flatMap((i) => candidatesFor(model, fixed, i));
  return { candidates, mip: buildSubproblem(model, fixed, free, candidates, current) };
}
