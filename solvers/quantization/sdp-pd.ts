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

/** Options of `solvePd`. */
export interface PdOptions {
  maxIter?: number;
  relTol?: number;
  /** Absolute deadline (in the units of `now`): an iteration is started only if it fits. */
  deadline?: number;
  /** The clock the deadline refers to (default performance.now; the SDP solver passes its Deadline's clock). */
  now?: () => number;
  /** Estimated cost of the first iteration (ms), before one has been measured. */
  iterEstimateMs?: number;
}

/**
 * The lifted SDP of a shifted dual `min (y - tt)^T P (y - tt)` with one-coordinate cuts
 * `s_k y_i^2 + b_k y_i + e_k >= 0`: C = [[r~, -(P tt)^T], [-P tt, P]] (N = na + 1) and the cuts as arrows.
 */
export function liftedSdp(P: Float64Array, Ptt: Float64Array, rt: number, na: number, coord: ArrayLike<number>, s: ArrayLike<number>, b: ArrayLike<number>, e: ArrayLike<number>): { C: Float64Array; N: number; cuts: PdCut } {
  const N = na + 1;
  const m = coord.length;
  const C = new Float64Array(N * N);
  C[0] = rt;
  for (let i = 0; i < na; i++) {
    C[i + 1] = -Ptt[i];
    C[(i + 1) * N] = -Ptt[i];
    for (let j = 0; j < na; j++) C[(i + 1) * N + j + 1] = P[i * na + j];
  }
  const cuts: PdCut = { p: new Int32Array(m), a00: new Float64Array(m), a0p: new Float64Array(m), app: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    cuts.p[k] = coord[k] + 1;
    cuts.a00[k] = e[k];
    cuts.a0p[k] = 0.5 * b[k];
    cuts.app[k] = s[k];
  }
  return { C, N, cuts };
}

/** Starting lambda_0 below the dual value g0 of strictly feasible multipliers (so Z starts strictly PD). */
export function pdStartLambda(g0: number, trP: number, rt: number, na: number): number {
  return g0 - Math.max(0.5 * Math.abs(g0), (trP + rt) / (na + 1), 1e-300);
}

/** How an iteration ended: keep going, optimal, stopped at the last interior iterate, or failed (no result). */
type PdStep = 'continue' | 'converged' | 'stopped' | 'failed';

type F64 = Float64Array<ArrayBuffer>;

/** Iterates and work buffers of one primal–dual solve (all allocated once). */
class PdState {
  readonly m: number;
  readonly J: number; // constraint 0: E00
  readonly NN: number;
  readonly X: F64;
  readonly Z: F64;
  readonly Zi: F64;
  readonly Lz: F64;
  readonly tmp: F64;
  readonly W: F64;
  readonly dXa: F64;
  readonly dX: F64;
  readonly trial: F64;
  readonly Mm: F64;
  readonly Mc: F64;
  readonly y: F64; // y[0] = lambda0, y[k+1] = theta_k
  readonly yPrev: F64;
  readonly s: F64;
  readonly dy: F64;
  readonly dya: F64;
  readonly ds: F64;
  readonly dsa: F64;
  readonly rhs: F64;
  // arrow of a dual step: dz00, row 0 entries r[p], diagonal dd[p] (corrector) and ra, dda (predictor)
  readonly r: F64;
  readonly dd: F64;
  readonly ra: F64;
  readonly dda: F64;
  mu = 0;
  relGap = Infinity;
  lastPinf = Infinity;

