import { PvqConsistencyError } from '../../src/core/errors.js';
import type { LayerProblem, SolveResult } from '../../src/core/types.js';
import { getSolver } from '../../solvers/index.js';
import { crossCheck } from '../../solvers/milp/crosscheck.js';
import { requireProblemClass, solveOn } from '../../solvers/classes.js';

/** Relative tolerance of the cross-check: a lower bound may exceed a feasible value by at most this. */
export const CHECK_REL_TOL = 1e-7;

/**
 * `pvq solve --check`: re-solve with the exact solver of the result's class (its adapter's `exactSolver` in
 * solvers/classes.ts: quant-exact / prune-exact / levels-exact / nm-exact / joint-exact) and
 * fail (PvqConsistencyError, exit 3) if any lower bound of either exceeds a feasible value of the other, or if
 * both claim optimality with different values.
 */
export async function crossCheckAgainstExact(
  r: SolveResult,
  p: LayerProblem,
  opts: { useBox: boolean; timeLimitMs?: number },
): Promise<SolveResult> {
  const name = requireProblemClass(r.problemClass).exactSolver;
  const exact = getSolver(name);
  if (!exact || exact.problemClass !== r.problemClass) throw new PvqConsistencyError(`--check needs the solver '${name}', which is not registered`);
  const ref = await solveOn(exact, p, { useBox: opts.useBox }, { timeLimitMs: opts.timeLimitMs });
  const absTol = 1e-15 * Math.max(1, p.objective.r);
  crossCheck(r, ref, { relTol: CHECK_REL_TOL, absTol });
  if (r.status === 'optimal' && ref.status === 'optimal' && Math.abs(r.upperBound - ref.upperBound) > CHECK_REL_TOL * Math.abs(ref.upperBound) + absTol)
    throw new PvqConsistencyError(`${p.name}: both optimal but ${r.solver} = ${r.upperBound} and ${ref.solver} = ${ref.upperBound}`);
  process.stderr.write(`check: ${r.solver} vs ${ref.solver} on ${p.name}: consistent (${ref.solver} ${ref.status}, value ${ref.upperBound})\n`);
  return ref;
}
