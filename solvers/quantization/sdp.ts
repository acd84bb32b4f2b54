/**
 * Park–Boyd SDP relaxation of `min (z - t)^T P (z - t)` over integer z, solved through its
 * Lagrangian dual with a barrier Newton method in the multipliers, and certified from scratch.
 *
 * Every cut is a quadratic `phi_k(z_i) = sigma_k (z_i - p_k)(z_i - q_k) >= 0` valid on the feasible set:
 *  - integrality cut (kind +1): `(z_i - p)(z_i - p - 1) >= 0` for every integer z_i (any integer anchor p);
 *  - box cut (kind -1): `(z_i - zmin)(zmax - z_i) >= 0` for zmin <= z_i <= zmax.
 * For multipliers theta >= 0, `L(y) = f(y) - sum_k theta_k phi_k(y_{i_k}) <= f(y)` on feasible points, so
 * `min over real y of L` is a valid lower bound (weak duality). In shifted coordinates y = z - a:
 * `M = P - diag(sum theta_k sigma_k)`, `c = P (a - t) - 1/2 sum theta_k b_k e_{i_k}`,
 * `g(theta) = r~ - sum theta_k e_k - c^T M^{-1} c` (b, e the linear and constant cut coefficients).
 */
import { Deadline, makeResult, safeLowerBound } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { Certificate, QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { choleskyInPlace, choleskyInPlaceUntil, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { checkQuantProblem, reduce, type Reduced, U } from './common.js';
import { liftedSdp, pdStartLambda, solvePd } from './sdp-pd.js';
import {
  assembleWithMargin, cutCoordinates, errorUnitsBound as errorUnitsBoundFrom, gamma, gradientNorm2Bound, lagrangianMinimiser, quadraticPart, type DiagonalSums,
} from '../grid/cut-dual.js';

export type SdpCertificateType = 'sdp-dual' | 'sdp-box-dual';

/** Certificate of an SDP-dual lower bound. All indices refer to the original coordinates. */
export interface SdpCertificate extends Certificate {
  readonly type: SdpCertificateType;
  /** Integer origin a (length n); only a numerical choice, any integer vector gives a valid bound. */
  readonly shift: number[];
  /** Coordinate of each cut. */
  readonly cutCoord: number[];
  /** +1: integrality cut (z - p)(z - p - 1) >= 0; -1: box cut (z - zmin)(zmax - z) >= 0. */
  readonly cutKind: number[];
  /** Anchor p of an integrality cut (ignored for box cuts). */
  readonly cutAnchor: number[];
  /** Multipliers (>= 0). */
  readonly theta: number[];
  /** Claimed margin: lambda_min(M) >= eps (normalised units, M = G_AA/kappa - diag(...)). */
  readonly eps: number;
  /** Dual value g(theta) in error units as computed by the solver (informative). */
  readonly dualValue: number;
  /** Primal objective of the reconstruction (x, x x^T + H/tau) in error units, and its worst cut violation. */
  readonly primalValue: number;
  readonly primalInfeasibility: number;
}

export interface VerifyResult {
  valid: boolean;
  /** Certified lower bound on the quantization error (0 when invalid). */
  bound: number;
  reason?: string;
}

interface Cuts {
  m: number;
  coord: Int32Array; // reduced index
  s: Float64Array;
  b: Float64Array;
  e: Float64Array;
}

/** Build the cut coefficients in shifted coordinates y = z - a (reduced). */
function buildCuts(coord: ArrayLike<number>, kind: ArrayLike<number>, anchor: ArrayLike<number>, a: ArrayLike<number>, lo: number, hi: number): Cuts {
  const m = coord.length;
  const cuts: Cuts = { m, coord: Int32Array.from(coord), s: new Float64Array(m), b: new Float64Array(m), e: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    const ai = a[coord[k]];
    let p: number;
    let q: number;
    let sg: number;
    if (kind[k] > 0) {
      p = anchor[k] - ai;
      q = p + 1;
      sg = 1;
    } else {
      p = lo - ai;
      q = hi - ai;
      sg = -1;
    }
    cuts.s[k] = sg;
    cuts.b[k] = -sg * (p + q);
    cuts.e[k] = sg * p * q;
  }
  return cuts;
}


/**
 * Objective of a primal-feasible point of the relaxation near (x, x x^T + S) (shifted, normalised units),
 * an upper bound on the relaxation's optimum (up to rounding): cut violations are removed by raising S_ii
 * when coordinate i has only integrality cuts (s = +1; raising S_ii raises them), otherwise by the convex
 * combination with the strictly feasible point X0 = (y0, y0 y0^T + v I), y0 the box midpoint,
 * v = (span^2/4 + 1/4)/2 (integrality cuts >= v - 1/4 > 0, box cuts >= span^2/4 - v > 0). Infinity when
 * no such repair applies (S not given, box of one step).
 */
export function feasiblePrimalValue(P: Float64Array, tt: Float64Array, cuts: Cuts, x: Float64Array, S: Float64Array, na: number, shift: Float64Array, lo: number, hi: number): number {
  const m = cuts.m;
  const quad = (y: Float64Array): number => {
    let q = 0;
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let j = 0; j < na; j++) s += P[i * na + j] * (y[j] - tt[j]);
      q += (y[i] - tt[i]) * s;
    }
    return q;
  };
  const hasBoxCut = new Uint8Array(na);
  for (let k = 0; k < m; k++) if (cuts.s[k] < 0) hasBoxCut[cuts.coord[k]] = 1;
  const raise = new Float64Array(na);
  const viol = new Float64Array(m);
  let needMix = false;
  for (let k = 0; k < m; k++) {
    const i = cuts.coord[k];
    const y = x[i];
    const val = cuts.s[k] * (y * y + S[i * na + i]) + cuts.b[k] * y + cuts.e[k];
    if (!(val >= 0)) {
      if (!hasBoxCut[i] && cuts.s[k] > 0) raise[i] = Math.max(raise[i], -val);
      else {
        viol[k] = -val;
        needMix = true;
      }
    }
  }
  let obj = quad(x);
  for (let i = 0; i < na * na; i++) obj += P[i] * S[i];
  // raising S_ii by r (and a relative 1e-15 margin) fixes the integrality cuts on i
  for (let i = 0; i < na; i++) if (raise[i] > 0) obj += P[i * na + i] * raise[i] * (1 + 1e-12);
  if (!needMix) return obj;
  const span = hi - lo;
  const v = (0.25 * span * span + 0.25) / 2;
  if (!(0.25 * span * span - v > 0)) return Infinity;
  const y0 = new Float64Array(na);
  for (let i = 0; i < na; i++) y0[i] = 0.5 * (lo + hi) - shift[i];
  let lam = 0;
  for (let k = 0; k < m; k++) {
    if (!(viol[k] > 0)) continue;
    const i = cuts.coord[k];
    const y = y0[i];
    const val0 = cuts.s[k] * (y * y + v) + cuts.b[k] * y + cuts.e[k];
    if (!(val0 > 0)) return Infinity;
    lam = Math.max(lam, viol[k] / (viol[k] + val0));
  }
  let trP = 0;
  for (let i = 0; i < na; i++) trP += P[i * na + i];
  const obj0 = quad(y0) + v * trP;
  return (1 - lam) * obj + lam * obj0;
}