  constructor(
    readonly C: Float64Array,
    readonly N: number,
    readonly cuts: PdCut,
  ) {
    const m = cuts.p.length;
    const J = m + 1;
    const NN = N * N;
    this.m = m;
    this.J = J;
    this.NN = NN;
    this.X = new Float64Array(NN);
    this.Z = new Float64Array(NN);
    this.Zi = new Float64Array(NN);
    this.Lz = new Float64Array(NN);
    this.tmp = new Float64Array(NN);
    this.W = new Float64Array(NN);
    this.dXa = new Float64Array(NN);
    this.dX = new Float64Array(NN);
    this.trial = new Float64Array(NN);
    this.Mm = new Float64Array(J * J);
    this.Mc = new Float64Array(J * J);
    this.y = new Float64Array(J);
    this.yPrev = new Float64Array(J);
    this.s = new Float64Array(m);
    this.dy = new Float64Array(J);
    this.dya = new Float64Array(J);
    this.ds = new Float64Array(m);
    this.dsa = new Float64Array(m);
    this.rhs = new Float64Array(J);
    this.r = new Float64Array(N);
    this.dd = new Float64Array(N);
    this.ra = new Float64Array(N);
    this.dda = new Float64Array(N);
  }

  /** Start: y = (lambda0, theta0), X = I, slacks s_k = max(<A_k, X>, 1); Z from y. */
  start(theta0: Float64Array, lambda0Start: number): void {
    const { m, N, X, y, s, cuts } = this;
    y[0] = lambda0Start;
    for (let k = 0; k < m; k++) y[k + 1] = theta0[k];
    for (let i = 0; i < N; i++) X[i * N + i] = 1;
    for (let k = 0; k < m; k++) {
      const p = cuts.p[k];
      s[k] = Math.max(cuts.a00[k] + cuts.app[k] * X[p * N + p], 1);
    }
    this.formZ(y, this.Z);
  }

  /** out = C - y_0 E00 - sum y_k A_k. */
  formZ(yv: Float64Array, out: Float64Array): void {
    const { m, N, cuts } = this;
    out.set(this.C);
    out[0] -= yv[0];
    for (let k = 0; k < m; k++) {
      const p = cuts.p[k];
      const th = yv[k + 1];
      out[0] -= th * cuts.a00[k];
      out[p] -= th * cuts.a0p[k];
      out[p * N] -= th * cuts.a0p[k];
      out[p * N + p] -= th * cuts.app[k];
    }
  }

  /** Arrow (dz00 in ar[0], row entries ar[p], diagonal ad[p]) of -sum dyv_j A_j. */
  arrowOf(dyv: Float64Array, ar: Float64Array, ad: Float64Array): void {
    const { m, cuts } = this;
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
  }

  /** out += alpha * Xm * arrow (dense times arrow, O(N^2)). */
  addTimesArrow(Xm: Float64Array, ar: Float64Array, ad: Float64Array, alpha: number, out: Float64Array): void {
    const N = this.N;
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
  }

  /** <A_j, Y> for a (possibly non-symmetric) Y. */
  aDot(j: number, Y: Float64Array): number {
    if (j === 0) return Y[0];
    const { N, cuts } = this;
    const k = j - 1;
    const p = cuts.p[k];
    return cuts.a00[k] * Y[0] + cuts.a0p[k] * (Y[p] + Y[p * N]) + cuts.app[k] * Y[p * N + p];
  }

  /** Largest step in (0, 1] (times 0.98 when blocked) keeping Y + alpha dY PD and v + alpha dv > 0. */
  stepLength(Y: Float64Array, dY: Float64Array, v: Float64Array, dv: Float64Array, vOff: number): number {
    const { N, NN, trial } = this;
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
  }

  /** Dual step length for the arrow step (ar, ad) of dyv. */
  zStep(ar: Float64Array, ad: Float64Array, dyv: Float64Array): number {
    // dual step is an arrow: materialise it in dX's sibling buffer W (dense) for the PD test
    const { N, W } = this;
    W.fill(0);
    W[0] = ar[0];
    for (let p = 1; p < N; p++) {
      W[p] = ar[p];
      W[p * N] = ar[p];
      W[p * N + p] = ad[p];
    }
    return this.stepLength(this.Z, W, this.y, dyv, 1);
  }

  /** Converged in the numerical sense when no further step is possible. */
  nearOptimal(): boolean {
    return this.relGap < 1e-8 && this.lastPinf < 1e-4;
  }

