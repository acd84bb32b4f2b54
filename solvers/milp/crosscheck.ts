/**
 * Cross-checking two results for the same problem: no lower bound may exceed a feasible value (the other result's
 * upper bound, or its own), beyond a stated tolerance. Used by the tests and by `pvq solve --check`.
 */
import { PvqConsistencyError } from '../../src/core/errors.js';
import type { SolveResult } from '../../src/core/types.js';

export interface CrossCheckOptions {
  /** Relative tolerance (default 1e-9): lb may exceed ub by tol * max(|ub|, |lb|) + absTol. */
  relTol?: number;
  absTol?: number;
}

function check(lbOwner: SolveResult, lb: number, ubOwner: SolveResult, ub: number, relTol: number, absTol: number): void {
  if (!Number.isFinite(ub) || Number.isNaN(lb)) return;
  const slack = relTol * Math.max(Math.abs(ub), Math.abs(lb === Infinity ? ub : lb)) + absTol;
  if (lb > ub + slack) {
    const same = lbOwner === ubOwner;
    throw new PvqConsistencyError(
      `${lbOwner.solver} reports lowerBound ${lb} on '${lbOwner.problem}' above the feasible value ${ub} ` +
        `${same ? 'it found itself' : `found by ${ubOwner.solver}`} (difference ${(lb - ub).toExponential(3)}, tolerance ${slack.toExponential(3)})`,
    );
  }
}

/**
 * Throw PvqConsistencyError on any contradiction between `result` and `reference` (same problem, same class):
 * result.lowerBound > reference.upperBound, reference.lowerBound > result.upperBound, or either result's lower bound
 * above its own upper bound. Both directions are checked, so either side may be the suspect.
 */
export function crossCheck(result: SolveResult, reference: SolveResult, opts: CrossCheckOptions = {}): void {
  const relTol = opts.relTol ?? 1e-9;
  const absTol = opts.absTol ?? 0;
  if (result.problemClass !== reference.problemClass)
    throw new PvqConsistencyError(`cannot cross-check a ${result.problemClass} result against a ${reference.problemClass} result`);
  if (result.problem !== reference.problem)
    throw new PvqConsistencyError(`cannot cross-check results for different problems ('${result.problem}' vs '${reference.problem}')`);
  check(result, result.lowerBound, result, result.upperBound, relTol, absTol);
  check(reference, reference.lowerBound, reference, reference.upperBound, relTol, absTol);
  check(result, result.lowerBound, reference, reference.upperBound, relTol, absTol);
  check(reference, reference.lowerBound, result, result.upperBound, relTol, absTol);
}