/**
 * Estimate of lambda_max(M^{-1}) = 1 / lambda_min(M) from the Cholesky factor L of M by 20 steps of power
 * iteration (O(n^2) each); from below, so callers leave a margin. `work` (length n) is overwritten.
 */
function powerMaxInverse(L: Float64Array, n: number, work: Float64Array): number {
  const v = work;
  for (let i = 0; i < n; i++) v[i] = 1 + 0.01 * (i % 7);
  let est = 0;
  for (let it = 0; it < 20; it++) {
    let nv = 0;
    for (let i = 0; i < n; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    for (let i = 0; i < n; i++) v[i] /= nv;
    cholSolve(L, n, v);
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    est = Math.sqrt(s);
  }
  return est > 0 && Number.isFinite(est) ? est : 1;
}

// ---------------------------------------------------------------------------------------------
// Verification (independent of the solver's internal state)
// ---------------------------------------------------------------------------------------------

/** Shape check: shift of integers of length n, cut arrays of the length of theta. A reason, or null. */
function certificateShapeError(cert: SdpCertificate, n: number): string | null {
  const { shift, cutCoord, cutKind, cutAnchor, theta } = cert;
  if (!Array.isArray(shift) || shift.length !== n) return 'shift must have length n';
  for (const v of shift) if (!Number.isInteger(v) || Math.abs(v) > 2 ** 40) return 'shift must be integers';
  const m = Array.isArray(theta) ? theta.length : -1;
  if (m < 0 || !Array.isArray(cutCoord) || !Array.isArray(cutKind) || !Array.isArray(cutAnchor) || cutCoord.length !== m || cutKind.length !== m || cutAnchor.length !== m)
    return 'cut arrays must all have the length of theta';
  return null;
}

/**
 * Cut validity: multipliers finite and >= 0, each cut on an active coordinate (the shared `cutCoordinates`), of a
 * known kind (+1 integer-anchored, -1 box cut, only in an `sdp-box-dual`). Reduced coordinates, or a reason.
 */
function checkCuts(cert: SdpCertificate, red: Reduced): Int32Array | string {
  const { cutCoord, cutKind, cutAnchor, theta } = cert;
  return cutCoordinates(theta, cutCoord, red.active, red.n, red.na, (k) => {
    if (cutKind[k] === 1) {
      if (!Number.isInteger(cutAnchor[k]) || Math.abs(cutAnchor[k]) > 2 ** 40) return `cutAnchor[${k}] must be an integer`;
    } else if (cutKind[k] !== -1) return `cutKind[${k}] must be +1 or -1`;
    if (cutKind[k] === -1 && cert.type !== 'sdp-box-dual') return 'box cuts need type sdp-box-dual';
    return null;
  });
}

/** Per-coordinate sums of the multipliers: d = sum theta s, |.| bounds, counts, lin = sum theta b; constant terms. */
interface MultiplierSums extends DiagonalSums {
  lin: Float64Array;
  constAbs: number;
}

function multiplierSums(cuts: Cuts, theta: readonly number[], na: number): MultiplierSums {
  const sums: MultiplierSums = { d: new Float64Array(na), dAbs: new Float64Array(na), cnt: new Int32Array(na), lin: new Float64Array(na), constAbs: 0 };
  for (let k = 0; k < cuts.m; k++) {
    const i = cuts.coord[k];
    sums.d[i] += theta[k] * cuts.s[k];
    sums.dAbs[i] += theta[k];
    sums.cnt[i]++;
    sums.lin[i] += theta[k] * cuts.b[k];
    sums.constAbs += Math.abs(theta[k] * cuts.e[k]);
  }
  return sums;
}

/**
 * Dual value with rounding slack: `min L >= L(x) - ||grad L(x)||^2 / (4 eps)`, with every sum's rounding error
 * subtracted (normalised units).
 */
function dualValueWithSlack(P: Float64Array, tt: Float64Array, cuts: Cuts, theta: readonly number[], x: Float64Array, sums: MultiplierSums, eps: number, na: number): number {
  const m = cuts.m;
  const q = quadraticPart(P, tt, x, na);
  let cutVal = 0;
  let cutAbs = 0;
  const gradCut = new Float64Array(na);
  const gradCutAbs = new Float64Array(na);
  for (let k = 0; k < m; k++) {
    const i = cuts.coord[k];
    const y = x[i];
    const th = theta[k];
    cutVal += th * (cuts.s[k] * y * y + cuts.b[k] * y + cuts.e[k]);
    cutAbs += th * (y * y + Math.abs(cuts.b[k] * y) + Math.abs(cuts.e[k]));
    gradCut[i] += th * (2 * cuts.s[k] * y + cuts.b[k]);
    gradCutAbs[i] += th * (2 * Math.abs(y) + Math.abs(cuts.b[k]));
  }
  const Lval = q.quad - cutVal;
  const Lslack = gamma(na + m + 8) * (q.quadAbs + cutAbs) + gamma(4) * sums.constAbs;
  const rho2 = gradientNorm2Bound(q, gradCut, gradCutAbs, na, m);
  return Lval - Lslack - rho2 / (4 * eps);
}

/** Correct beta for the rounding of t = w/s and of tt = t - a (|delta t_i| <= 2u (|t_i| + |tt_i|)); error units, rounded down. */
export function errorUnitsBound(red: Reduced, tt: Float64Array, beta: number): number {
  const na = red.na;
  const dt = new Float64Array(na);
  for (let i = 0; i < na; i++) dt[i] = 2.02 * U * (Math.abs(red.t[i]) + Math.abs(tt[i]));
  return errorUnitsBoundFrom(red.P, dt, na, red.unit, beta);
}

/**
 * Recompute the bound of an SDP-dual certificate from the problem and the certificate alone:
 * check the cuts, factor `M - (eps + delta) I` by Cholesky (delta: a floating-point slack for forming and
 * factoring M), solve for the minimiser x^ of the Lagrangian L, and return
 * `L(x^) - ||grad L(x^)||^2 / (4 eps)` minus rounding slacks, corrected for the rounding of t = w/s and
 * converted to error units, rounded down. Never throws on a malformed certificate: returns valid = false.
 */
export function verifySdpCertificate(problem: QuantizationProblem, certificate: Certificate): VerifyResult {
  const bad = (reason: string): VerifyResult => ({ valid: false, bound: 0, reason });
  try {
    checkQuantProblem(problem);
  } catch (e) {
    return bad(`invalid problem: ${(e as Error).message}`);
  }
  const cert = certificate as SdpCertificate;
  if (cert.type !== 'sdp-dual' && cert.type !== 'sdp-box-dual') return bad(`unknown certificate type '${String(cert.type)}'`);
  const red = reduce(problem);
  const na = red.na;
  const shapeError = certificateShapeError(cert, red.n);
  if (shapeError !== null) return bad(shapeError);
  if (na === 0) return { valid: true, bound: 0 }; // f is identically 0
  if (cert.theta.length === 0) return { valid: true, bound: 0 }; // trivial certificate: error >= 0
  const { shift, cutKind, cutAnchor, theta, eps } = cert;
  if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) return bad('eps must be a positive number');
  const coordR = checkCuts(cert, red);
  if (typeof coordR === 'string') return bad(coordR);
  const a = new Float64Array(na);
  for (let i = 0; i < na; i++) a[i] = shift[red.active[i]];
  const cuts = buildCuts(coordR, cutKind, cutAnchor, a, red.lo, red.hi);
  // shifted target tt = t - a, Lagrangian L(y) = (y - tt)^T P (y - tt) - sum theta_k phi_k(y_i)
  const tt = new Float64Array(na);
  for (let i = 0; i < na; i++) tt[i] = red.t[i] - a[i];
  const sums = multiplierSums(cuts, theta, na);
  const M = assembleWithMargin(red.P, sums, eps, na);
  if (M === null) return bad('M - eps I is not positive definite (multipliers infeasible or eps too large)');
  const half = new Float64Array(na);
  for (let i = 0; i < na; i++) half[i] = 0.5 * sums.lin[i];
  const x = lagrangianMinimiser(M, red.P, tt, half, na);
  if (typeof x === 'string') return bad(x);
  const beta = dualValueWithSlack(red.P, tt, cuts, theta, x, sums, eps, na);
  if (!Number.isFinite(beta)) return bad('non-finite bound');
  return { valid: true, bound: errorUnitsBound(red, tt, beta) };
}

