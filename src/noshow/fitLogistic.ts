// Logistic regression by full-batch gradient descent with L2 on the weights (not the intercept), on
// standardised features. Chosen over naive per-factor rates because the factors are not independent
// (a patient who books far ahead may also be the one who misses), and a fitted weight per feature still
// reads as "this pushes the odds up by so much". Fixed iterations, zero start: deterministic.

export type LogisticFit = {
  intercept: number;
  weights: number[];
  /** Per feature: the training mean and standard deviation (0: constant, the feature is ignored). */
  means: number[];
  scales: number[];
};

/**
 * `l2` is per example; `l2Total` is spread over the examples (a Gaussian prior on each weight worth a fixed
 * number of observations), so a small history is pulled hard toward the base rate and a large one is not.
 */
export type FitOptions = { iterations: number; learningRate: number; l2: number; l2Total: number; nonNegative: readonly boolean[] };

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Standardised values are clipped here: an extreme patient or lead time does not extrapolate to a certainty. */
export const CLIP = 3;

/** A feature standardised by the fit; unknown (NaN) and constant features sit at the mean (0). */
export function standardise(x: readonly number[], fit: Pick<LogisticFit, 'means' | 'scales'>): number[] {
  return x.map((v, j) => (Number.isNaN(v) || fit.scales[j] === 0 ? 0 : Math.max(-CLIP, Math.min(CLIP, (v - fit.means[j]!) / fit.scales[j]!))));
}

export function fitLogistic(xs: readonly (readonly number[])[], ys: readonly number[], options: FitOptions): LogisticFit {
  const d = xs[0]?.length ?? 0;
  const means = Array<number>(d).fill(0);
  const scales = Array<number>(d).fill(0);
  for (let j = 0; j < d; j++) {
    const known = xs.map((x) => x[j]!).filter((v) => !Number.isNaN(v));
    if (known.length === 0) continue;
    const mean = known.reduce((s, v) => s + v, 0) / known.length;
    const sd = Math.sqrt(known.reduce((s, v) => s + (v - mean) ** 2, 0) / known.length);
    means[j] = mean;
    scales[j] = sd > 1e-9 ? sd : 0;
  }
  const z = xs.map((x) => standardise(x, { means, scales }));
  const n = z.length;
  const rate = ys.reduce((s, y) => s + y, 0) / Math.max(1, n);
  // Start at the base rate's log-odds so few iterations suffice.
  let intercept = Math.log(Math.max(1e-6, rate) / Math.max(1e-6, 1 - rate));
  const weights = Array<number>(d).fill(0);
  const l2 = options.l2 + options.l2Total / Math.max(1, n);
  for (let it = 0; it < options.iterations; it++) {
    let gIntercept = 0;
    const g = Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) {
      const row = z[i]!;
      let s = intercept;
      for (let j = 0; j < d; j++) s += weights[j]! * row[j]!;
      const err = sigmoid(s) - ys[i]!;
      gIntercept += err;
      for (let j = 0; j < d; j++) g[j]! += err * row[j]!;
    }
    intercept -= (options.learningRate * gIntercept) / n;
    for (let j = 0; j < d; j++) {
      let w = weights[j]! - options.learningRate * (g[j]! / n + l2 * weights[j]!);
      // Projected step: a weight known to be ≥ 0 (past no-shows) stays ≥ 0.
      if (options.nonNegative[j] && w < 0) w = 0;
      weights[j] = w;
    }
  }
  return { intercept, weights, means, scales };
}
