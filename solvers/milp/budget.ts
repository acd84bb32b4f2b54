/**
 * Time limits of the OA solvers: predictions of their uninterruptible O(n^3) setup steps, so that a step that cannot
 * fit the time left is skipped (the solver then returns its valid bound so far with status `time_limit`).
 *
 * Costs are multiples of this machine's Cholesky speed (`choleskyCostPerN3`, measured once per process in about a
 * millisecond): a symmetric eigen-decomposition (ml-matrix) measured at about 100 Cholesky factorisations of the same
 * size, a pivoted LDL^T at about 15 (n = 200 to 400, loaded machine). Nothing is skipped without a time limit.
 */
import type { Deadline } from '../../src/core/result.js';
import { choleskyCostPerN3 } from '../../src/linalg/shift.js';

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