// ---------------------------------------------------------------------------------------------
// Barrier Newton method on the dual
// ---------------------------------------------------------------------------------------------

export interface DualSolveOptions {
  /** Include box cuts (and integrality cuts at the box-clamped anchor). */
  box: boolean;
  relTol?: number;
  maxNewton?: number;
  timeLimitMs?: number;
  /** Absolute deadline (performance.now() units); overrides timeLimitMs (lets the caller count its preprocessing). */
  deadlineAt?: number;
  /** The solve's Deadline (overrides deadlineAt and timeLimitMs); its clock times every phase (tests inject one). */
  deadline?: Deadline;
  /** tau growth per centring. */
  mu?: number;
  /** Centring tolerance on the squared Newton decrement. */
  innerTol?: number;
  /** 'auto' (default: barrier, primal-dual when the barrier stalls), 'pd' (primal-dual only) or 'barrier'. */
  method?: 'auto' | 'pd' | 'barrier';
  /** Diagnostics: called after each centring with (tau, Newton steps so far, dual value). */
  trace?: (tau: number, steps: number, g: number, note?: string) => void;
}

export interface DualSolution {
  /** Certified lower bound in error units (from verifySdpCertificate), and the certificate. */
  bound: number;
  certificate: SdpCertificate;
  /** Primal reconstruction: y = x (shifted origin), Y = x x^T + H/tau; mean x (full z units) and covariance (reduced). */
  mean: Float64Array | null;
  cov: Float64Array | null;
  red: Reduced;
  newtonSteps: number;
  status: 'converged' | 'iteration_limit' | 'time_limit' | 'singular' | 'trivial';
  /** Relative gap between primal reconstruction and dual value. */
  relGap: number;
  /**
   * Objective (error units) of a primal-feasible point of the relaxation repaired from the reconstruction
   * (`feasiblePrimalValue`): the relaxation optimum lies in [bound, primalBound] up to rounding.
   */
  primalBound: number;
}

/** The default cut set: integrality cut at the origin floor(t), plus box cuts and cuts at the clamped anchor. */
function defaultCuts(red: Reduced, box: boolean): { shiftR: Float64Array; coord: number[]; kind: number[]; anchor: number[] } {
  const na = red.na;
  const shiftR = new Float64Array(na);
  for (let i = 0; i < na; i++) shiftR[i] = Math.floor(red.t[i]);
  const coord: number[] = [];
  const kind: number[] = [];
  const anchor: number[] = [];
  for (let i = 0; i < na; i++) {
    coord.push(i);
    kind.push(1);
    anchor.push(shiftR[i]);
  }
  if (box) {
    for (let i = 0; i < na; i++) {
      if (red.hi > red.lo) {
        coord.push(i);
        kind.push(-1);
        anchor.push(0);
      }
      const ac = Math.min(Math.max(shiftR[i], red.lo), Math.max(red.lo, red.hi - 1));
      if (ac !== shiftR[i]) {
        coord.push(i);
        kind.push(1);
        anchor.push(ac);
      }
    }
  }
  return { shiftR, coord, kind, anchor };
}

