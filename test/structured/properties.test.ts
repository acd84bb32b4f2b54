/** Property checks with the testing kit's arbitraries for the structured and joint classes (fixed seeds). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJointFeasible, isStructuredFeasible, quantErrorOf } from '../../src/core/objective.js';
import type { JointProblem, SolveResult, StructuredPruningProblem } from '../../src/core/types.js';
import { assertResult, assertSandwich, jointProblemArb, structuredProblemArb } from '../../study/testing/index.js';
import { nmBoundSolver, nmExactSolver, nmMagnitudeSolver, nmObsSolver, structuredRefit, verifyNmCertificate } from '../../solvers/structured/index.js';
import { jointBoundSolver, jointExactSolver, jointPruneQuantSolver, jointQuantPruneSolver, verifyJointCertificate } from '../../solvers/joint/index.js';

function bruteStructured(p: StructuredPruningProblem): number {
  const n = p.objective.n;
  let best = Infinity;
  for (let mask = 0; mask < 1 << n; mask++) {
    const v = new Float64Array(n);
    const S: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) {
      v[i] = 1;
      S.push(i);
    }
    if (!isStructuredFeasible({ ...p, box: null }, v)) continue;
    best = Math.min(best, structuredRefit(p, S).err);
  }
  return best;
}

function bruteJoint(p: JointProblem): number {
  const n = p.objective.n;
  const z = new Float64Array(n).fill(p.zmin);
  let best = Infinity;
  for (;;) {
    if (isJointFeasible(p, z)) best = Math.min(best, quantErrorOf(p, z));
    let i = 0;
    while (i < n && z[i] === p.zmax) z[i++] = p.zmin;
    if (i === n) break;
    z[i]++;
  }
  return best;
}

describe('testing kit: structured and joint arbitraries', () => {
  it('structured: exact = brute force, bound <= optimum <= heuristics, certificate re-checked (box containing 0 or none)', () => {
    fc.assert(
      fc.property(structuredProblemArb({ n: { min: 1, max: 8 }, logCond: { min: 0, max: 3 } }), (p) => {
        const opt = bruteStructured(p);
        const r = nmExactSolver.solve(p) as SolveResult;
        assertResult(r, p);
        const hs = [nmMagnitudeSolver, nmObsSolver].map((h) => h.solve(p) as SolveResult);
        for (const h of hs) assertResult(h, p);
        const b = nmBoundSolver.solve(p, { nodeLimit: 0, extra: { bnbTimeMs: 0 } }) as SolveResult;
        assertResult(b, p);
        assertSandwich([r, ...hs, b], { optimum: opt, r: p.objective.r, relTol: 1e-9 });
        expect(verifyNmCertificate(p, b.certificate!).valid).toBe(true);
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });

  it('joint: exact = brute force, bound <= optimum <= pipelines, certificate re-checked', () => {
    fc.assert(
      fc.property(jointProblemArb({ n: { min: 1, max: 5 }, bits: { min: 2, max: 3 }, logCond: { min: 0, max: 3 } }), (p) => {
        const opt = bruteJoint(p);
        const r = jointExactSolver.solve(p) as SolveResult;
        assertResult(r, p);
        const hs = [jointPruneQuantSolver, jointQuantPruneSolver].map((h) => h.solve(p) as SolveResult);
        for (const h of hs) assertResult(h, p);
        const b = jointBoundSolver.solve(p) as SolveResult;
        assertResult(b, p);
        assertSandwich([r, ...hs, b], { optimum: opt, r: p.objective.r, relTol: 1e-9 });
        expect(verifyJointCertificate(p, b.certificate!).valid).toBe(true);
      }),
      { seed: 20261207, numRuns: 40 },
    );
  });
});
