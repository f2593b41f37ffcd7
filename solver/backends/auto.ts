import type { MipBackend } from '../api.js';
import { loadHighsBackend } from './highs.js';
import { jsLpSolverBackend } from './jsLpSolver.js';

/**
 * Each solver where the bench shows it wins: HiGHS for the whole-day model (it proves optimality on
 * small clinics and reports a true bound); javascript-lp-solver for the many tiny neighbourhood models,
 * where its lower per-call overhead gave more improvement per second on 4- to 40-provider clinics.
 */
export async function loadAutoBackend(): Promise<MipBackend> {
  const highs = await loadHighsBackend();
  const jsl = jsLpSolverBackend;
  return {
    name: 'auto',
    neighbourhoodCols: jsl.neighbourhoodCols,
    fullModelCols: highs.fullModelCols,
    provesBound: highs.provesBound,
    solve: (mip, options) => (options.purpose === 'neighbourhood' ? jsl : highs).solve(mip, options),
  };
}
