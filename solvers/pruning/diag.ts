/**
 * Diagonal splittings G = (G - D) + D with D = diag(d) >= 0 and G - D PSD, used by the look-ahead
 * bound of the branch-and-bound and by the perspective relaxation.
 */
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';

/** True when G - diag(d) - margin*I passes a Cholesky factorisation (so G - diag(d) is PD). */
export function isDiagFeasible(G: Float64Array, n: number, d: ArrayLike<number>, margin = 0): boolean {
  const M = Float64Array.from(G);
  for (let i = 0; i < n; i++) M[i * n + i] -= d[i] + margin;
  return choleskyInPlace(M, n, 0) < 0;
}

/**
 * Largest t (to a relative 1e-3 by bisection) such that A - t * diag(s) passes a Cholesky
 * factorisation, i.e. a certified lower estimate of lambda_min(diag(s)^-1/2 A diag(s)^-1/2); 0 if A itself fails.
 */
export function maxShift(A: Float64Array, n: number, s: ArrayLike<number>): number {
  const M = new Float64Array(n * n);
  const ok = (t: number): boolean => {
    M.set(A);
    for (let i = 0; i < n; i++) M[i * n + i] -= t * s[i];
    return choleskyInPlace(M, n, 0) < 0;
  };
  if (!ok(0)) return 0;
  let hi = Infinity;
  for (let i = 0; i < n; i++) if (s[i] > 0) hi = Math.min(hi, A[i * n + i] / s[i]);
  if (!Number.isFinite(hi)) return 0;
  let lo = 0;
  for (let it = 0; it < 40 && hi - lo > 1e-3 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Scalar splitting d_i = frac * lambda_min(G) (lambda_min certified from below by Cholesky bisection). */
export function scalarDiag(G: Float64Array, n: number, frac = 0.98): Float64Array {
  const lmin = maxShift(G, n, new Float64Array(n).fill(1));
  return new Float64Array(n).fill(Math.max(0, frac * lmin));
}

/** Diagonal scaling d_i = frac * theta * G_ii with theta = lambda_min(S G S), S = diag(G)^-1/2. */
export function scaledDiag(G: Float64Array, n: number, frac = 0.98): Float64Array {
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = G[i * n + i];
  const theta = maxShift(G, n, g);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = frac * theta * G[i * n + i];
  return d;
}

/**
 * Greedy coordinate ascent on d for the weights `weight_i` (e.g. w_i^2 of the coordinates that a
 * bound will charge): coordinate i may grow by at most 1 / [(G - D)^-1]_ii; we take `step` of that,
 * in decreasing order of weight_i * headroom_i, for `passes` passes. Keeps G - D PD.
 */
export function ascendDiag(
  G: Float64Array,
  n: number,
  d0: Float64Array,
  weight: ArrayLike<number>,
  passes = 2,
  step = 0.5,
): Float64Array {
  const d = Float64Array.from(d0);
  const M = Float64Array.from(G);
  for (let i = 0; i < n; i++) M[i * n + i] -= d[i];
  const L = Float64Array.from(M);
  if (choleskyInPlace(L, n, 0) >= 0) return d;
  const H = cholInverse(L, n);
  for (let pass = 0; pass < passes; pass++) {
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => weight[b] / Math.max(H[b * n + b], 1e-300) - weight[a] / Math.max(H[a * n + a], 1e-300),
    );
    for (const i of order) {
      const hii = H[i * n + i];
      if (!(hii > 0)) continue;
      const t = (step / hii);
      // (M - t e_i e_i^T)^-1 = H + t H e_i e_i^T H / (1 - t h_ii)
      const den = 1 - t * hii;
      if (!(den > 0)) continue;
      d[i] += t;
      const hi = H.slice(i * n, i * n + n);
      const f = t / den;
      for (let a = 0; a < n; a++) {
        const fa = f * hi[a];
        if (fa === 0) continue;
        const off = a * n;
        for (let c = 0; c < n; c++) H[off + c] += fa * hi[c];
      }
    }
  }
  // safety: shrink until G - D passes Cholesky with a small margin
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  for (let tries = 0; tries < 30 && !isDiagFeasible(G, n, d, 1e-12 * maxDiag); tries++) for (let i = 0; i < n; i++) d[i] *= 0.9;
  return d;
}

/** Shrink d (by factors 0.9, at most 60 times, then 0) until G - diag(d) - eps I passes Cholesky. */
export function withMargin(G: Float64Array, n: number, d: Float64Array, eps: number): Float64Array {
  const out = Float64Array.from(d);
  for (let t = 0; t < 60; t++) {
    if (isDiagFeasible(G, n, out, eps)) return out;
    for (let i = 0; i < n; i++) out[i] *= 0.9;
  }
  out.fill(0);
  return out;
}