/** The dual in shifted coordinates y = z - shiftR (normalised units); fixed during a solve. */
interface DualProblem {
  red: Reduced;
  type: SdpCertificateType;
  na: number;
  m: number;
  P: Float64Array;
  cuts: Cuts;
  kind: number[];
  anchor: number[];
  shiftR: Float64Array;
  /** floor(t) in the original coordinates (the certificate's shift). */
  shiftFull: number[];
  /** tt = t - shiftR, Ptt = P tt, rt = tt^T P tt, trP = trace(P). */
  tt: Float64Array;
  Ptt: Float64Array;
  rt: number;
  trP: number;
}

function fullShift(red: Reduced): number[] {
  const shiftFull = new Array<number>(red.n);
  for (let i = 0; i < red.n; i++) shiftFull[i] = Math.floor(red.tFull[i]);
  return shiftFull;
}

/** Cuts and shifted data of the dual (red.na > 0). */
function dualProblem(red: Reduced, box: boolean, shiftFull: number[]): DualProblem {
  const na = red.na;
  const { shiftR, coord, kind, anchor } = defaultCuts(red, box);
  const cuts = buildCuts(coord, kind, anchor, shiftR, red.lo, red.hi);
  const P = red.P;
  const tt = new Float64Array(na);
  for (let i = 0; i < na; i++) tt[i] = red.t[i] - shiftR[i];
  // r~ and q~ = P (a - t) = -P tt
  const Ptt = new Float64Array(na);
  let rt = 0;
  for (let i = 0; i < na; i++) {
    let s = 0;
    for (let j = 0; j < na; j++) s += P[i * na + j] * tt[j];
    Ptt[i] = s;
    rt += tt[i] * s;
  }
  let trP = 0;
  for (let i = 0; i < na; i++) trP += P[i * na + i];
  return { red, type: box ? 'sdp-box-dual' : 'sdp-dual', na, m: cuts.m, P, cuts, kind, anchor, shiftR, shiftFull, tt, Ptt, rt, trP };
}

function emptyCertificate(type: SdpCertificateType, shiftFull: number[]): SdpCertificate {
  return { type, shift: shiftFull, cutCoord: [], cutKind: [], cutAnchor: [], theta: [], eps: 0, dualValue: 0, primalValue: NaN, primalInfeasibility: NaN };
}

/** The certificate of multipliers th with margin eps (values in error units). */
function toCertificate(dp: DualProblem, th: Float64Array, eps: number, g: number, primal: number, infeas: number): SdpCertificate {
  const { red, kind, anchor } = dp;
  return {
    type: dp.type,
    shift: dp.shiftFull,
    cutCoord: Array.from(dp.cuts.coord, (i) => red.active[i]),
    cutKind: kind.slice(),
    cutAnchor: anchor.map((p, k) => (kind[k] > 0 ? p : 0)),
    theta: Array.from(th),
    eps,
    dualValue: g * red.unit,
    primalValue: primal * red.unit,
    primalInfeasibility: infeas,
  };
}

/**
 * Time budget of a solve. The unit is tEval, the measured time of one evaluation of g (forming M, one
 * Cholesky, two triangular solves); a step is started only if it and the final certification (one evaluation
 * + the verifier's two factorisations) still fit.
 */
class DualClock {
  tEval = 0;
  readonly limited: boolean;
  /** The verification of the final multipliers may use a little of the allowed overrun. */
  readonly grace: number;
  /** Absolute end on the Deadline's clock (Infinity: no limit). */
  readonly deadline: number;
  /** Polled inside every factorisation of M: past deadline + grace an evaluation gives up (undefined without a limit). */
  readonly hardStop: { expired(): boolean } | undefined;
  constructor(readonly dl: Deadline) {
    this.deadline = dl.end;
    this.limited = dl.limited;
    this.grace = this.limited ? 0.04 * dl.limitMs + 50 : 0;
    this.hardStop = this.limited ? { expired: () => this.now() >= this.deadline + this.grace } : undefined;
  }
  /** The Deadline's clock (performance.now unless a test injected one). */
  now(): number {
    return this.dl.now();
  }
  certReserve(): number {
    return this.limited ? 6 * this.tEval + 5 : 0;
  }
  fits(costMs: number): boolean {
    return !this.limited || this.now() + costMs + this.certReserve() <= this.deadline;
  }
}

/**
 * Why the barrier method stopped: still running, not run (method 'pd'), gap target met, a limit, the Newton
 * matrix or the line search failed, or handed over to the primal-dual method (Newton matrix ill-conditioned).
 */
type BarrierStop = 'running' | 'skipped' | 'gap_met' | 'iteration_limit' | 'time_limit' | 'newton_failed' | 'line_search_failed' | 'handover';

type F64 = Float64Array<ArrayBuffer>;

/** Multipliers, the factor of M at them, and the barrier method's work buffers and counters. */
class DualState {
  readonly L: F64;
  readonly H: F64;
  readonly Wk: F64;
  readonly A: F64;
  readonly Acopy: F64;
  readonly c: F64;
  readonly x: F64;
  readonly d: F64;
  readonly grad: F64;
  readonly step: F64;
  readonly phi: F64;
  readonly dphi: F64;
  readonly theta: F64;
  readonly trial: F64;
  readonly prevTheta: F64;
  /** Dual value at theta (after an evaluation at theta). */
  g = NaN;
  tau = 0;
  newton = 0;
  lastAlpha = 1;
  /** Newton matrices that needed a diagonal shift. */
  regularised = 0;
  /** Duration of the last Newton step. */
  tStep = 0;
  /** L, x, g correspond to theta. */
  fresh = true;
  /** prevTheta holds the previous centring's multipliers (for the predictor). */
  havePrev = false;
  /** A centring ended without meeting its tolerance (or the barrier handed over). */
  stalled = false;
  stop: BarrierStop = 'running';

  constructor(
    readonly dp: DualProblem,
    readonly clock: DualClock,
    readonly opts: DualSolveOptions,
  ) {
    const { na, m } = dp;
    this.L = new Float64Array(na * na);
    this.H = new Float64Array(na * na);
    this.Wk = new Float64Array(na * na);
    this.A = new Float64Array(m * m);
    this.Acopy = new Float64Array(m * m);
    this.c = new Float64Array(na);
    this.x = new Float64Array(na);
    this.d = new Float64Array(na);
    this.grad = new Float64Array(m);
    this.step = new Float64Array(m);
    this.phi = new Float64Array(m);
    this.dphi = new Float64Array(m);
    this.theta = new Float64Array(m);
    this.trial = new Float64Array(m);
    this.prevTheta = new Float64Array(m);
  }

