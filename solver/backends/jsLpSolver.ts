import * as jsl from 'javascript-lp-solver';
import type { Model, SolveResult } from 'javascript-lp-solver';
import type { Mip, MipBackend, MipSolution } from '../api.js';
import { withNodeClock } from './nodeClock.js';

/**
 * javascript-lp-solver: pure JavaScript branch and bound. It proves optimality only on small models
 * (a few hundred columns), so the search keeps its sub-problems small; it reports no bound of its own,
 * and after a timeout it may return a fractional point marked feasible, which we reject.
 */
// Same CommonJS/ES module mismatch as highs: take the solver object from either shape.
type Solver = { Solve(model: Model): SolveResult };
const solverModule = jsl as unknown as { default: Solver | { default: Solver } };
const solver: Solver = 'Solve' in solverModule.default ? solverModule.default : solverModule.default.default;

export const jsLpSolverBackend: MipBackend = {
  name: 'jsl',
  neighbourhoodCols: 300,
  fullModelCols: 300,
  provesBound: false,
  solve(mip, { timeLimitMs, nodeLimit, clock, relaxation }): MipSolution {
    const OBJ = '__value';
    const constraints: Record<string, { min?: number; max?: number }> = {};
    const variables: Record<string, Record<string, number>> = {};
    for (let j = 0; j < mip.numCols; j++) variables[`x${j}`] = { [OBJ]: mip.colCost[j]! };
    mip.rows.forEach((row, i) => {
      const name = `r${i}`;
      constraints[name] = {
        ...(Number.isFinite(row.lower) ? { min: row.lower } : {}),
        ...(Number.isFinite(row.upper) ? { max: row.upper } : {}),
      };
      row.cols.forEach((j, k) => (variables[`x${j}`]![name] = row.coefs[k]!));
    });
    const flags = Object.fromEntries(Object.keys(variables).map((v, j) => [v, mip.integer[j] ? 1 : 0] as const).filter(([, f]) => f));
    // Column upper bounds become rows (the JSON format has no bounds), unless a row already implies them.
    const implied = impliedUpperBounds(mip);
    for (let j = 0; j < mip.numCols; j++) {
      if (implied[j]) continue;
      const name = `u${j}`;
      constraints[name] = { max: mip.colUpper[j]! };
      variables[`x${j}`]![name] = 1;
    }
    const solve = (timeout: number) =>
      solver.Solve({ optimize: OBJ, opType: 'max', constraints, variables, ...(relaxation ? {} : { ints: flags }), options: { timeout, tolerance: 0 } });
    const result =
      nodeLimit === undefined ? solve(Math.max(1, Math.floor(timeLimitMs))) : withNodeClock(timeLimitMs, clock, () => solve(Math.max(1, Math.floor(nodeLimit))));
    if (!result.feasible) return { status: result.bounded === false ? 'none' : 'infeasible', x: null, objective: -Infinity, bound: null };
    const x = Array.from({ length: mip.numCols }, (_, j) => Number(result[`x${j}`] ?? 0));
    const integral = relaxation || x.every((v, j) => !mip.integer[j] || Math.abs(v - Math.round(v)) < 1e-6);
    if (!integral) return { status: 'none', x: null, objective: -Infinity, bound: null };
    return { status: 'feasible', x, objective: Number(result.result), bound: null };
  },
};

/**
 * Columns whose upper bound a row already enforces: a row of non-negative coefficients over
 * non-negative columns caps each of its columns at upper / coefficient. Every candidate sits in its
 * request's "at most once" row, so neighbourhood models need none of the extra bound rows, which in a
 * dense tableau would double its size.
 */
function impliedUpperBounds(mip: Mip): boolean[] {
  const implied = new Array<boolean>(mip.numCols).fill(false);
  for (const row of mip.rows) {
    if (!Number.isFinite(row.upper) || row.coefs.some((c) => c < 0)) continue;
    row.cols.forEach((j, k) => {
      if (row.upper / row.coefs[k]! <= mip.colUpper[j]!) implied[j] = true;
    });
  }
  return implied;
}
