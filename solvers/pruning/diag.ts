/**
 * Diagonal splittings G = (G - D) + D with D = diag(d) >= 0 and G - D PSD, used by the look-ahead
 * bound of the branch-and-bound and by the perspective relaxation.
 */
import { choleskyInPlace, cholInverse, cholSolve } from '../../src/linalg/dense.js';

/** An optional deadline (`Deadline` from core/result) polled between factorisations. */
type Stop = { expired(): boolean } | undefined;

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
export function maxShift(A: Float64Array, n: number, s: ArrayLike<number>, stop?: Stop): number {
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
  // lo passes the test at every step: a deadline just ends the bisection early (a smaller, still valid shift)
  for (let it = 0; it < 40 && hi - lo > 1e-3 * hi; it++) {
    if (stop?.expired()) break;
    const mid = 0.5 * (lo + hi);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Scalar splitting d_i = frac * lambda_min(G) (lambda_min certified from below by Cholesky bisection). */
export function scalarDiag(G: Float64Array, n: number, frac = 0.98, stop?: Stop): Float64Array {
  const lmin = maxShift(G, n, new Float64Array(n).fill(1), stop);
  return new Float64Array(n).fill(Math.max(0, frac * lmin));
}

/** Diagonal scaling d_i = frac * theta * G_ii with theta = lambda_min(S G S), S = diag(G)^-1/2. */
export function scaledDiag(G: Float64Array, n: number, frac = 0.98, stop?: Stop): Float64Array {
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = G[i * n + i];
  const theta = maxShift(G, n, g, stop);
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
  stop?: Stop,
): Float64Array {
  const d = Float64Array.from(d0);
  const M = Float64Array.from(G);
  for (let i = 0; i < n; i++) M[i * n + i] -= d[i];
  const L = Float64Array.from(M);
  if (choleskyInPlace(L, n, 0) >= 0) return d;
  const H = cholInverse(L, n);
  for (let pass = 0; pass < passes && !stop?.expired(); pass++) {
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

/**
 * SDP-optimised diagonal: approximately maximise sum_i c_i d_i subject to G - diag(d) >= 0, d >= 0, by a
 * log-barrier Newton path (maximise c^T d + mu [log det(G - D) + sum log d_i] for decreasing mu), in the
 * unit-diagonal scaling of G. With c_i = w_i^2 (the weights the perspective bound charges for pruned
 * coordinates) this is the "SDP diagonalization" of the perspective relaxation (Zheng-Sun-Li, Frangioni-
 * Gentile, Dong-Chen-Linderoth). The result is strictly feasible (every iterate passes a Cholesky); callers
 * still apply `withMargin`. Returns zeros when G is not positive definite.
 */
export function sdpDiag(G: Float64Array, n: number, c0: ArrayLike<number>, opts: { maxNewton?: number; relGap?: number; stop?: Stop } = {}): Float64Array {
  const stop = opts.stop;
  const maxNewton = opts.maxNewton ?? 80;
  const relGap = opts.relGap ?? 1e-4;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = G[i * n + i];
  const out = new Float64Array(n);
  if (n === 0 || g.some((x) => !(x > 0))) return out;
  // scaled problem: Gs = S G S (unit diagonal), ds = d / g, cs = c * g (normalised to sum 1)
  const Gs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Gs[i * n + j] = G[i * n + j] / Math.sqrt(g[i] * g[j]);
  const cs = new Float64Array(n);
  let csum = 0;
  for (let i = 0; i < n; i++) {
    cs[i] = Math.max(0, c0[i]) * g[i] + 1e-12;
    csum += cs[i];
  }
  for (let i = 0; i < n; i++) cs[i] /= csum;
  const theta = maxShift(Gs, n, new Float64Array(n).fill(1), stop);
  if (!(theta > 0)) return out;
  const d = new Float64Array(n).fill(0.5 * theta);
  const M = new Float64Array(n * n);
  const factor = (x: Float64Array): boolean => {
    M.set(Gs);
    for (let i = 0; i < n; i++) M[i * n + i] -= x[i];
    return choleskyInPlace(M, n, 0) < 0;
  };
  const barrier = (x: Float64Array, mu: number): number => {
    // assumes factor(x) succeeded: log det = 2 sum log L_ii
    let ld = 0;
    for (let i = 0; i < n; i++) ld += 2 * Math.log(M[i * n + i]) + Math.log(x[i]);
    let lin = 0;
    for (let i = 0; i < n; i++) lin += cs[i] * x[i];
    return lin + mu * ld;
  };
  let mu = 0.1 * theta / n;
  const Hs = new Float64Array(n * n);
  const grad = new Float64Array(n);
  const trial = new Float64Array(n);
  let steps = 0;
  for (let outer = 0; outer < 40 && steps < maxNewton; outer++) {
    // every iterate is strictly feasible: a deadline ends the path with the current d
    if (stop?.expired()) break;
    for (let inner = 0; inner < 8 && steps < maxNewton; inner++, steps++) {
      if (stop?.expired()) break;
      if (!factor(d)) return out;
      const H = cholInverse(M, n);
      for (let i = 0; i < n; i++) grad[i] = cs[i] - mu * H[i * n + i] + mu / d[i];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) Hs[i * n + j] = mu * H[i * n + j] * H[i * n + j];
        Hs[i * n + i] += mu / (d[i] * d[i]);
      }
      if (choleskyInPlace(Hs, n, 0) >= 0) break;
      const step = cholSolve(Hs, n, Float64Array.from(grad));
      let dec = 0;
      for (let i = 0; i < n; i++) dec += grad[i] * step[i];
      if (dec < 1e-10 * mu) break;
      const f0 = barrier(d, mu);
      let t = 1;
      let ok = false;
      for (let ls = 0; ls < 40; ls++, t *= 0.5) {
        let pos = true;
        for (let i = 0; i < n; i++) {
          trial[i] = d[i] + t * step[i];
          if (!(trial[i] > 0)) pos = false;
        }
        if (pos && factor(trial) && barrier(trial, mu) >= f0 + 0.25 * t * dec) {
          ok = true;
          break;
        }
      }
      if (!ok) break;
      d.set(trial);
    }
    let lin = 0;
    for (let i = 0; i < n; i++) lin += cs[i] * d[i];
    if (2 * n * mu <= relGap * lin) break;
    mu *= 0.2;
  }
  for (let i = 0; i < n; i++) out[i] = d[i] * g[i];
  return out;
}