  /** Factor M(th) into L, compute x, return g (or NaN if M is not PD); times the evaluation. */
  evalAt(th: Float64Array): number {
    const te = this.clock.now();
    const gv = this.evalRaw(th);
    const dt = this.clock.now() - te;
    this.clock.tEval = this.clock.tEval === 0 ? dt : 0.7 * this.clock.tEval + 0.3 * dt;
    return gv;
  }

  private evalRaw(th: Float64Array): number {
    const { na, m, cuts, P, Ptt, rt } = this.dp;
    const { d, c, L, x } = this;
    d.fill(0);
    for (let i = 0; i < na; i++) c[i] = -Ptt[i];
    let ce = 0;
    for (let k = 0; k < m; k++) {
      const i = cuts.coord[k];
      d[i] += th[k] * cuts.s[k];
      c[i] -= 0.5 * th[k] * cuts.b[k];
      ce += th[k] * cuts.e[k];
    }
    L.set(P);
    for (let i = 0; i < na; i++) L[i * na + i] -= d[i];
    // a factorisation still running at the hard stop (deadline + grace) is abandoned: NaN, as for an indefinite M
    if (choleskyInPlaceUntil(L, na, this.clock.hardStop) !== -1) return NaN;
    for (let i = 0; i < na; i++) x[i] = -c[i];
    cholSolve(L, na, x);
    let cx = 0;
    for (let i = 0; i < na; i++) cx += c[i] * x[i];
    return rt - ce + cx;
  }

  /** Barrier objective tau g + sum log theta + log det M (L the factor of M at th). */
  barrierValue(th: Float64Array, gval: number): number {
    const { na, m } = this.dp;
    const L = this.L;
    let s = this.tau * gval;
    for (let k = 0; k < m; k++) s += Math.log(th[k]);
    for (let i = 0; i < na; i++) s += 2 * Math.log(L[i * na + i]);
    return s;
  }
}

/** Strictly feasible start: sets theta and g (g NaN when none was found in time). */
function startMultipliers(s: DualState): void {
  const { red, na, m, P, cuts, kind, anchor, shiftR, trP } = s.dp;
  const { theta, clock } = s;
  if (s.opts.box) {
    // box multipliers scaled to the curvature: 0.4 P_ii / (zmax - zmin)^2 (a unit start made the constant
    // term -theta e_k dominate g; this start needs ~30% fewer Newton steps and stalls less often)
    const span = Math.max(red.hi - red.lo, 1);
    for (let k = 0; k < m; k++)
      theta[k] = cuts.s[k] < 0 ? (0.4 * Math.max(P[cuts.coord[k] * (na + 1)], (1e-6 * trP) / na, 1e-300)) / (span * span) : kind[k] > 0 && anchor[k] === shiftR[cuts.coord[k]] ? 0.5 : 0.25;
    s.g = s.evalAt(theta);
    let tries = 0;
    while (!Number.isFinite(s.g) && tries < 60 && clock.fits(clock.tEval)) {
      for (let k = 0; k < m; k++) if (cuts.s[k] > 0) theta[k] *= 0.5;
      s.g = s.evalAt(theta);
      tries++;
    }
    return;
  }
  let alpha = 0.5;
  for (let tries = 0; tries < 45 && (tries === 0 || clock.fits(clock.tEval)); tries++) {
    for (let k = 0; k < m; k++) theta[k] = alpha * Math.max(P[cuts.coord[k] * (na + 1)], 1e-300);
    s.g = s.evalAt(theta);
    // demand a margin: M must be clearly PD for the barrier to make progress
    if (Number.isFinite(s.g)) {
      let minPiv = Infinity;
      for (let i = 0; i < na; i++) minPiv = Math.min(minPiv, s.L[i * na + i] ** 2);
      if (minPiv > 1e-12) break;
    }
    s.g = NaN;
    alpha *= 0.5;
  }
}

/**
 * Newton system at theta (L, x current): gradient of the barrier objective into grad, Newton matrix into A,
 * factored (with a small diagonal shift if rounding made it lose definiteness). False if it cannot be factored.
 */
function newtonSystem(s: DualState): boolean {
  const { na, m, cuts } = s.dp;
  const { L, H, Wk, A, Acopy, x, phi, dphi, grad, theta, tau } = s;
  cholInverse(L, na, H, Wk);
  for (let k = 0; k < m; k++) {
    const y = x[cuts.coord[k]];
    phi[k] = cuts.s[k] * y * y + cuts.b[k] * y + cuts.e[k];
    dphi[k] = 2 * cuts.s[k] * y + cuts.b[k];
    grad[k] = -tau * phi[k] + 1 / theta[k] - cuts.s[k] * H[cuts.coord[k] * (na + 1)];
  }
  for (let k = 0; k < m; k++) {
    const i = cuts.coord[k];
    const hk = 0.5 * tau * dphi[k];
    for (let l = 0; l <= k; l++) {
      const hij = H[i * na + cuts.coord[l]];
      const v = hk * hij * dphi[l] + cuts.s[k] * cuts.s[l] * hij * hij;
      A[k * m + l] = v;
      A[l * m + k] = v;
    }
    A[k * m + k] += 1 / (theta[k] * theta[k]);
  }
  Acopy.set(A);
  if (choleskyInPlace(A, m) < 0) return true;
  s.regularised++;
  let maxA = 0;
  for (let k = 0; k < m; k++) maxA = Math.max(maxA, Acopy[k * m + k]);
  for (const rel of [1e-12, 1e-9, 1e-6]) {
    A.set(Acopy);
    for (let k = 0; k < m; k++) A[k * m + k] += rel * maxA;
    if (choleskyInPlace(A, m) < 0) return true;
  }
  return false;
}

/**
 * Backtracking line search along step: keeps theta > 0 (fraction to the boundary) and M PD; Armijo condition
 * (maximisation). On acceptance trial holds the new multipliers, g and lastAlpha are updated.
 */
