/** The small kernels behind the OA solvers: box-constrained refit and the diagonal splits. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { errorOf } from '../../src/core/objective.js';
import { cholesky } from '../../src/linalg/dense.js';
import { minEigenvalue } from '../../src/linalg/eigen.js';
import { diagonalSplit, optimizedSplit } from '../../solvers/milp/common.js';
import { boxRefitOnSupport, gramTimes, refitOnSupport } from '../../solvers/milp/ls.js';
import { bestOnSupport, randomObjective } from './brute.js';

it('box refit equals the enumerated box-QP optimum on random supports (singular G included)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.05, max: 2, noNaN: true }), (seed, m, rows, c) => {
      const obj = randomObjective(seed, { n: m, rows });
      const S = Array.from({ length: m }, (_, i) => i);
      const b = gramTimes(obj.G, m, obj.w);
      const lo = new Float64Array(m).fill(-c);
      const hi = new Float64Array(m).fill(c);
      const { v } = boxRefitOnSupport(obj.G, m, b, S, lo, hi);
      for (let i = 0; i < m; i++) expect(Math.abs(v[i])).toBeLessThanOrEqual(c);
      const ref = bestOnSupport(obj, S, [-c, c]);
      expect(errorOf(obj, v)).toBeLessThanOrEqual(ref + 1e-10 * (1 + obj.r));
      const free = refitOnSupport(obj.G, m, b, S);
      expect(errorOf(obj, free)).toBeLessThanOrEqual(errorOf(obj, v) + 1e-10 * (1 + obj.r));
    }),
    { numRuns: 60, seed: 3 },
  );
});

it('diagonal splits leave A - D positive semidefinite and d >= 0 (the max split is at least as large)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 3 }), (seed, n, extra) => {
      const { G } = randomObjective(seed, { n, rows: n + extra });
      for (const split of [diagonalSplit, optimizedSplit]) {
        const d = split(G, n);
        const M = Float64Array.from(G);
        for (let i = 0; i < n; i++) {
          expect(d[i]).toBeGreaterThanOrEqual(0);
          M[i * n + i] -= d[i];
        }
        expect(minEigenvalue(M, n)).toBeGreaterThanOrEqual(-1e-12 * Math.max(...Array.from(G, Math.abs)));
      }
      const wsum = (d: Float64Array): number => d.reduce((s, x, i) => s + (G[i * n + i] > 0 ? x / G[i * n + i] : 0), 0);
      expect(wsum(optimizedSplit(G, n))).toBeGreaterThanOrEqual(wsum(diagonalSplit(G, n)) * (1 - 1e-12));
      if (cholesky(G, n, 1e-9 * Math.max(...Array.from(G, Math.abs)))) expect(wsum(diagonalSplit(G, n))).toBeGreaterThan(0);
    }),
    { numRuns: 40, seed: 4 },
  );
});
