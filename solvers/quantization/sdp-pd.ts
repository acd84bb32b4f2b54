/**
 * Primal–dual interior-point method (HKM direction, Mehrotra predictor–corrector) for the lifted SDP
 *
 *   min <C, X>  s.t.  X_00 = 1,  <A_k, X> >= 0 (k = 1..m),  X PSD ((n+1) x (n+1)),
 *
 * with C = [[r~, -(P tt)^T], [-P tt, P]] and every cut A_k supported on the entries (0,0), (0,p), (p,p)
 * ("arrow" matrices). Dual: max lambda_0 s.t. Z = C - lambda_0 E_00 - sum theta_k A_k PSD, theta >= 0.
 * The dual iterate is kept exactly feasible (Z is recomputed from y), so every dual step is an arrow matrix and
 * an iteration costs a few O(n^3) dense operations plus an O(m^3) Cholesky of the Schur complement.
 * Only the multipliers theta leave this file: the bound itself is certified by `verifySdpCertificate`.
 */
import { choleskyInPlace, cholInverse, cholSolve, matMul } from '../../src/linalg/dense.js';

export interface PdCut {
  /** Matrix index p >= 1 of the cut's coordinate (reduced index + 1). */
  p: Int32Array;
  a00: Float64Array;
  a0p: Float64Array;
  app: Float64Array;
}

export interface PdResult {
  theta: Float64Array;
  lambda0: number;
  X: Float64Array;
  iterations: number;
  converged: boolean;
  relGap: number;
}

