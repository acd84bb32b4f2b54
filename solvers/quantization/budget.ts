/**
 * Time predictions for the uninterruptible O(n^3) preprocessing steps of quant-exact / quant-bound (issue 9,
 * item 4: a limit includes the preprocessing). The V-BLAST order (a pivoted LDL^T, which does not poll the
 * deadline), the congruence U^T P U of the reduced basis and the box-aware order cannot be interrupted: each is
 * started only when its predicted cost fits into its share of the time left, else it is skipped and the solver
 * returns its valid bound so far (status `time_limit`, the message names the skipped step).
 *
 * Costs are multiples of one Cholesky of the same size, timed on the deadline's own clock (`predictCholMs`,
 * shared with the pruning solvers: a 256 x 256 block scaled by (n / 256)^3, safety factor 2, so one unit is about
 * two real factorisations). Measured at n = 1000 (loaded machine): V-BLAST order about 21 real Cholesky
 * factorisations, the ordered factor about 7, the congruence about 6; the unit counts below add a margin of ~1.3.
 */
import type { Deadline } from '../../src/core/result.js';
import { predictCholMs } from '../../src/linalg/cost.js';

/** The V-BLAST order (pivoted LDL^T with the order search), in predicted Cholesky units. */
export const VBLAST_CHOLS = 14;
/** One ordered factor (`factorInOrderUntil`; polls the deadline, but is predicted so it is not started in vain). */
export const FACTOR_CHOLS = 4;
/** The reduced basis after LLL: the congruence U^T P U (about 2 n^3 flops) and a Cholesky check of it. */
export const BASIS_CHOLS = 4;

/** Predicted ms of one Cholesky of P (na x na) on the deadline's clock; 0 without a limit or for small na. */
export function cholUnitMs(P: Float64Array, na: number, deadline: Deadline): number {
  return predictCholMs(P, na, deadline);
}

/** Does a step of `chols` Cholesky units fit into `share` of the time left (always without a limit)? */
export function stepFits(deadline: Deadline, unitMs: number, chols: number, share = 1): boolean {
  return !deadline.limited || unitMs === 0 || chols * unitMs <= share * deadline.remaining();
}