  /** Factor Z (rounding may have put the recomputed Z on the boundary), then Zi = Z^-1. */
  invertZ(first: boolean): PdStep {
    const { N, Lz } = this;
    Lz.set(this.Z);
    if (choleskyInPlace(Lz, N) >= 0) {
      if (first) return 'failed';
      // return the last interior iterate
      this.y.set(this.yPrev);
      return this.nearOptimal() ? 'converged' : 'stopped';
    }
    this.yPrev.set(this.y);
    cholInverse(Lz, N, this.Zi, this.tmp);
    return 'continue';
  }

  /** Complementarity mu, relative gap and primal infeasibility; 'converged' at the targets. */
  measure(relTol: number): PdStep {
    const { m, N, NN, X, Z, C, s, y } = this;
    let xz = 0;
    for (let i = 0; i < NN; i++) xz += X[i] * Z[i];
    let sth = 0;
    for (let k = 0; k < m; k++) sth += s[k] * y[k + 1];
    this.mu = (xz + sth) / (N + m);
    let pobj = 0;
    for (let i = 0; i < NN; i++) pobj += C[i] * X[i];
    const dobj = y[0];
    let pinf = Math.abs(1 - X[0]);
    for (let k = 0; k < m; k++) pinf = Math.max(pinf, Math.abs(s[k] - this.aDot(k + 1, X)) / (1 + Math.abs(s[k])));
    this.relGap = (xz + sth) / (1 + Math.abs(pobj) + Math.abs(dobj));
    this.lastPinf = pinf;
    return this.relGap < relTol && pinf < 1e-9 ? 'converged' : 'continue';
  }

  /** (X A_j Zi)[b, a] = a00 X[b,0] Zi[0,a] + a0q (X[b,0] Zi[q,a] + X[b,q] Zi[0,a]) + aqq X[b,q] Zi[q,a]. */
  xaz(j: number, b: number, a: number): number {
    const { N, X, Zi } = this;
    if (j === 0) return X[b * N] * Zi[a];
    const cuts = this.cuts;
    const k = j - 1;
    const q = cuts.p[k];
    const xb0 = X[b * N];
    const xbq = X[b * N + q];
    return cuts.a00[k] * xb0 * Zi[a] + cuts.a0p[k] * (xb0 * Zi[q * N + a] + xbq * Zi[a]) + cuts.app[k] * xbq * Zi[q * N + a];
  }

  /** Schur complement M_ij = <A_i, X A_j Zi> (+ s/theta on cut rows), factored into Mc ('stopped' if it cannot be). */
  factorSchur(): PdStep {
    const { J, Mm, Mc, cuts, s, y } = this;
    for (let i = 0; i < J; i++) {
      for (let j = 0; j <= i; j++) {
        let v: number;
        if (i === 0) v = this.xaz(j, 0, 0);
        else {
          const k = i - 1;
          const p = cuts.p[k];
          v = cuts.a00[k] * this.xaz(j, 0, 0) + cuts.a0p[k] * (this.xaz(j, p, 0) + this.xaz(j, 0, p)) + cuts.app[k] * this.xaz(j, p, p);
        }
        Mm[i * J + j] = v;
        Mm[j * J + i] = v;
      }
      if (i > 0) Mm[i * J + i] += s[i - 1] / y[i];
    }
    Mc.set(Mm);
    if (choleskyInPlace(Mc, J) < 0) return 'continue';
    let maxM = 0;
    for (let i = 0; i < J; i++) maxM = Math.max(maxM, Mm[i * J + i]);
    // rounding (Z^-1 large when Z is near-singular) cost definiteness: retry with growing diagonal shifts
    for (const rel of [1e-12, 1e-10, 1e-8]) {
      Mc.set(Mm);
      for (let i = 0; i < J; i++) Mc[i * J + i] += rel * maxM;
      if (choleskyInPlace(Mc, J) < 0) return 'continue';
    }
    return this.nearOptimal() ? 'converged' : 'stopped';
  }

