import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/random.js';
import {
  cholesky,
  cholInverse,
  cholRankOne,
  cholSolve,
  matVec,
  pivotedLDL,
  principalSubmatrix,
} from '../../src/linalg/dense.js';
import { minEigenvalue, symEig } from '../../src/linalg/eigen.js';
import { fcParams } from '../helpers/fc-seed.js';

/** G = X^T X with X (m x n) Gaussian: PSD of rank min(m, n). */
function gram(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const X = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) X[i] = rng.normal();
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) s += X[r * n + i] * X[r * n + j];
      G[i * n + j] = s;
    }
  return G;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function lowerTimesTranspose(L: Float64Array, n: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += L[i * n + k] * L[j * n + k];
      A[i * n + j] = s;
    }
  return A;
}

describe('Cholesky', () => {
  it('reconstructs A = L L^T and solves A x = b', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 1e6 }), (n, seed) => {
        const A = gram(n, 2 * n + 3, seed);
        const L = cholesky(A, n);
        expect(L).not.toBeNull();
        expect(maxAbsDiff(lowerTimesTranspose(L!, n), A)).toBeLessThan(1e-10 * (1 + Math.max(...A)));
        const x0 = Float64Array.from({ length: n }, (_, i) => i - n / 2);
        const b = matVec(A, x0, n, n);
        const x = cholSolve(L!, n, Float64Array.from(b));
        expect(maxAbsDiff(x, x0)).toBeLessThan(1e-7);
      }),
      fcParams({ numRuns: 40 }),
    );
  });

  it('refuses singular and indefinite matrices', () => {
    expect(cholesky(gram(6, 3, 1), 6, 1e-12)).toBeNull();
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
  });

  it('inverse from the factor satisfies A A^-1 = I', () => {
    const n = 7;
    const A = gram(n, 20, 5);
    const Ai = cholInverse(cholesky(A, n)!, n);
    for (let i = 0; i < n; i++) {
      const col = Float64Array.from({ length: n }, (_, j) => Ai[j * n + i]);
      const e = matVec(A, col, n, n);
      for (let j = 0; j < n; j++) expect(e[j]).toBeCloseTo(i === j ? 1 : 0, 9);
    }
  });

  it('rank-one update and downdate match refactorisation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1e6 }), (n, seed) => {
        const rng = new Rng(seed);
        const A = gram(n, 3 * n, seed);
        const x = Float64Array.from({ length: n }, () => rng.normal());
        const L = cholesky(A, n)!;
        const Lu = Float64Array.from(L);
        expect(cholRankOne(Lu, n, Float64Array.from(x), 1)).toBe(true);
        const Aplus = Float64Array.from(A);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Aplus[i * n + j] += x[i] * x[j];
        expect(maxAbsDiff(lowerTimesTranspose(Lu, n), Aplus)).toBeLessThan(1e-9 * (1 + Math.max(...Aplus)));
        // downdate back to A
        expect(cholRankOne(Lu, n, Float64Array.from(x), -1)).toBe(true);
        expect(maxAbsDiff(lowerTimesTranspose(Lu, n), A)).toBeLessThan(1e-8 * (1 + Math.max(...Aplus)));
      }),
      fcParams({ numRuns: 40 }),
    );
  });

  it('a downdate that destroys definiteness is reported', () => {
    const A = Float64Array.from([1, 0, 0, 1]);
    const L = cholesky(A, 2)!;
    expect(cholRankOne(L, 2, Float64Array.from([2, 0]), -1)).toBe(false);
  });
});

describe('pivoted LDL^T', () => {
  it('finds the rank of singular PSD matrices and leaves a zero Schur complement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 1e6 }), (n, m, seed) => {
        const A = gram(n, m, seed);
        let maxDiag = 0;
        for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, A[i * n + i]);
        const f = pivotedLDL(A, n, 1e-10 * maxDiag);
        expect(f.rank).toBe(Math.min(n, m));
        expect(f.residual).toBeLessThan(1e-9 * maxDiag);
        // P A P^T = L D L^T on the factored part
        const r = f.rank;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < r; k++) s += f.L[i * n + k] * f.d[k] * f.L[j * n + k];
            if (i >= r && j >= r) continue; // residual block, checked above
            expect(Math.abs(s - A[f.perm[i] * n + f.perm[j]])).toBeLessThan(1e-9 * maxDiag);
          }
      }),
      fcParams({ numRuns: 60 }),
    );
  });

  it('detects an indefinite matrix through its Schur complement', () => {
    const A = Float64Array.from([1, 2, 2, 1]);
    const f = pivotedLDL(A, 2, 1e-12);
    expect(f.residualMinDiag).toBeLessThan(-1);
  });
});

describe('eigen-decomposition', () => {
  it('eigenvalues are ascending and reconstruct A', () => {
    const n = 6;
    const A = gram(n, 4, 9);
    const { values, vectors } = symEig(A, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += vectors[i * n + k] * values[k] * vectors[j * n + k];
        expect(s).toBeCloseTo(A[i * n + j], 9);
      }
    expect(Math.abs(minEigenvalue(A, n))).toBeLessThan(1e-9); // rank 4 < 6
  });

  it('principal submatrix picks rows and columns', () => {
    const A = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(principalSubmatrix(A, 3, [2, 0]))).toEqual([9, 7, 3, 1]);
  });
});
