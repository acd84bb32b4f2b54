import { describe, expect, it } from 'vitest';
import { referenceCases } from '../../problems/reference-set.js';
import { errorOf, isPruneFeasible, pruningProblemOf } from '../../src/core/objective.js';
import { boxLSKKT } from '../../src/linalg/boxls.js';
import {
  greedyForwardSolver,
  magnitudeRefitSolver,
  magnitudeSolver,
  obsSolver,
  pruneBoundSolver,
  pruneExactSolver,
  swapSolver,
  verifyPerspectiveCertificate,
} from '../../solvers/pruning/index.js';
import type { SolveResult } from '../../src/core/types.js';
import { bruteSupport } from './helpers.js';

const cases = referenceCases();
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('pruning solvers on the reference problems', () => {
  it('has reference cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(13);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const free = pruningProblemOf(c.problem, { useBox: false });
      const boxed = pruningProblemOf(c.problem, { useBox: true });

      it('magnitude and magnitude-refit reproduce mag_prune / mag_prune_refit', () => {
        const m = magnitudeSolver.solve(free) as SolveResult;
        expect(rel(m.upperBound, c.expected.mag_prune)).toBeLessThan(1e-9);
        const mr = magnitudeRefitSolver.solve(free) as SolveResult;
        expect(rel(mr.upperBound, c.expected.mag_prune_refit)).toBeLessThan(1e-9);
        // the support is the reference's magnitude support
        const S = [...mr.solution!].map((x, i) => (x !== 0 ? i : -1)).filter((i) => i >= 0);
        for (const i of S) expect(c.expected.mag_support).toContain(i);
      });

      it('boxed magnitude-refit is optimal on its support (brute force and KKT)', () => {
        const mr = magnitudeRefitSolver.solve(boxed) as SolveResult;
        expect(isPruneFeasible(boxed, mr.solution!)).toBe(true);
        const S = (c.expected.mag_support as number[]).slice();
        const bf = bruteSupport(boxed.objective.G, boxed.objective.n, boxed.objective.w, S, boxed.box);
        expect(mr.upperBound).toBeLessThanOrEqual(bf.err * (1 + 1e-9) + 1e-15);
        // KKT of the box LS restricted to the support
        const { G, n, w } = boxed.objective;
        const m = S.length;
        const A = new Float64Array(m * m);
        const rhs = new Float64Array(m);
        for (let a = 0; a < m; a++) {
          for (let b = 0; b < m; b++) A[a * m + b] = G[S[a] * n + S[b]];
          for (let j = 0; j < n; j++) rhs[a] += G[S[a] * n + j] * w[j];
        }
        const x = S.map((i) => mr.solution![i]);
        expect(boxLSKKT(A, rhs, m, boxed.box![0], boxed.box![1], x)).toBeLessThan(1e-9);
      });

      it('prune-exact gives opt_prune_free and opt_prune_box, status optimal', () => {
        for (const [p, exp] of [
          [free, c.expected.opt_prune_free],
          [boxed, c.expected.opt_prune_box],
        ] as const) {
          const r = pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult;
          expect(r.status).toBe('optimal');
          expect(isPruneFeasible(p, r.solution!)).toBe(true);
          expect(rel(r.upperBound, exp)).toBeLessThan(1e-9);
          expect(rel(errorOf(p.objective, r.solution!), exp)).toBeLessThan(1e-9);
          expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound);
          expect(rel(r.lowerBound, exp)).toBeLessThan(1e-9);
        }
      });

      it('prune-bound <= optimum <= every heuristic; the certificate verifies', () => {
        const opt = c.expected.opt_prune_free;
        const b = pruneBoundSolver.solve(free, { extra: { bnbNodeLimit: 5 } }) as SolveResult;
        expect(b.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-9));
        if (b.certificate?.type === 'perspective-fw') {
          const v = verifyPerspectiveCertificate(free, b.certificate);
          expect(v.ok).toBe(true);
          expect(v.bound).toBeLessThanOrEqual(opt * (1 + 1e-9));
        }
        for (const s of [magnitudeRefitSolver, greedyForwardSolver, obsSolver, swapSolver]) {
          const h = s.solve(free) as SolveResult;
          expect(isPruneFeasible(free, h.solution!)).toBe(true);
          expect(h.upperBound).toBeGreaterThanOrEqual(opt * (1 - 1e-9));
          expect(h.status).toBe('feasible');
        }
      });
    });
  }
});