/** C (N x N, symmetric), cuts, starting multipliers theta0 > 0 with C - lambda0 E00 - sum theta0 A strictly PD. */
export function solvePd(
  C: Float64Array,
  N: number,
  cuts: PdCut,
  theta0: Float64Array,
  lambda0Start: number,
  opts: { maxIter?: number; relTol?: number; deadline?: number; iterEstimateMs?: number } = {},
): PdResult | null {
  const m = cuts.p.length;
  const J = m + 1; // constraint 0: E00
  const maxIter = opts.maxIter ?? 80;
  const relTol = opts.relTol ?? 1e-10;
  const deadline = opts.deadline ?? Infinity;
  const NN = N * N;
  const X = new Float64Array(NN);
  const Z = new Float64Array(NN);
  const Zi = new Float64Array(NN);
  const Lz = new Float64Array(NN);
  const tmp = new Float64Array(NN);
  const W = new Float64Array(NN);
  const dXa = new Float64Array(NN);
  const dX = new Float64Array(NN);
  const trial = new Float64Array(NN);
  const Mm = new Float64Array(J * J);
  const Mc = new Float64Array(J * J);
  const y = new Float64Array(J); // y[0] = lambda0, y[k+1] = theta_k
  const yPrev = new Float64Array(J);
  const s = new Float64Array(m);
  const dy = new Float64Array(J);
  const dya = new Float64Array(J);
  const ds = new Float64Array(m);
  const dsa = new Float64Array(m);
  const rhs = new Float64Array(J);
  // arrow of a dual step: dz00, row 0 entries r[p], diagonal dd[p]
  const r = new Float64Array(N);
  const dd = new Float64Array(N);
  const ra = new Float64Array(N);
  const dda = new Float64Array(N);
  y[0] = lambda0Start;
  for (let k = 0; k < m; k++) y[k + 1] = theta0[k];
  for (let i = 0; i < N; i++) X[i * N + i] = 1;
  for (let k = 0; k < m; k++) {
    const p = cuts.p[k];
    s[k] = Math.max(cuts.a00[k] + cuts.app[k] * X[p * N + p], 1);
  }
  const formZ = (yv: Float64Array, out: Float64Array): void => {
    out.set(C);
    out[0] -= yv[0];
    for (let k = 0; k < m; k++) {
      const p = cuts.p[k];
      const th = yv[k + 1];
      out[0] -= th * cuts.a00[k];
      out[p] -= th * cuts.a0p[k];
      out[p * N] -= th * cuts.a0p[k];
      out[p * N + p] -= th * cuts.app[k];
    }
  };
  /** Arrow (dz00 in ar[0], row entries ar[p], diagonal ad[p]) of -sum dyv_j A_j. */
  const arrowOf = (dyv: Float64Array, ar: Float64Array, ad: Float64Array): void => {
    ar.fill(0);
    ad.fill(0);
    ar[0] = -dyv[0];
    for (let k = 0; k < m; k++) {
      const p = cuts.p[k];
      const v = dyv[k + 1];
      ar[0] -= v * cuts.a00[k];
      ar[p] -= v * cuts.a0p[k];
      ad[p] -= v * cuts.app[k];
    }
  };
  /** out += alpha * Xm * arrow (dense times arrow, O(N^2)). */
  const addTimesArrow = (Xm: Float64Array, ar: Float64Array, ad: Float64Array, alpha: number, out: Float64Array): void => {
    for (let a = 0; a < N; a++) {
      const row = a * N;
      const xa0 = Xm[row];
      let c0 = xa0 * ar[0];
      for (let p = 1; p < N; p++) {
        c0 += Xm[row + p] * ar[p];
        out[row + p] += alpha * (xa0 * ar[p] + Xm[row + p] * ad[p]);
      }
      out[row] += alpha * c0;
    }
  };
  /** <A_j, Y> for a (possibly non-symmetric) Y. */
  const aDot = (j: number, Y: Float64Array): number => {
    if (j === 0) return Y[0];
    const k = j - 1;
    const p = cuts.p[k];
    return cuts.a00[k] * Y[0] + cuts.a0p[k] * (Y[p] + Y[p * N]) + cuts.app[k] * Y[p * N + p];
  };
  /** Largest step in (0, 1] (times 0.98 when blocked) keeping Y + alpha dY PD and v + alpha dv > 0. */
  const stepLength = (Y: Float64Array, dY: Float64Array, v: Float64Array, dv: Float64Array, vOff: number): number => {
    let alpha = 1;
    for (let i = 0; i < v.length - vOff; i++) {
      const d = dv[i + vOff];
      if (d < 0) alpha = Math.min(alpha, (-0.98 * v[i + vOff]) / d);
    }
    // fraction to the boundary for the matrix too: accept alpha only if alpha / 0.98 keeps Y PD (a step that
    // merely stays PD can land so close to the boundary that the recomputed iterate is not PD)
    for (let tries = 0; tries < 60; tries++) {
      const probe = alpha / 0.98;
      for (let i = 0; i < NN; i++) trial[i] = Y[i] + probe * dY[i];
      if (choleskyInPlace(trial, N) < 0) return alpha;
      alpha *= tries === 0 ? 0.95 : tries < 10 ? 0.8 : 0.5;
    }
    return 0;
  };
  const zStep = (ar: Float64Array, ad: Float64Array, dyv: Float64Array): number => {
    // dual step is an arrow: materialise it in dX's sibling buffer W (dense) for the PD test
    W.fill(0);
    W[0] = ar[0];
    for (let p = 1; p < N; p++) {
      W[p] = ar[p];
      W[p * N] = ar[p];
      W[p * N + p] = ad[p];
    }
    return stepLength(Z, W, y, dyv, 1);
  };
  let iterations = 0;
  let converged = false;
  let relGap = Infinity;
  let lastPinf = Infinity;
  let lastIterMs = opts.iterEstimateMs ?? 0;
  let tPrev = performance.now();
  formZ(y, Z);
  for (; iterations < maxIter; iterations++) {
    // start an iteration only if it can finish before the deadline (cost: the last one's, or the estimate)
    const tIt = performance.now();
    if (tIt + lastIterMs > deadline) break;
    if (iterations > 0) lastIterMs = tIt - tPrev;
    if (tIt + lastIterMs > deadline) break;
    tPrev = tIt;
    Lz.set(Z);
    if (choleskyInPlace(Lz, N) >= 0) {
      if (iterations === 0) return null;
      // rounding put the recomputed Z on the boundary: return the last interior iterate
      y.set(yPrev);
      converged = relGap < 1e-8 && lastPinf < 1e-4;
      break;
    }
    yPrev.set(y);
    cholInverse(Lz, N, Zi, tmp);
    let xz = 0;
    for (let i = 0; i < NN; i++) xz += X[i] * Z[i];
    let sth = 0;
    for (let k = 0; k < m; k++) sth += s[k] * y[k + 1];
    const mu = (xz + sth) / (N + m);
    let pobj = 0;
    for (let i = 0; i < NN; i++) pobj += C[i] * X[i];
    const dobj = y[0];
    let pinf = Math.abs(1 - X[0]);
    for (let k = 0; k < m; k++) pinf = Math.max(pinf, Math.abs(s[k] - aDot(k + 1, X)) / (1 + Math.abs(s[k])));
    relGap = (xz + sth) / (1 + Math.abs(pobj) + Math.abs(dobj));
    lastPinf = pinf;
    if (relGap < relTol && pinf < 1e-9) {
      converged = true;
      break;
    }
    // Schur complement M_ij = <A_i, X A_j Zi> (+ s/theta on cut rows)
    // (X A_j Zi)[b, a] = a00 X[b,0] Zi[0,a] + a0q (X[b,0] Zi[q,a] + X[b,q] Zi[0,a]) + aqq X[b,q] Zi[q,a]
    const xaz = (j: number, b: number, a: number): number => {
      if (j === 0) return X[b * N] * Zi[a];
      const k = j - 1;
      const q = cuts.p[k];
      const xb0 = X[b * N];
      const xbq = X[b * N + q];
      return cuts.a00[k] * xb0 * Zi[a] + cuts.a0p[k] * (xb0 * Zi[q * N + a] + xbq * Zi[a]) + cuts.app[k] * xbq * Zi[q * N + a];
    };
    for (let i = 0; i < J; i++) {
      for (let j = 0; j <= i; j++) {
        let v: number;
        if (i === 0) v = xaz(j, 0, 0);
        else {
          const k = i - 1;
          const p = cuts.p[k];
          v = cuts.a00[k] * xaz(j, 0, 0) + cuts.a0p[k] * (xaz(j, p, 0) + xaz(j, 0, p)) + cuts.app[k] * xaz(j, p, p);
        }
        Mm[i * J + j] = v;
        Mm[j * J + i] = v;
      }
      if (i > 0) Mm[i * J + i] += s[i - 1] / y[i];
    }
    Mc.set(Mm);
    if (choleskyInPlace(Mc, J) >= 0) {
      let maxM = 0;
      for (let i = 0; i < J; i++) maxM = Math.max(maxM, Mm[i * J + i]);
      // rounding (Z^-1 large when Z is near-singular) cost definiteness: retry with growing diagonal shifts
      let ok = false;
      for (const rel of [1e-12, 1e-10, 1e-8]) {
        Mc.set(Mm);
        for (let i = 0; i < J; i++) Mc[i * J + i] += rel * maxM;
        if (choleskyInPlace(Mc, J) < 0) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        converged = relGap < 1e-8 && lastPinf < 1e-4;
        break;
      }
    }
    // ---- predictor (sigma = 0): rhs_0 = 1, rhs_k = 0 (primal residual + X term cancel)
    // general: rhs_j = rp_j - <A_j, G> + [r_s/theta on cut rows], G = (target - correction) Zi - X
    rhs[0] = 1;
    for (let k = 0; k < m; k++) rhs[k + 1] = 0;
    dya.set(rhs);
    cholSolve(Mc, J, dya);
    arrowOf(dya, ra, dda);
    // dXa = (-X dZa) Zi - X ... = -(X dZa Zi) - X
    W.fill(0);
    addTimesArrow(X, ra, dda, -1, W);
    matMul(W, Zi, N, dXa);
    for (let i = 0; i < NN; i++) dXa[i] -= X[i];
    for (let i = 0; i < N; i++)
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (dXa[i * N + j] + dXa[j * N + i]);
        dXa[i * N + j] = v;
        dXa[j * N + i] = v;
      }
    for (let k = 0; k < m; k++) dsa[k] = (-s[k] * y[k + 1] - s[k] * dya[k + 1]) / y[k + 1];
    const apA = stepLength(X, dXa, s, dsa, 0);
    const adA = zStep(ra, dda, dya);
    // mu after the affine step
    let muA = 0;
    {
      // <X + ap dX, Z + ad dZ> + (s + ap ds)(theta + ad dtheta)
      for (let i = 0; i < NN; i++) muA += (X[i] + apA * dXa[i]) * Z[i];
      // + ad <X + ap dXa, dZa>
      let xdz = 0;
      xdz += (X[0] + apA * dXa[0]) * ra[0];
      for (let p = 1; p < N; p++) xdz += 2 * (X[p] + apA * dXa[p]) * ra[p] + (X[p * N + p] + apA * dXa[p * N + p]) * dda[p];
      muA += adA * xdz;
      for (let k = 0; k < m; k++) muA += (s[k] + apA * dsa[k]) * (y[k + 1] + adA * dya[k + 1]);
      muA /= N + m;
    }
    const sigma = Math.min(1, Math.max(0, (muA / mu) ** 3));
    // ---- corrector: target sigma mu I - dXa dZa
    // rhs_j = rp_j - <A_j, sigma mu Zi - X - (dXa dZa) Zi> + [ (sigma mu - s th - dsa dtha)/th ]
    // with rp_j + <A_j, X> = (1, s_k): rhs_0 = 1 - sigma mu Zi00 + Q00; rhs_k = s_k - <A_k, sigma mu Zi - Q> + (sigma mu - s th - dsa dtha)/th
    W.fill(0);
    addTimesArrow(dXa, ra, dda, 1, W); // W = dXa dZa
    // Q = W Zi (only entries (0,0), (0,p), (p,0), (p,p) needed for the rhs)
    const qEntry = (a: number, b: number): number => {
      let t = 0;
      const ra0 = a * N;
      for (let l = 0; l < N; l++) t += W[ra0 + l] * Zi[l * N + b];
      return t;
    };
    const Q = tmp; // reuse
    Q.fill(0);
    Q[0] = qEntry(0, 0);
    for (let p = 1; p < N; p++) {
      Q[p] = qEntry(0, p);
      Q[p * N] = qEntry(p, 0);
      Q[p * N + p] = qEntry(p, p);
    }
    const sm = sigma * mu;
    rhs[0] = 1 - sm * Zi[0] + Q[0];
    for (let k = 0; k < m; k++) {
      const j = k + 1;
      const th = y[j];
      rhs[j] = s[k] - (sm * aDot(j, Zi) - aDot(j, Q)) + (sm - s[k] * th - dsa[k] * dya[j]) / th;
    }
    dy.set(rhs);
    cholSolve(Mc, J, dy);
    arrowOf(dy, r, dd);
    // dX = (sigma mu I - dXa dZa - X dZ) Zi - X
    for (let i = 0; i < NN; i++) W[i] = -W[i];
    for (let i = 0; i < N; i++) W[i * N + i] += sm;
    addTimesArrow(X, r, dd, -1, W);
    matMul(W, Zi, N, dX);
    for (let i = 0; i < NN; i++) dX[i] -= X[i];
    for (let i = 0; i < N; i++)
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (dX[i * N + j] + dX[j * N + i]);
        dX[i * N + j] = v;
        dX[j * N + i] = v;
      }
    for (let k = 0; k < m; k++) ds[k] = (sm - s[k] * y[k + 1] - dsa[k] * dya[k + 1] - s[k] * dy[k + 1]) / y[k + 1];
    const ap = stepLength(X, dX, s, ds, 0);
    const ad = zStep(r, dd, dy);
    if (!(ap > 0) || !(ad > 0)) {
      // no step keeps the iterates interior: numerically at the optimum if the gap is already small
      converged = relGap < 1e-8 && lastPinf < 1e-4;
      break;
    }
    const gp = Math.min(1, ap === 1 ? 1 : ap);
    const gd = Math.min(1, ad === 1 ? 1 : ad);
    for (let i = 0; i < NN; i++) X[i] += gp * dX[i];
    for (let k = 0; k < m; k++) s[k] += gp * ds[k];
    for (let j = 0; j < J; j++) y[j] += gd * dy[j];
    for (let k = 0; k < m; k++) if (!(y[k + 1] > 0)) return null;
    formZ(y, Z);
  }
  return { theta: y.slice(1), lambda0: y[0], X, iterations, converged, relGap };
}