  /** out = (W Zi) - X, symmetrised (W holds the target minus the correction terms). */
  primalDirection(out: F64): void {
    const { N, NN, X } = this;
    matMul(this.W, this.Zi, N, out);
    for (let i = 0; i < NN; i++) out[i] -= X[i];
    for (let i = 0; i < N; i++)
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (out[i * N + j] + out[j * N + i]);
        out[i * N + j] = v;
        out[j * N + i] = v;
      }
  }

  /** Predictor (sigma = 0): affine direction (dXa, dya, dsa); returns the centring parameter sigma. */
  predictor(): number {
    const { m, N, NN, X, Z, W, rhs, dya, ra, dda, dXa, dsa, s, y } = this;
    // rhs_0 = 1, rhs_k = 0 (primal residual + X term cancel)
    // general: rhs_j = rp_j - <A_j, G> + [r_s/theta on cut rows], G = (target - correction) Zi - X
    rhs[0] = 1;
    for (let k = 0; k < m; k++) rhs[k + 1] = 0;
    dya.set(rhs);
    cholSolve(this.Mc, this.J, dya);
    this.arrowOf(dya, ra, dda);
    // dXa = (-X dZa) Zi - X ... = -(X dZa Zi) - X
    W.fill(0);
    this.addTimesArrow(X, ra, dda, -1, W);
    this.primalDirection(dXa);
    for (let k = 0; k < m; k++) dsa[k] = (-s[k] * y[k + 1] - s[k] * dya[k + 1]) / y[k + 1];
    const apA = this.stepLength(X, dXa, s, dsa, 0);
    const adA = this.zStep(ra, dda, dya);
    // mu after the affine step: <X + ap dX, Z + ad dZ> + (s + ap ds)(theta + ad dtheta)
    let muA = 0;
    for (let i = 0; i < NN; i++) muA += (X[i] + apA * dXa[i]) * Z[i];
    // + ad <X + ap dXa, dZa>
    let xdz = 0;
    xdz += (X[0] + apA * dXa[0]) * ra[0];
    for (let p = 1; p < N; p++) xdz += 2 * (X[p] + apA * dXa[p]) * ra[p] + (X[p * N + p] + apA * dXa[p * N + p]) * dda[p];
    muA += adA * xdz;
    for (let k = 0; k < m; k++) muA += (s[k] + apA * dsa[k]) * (y[k + 1] + adA * dya[k + 1]);
    muA /= N + m;
    return Math.min(1, Math.max(0, (muA / this.mu) ** 3));
  }

  /** Entry (a, b) of W Zi. */
  qEntry(a: number, b: number): number {
    const { N, W, Zi } = this;
    let t = 0;
    const ra0 = a * N;
    for (let l = 0; l < N; l++) t += W[ra0 + l] * Zi[l * N + b];
    return t;
  }

  /** Corrector: target sigma mu I - dXa dZa; direction (dX, dy, ds). */
  corrector(sigma: number): void {
    const { m, N, NN, X, W, Zi, rhs, dy, r, dd, dX, ds, dsa, dya, s, y } = this;
    // rhs_j = rp_j - <A_j, sigma mu Zi - X - (dXa dZa) Zi> + [ (sigma mu - s th - dsa dtha)/th ]
    // with rp_j + <A_j, X> = (1, s_k): rhs_0 = 1 - sigma mu Zi00 + Q00; rhs_k = s_k - <A_k, sigma mu Zi - Q> + (sigma mu - s th - dsa dtha)/th
    W.fill(0);
    this.addTimesArrow(this.dXa, this.ra, this.dda, 1, W); // W = dXa dZa
    // Q = W Zi (only entries (0,0), (0,p), (p,0), (p,p) needed for the rhs)
    const Q = this.tmp; // reuse
    Q.fill(0);
    Q[0] = this.qEntry(0, 0);
    for (let p = 1; p < N; p++) {
      Q[p] = this.qEntry(0, p);
      Q[p * N] = this.qEntry(p, 0);
      Q[p * N + p] = this.qEntry(p, p);
    }
    const sm = sigma * this.mu;
    rhs[0] = 1 - sm * Zi[0] + Q[0];
    for (let k = 0; k < m; k++) {
      const j = k + 1;
      const th = y[j];
      rhs[j] = s[k] - (sm * this.aDot(j, Zi) - this.aDot(j, Q)) + (sm - s[k] * th - dsa[k] * dya[j]) / th;
    }
    dy.set(rhs);
    cholSolve(this.Mc, this.J, dy);
    this.arrowOf(dy, r, dd);
    // dX = (sigma mu I - dXa dZa - X dZ) Zi - X
    for (let i = 0; i < NN; i++) W[i] = -W[i];
    for (let i = 0; i < N; i++) W[i * N + i] += sm;
    this.addTimesArrow(X, r, dd, -1, W);
    this.primalDirection(dX);
    for (let k = 0; k < m; k++) ds[k] = (sm - s[k] * y[k + 1] - dsa[k] * dya[k + 1] - s[k] * dy[k + 1]) / y[k + 1];
  }

  /** Step along (dX, dy, ds) with separate primal and dual lengths; recompute Z from y. */
  takeStep(): PdStep {
    const { m, J, NN, X, s, y, dX, ds, dy } = this;
    const ap = this.stepLength(X, dX, s, ds, 0);
    const ad = this.zStep(this.r, this.dd, dy);
    // no step keeps the iterates interior: numerically at the optimum if the gap is already small
    if (!(ap > 0) || !(ad > 0)) return this.nearOptimal() ? 'converged' : 'stopped';
    const gp = Math.min(1, ap === 1 ? 1 : ap);
    const gd = Math.min(1, ad === 1 ? 1 : ad);
    for (let i = 0; i < NN; i++) X[i] += gp * dX[i];
    for (let k = 0; k < m; k++) s[k] += gp * ds[k];
    for (let j = 0; j < J; j++) y[j] += gd * dy[j];
    for (let k = 0; k < m; k++) if (!(y[k + 1] > 0)) return 'failed';
    this.formZ(y, this.Z);
    return 'continue';
  }

  /** One Mehrotra predictor-corrector iteration. */
  iterate(first: boolean, relTol: number): PdStep {
    let st = this.invertZ(first);
    if (st === 'continue') st = this.measure(relTol);
    if (st === 'continue') st = this.factorSchur();
    if (st !== 'continue') return st;
    this.corrector(this.predictor());
    return this.takeStep();
  }
}

