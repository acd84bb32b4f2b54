/**
 * `sdp` / `sdp-box` reach the relaxation optimum (issue 9, item 6), checked against an independently proven
 * optimum: the primal-dual method (`method: 'pd'`) run to a tight gap gives a verified dual bound and a repaired
 * primal-feasible point (`primalBound`); when the two agree within 1e-7, the optimum is pinned to that interval.
 */
import { describe, expect, it } from 'vitest';
import { choleskyInPlace, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { Rng } from '../../src/core/random.js';
import { sdpBoxSolver, sdpSolver, solveSdpDual, verifySdpCertificate } from '../../solvers/quantization/index.js';
import type { QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { synthQuant } from '../../problems/gen-quant.js';

/** The proven interval [lo, hi] around the relaxation optimum from the primal-dual method and the solver itself. */
function provenOptimum(p: QuantizationProblem, box: boolean, own: { bound: number; primalBound: number }): { lo: number; hi: number } {
  const ref = solveSdpDual(p, { box, method: 'pd', relTol: 1e-9, maxNewton: 300 });
  const v = verifySdpCertificate(p, ref.certificate);
  expect(v.valid).toBe(true);
  expect(ref.bound).toBe(v.bound);
  // weak duality: every verified bound lies below every primal-feasible value (the repaired primal value is a
  // floating-point evaluation, hence the 1e-9 relative slack)
  expect(ref.bound).toBeLessThanOrEqual(ref.primalBound * (1 + 1e-9));
  expect(own.bound).toBeLessThanOrEqual(ref.primalBound * (1 + 1e-9));
  expect(ref.bound).toBeLessThanOrEqual(own.primalBound * (1 + 1e-9));
  const lo = Math.max(ref.bound, own.bound);
  const hi = Math.max(lo, Math.min(ref.primalBound, own.primalBound));
  expect((hi - lo) / hi).toBeLessThanOrEqual(1e-7); // the optimum is established
  return { lo, hi };
}

describe('sdp reaches the SDP optimum', () => {
  it('n = 64, 2 bits, rho = 0.9, m = 128 (issue 9 item 6): sdp and sdp-box within 1e-6 of the proven optimum, not at a limit', () => {
    const p = synthQuant({ n: 64, bits: 2, rho: 0.9, m: 128, seed: 1 });
    for (const box of [false, true]) {
      const r = (box ? sdpBoxSolver : sdpSolver).solve(p, {}) as SolveResult;
      expect(r.status).toBe('bound_only');
      const d = solveSdpDual(p, { box });
      expect(d.status).toBe('converged');
      expect(d.bound).toBe(r.lowerBound);
      const { hi } = provenOptimum(p, box, d);
      expect((hi - r.lowerBound) / hi).toBeLessThanOrEqual(1e-6);
      const v = verifySdpCertificate(p, r.certificate!);
      expect(v.valid).toBe(true);
      expect(r.lowerBound).toBe(v.bound);
    }
  });

  it('grid n = 6, 12 x bits 2/3/4/8 x rho 0/0.5/0.9/0.99: within 1e-6 of the proven optimum, certificates verify', () => {
    for (const n of [6, 12])
      for (const bits of [2, 3, 4, 8])
        for (const rho of [0, 0.5, 0.9, 0.99])
          for (const box of [false, true]) {
            const p = synthQuant({ n, bits, rho, seed: 1 });
            const d = solveSdpDual(p, { box });
            expect(d.status, `${p.name} box=${box}`).toBe('converged');
            const { hi } = provenOptimum(p, box, d);
            expect((hi - d.bound) / hi, `${p.name} box=${box}`).toBeLessThanOrEqual(1e-6);
            const v = verifySdpCertificate(p, d.certificate);
            expect(v.valid).toBe(true);
            expect(d.bound).toBe(v.bound);
          }
  });

  it('a time limit that leaves no room returns status time_limit with a valid (verified) bound', () => {
    const p = synthQuant({ n: 48, bits: 4, rho: 0.5, seed: 2 });
    for (const s of [sdpSolver, sdpBoxSolver]) {
      const full = s.solve(p, {}) as SolveResult;
      const r = s.solve(p, { timeLimitMs: 0 }) as SolveResult;
      expect(r.status).toBe('time_limit');
      expect(r.lowerBound).toBeLessThanOrEqual(full.lowerBound);
      const v = verifySdpCertificate(p, r.certificate!);
      expect(v.valid).toBe(true);
      expect(r.lowerBound).toBe(v.bound);
    }
  });
});

describe('linalg kernels used by the SDP solvers', () => {
  /** The textbook column-by-column Cholesky (the previous src/linalg implementation), as an oracle. */
  function textbookCholesky(A: Float64Array, n: number, minPivot = 0): number {
    for (let j = 0; j < n; j++) {
      const rj = j * n;
      let d = A[rj + j];
      for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
      if (!(d > minPivot)) return j;
      const ljj = Math.sqrt(d);
      A[rj + j] = ljj;
      const inv = 1 / ljj;
      for (let i = j + 1; i < n; i++) {
        const ri = i * n;
        let s = A[ri + j];
        for (let k = 0; k < j; k++) s -= A[ri + k] * A[rj + k];
        A[ri + j] = s * inv;
      }
      for (let i = j + 1; i < n; i++) A[rj + i] = 0;
    }
    return -1;
  }

  it('the register-blocked choleskyInPlace is bitwise identical to the textbook loop (so the verifier accepts exactly the same)', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 120; trial++) {
      const n = 1 + (trial % 23);
      const m = trial % 3 === 0 ? Math.max(1, n - 2) : n + 3; // some rank-deficient Gram matrices
      const X = new Float64Array(m * n);
      for (let i = 0; i < X.length; i++) X[i] = rng.normal();
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let r = 0; r < m; r++) s += X[r * n + i] * X[r * n + j];
          A[i * n + j] = s;
        }
      const shift = trial % 5 === 0 ? -0.5 : 0; // some indefinite matrices
      for (let i = 0; i < n; i++) A[i * n + i] += shift;
      const minPivot = trial % 7 === 0 ? 1e-3 : 0;
      const a = Float64Array.from(A);
      const b = Float64Array.from(A);
      const ra = choleskyInPlace(a, n, minPivot);
      const rb = textbookCholesky(b, n, minPivot);
      expect(ra).toBe(rb);
      if (ra < 0) expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('cholInverse and cholSolve invert (A A^-1 = I within rounding)', () => {
    const rng = new Rng(5);
    for (const n of [1, 2, 3, 8, 17]) {
      const X = new Float64Array(2 * n * n);
      for (let i = 0; i < X.length; i++) X[i] = rng.normal();
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let r = 0; r < 2 * n; r++) s += X[r * n + i] * X[r * n + j];
          A[i * n + j] = s;
        }
      const L = Float64Array.from(A);
      expect(choleskyInPlace(L, n)).toBe(-1);
      const Ai = cholInverse(L, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k] * Ai[k * n + j];
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-9);
          expect(Ai[i * n + j]).toBe(Ai[j * n + i]);
        }
      const b = new Float64Array(n).map((_, i) => i + 1);
      const x = cholSolve(L, n, Float64Array.from(b));
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k] * x[k];
        expect(Math.abs(s - b[i])).toBeLessThan(1e-9 * n);
      }
    }
  });
});
