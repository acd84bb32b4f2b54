/**
 * Time limits of the OA solvers: predictions of their uninterruptible O(n^3) setup steps, so that a step that cannot
 * fit the time left is skipped (the solver then returns its valid bound so far with status `time_limit`).
 *
 * Costs are multiples of this machine's Cholesky speed (`choleskyCostPerN3`, measured once per process in about a
 * millisecond): a symmetric eigen-decomposition (ml-matrix) measured at about 100 Cholesky factorisations of the same
 * size, a pivoted LDL^T at about 15 (n = 200 to 400, loaded machine). Nothing is skipped without a time limit.
 */
import type { Deadline } from '../../src/core/result.js';
import { choleskyCostPerN3 } from '../../src/linalg/cost.js';
import type { MilpBackend, MilpModel } from './model.js';

const EIG = 100;
const LDL = 15;

/** Predicted ms of `diagonalSplit` on m live coordinates: one eigen-decomposition and two Cholesky checks. */
export function splitCostMs(m: number): number {
  return (EIG + 2) * choleskyCostPerN3() * m ** 3;
}

/** Predicted ms of quant-oa's factored cuts: a pivoted LDL^T and the n^2 r residual check (about 2 more). */
export function factorCostMs(n: number): number {
  return 3 * LDL * choleskyCostPerN3() * n ** 3;
}

/** Does a step predicted to take `ms` fit within `share` of the time left (always true without a limit)? */
export function fits(deadline: Deadline, ms: number, share = 0.5): boolean {
  return !deadline.limited || ms <= share * deadline.remaining();
}

/** Cells of a model: (rows + 1) x columns (what a back end's set-up work grows with). */
export function solveCells(model: MilpModel): number {
  return (model.rows.length + 1) * model.vars.length;
}

const setupCache = new Map<string, number>();

/**
 * The part of one back-end solve that its time limit does not cover (building the model, GLPK's scaling and first
 * factorisation), in ms per cell: measured once per process and back end (glpk: a dense 40 x 80 LP with a 1 ms
 * limit, times a safety factor 2; jsl, whose worker is abandoned at its deadline, is only charged the estimate
 * 2000 Cholesky costs per cell, about 1 us on a loaded machine).
 */
export function setupMsPerCell(backend: MilpBackend): number {
  const known = setupCache.get(backend.name);
  if (known !== undefined) return known;
  let v = 2000 * choleskyCostPerN3();
  if (backend.name === 'glpk') {
    const rows = 40;
    const cols = 80;
    const model: MilpModel = {
      vars: Array.from({ length: cols }, () => ({ lb: 0, ub: 1, integer: false })),
      rows: Array.from({ length: rows }, (_, i) => ({ idx: Array.from({ length: cols }, (_, j) => j), coef: Array.from({ length: cols }, (_, j) => 1 + ((i * 7 + j * 13) % 17) / 17), lb: 1, ub: Infinity })),
      objective: Array.from({ length: cols }, (_, j) => 1 + (j % 5)),
    };
    const t = performance.now();
    backend.solve(model, { timeLimitMs: 1 });
    v = Math.max(v, (2 * (performance.now() - t)) / solveCells(model));
  }
  setupCache.set(backend.name, v);
  return v;
}
