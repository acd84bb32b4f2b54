/**
 * The testing kit applied to every registered solver (what a user would do with their own solver):
 * random small problems, every single-result invariant, the bound sandwich against a brute-force optimum
 * (quantization) or across all results (pruning), and permutation invariance of the exact optima.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantErrorOf, pruningProblemOf, quantizationProblemOf } from '../../../src/core/objective.js';
import type { QuantizationProblem, SolveResult } from '../../../src/core/types.js';
import { listSolvers } from '../../../solvers/index.js';
import { checkPermutationInvariance, checkResult, checkSandwich, errorScale, layerProblemArb, permutationArb, permuteProblem } from '../../../study/testing/index.js';
import { fcParams } from '../../helpers/fc-seed.js';

function bruteQuantOptimum(p: QuantizationProblem): number {
  const n = p.objective.n;
  const z = new Float64Array(n).fill(p.zmin);
  let best = Infinity;
  for (;;) {
    best = Math.min(best, quantErrorOf(p, z));
    let i = 0;
    while (i < n && z[i] === p.zmax) z[i++] = p.zmin;
    if (i === n) return best;
    z[i]++;
  }
}

// The time limit only stops runs early: no assertion depends on where a run stops (checkResult and checkSandwich
// check validity - bounds vs feasible values and the brute-force optimum, `optimal` only with a closed gap - and
// checkPermutationInvariance compares optima only when both runs are optimal).
const opts = { timeLimitMs: 2000, seed: 1 };
const arb = layerProblemArb({ n: { min: 1, max: 5 }, bits: { min: 2, max: 3 } }).chain((p) => fc.tuple(fc.constant(p), permutationArb(p.n)));

describe('registered solvers satisfy the kit invariants', () => {
  it('quantization solvers', async () => {
    const solvers = listSolvers().filter((s) => s.problemClass === 'quantization');
    expect(solvers.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(arb, async ([lp, perm]) => {
        const q = quantizationProblemOf(lp);
        const results: SolveResult[] = [];
        for (const s of solvers) {
          const r = await s.solve(q, opts);
          // relTol 1e-11 (not the default 1e-12): quant-exact declares `optimal` at relGap <= 1e-9 and then
          // rounds its lower bound down by ~1e-12 relative, so relGap can read 1.001e-9 (reported upstream).
          expect(checkResult(r, q, { relTol: 1e-11 }), s.name).toEqual([]);
          results.push(r);
          if (s.role === 'exact' && r.status === 'optimal') {
            const rp = await s.solve(permuteProblem(q, perm), opts);
            expect(checkPermutationInvariance(r, rp, { r: errorScale(q) }), s.name).toEqual([]);
          }
        }
        const opt = bruteQuantOptimum(q);
        expect(checkSandwich(results, { optimum: opt, r: errorScale(q), relTol: 1e-9 })).toEqual([]);
      }),
      fcParams({ numRuns: 25 }),
    );
  });

  // seeds on which prune-oa (glpk) used to report a lower bound above a feasible value (issue 9): fixed regression runs
  it.each([undefined, -790526138, -1246355312])('pruning solvers (seed %s)', async (seed) => {
    const solvers = listSolvers().filter((s) => s.problemClass === 'pruning');
    expect(solvers.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(arb, async ([lp, perm]) => {
        const p = pruningProblemOf(lp, { useBox: lp.pruneBox !== null });
        const results: SolveResult[] = [];
        for (const s of solvers) {
          const r = await s.solve(p, opts);
          expect(checkResult(r, p, { relTol: 1e-10 }), s.name).toEqual([]);
          results.push(r);
          if (s.role === 'exact' && r.status === 'optimal') {
            const rp = await s.solve(permuteProblem(p, perm), opts);
            expect(checkPermutationInvariance(r, rp, { r: errorScale(p), relTol: 1e-7 }), s.name).toEqual([]);
          }
        }
        expect(checkSandwich(results, { r: errorScale(p), relTol: 1e-9 })).toEqual([]);
      }),
      fcParams({ numRuns: 25, ...(seed === undefined ? {} : { seed }) }),
    );
  });
});
