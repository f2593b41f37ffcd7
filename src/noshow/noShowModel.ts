// The clinic's no-show model: fitted on its own finished appointments, it estimates an upcoming
// appointment's probability of a no-show with the factors behind it. Pure: the caller passes the
// history and the appointments; nothing here reads a clock.
import { describe, FACTORS, FEATURES, featuresOf, NON_NEGATIVE, type Factor } from './features.js';
import { fitLogistic, sigmoid, standardise, type LogisticFit } from './fitLogistic.js';
import { pastIndex, pastOf, type FinishedVisit, type PatientPast, type Visit } from './visit.js';

/** Below this much history (or with too few of either outcome) only the base rate is estimated. */
export const MIN_FINISHED = 30;
export const MIN_EACH_OUTCOME = 3;
/** The base rate's prior: a typical outpatient no-show rate, worth this many visits. */
export const PRIOR_RATE = 0.1;
export const PRIOR_VISITS = 20;
/** The fit uses at most this many of the most recent finished appointments (patients' pasts still count all): bounded work per request. */
export const MAX_FIT_ROWS = 20_000;
const FIT = { iterations: 400, learningRate: 0.5, l2: 0.01, l2Total: 4 };

export type NoShowModel = {
  /** 'fitted': logistic regression; 'base-rate': too little history, every estimate is the base rate. */
  kind: 'fitted' | 'base-rate';
  finished: number;
  noShows: number;
  /** The clinic's no-show rate with the prior (PRIOR_RATE worth PRIOR_VISITS visits). */
  baseRate: number;
  fit: LogisticFit | null;
  note: string;
};

export type FactorEffect = {
  factor: Factor;
  /** What this appointment's value of the factor is, in words. */
  text: string;
  /** This factor's push on the log-odds, against a typical appointment of the clinic. */
  logOdds: number;
  /** The probability change this factor alone makes to a typical appointment (the factors do not add up exactly). */
  effect: number;
};

export type NoShowEstimate = {
  probability: number;
  /** A typical appointment's probability at this clinic (every factor at the clinic's average). */
  base: number;
  factors: FactorEffect[];
};

export function fitNoShowModel(history: readonly FinishedVisit[]): NoShowModel {
  const noShows = history.filter((h) => h.noShow).length;
  const finished = history.length;
  const baseRate = (noShows + PRIOR_RATE * PRIOR_VISITS) / (finished + PRIOR_VISITS);
  if (finished < MIN_FINISHED || noShows < MIN_EACH_OUTCOME || finished - noShows < MIN_EACH_OUTCOME) {
    const note =
      `only ${finished} finished appointments (${noShows} no-shows) in the history; at least ${MIN_FINISHED}, with ${MIN_EACH_OUTCOME} of each outcome, ` +
      `are needed to fit the factors: every estimate is the clinic's base rate with a prior of ${PRIOR_RATE} worth ${PRIOR_VISITS} visits`;
    return { kind: 'base-rate', finished, noShows, baseRate, fit: null, note };
  }
  // Each visit's patient history counts only the visits before it, as it will for an upcoming one.
  const sorted = [...history].sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = pastIndex(sorted);
  const rows = sorted.slice(-MAX_FIT_ROWS);
  const xs = rows.map((v) => featuresOf(v, pastOf(index, v.patientId, v.startMs), baseRate));
  const ys = rows.map((v) => (v.noShow ? 1 : 0));
  const fit = fitLogistic(xs, ys, { ...FIT, nonNegative: FEATURES.map((f) => NON_NEGATIVE.has(f.name)) });
  const note = `logistic regression on ${rows.length === finished ? '' : `the latest ${rows.length} of `}${finished} finished appointments (${noShows} no-shows)`;
  return { kind: 'fitted', finished, noShows, baseRate, fit, note };
}

export function estimateNoShow(model: NoShowModel, visit: Visit, past: PatientPast): NoShowEstimate {
  const fit = model.fit;
  if (!fit) return { probability: model.baseRate, base: model.baseRate, factors: [] };
  const z = standardise(featuresOf(visit, past, model.baseRate), fit);
  const base = sigmoid(fit.intercept);
  const factors = FACTORS.map((factor): FactorEffect => {
    let logOdds = 0;
    FEATURES.forEach((f, j) => {
      if (f.factor === factor) logOdds += fit.weights[j]! * z[j]!;
    });
    return { factor, text: describe(factor, visit, past), logOdds, effect: sigmoid(fit.intercept + logOdds) - base };
  });
  const total = factors.reduce((s, f) => s + f.logOdds, fit.intercept);
  return { probability: sigmoid(total), base, factors };
}

/** Estimates for upcoming visits, each with its patient's finished visits before it from the history. */
export function estimateAll(model: NoShowModel, history: readonly FinishedVisit[], visits: readonly Visit[]): (NoShowEstimate & { visit: Visit })[] {
  const index = pastIndex(history);
  return visits.map((visit) => ({ visit, ...estimateNoShow(model, visit, pastOf(index, visit.patientId, visit.startMs)) }));
}