function lineSearch(s: DualState, dec2: number): 'accepted' | 'time_limit' | 'failed' {
  const { m } = s.dp;
  const { theta, step, trial, clock } = s;
  const lam = Math.sqrt(Math.max(dec2, 0));
  const damped = lam > 0.25 ? 1 / (1 + lam) : 1;
  // in the damped phase start the backtracking at 4x the last accepted step (saves Cholesky attempts on an
  // indefinite M)
  let alpha = Math.min(1, 4 * s.lastAlpha);
  for (let k = 0; k < m; k++) if (step[k] < 0) alpha = Math.min(alpha, -0.995 * theta[k] / step[k]);
  const phi0 = s.barrierValue(theta, s.g);
  for (let bt = 0; bt < 50; bt++) {
    if (bt > 0 && !clock.fits(clock.tEval)) return 'time_limit';
    for (let k = 0; k < m; k++) trial[k] = theta[k] + alpha * step[k];
    const gt = s.evalAt(trial);
    if (Number.isFinite(gt)) {
      const phi1 = s.barrierValue(trial, gt);
      // a step no longer than the damped Newton step is always safe for a self-concordant function, so
      // accept it when rounding blurs the comparison
      if (phi1 >= phi0 + 0.01 * alpha * dec2 || alpha <= damped) {
        s.g = gt;
        s.lastAlpha = alpha;
        return 'accepted';
      }
    }
    alpha *= 0.5;
  }
  return 'failed';
}

/** One centring at tau (damped Newton, at most 30 steps, until the squared decrement is below tolNow); sets s.stop when the barrier must stop. */
function centre(s: DualState, tolNow: number, maxNewton: number): void {
  const { na, m } = s.dp;
  const { opts, clock } = s;
  for (let inner = 0; inner < 30; inner++) {
    if (s.newton >= maxNewton) {
      s.stop = 'iteration_limit';
      return;
    }
    // a Newton step costs an inverse (~6 evaluations), the m x m factorisation and the line search
    if (!clock.fits(s.tStep > 0 ? s.tStep : clock.tEval * (8 + (m / na) ** 3))) {
      s.stop = 'time_limit';
      return;
    }
    const tS = clock.now();
    if (!s.fresh) s.g = s.evalAt(s.theta); // refresh L, x
    s.fresh = false;
    if (!newtonSystem(s)) {
      opts.trace?.(s.tau, s.newton, s.g, 'newton matrix not PD');
      s.stop = 'newton_failed';
      return;
    }
    s.step.set(s.grad);
    cholSolve(s.A, m, s.step);
    let dec2 = 0;
    for (let k = 0; k < m; k++) dec2 += s.grad[k] * s.step[k];
    s.newton++;
    opts.trace?.(s.tau, s.newton, dec2, 'step');
    const ls = lineSearch(s, dec2);
    if (ls === 'time_limit') {
      s.stop = 'time_limit';
      return;
    }
    if (ls === 'failed') {
      opts.trace?.(s.tau, s.newton, s.g, 'line search failed');
      s.g = s.evalAt(s.theta);
      s.stop = 'line_search_failed';
      return;
    }
    s.theta.set(s.trial);
    s.fresh = true;
    s.tStep = clock.now() - tS;
    if (dec2 < tolNow) return;
    if (inner === 29) s.stalled = true;
    // the Newton matrix keeps losing definiteness (M near-singular, H = M^-1 inaccurate): the regularised
    // steps barely move (decrement stuck), so hand over to the primal-dual method now instead of spending
    // 30 steps in every remaining centring
    if (s.regularised >= 4 && (opts.method === undefined || opts.method === 'auto')) {
      s.stalled = true;
      s.stop = 'handover';
      opts.trace?.(s.tau, s.newton, dec2, 'newton matrix ill-conditioned: switching to primal-dual');
      return;
    }
  }
}

/**
 * Predictor before raising tau: on the central path theta(tau) ~ theta* + C / tau, so extrapolate
 * theta(mu tau) ~ theta + (theta - theta_prev) / mu; keep it only if strictly feasible.
 */
function predictCentre(s: DualState, mu: number): void {
  const { m } = s.dp;
  const { theta, trial, prevTheta, clock } = s;
  if (s.havePrev && clock.fits(2 * clock.tEval)) {
    for (let k = 0; k < m; k++) trial[k] = theta[k] + (theta[k] - prevTheta[k]) / mu;
    let pos = true;
    for (let k = 0; k < m; k++) if (!(trial[k] > 0.01 * theta[k])) pos = false;
    prevTheta.set(theta);
    if (pos) {
      const gt = s.evalAt(trial);
      if (Number.isFinite(gt)) {
        theta.set(trial);
        s.g = gt;
        s.fresh = true;
      } else {
        s.g = s.evalAt(theta);
        s.fresh = true;
      }
    }
  } else prevTheta.set(theta);
  s.havePrev = true;
}

/** Path following: centre, stop at the gap target (m + na + 1) / tau <= max(relTol |g|, absTol), else raise tau. */
function runBarrier(s: DualState, relTol: number, absTol: number, maxNewton: number): void {
  const { na, m } = s.dp;
  const mu = s.opts.mu ?? 16;
  const innerTol = s.opts.innerTol ?? 1e-3;
  while (s.stop === 'running') {
    // intermediate centrings stop at a looser decrement (the next tau increase dominates the off-centre
    // error), the final one at innerTol
    const finalCentring = (m + na + 1) / s.tau <= Math.max(relTol * Math.abs(s.g), absTol) * 1.5;
    centre(s, finalCentring ? innerTol : Math.max(innerTol, 0.1), maxNewton);
    s.opts.trace?.(s.tau, s.newton, s.g);
    if (s.stop !== 'running') break;
    const gapEst = (m + na + 1) / s.tau;
    if (gapEst <= Math.max(relTol * Math.abs(s.g), absTol)) {
      s.stop = 'gap_met';
      break;
    }
    predictCentre(s, mu);
    s.tau *= mu;
  }
}

