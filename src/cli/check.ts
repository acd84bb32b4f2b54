import { PvqConsistencyError } from '../core/errors.js';
import { pruningProblemOf, quantizationProblemOf } from '../core/objective.js';
import type { LayerProblem, SolveResult } from '../core/types.js';
import { getSolver } from '../../solvers/index.js';

/** Relative tolerance of the cross-check: a lower bound may exceed a feasible value by at most this. */
export const CHECK_REL_TOL = 1e-7;

/**
 * Compare a result with the exact solver of its class (quant-exact / prune-exact) on the same problem:
 * no lower bound may exceed the other's feasible value beyond CHECK_REL_TOL. Throws PvqConsistencyError.
 */
export async function crossCheckAgainstExact(
  r: SolveResult,
  p: LayerProblem,
  opts: { useBox: boolean; timeLimitMs?: number },
): Promise<SolveResult> {
  const name = r.problemClass === 'quantization' ? 'quant-exact' : 'prune-exact';
  const exact = getSolver(name);
  if (!exact) throw new PvqConsistencyError(`--check needs the solver '${name}', which is not registered`);
  const ref =
    exact.problemClass === 'quantization'
      ? await exact.solve(quantizationProblemOf(p), { timeLimitMs: opts.timeLimitMs })
      : await exact.solve(pruningProblemOf(p, { useBox: opts.useBox }), { timeLimitMs: opts.timeLimitMs });
  const tol = (v: number): number => CHECK_REL_TOL * Math.abs(v) + 1e-15 * Math.max(1, p.objective.r);
  if (r.lowerBound > ref.upperBound + tol(ref.upperBound))
    throw new PvqConsistencyError(`${p.name}: ${r.solver} lower bound ${r.lowerBound} exceeds the feasible value ${ref.upperBound} found by ${ref.solver}`);
  if (ref.lowerBound > r.upperBound + tol(r.upperBound))
    throw new PvqConsistencyError(`${p.name}: ${ref.solver} lower bound ${ref.lowerBound} exceeds the feasible value ${r.upperBound} found by ${r.solver}`);
  if (r.status === 'optimal' && ref.status === 'optimal' && Math.abs(r.upperBound - ref.upperBound) > tol(ref.upperBound))
    throw new PvqConsistencyError(`${p.name}: both optimal but ${r.solver} = ${r.upperBound} and ${ref.solver} = ${ref.upperBound}`);
  process.stderr.write(`check: ${r.solver} vs ${ref.solver} on ${p.name}: consistent (${ref.solver} ${ref.status}, value ${ref.upperBound})\n`);
  return ref;
}
