import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxLeastSquares, boxLSKKT, boxLSValue } from '../../src/linalg/boxls.js';
import { Rng } from '../../src/core/random.js';
import { fcParams } from '../helpers/fc-seed.js';

/** Brute force over all active sets {free, lo, hi}^m with Gaussian elimination on the free block. */
function bruteBoxLS(A: Float64Array, c: Float64Array, m: number, lo: number, hi: number): number {
  let best = Infinity;
  for (let code = 0; code < 3 ** m; code++) {
    const st: number[] = [];
    let t = code;
    for (let a = 0; a < m; a++) {
      st.push(t % 3);
      t = Math.floor(t / 3);
    }
    const x = new Float64Array(m);
    const F: number[] = [];
    for (let a = 0; a < m; a++) {
      if (st[a] === 1) x[a] = lo;
      else if (st[a] === 2) x[a] = hi;
      else F.push(a);
    }
    const f = F.length;
    // solve A_FF x_F = c_F - A_F,fixed x_fixed by Gaussian elimination with partial pivoting
    const M = F.map((i) => [...F.map((j) => A[i * m + j]), c[i] - st.reduce((s, sa, j) => (sa ? s + A[i * m + j] * x[j] : s), 0)]);
    let singular = false;
    for (let col = 0; col < f; col++) {
      let piv = col;
      for (let r = col + 1; r < f; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
      if (Math.abs(M[piv][col]) < 1e-12) {
        singular = true;
        break;
      }
      [M[col], M[piv]] = [M[piv], M[col]];
      for (let r = 0; r < f; r++) {
        if (r === col) continue;
        const g = M[r][col] / M[col][col];
        for (let q = col; q <= f; q++) M[r][q] -= g * M[col][q];
      }
    }
    if (singular) continue;
    for (let r = 0; r < f; r++) x[F[r]] = M[r][f] / M[r][r];
    if ([...x].some((v) => v < lo - 1e-12 || v > hi + 1e-12)) continue;
    best = Math.min(best, boxLSValue(A, c, m, x));
  }
  return best;
}

function randomPSD(rng: Rng, m: number, rows: number): Float64Array {
  const A = new Float64Array(m * m);
  for (let t = 0; t < rows; t++) {
    const x = Array.from({ length: m }, () => rng.normal());
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) A[i * m + j] += x[i] * x[j];
  }
  return A;
}

describe('boxLeastSquares', () => {
  it('matches brute force over active sets and satisfies KKT (random, m <= 5)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0.05, max: 3, noNaN: true }), (m, seed, width) => {
        const rng = new Rng(seed);
        const A = randomPSD(rng, m, m + 2);
        const c = Float64Array.from({ length: m }, () => 2 * rng.normal());
        const lo = -width;
        const hi = 0.5 * width;
        const res = boxLeastSquares(A, c, m, lo, hi);
        expect(res.converged).toBe(true);
        expect(res.kktViolation).toBeLessThan(1e-9);
        expect(boxLSKKT(A, c, m, lo, hi, res.x)).toBeLessThan(1e-9);
        for (const x of res.x) {
          expect(x).toBeGreaterThanOrEqual(lo);
          expect(x).toBeLessThanOrEqual(hi);
        }
        const bf = bruteBoxLS(A, c, m, lo, hi);
        expect(res.value).toBeLessThanOrEqual(bf + 1e-9 * (1 + Math.abs(bf)));
        expect(res.value).toBeGreaterThanOrEqual(bf - 1e-9 * (1 + Math.abs(bf)));
      }),
      fcParams({ numRuns: 60 }),
    );
  });

  it('handles a singular A (rank 1, 4 variables) exactly, following zero-curvature directions', () => {
    const m = 4;
    const u = [1, -2, 0.5, 1];
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) A[i * m + j] = u[i] * u[j];
    // c outside range(A): unbounded without the box, bounded with it
    const c = Float64Array.from([1, 0.3, -0.2, 2]);
    const res = boxLeastSquares(A, c, m, -1, 1);
    expect(res.kktViolation).toBeLessThan(1e-10);
    const bf = bruteBoxLS(A, c, m, -1, 1);
    // brute force skips singular free blocks, so it is an upper bound on the optimum
    expect(res.value).toBeLessThanOrEqual(bf + 1e-10);
  });

  it('returns the unconstrained solution when it is inside the box, and the box corner when far outside', () => {
    const A = Float64Array.from([2, 0, 0, 1]);
    const inside = boxLeastSquares(A, Float64Array.from([1, 0.5]), 2, -10, 10);
    expect(inside.x[0]).toBeCloseTo(0.5, 14);
    expect(inside.x[1]).toBeCloseTo(0.5, 14);
    const corner = boxLeastSquares(A, Float64Array.from([100, -100]), 2, -1, 1);
    expect(Array.from(corner.x)).toEqual([1, -1]);
  });

  it('zero matrix and zero right-hand side give x = clamp(0)', () => {
    const res = boxLeastSquares(new Float64Array(9), new Float64Array(3), 3, -1, 1);
    expect(Array.from(res.x)).toEqual([0, 0, 0]);
    expect(res.value).toBe(0);
  });

  it('KKT check detects a wrong point', () => {
    const A = Float64Array.from([2, 0, 0, 1]);
    const c = Float64Array.from([1, 0.5]);
    expect(boxLSKKT(A, c, 2, -10, 10, [0.5, 0.5])).toBeLessThan(1e-15);
    expect(boxLSKKT(A, c, 2, -10, 10, [0.4, 0.5])).toBeGreaterThan(1e-3);
    expect(boxLSKKT(A, c, 2, -0.1, 0.1, [0.5, 0.5])).toBeGreaterThan(1e-3);
  });
});
