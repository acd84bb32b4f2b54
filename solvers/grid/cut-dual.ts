/**
 * The grid-independent steps of re-checking a certified Lagrangian (SDP-dual) bound
 * `min_x (x - t)^T P (x - t) - sum_k theta_k phi_k(x_{i_k})` with one-coordinate quadratic cuts phi_k >= 0 on the
 * grid: multiplier and coordinate checks, M = P - diag(d) with lambda_min(M) >= eps proven by a Cholesky with a
 * floating-point margin, the minimiser, the quadratic part and gradient of the dual value with their rounding
 * slack, and the conversion to error units. Shared by the integer-grid certificates (`sdp-dual`, `sdp-box-dual`
 * in solvers/quantization/sdp.ts) and the level-set one (`levels-sdp-dual` in solvers/levels/sdp.ts); each keeps
 * its own cut validity check and cut form.
 */
import { safeLowerBound } from '../../src/core/result.js';
import { cholSolve, choleskyInPlace } from '../../src/linalg/dense.js';

/** Unit roundoff and the standard gamma_k = k u / (1 - k u). */
const U = 2 ** -53;
export const gamma = (k: number): number => (k * U) / (1 - k * U);

/**
 * Multipliers finite and >= 0 and cut coordinates on active coordinates: the reduced coordinate of each cut, or a
 * reason (`perCut(k, reducedCoord)` adds the certificate's own check of cut k: a reason, or null).
 */
export function cutCoordinates(
  theta: readonly unknown[], cutCoord: readonly number[], active: ArrayLike<number>, n: number, na: number,
  perCut: (k: number) => string | null,
): Int32Array | string {
  const m = theta.length;
  const pos = new Int32Array(n).fill(-1);
  for (let a = 0; a < na; a++) pos[active[a]] = a;
  const coord = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const th = theta[k];
    if (!(typeof th === 'number' && Number.isFinite(th) && th >= 0)) return `theta[${k}] must be finite and >= 0`;
    const i = cutCoord[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) return `cutCoord[${k}] out of range`;
    if (pos[i] < 0) return `cut ${k} is on an inactive coordinate ${i}`;
    coord[k] = pos[i];
    const why = perCut(k);
    if (why !== null) return why;
  }
  return coord;
}

/** Per-coordinate sums of the multipliers: d = sum theta sign (the diagonal shift), dAbs = sum theta, cut counts. */
export interface DiagonalSums {
  d: Float64Array;
  dAbs: Float64Array;
  cnt: Int32Array;
}

/**
 * Matrix assembly and Cholesky with margin: M = P - diag(d), and lambda_min(M) >= eps checked by factoring
 * M - (eps + delta) I, delta a floating-point slack for forming and factoring M. M, or null when the check fails.
 */
export function assembleWithMargin(P: Float64Array, sums: DiagonalSums, eps: number, na: number): Float64Array | null {
  const { d, dAbs, cnt } = sums;
  const M = Float64Array.from(P);
  let maxDiag = 0;
  for (let i = 0; i < na; i++) {
    M[i * na + i] = P[i * na + i] - d[i];
    maxDiag = Math.max(maxDiag, Math.abs(M[i * na + i]) + eps);
  }
  let formErr = 0;
  for (let i = 0; i < na; i++) formErr = Math.max(formErr, gamma(cnt[i] + 3) * (Math.abs(P[i * na + i]) + dAbs[i] + eps));
  const delta = 1.01 * gamma(na + 2) * na * maxDiag + formErr;
  const A = Float64Array.from(M);
  for (let i = 0; i < na; i++) A[i * na + i] -= eps + delta;
  return choleskyInPlace(A, na) >= 0 ? null : M;
}

/** Minimiser of the Lagrangian: M x = P t + lin. x, or a reason. */
export function lagrangianMinimiser(M: Float64Array, P: Float64Array, t: Float64Array, lin: ArrayLike<number>, na: number): Float64Array | string {
  const Lm = Float64Array.from(M);
  if (choleskyInPlace(Lm, na) >= 0) return 'Cholesky of M failed';
  const x = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    for (let j = 0; j < na; j++) s += P[i * na + j] * t[j];
    x[i] = s + lin[i];
  }
  cholSolve(Lm, na, x);
  for (let i = 0; i < na; i++) if (!Number.isFinite(x[i])) return 'non-finite minimiser';
  return x;
}

/** The quadratic part at x: quad = v^T P v (v = x - t), Pv = P v, and the absolute sums bounding their rounding. */
export interface QuadraticPart {
  quad: number;
  quadAbs: number;
  Pv: Float64Array;
  PvAbs: Float64Array;
}

export function quadraticPart(P: Float64Array, t: Float64Array, x: Float64Array, na: number): QuadraticPart {
  const v = new Float64Array(na);
  for (let i = 0; i < na; i++) v[i] = x[i] - t[i];
  let quad = 0;
  let quadAbs = 0;
  const Pv = new Float64Array(na);
  const PvAbs = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    let sa = 0;
    for (let j = 0; j < na; j++) {
      s += P[i * na + j] * v[j];
      sa += Math.abs(P[i * na + j] * v[j]);
    }
    Pv[i] = s;
    PvAbs[i] = sa;
    quad += v[i] * s;
    quadAbs += Math.abs(v[i]) * sa;
  }
  return { quad, quadAbs, Pv, PvAbs };
}

/**
 * ||grad L(x)||^2 bounded above: grad L = 2 P v - gradCut, each component enlarged by gamma_{na+m+8} times its
 * absolute terms (m cuts).
 */
export function gradientNorm2Bound(q: QuadraticPart, gradCut: Float64Array, gradCutAbs: Float64Array, na: number, m: number): number {
  let rho2 = 0;
  for (let i = 0; i < na; i++) {
    const r = Math.abs(2 * q.Pv[i] - gradCut[i]) + gamma(na + m + 8) * (2 * q.PvAbs[i] + gradCutAbs[i]);
    rho2 += r * r;
  }
  return rho2;
}

/**
 * A normalised bound beta computed for a rounded target t, corrected for the rounding (|dt_i| <= dt_i:
 * min f >= (sqrt(beta) - eta)^2, eta^2 = |dt|^T |P| |dt|), in error units (times `unit`), rounded down.
 */
export function errorUnitsBound(P: Float64Array, dt: ArrayLike<number>, na: number, unit: number, beta: number): number {
  let eta2 = 0;
  for (let i = 0; i < na; i++) {
    const di = dt[i];
    for (let j = 0; j < na; j++) eta2 += Math.abs(P[i * na + j]) * di * dt[j];
  }
  const eta = Math.sqrt(eta2) * (1 + 1e-6);
  const root = beta > 0 ? Math.sqrt(beta) * (1 - 2 * U) - eta : 0;
  const bNorm = root > 0 ? root * root * (1 - 2 * U) : 0;
  return safeLowerBound(bNorm * unit, 16 * U);
}