/** C (N x N, symmetric), cuts, starting multipliers theta0 > 0 with C - lambda0 E00 - sum theta0 A strictly PD. */
export function solvePd(C: Float64Array, N: number, cuts: PdCut, theta0: Float64Array, lambda0Start: number, opts: PdOptions = {}): PdResult | null {
  const maxIter = opts.maxIter ?? 80;
  const relTol = opts.relTol ?? 1e-10;
  const deadline = opts.deadline ?? Infinity;
  const st = new PdState(C, N, cuts);
  st.start(theta0, lambda0Start);
  let iterations = 0;
  let converged = false;
  let lastIterMs = opts.iterEstimateMs ?? 0;
  const now = opts.now ?? (() => performance.now());
  let tPrev = now();
  for (; iterations < maxIter; iterations++) {
    // start an iteration only if it can finish before the deadline (cost: the last one's, or the estimate)
    const tIt = now();
    if (tIt + lastIterMs > deadline) break;
    if (iterations > 0) lastIterMs = tIt - tPrev;
    if (tIt + lastIterMs > deadline) break;
    tPrev = tIt;
    const step = st.iterate(iterations === 0, relTol);
    if (step === 'failed') return null;
    if (step === 'continue') continue;
    converged = step === 'converged';
    break;
  }
  return { theta: st.y.slice(1), lambda0: st.y[0], X: st.X, iterations, converged, relGap: st.relGap };
}
