import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pruningProblemArb } from '../../study/testing/arbitraries.js';
import { checkResult, checkSandwich } from '../../study/testing/invariants.js';
import type { SolveResult } from '../../src/core/types.js';
import { pruningSolvers, pruneExactSolver } from '../../solvers/pruning/index.js';
import { bruteForcePrune } from './helpers.js';
import { fcParams } from '../helpers/fc-seed.js';

// The project-wide arbitraries (rank-deficient and ill-conditioned G, dead inputs, heavy tails, boxes) and
// result invariants (shape, feasibility, recomputed upper bound, bound order, sandwich lb <= opt <= ub).
describe('pruning solvers against the shared invariants (study/testing)', () => {
  it('every solver passes checkResult; exact equals brute force; the sandwich holds', () => {
    fc.assert(
      fc.property(pruningProblemArb({ n: { min: 1, max: 8 } }), (p) => {
        const results = pruningSolvers.map((s) => s.solve(p, { relGapTol: 1e-12 }) as SolveResult);
        for (const r of results) expect(checkResult(r, p, { relTol: 1e-9 })).toEqual([]);
        const bf = bruteForcePrune(p);
        const ex = results.find((r) => r.solver === pruneExactSolver.name)!;
        expect(ex.status).toBe('optimal');
        expect(Math.abs(ex.upperBound - bf.err)).toBeLessThanOrEqual(1e-9 * bf.err + 1e-11 * p.objective.r);
        expect(checkSandwich(results, { optimum: bf.err, r: p.objective.r, relTol: 1e-9, absTol: 1e-11 * p.objective.r })).toEqual([]);
      }),
      fcParams({ numRuns: 40 }),
    );
  });
});
