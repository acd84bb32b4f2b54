/** The testing kit's `jointLevelProblemArb` (class 'joint-levels'): exact = brute force, bound <= optimum <= pipelines. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JointLevelProblem, SolveResult } from '../../../src/core/types.js';
import { assertResult, assertSandwich, jointLevelProblemArb } from '../../../study/testing/index.js';
import {
  isJointLevelFeasible,
  jointLevelValues,
  jointLevelsBoundSolver,
  jointLevelsExactSolver,
  jointLevelsPruneQuantSolver,
  jointLevelsQuantPruneSolver,
  validateJointLevelProblem,
  verifyJointLevelsCertificate,
} from '../../../solvers/joint/index.js';
import { levelErrorOf } from '../../../solvers/levels/common.js';

/** Every x with x_i in levels ∪ {0}, kept when its support fits the sparsity. */
function brute(p: JointLevelProblem): number {
  const n = p.objective.n;
  const vals = jointLevelValues(p);
  const idx = new Int32Array(n);
  const x = new Float64Array(n).fill(vals[0]);
  let best = Infinity;
  for (;;) {
    if (isJointLevelFeasible(p, x)) best = Math.min(best, levelErrorOf(p, x));
    let i = 0;
    while (i < n && idx[i] === vals.length - 1) {
      idx[i] = 0;
      x[i++] = vals[0];
    }
    if (i === n) break;
    x[i] = vals[++idx[i]];
  }
  return best;
}

describe('testing kit: jointLevelProblemArb', () => {
  it('draws valid problems of every level kind and sparsity', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(jointLevelProblemArb({ n: { min: 1, max: 6 } }), (p) => {
        validateJointLevelProblem(p);
        seen.add(p.sparsity.kind);
        if (p.sparsity.kind === 'k') expect(p.sparsity.k).toBeLessThanOrEqual(p.objective.n);
      }),
      { seed: 20261208, numRuns: 60 },
    );
    expect(seen).toEqual(new Set(['k', 'nm']));
  });

  it('exact = brute force (all supports x all levels), bound <= optimum <= pipelines, certificate re-checked', () => {
    fc.assert(
      fc.property(jointLevelProblemArb({ n: { min: 1, max: 4 }, bits: { min: 2, max: 3 }, logCond: { min: 0, max: 3 } }), (p) => {
        const opt = brute(p);
        const r = jointLevelsExactSolver.solve(p) as SolveResult;
        assertResult(r, p);
        expect(r.status).toBe('optimal');
        const hs = [jointLevelsPruneQuantSolver, jointLevelsQuantPruneSolver].map((h) => h.solve(p) as SolveResult);
        for (const h of hs) assertResult(h, p);
        const b = jointLevelsBoundSolver.solve(p) as SolveResult;
        assertResult(b, p);
        assertSandwich([r, ...hs, b], { optimum: opt, r: p.objective.r, relTol: 1e-9 });
        expect(verifyJointLevelsCertificate(p, b.certificate!).valid).toBe(true);
      }),
      { seed: 20261209, numRuns: 40 },
    );
  });
});