/** The primal-dual method's accepted result: its primal matrix X and the total iteration count. */
interface PdHandover {
  X: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * Primal-dual interior point from the barrier's starting multipliers theta0; its multipliers replace theta
 * when their dual value is better. Returns the accepted result (null if not run, failed or not better);
 * updates s.status.
 */
function handOverToPd(s: DualState, theta0: Float64Array, relTol: number, maxNewton: number, status: DualSolution['status']): { pd: PdHandover | null; status: DualSolution['status'] } {
  const { na, m, P, Ptt, rt, trP, cuts } = s.dp;
  const { clock, opts } = s;
  const useBarrier = opts.method !== 'pd';
  const { C, N, cuts: pc } = liftedSdp(P, Ptt, rt, na, cuts.coord, cuts.s, cuts.b, cuts.e);
  const th0 = Float64Array.from(theta0);
  for (let k = 0; k < m; k++) if (!(th0[k] > 0)) th0[k] = 1e-6;
  const g0 = s.evalAt(th0);
  if (!Number.isFinite(g0)) return { pd: null, status };
  const pd = solvePd(C, N, pc, th0, pdStartLambda(g0, trP, rt, na), {
    maxIter: Math.min(maxNewton, 100),
    relTol: Math.min(relTol, 1e-9) * 0.1,
    // an iteration costs a few (n+1)^3 products and factorisations, ~12 evaluations of g
    deadline: clock.limited ? clock.deadline - clock.certReserve() - 3 * clock.tEval : Infinity,
    now: () => clock.now(),
    iterEstimateMs: 12 * clock.tEval,
  });
  const gB = useBarrier ? s.evalAt(s.theta) : -Infinity;
  const gP = pd && (pd.converged || useBarrier) ? s.evalAt(pd.theta) : NaN;
  let accepted: PdHandover | null = null;
  if (pd && Number.isFinite(gP) && !(gP <= gB)) {
    s.theta.set(pd.theta);
    accepted = { X: pd.X, iterations: s.newton + pd.iterations, converged: pd.converged };
    status = pd.converged ? 'converged' : status;
  }
  if (!(pd && pd.converged)) {
    opts.trace?.(s.tau, 0, g0, `primal-dual method ${pd ? 'did not converge' : 'failed'}`);
    if (!useBarrier) status = 'iteration_limit';
  }
  return { pd: accepted, status };
}

/** Primal reconstruction (x, x x^T + H/tau) at the final multipliers, or the primal-dual method's own point. */
interface Reconstruction {
  primal: number;
  infeas: number;
  mean: Float64Array | null;
  cov: Float64Array | null;
  primalBound: number;
}

function reconstructPrimal(s: DualState, pdX: Float64Array | null, pdIters: number): Reconstruction {
  const { red, na, m, P, tt, cuts, shiftR } = s.dp;
  const { x, H } = s;
  s.g = s.evalAt(s.theta);
  cholInverse(s.L, na, H, s.Wk);
  if (pdX) {
    // the primal-dual method's own primal point: x = X[0, 1:], covariance Y - x x^T (as tau^-1 H)
    // (normalised by X_00, which the infeasible-start method meets only up to its residual)
    const N = na + 1;
    s.tau = 1;
    const x00 = pdX[0] > 0 ? pdX[0] : 1;
    for (let i = 0; i < na; i++) x[i] = pdX[i + 1] / x00;
    for (let i = 0; i < na; i++) for (let j = 0; j < na; j++) H[i * na + j] = pdX[(i + 1) * N + j + 1] / x00 - x[i] * x[j];
    s.newton = pdIters;
  }
  const tau = s.tau;
  let primal = 0;
  for (let i = 0; i < na; i++) {
    let sum = 0;
    for (let j = 0; j < na; j++) sum += P[i * na + j] * (x[j] - tt[j]);
    primal += (x[i] - tt[i]) * sum;
  }
  let trPH = 0;
  for (let i = 0; i < na * na; i++) trPH += P[i] * H[i];
  primal += trPH / tau;
  let infeas = 0;
  for (let k = 0; k < m; k++) {
    const i = cuts.coord[k];
    const y = x[i];
    const val = cuts.s[k] * (y * y + H[i * na + i] / tau) + cuts.b[k] * y + cuts.e[k];
    if (-val > infeas) infeas = -val;
  }
  const mean = new Float64Array(na);
  for (let i = 0; i < na; i++) mean[i] = x[i] + shiftR[i];
  const cov = new Float64Array(na * na);
  for (let i = 0; i < na * na; i++) cov[i] = H[i] / tau;
  const primalBound = feasiblePrimalValue(P, tt, cuts, x, cov, na, shiftR, red.lo, red.hi) * red.unit;
  return { primal, infeas, mean, cov, primalBound };
}

/**
 * Certification: pick eps from the spectrum estimate (||M^-1||_F, or power iteration when time is short or
 * `quick`), shrink the (+) multipliers if needed, and keep the certificate the verifier accepts.
 */
function certify(s: DualState, problem: QuantizationProblem, quick: boolean, primal: number, infeas: number): { bound: number; cert: SdpCertificate } {
  const dp = s.dp;
  const { na, m, cuts } = dp;
  const { theta, clock, H } = s;
  let best: { bound: number; cert: SdpCertificate } = { bound: 0, cert: emptyCertificate(dp.type, dp.shiftFull) };
  const thTry = new Float64Array(m);
  // the verifier costs two factorisations
  const verifyFits = (): boolean => !clock.limited || clock.now() + 2.5 * clock.tEval <= clock.deadline + clock.grace;
  for (const shrink of [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2]) {
    if (clock.limited && clock.now() + 3.5 * clock.tEval > clock.deadline + clock.grace) break;
    for (let k = 0; k < m; k++) thTry[k] = cuts.s[k] > 0 ? theta[k] * (1 - shrink) : theta[k];
    const gv = s.evalAt(thTry);
    if (!Number.isFinite(gv)) continue;
    if (quick && shrink === 0) s.g = gv;
    let eps: number;
    // an inverse costs ~6 evaluations (measured at n = 400)
    if (!quick && (!clock.limited || clock.now() + 9 * clock.tEval <= clock.deadline)) {
      // lambda_min(M) >= 1 / ||M^{-1}||_F
      cholInverse(s.L, na, H, s.Wk);
      let fro = 0;
      for (let i = 0; i < na * na; i++) fro += H[i] * H[i];
      eps = 0.5 / Math.sqrt(fro);
    } else eps = 0.25 / powerMaxInverse(s.L, na, s.x);
    let res: VerifyResult = { valid: false, bound: 0 };
    for (let e = 0; e < 4 && !res.valid && verifyFits(); e++) {
      res = verifySdpCertificate(problem, toCertificate(dp, thTry, eps, s.g, primal, infeas));
      eps *= 0.25;
    }
    if (res.valid && res.bound > best.bound) best = { bound: res.bound, cert: toCertificate(dp, thTry, eps * 4, s.g, primal, infeas) };
    if (res.valid) break;
  }
  return best;
}

/** Barrier status from why it stopped (the primal-dual phase may still change it). */
function barrierStatus(stop: BarrierStop): DualSolution['status'] {
  return stop === 'iteration_limit' ? 'iteration_limit' : stop === 'time_limit' ? 'time_limit' : 'converged';
}

export function solveSdpDual(problem: QuantizationProblem, opts: DualSolveOptions): DualSolution {
  const now0 = performance.now();
  const dl =
    opts.deadline ??
    (opts.deadlineAt !== undefined ? new Deadline(opts.deadlineAt - now0, { clock: () => performance.now(), start: now0 }) : new Deadline(opts.timeLimitMs));
  const red = reduce(problem);
  const type: SdpCertificateType = opts.box ? 'sdp-box-dual' : 'sdp-dual';
  const shiftFull = fullShift(red);
  if (red.na === 0) return { bound: 0, certificate: emptyCertificate(type, shiftFull), mean: null, cov: null, red, newtonSteps: 0, status: 'trivial', relGap: 0, primalBound: 0 };
  const dp = dualProblem(red, opts.box, shiftFull);
  const { na, m, trP, rt } = dp;
  const relTol = opts.relTol ?? 1e-8;
  const absTol = 1e-13 * (trP + rt);
  const maxNewton = opts.maxNewton ?? 400;
  const clock = new DualClock(dl);
  const s = new DualState(dp, clock, opts);
  startMultipliers(s);
  if (!Number.isFinite(s.g)) {
    const st = clock.limited && !clock.fits(clock.tEval) ? 'time_limit' : 'singular';
    return { bound: 0, certificate: emptyCertificate(type, shiftFull), mean: null, cov: null, red, newtonSteps: 0, status: st, relGap: Infinity, primalBound: Infinity };
  }
  s.tau = (m + na + 1) / Math.max(Math.abs(s.g), 1e-3 * (trP + rt) / (na + 1), 1e-300);
  const theta0 = Float64Array.from(s.theta);
  if (opts.method === 'pd') s.stop = 'skipped';
  runBarrier(s, relTol, absTol, maxNewton);
  let status = barrierStatus(s.stop);
  // primal-dual interior point: with method 'pd', or when the barrier method stalled in a centring
  // (its Newton decrement stuck) or stopped early; the multipliers with the better dual value are kept
  let pd: PdHandover | null = null;
  if (opts.method === 'pd' || (opts.method !== 'barrier' && (s.stalled || status !== 'converged') && s.stop !== 'time_limit' && clock.fits(20 * clock.tEval)))
    ({ pd, status } = handOverToPd(s, theta0, relTol, maxNewton, status));
  // the barrier handed over early and the primal-dual method did not improve on it: the gap target was not met
  if (s.stop === 'handover' && !pd?.converged && status === 'converged') status = 'iteration_limit';
  // under a time limit with too little time left for the reconstruction (an evaluation and an inverse) and
  // the certification by an inverse, certify the final multipliers only (eps by power iteration)
  const quick = clock.limited && !clock.fits(12 * clock.tEval);
  if (quick && status === 'converged') status = 'time_limit';
  const rec: Reconstruction = quick
    ? { primal: NaN, infeas: NaN, mean: null, cov: null, primalBound: Infinity }
    : reconstructPrimal(s, pd ? pd.X : null, pd ? pd.iterations : 0);
  const best = certify(s, problem, quick, rec.primal, rec.infeas);
  const denom = Math.max(Math.abs(s.g), absTol);
  return {
    bound: best.bound,
    certificate: best.cert,
    mean: rec.mean,
    cov: rec.cov,
    red,
    newtonSteps: s.newton,
    status,
    relGap: quick ? Infinity : Math.abs(rec.primal - s.g) / denom,
    primalBound: rec.primalBound,
  };
}

const SDP_OPTIONS = defineOptions({
  relTol: { type: 'number', min: 0, exclusiveMin: true, max: 1, help: 'relative duality-gap target of the barrier method (default 1e-9)' },
});

function sdpSolve(problem: QuantizationProblem, options: SolveOptions, box: boolean): SolveResult {
  // the limit counts from the solver's entry (input checks included)
  const deadline = new Deadline(options.timeLimitMs);
  checkQuantProblem(problem);
  const sol = solveSdpDual(problem, {
    box,
    relTol: resolveExtras(SDP_OPTIONS, options.extra, box ? 'sdp-box' : 'sdp').relTol,
    maxNewton: options.iterationLimit,
    deadline,
  });
  const name = box ? 'sdp-box' : 'sdp';
  const st = sol.status === 'iteration_limit' ? 'iteration_limit' : sol.status === 'time_limit' ? 'time_limit' : 'bound_only';
  let message: string | undefined;
  if (sol.status === 'singular') message = 'P - diag(lambda) has no strictly feasible multiplier (singular G): reporting the trivial bound 0';
  else if (sol.status !== 'trivial') message = `dual value ${sol.certificate.dualValue.toExponential(6)}, primal reconstruction ${sol.certificate.primalValue.toExponential(6)} (relative gap ${sol.relGap.toExponential(2)})`;
  return makeResult({
    solver: name,
    problem: problem.name,
    problemClass: 'quantization',
    lowerBound: sol.bound,
    upperBound: Infinity,
    solution: null,
    status: st,
    stats: { timeMs: deadline.elapsed(), iterations: sol.newtonSteps, nodes: 0, relGapSdp: sol.relGap },
    certificate: sol.certificate,
    message,
  });
}

export const sdpSolver: QuantizationSolver = {
  name: 'sdp',
  problemClass: 'quantization',
  role: 'bound',
  description: "Park-Boyd SDP lower bound (paper's relaxation, no box) via its Lagrangian dual, certified by Cholesky",
  options: SDP_OPTIONS,
  capabilities: ['timeLimit', 'iterationLimit'],
  solve: (p, o = {}) => sdpSolve(p, o, false),
};

export const sdpBoxSolver: QuantizationSolver = {
  name: 'sdp-box',
  problemClass: 'quantization',
  role: 'bound',
  description: 'Park-Boyd SDP lower bound with box cuts (z-zmin)(zmax-z) >= 0, via its dual, certified by Cholesky',
  options: SDP_OPTIONS,
  capabilities: ['timeLimit', 'iterationLimit'],
  solve: (p, o = {}) => sdpSolve(p, o, true),
};
