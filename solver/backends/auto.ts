import type { Mip, MipBackend } from '../api.js';
import { loadHighsBackend } from './highs.js';
import { jsLpSolverBackend } from './jsLpSolver.js';

/**
 * Each solver where the bench shows it wins: HiGHS for the whole-day model (it proves optimality on
 * small clinics and reports a true bound); javascript-lp-solver for the many tiny neighbourhood models,
 * where its lower per-call overhead gave more improvement per second on 4- to 40-provider clinics, except
 * models with fractional weights (overbooking's expected-load rows), where it overran its time limit
 * by seconds (a 10-provider day, limit 1.8: one solve took 5.4 s of a 1.5 s limit).
 */
export async function loadAutoBackend(): Promise<MipBackend> {
  const highs = await loadHighsBackend();
  const jsl = jsLpSolverBackend;
  return {
    name: 'auto',
    neighbourhoodCols: jsl.neighbourhoodCols,
    fullModelCols: highs.fullModelCols,
    provesBound: highs.provesBound,
    solve: (mip, options) => (options.purpose === 'neighbourhood' && !hasFractionalWeights(mip) ? jsl : highs).solve(mip, options),
  };
}

function hasFractionalWeights(mip: Mip): boolean {
  return mip.rows.some((row) => row.coefs.some((c) => !Number.isInteger(c)));
}
