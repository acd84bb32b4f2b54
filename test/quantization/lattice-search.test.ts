import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isQuantFeasible, quantizationProblemOf } from '../../src/core/objective.js';
import type { QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { readProblemSet } from '../../src/io/problem-file.js';
import { gptqSolver, quantExactSolver, reduce } from '../../solvers/quantization/index.js';
import { congruence, lllGram } from '../../solvers/quantization/reduction.js';
import { cholesky } from '../../src/linalg/dense.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { bruteForce, relClose } from './helpers.js';

const solve = (s: { solve: (p: QuantizationProblem, o?: object) => SolveResult | Promise<SolveResult> }, p: QuantizationProblem, o: object = {}) =>
  s.solve(p, o) as SolveResult;

const illArb = fc
  .record({
    n: fc.integer({ min: 2, max: 5 }),
    bits: fc.constantFrom(2, 3, 4),
    rho: fc.constantFrom(0.9, 0.99, 0.999),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    wStd: fc.constantFrom(0.05, 0.2),
  })
  .map(({ n, bits, rho, seed, wStd }) => synthQuant({ n, bits, rho, seed, wStd }));

describe('LLL reduction', () => {
  it('U is unimodular (U Uinv = I exactly) and U^T P U is size-reduced and Lovasz-reduced', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.constantFrom(0.9, 0.999), fc.integer({ min: 1, max: 1e6 }), (n, rho, seed) => {
        const red = reduce(synthQuant({ n, bits: 4, rho, seed }));
        const l = lllGram(red.P, n)!;
        expect(l).not.toBeNull();
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += l.U[i * n + k] * l.Uinv[k * n + j];
            expect(s).toBe(i === j ? 1 : 0);
          }
        // Gram–Schmidt data of the reduced Gram matrix from its Cholesky factor: A = R R^T (R lower)
        const A = congruence(red.P, l.U, n);
        const R = cholesky(A, n)!;
        for (let k = 1; k < n; k++) {
          const Bk = R[k * n + k] ** 2;
          const Bk1 = R[(k - 1) * n + k - 1] ** 2;
          for (let j = 0; j < k; j++) expect(Math.abs(R[k * n + j] / R[j * n + j])).toBeLessThanOrEqual(0.5 + 1e-6);
          const mu = R[k * n + k - 1] / R[(k - 1) * n + k - 1];
          expect(Bk).toBeGreaterThanOrEqual((0.99 - mu * mu) * Bk1 * (1 - 1e-6));
        }
      }),
      { numRuns: 30, seed: 5 },
    );
  });
});

describe('quant-exact in the reduced basis', () => {
  it("reduce: 'lll' and 'auto' equal brute force on ill-conditioned problems; the bound is below the optimum even with relGapTol 0", () => {
    fc.assert(
      fc.property(illArb, fc.constantFrom('lll', 'auto', 'none'), (p, mode) => {
        const bf = bruteForce(p);
        const r = solve(quantExactSolver, p, { relGapTol: 0, extra: { reduce: mode } });
        expect(r.status).toBe('optimal');
        expect(isQuantFeasible(p, r.solution!)).toBe(true);
        expect(relClose(r.upperBound, bf.value, 1e-9, 1e-15 * p.objective.r)).toBe(true);
        // a proof: no slack in this comparison
        expect(r.lowerBound).toBeLessThanOrEqual(bf.value);
        expect(r.lowerBound).toBeGreaterThanOrEqual(bf.value * (1 - 1e-6));
        expect(r.stats.marginAbs as number).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60, seed: 23 },
    );
  });

  it('a limit stops the reduced-basis search with an honest status and a bound below the optimum', () => {
    const p = synthQuant({ n: 5, bits: 4, rho: 0.999, seed: 3 });
    const bf = bruteForce(p);
    const r = solve(quantExactSolver, p, { nodeLimit: 3, extra: { reduce: 'lll' } });
    expect(r.status).toBe('node_limit');
    expect(r.lowerBound).toBeLessThanOrEqual(bf.value);
    expect(r.upperBound).toBeGreaterThanOrEqual(bf.value * (1 - 1e-12));
  });

  it('first-conv (n = 27, cond ~1e5): every channel is proven optimal within 100k nodes, never worse than GPTQ', () => {
    const set = readProblemSet(new URL('../../problems/first-conv.json', import.meta.url).pathname);
    expect(set.problems.length).toBe(8);
    for (const lp of set.problems) {
      const p = quantizationProblemOf(lp);
      const r = solve(quantExactSolver, p, { nodeLimit: 100_000 });
      expect(r.status).toBe('optimal');
      expect(r.stats.reducedBasis).toBe(1);
      expect(isQuantFeasible(p, r.solution!)).toBe(true);
      expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound);
      expect(r.lowerBound).toBeGreaterThanOrEqual(r.upperBound * (1 - 2e-9));
      expect(r.upperBound).toBeLessThanOrEqual(solve(gptqSolver, p).upperBound);
    }
  });
});
