/**
 * sdp-lll: the Park–Boyd SDP relaxation with cuts on integer LINEAR FORMS, set up in an LLL-reduced basis.
 *
 * For any integer vector f and integer z, `f^T z` is an integer, so `(f^T z - p)(f^T z - p - 1) >= 0` holds for
 * every integer anchor p (integrality cut); on the box zmin <= z <= zmax, `f^T z` lies in the integer interval
 * [lo_f, hi_f] (lo_f = sum_j min(f_j zmin, f_j zmax), hi_f likewise), so `(f^T z - lo_f)(hi_f - f^T z) >= 0`
 * (interval cut). With z = U u (U unimodular from the LLL reduction of G, u = U^{-1} z integer) the cut set is:
 *  - on z: integrality cuts and the box cuts of `sdp-box` (forms e_i);
 *  - on u: integrality cuts on every u_j (forms = rows of U^{-1}) and the outer box of U^{-1}[zmin, zmax]^n
 *    (interval cuts on the same forms).
 * Each cut is `sigma (l - p)(l - q) >= 0`, l = f^T z. For multipliers theta >= 0 the Lagrangian
 * `L(z) = f(z) - sum_k theta_k cut_k(z)` is below f on feasible points, so `min over real z of L` is a lower bound
 * (weak duality); it is finite when `M = P - sum_k theta_k sigma_k f_k f_k^T` is positive definite.
 *
 * The multipliers are found by a barrier Newton method in the u basis (better conditioned: Q = U^T P U); the
 * certificate is stated in the original coordinates (integer forms, anchors, theta, a margin eps) and
 * `verifySdpLllCertificate` re-checks it from scratch: Cholesky of M - (eps + delta) I (delta: rounding slack),
 * the Lagrangian's minimiser x, and `L(x) - ||grad L(x)||^2 / (4 eps)` with every rounding error subtracted.
 */
import { Deadline, makeResult } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { Certificate, QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { choleskyInPlace, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { checkQuantProblem, factorisationSpeed, reduce, U as UNIT_ROUNDOFF, type Reduced } from './common.js';
import { congruence, lllGram } from './reduction.js';
import { errorUnitsBound } from './sdp.js';

const EPSM = UNIT_ROUNDOFF;
const gamma = (k: number): number => (k * EPSM) / (1 - k * EPSM);

/** Certificate of an sdp-lll bound (original coordinates). */
export interface SdpLllCertificate extends Certificate {
  readonly type: 'sdp-lll-dual';
  /** Integer origin of the computation (length n); any integers give a valid bound. */
  readonly shift: number[];
  /** Integer linear forms (length n each, zero on the inactive coordinates). */
  readonly forms: number[][];
  /** Form of each cut (index into forms). */
  readonly cutForm: number[];
  /** +1: integrality cut (f^T z - p)(f^T z - p - 1) >= 0; -1: interval cut (f^T z - lo_f)(hi_f - f^T z) >= 0. */
  readonly cutKind: number[];
  /** Anchor p of an integrality cut (0 for interval cuts). */
  readonly cutAnchor: number[];
  /** Multipliers (>= 0). */
  readonly theta: number[];
  /** Claimed margin lambda_min(B^T M B) >= eps (normalised units, M = G_AA / kappa - sum theta sigma f f^T; B = I without a basis). */
  readonly eps: number;
  /**
   * Optional integer basis B (n x n, z = B u; the LLL basis): the verifier certifies lambda_min(B^T M B) >= eps
   * and bounds the Lagrangian's minimum in u coordinates. It changes only the numerics, not the validity.
   */
  readonly basis?: number[][];
  /** Dual value in error units as computed by the solver (informative). */
  readonly dualValue: number;
}

const MAX_FORM_ENTRY = 2 ** 20;

/** Cut data in some coordinates: forms F (m x na, dense), sign, roots p <= q (shifted). */
interface CutData {
  m: number;
  F: Float64Array;
  sigma: Float64Array;
  p: Float64Array;
  q: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/**
 * Re-check an sdp-lll certificate from the problem alone and return the bound it proves (error units, rounded
 * down), or valid = false with a reason. Never throws.
 */
export function verifySdpLllCertificate(problem: QuantizationProblem, certificate: Certificate): { valid: boolean; bound: number; reason?: string } {
  const bad = (reason: string) => ({ valid: false, bound: 0, reason });
  try {
    checkQuantProblem(problem);
  } catch (e) {
    return bad(`invalid problem: ${(e as Error).message}`);
  }
  const cert = certificate as SdpLllCertificate;
  if (cert.type !== 'sdp-lll-dual') return bad(`unknown certificate type '${String(cert.type)}'`);
  const red = reduce(problem);
  const { n, na } = red;
  const { shift, forms, cutForm, cutKind, cutAnchor, theta, eps } = cert;
  if (!Array.isArray(shift) || shift.length !== n) return bad('shift must have length n');
  for (const v of shift) if (!Number.isInteger(v) || Math.abs(v) > 2 ** 30) return bad('shift must be integers');
  if (!Array.isArray(theta) || !Array.isArray(cutForm) || !Array.isArray(cutKind) || !Array.isArray(cutAnchor)) return bad('cut arrays missing');
  const m = theta.length;
  if (cutForm.length !== m || cutKind.length !== m || cutAnchor.length !== m) return bad('cut arrays must all have the length of theta');
  if (na === 0 || m === 0) return { valid: true, bound: 0 };
  if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) return bad('eps must be a positive number');
  if (!Array.isArray(forms)) return bad('forms must be an array');
  const fs = readForms(red, forms, shift);
  if (typeof fs === 'string') return bad(fs);
  const cuts = readCuts(fs, na, theta, cutForm, cutKind, cutAnchor);
  if (typeof cuts === 'string') return bad(cuts);
  // the optional basis (active block; integers, so that B^T f is exact)
  const B = cert.basis === undefined ? null : readBasis(red, cert.basis, fs);
  if (typeof B === 'string') return bad(B);
  const tt = new Float64Array(na);
  for (let a = 0; a < na; a++) tt[a] = red.t[a] - shift[red.active[a]];
  const beta = certifiedDualValue(red.P, tt, cuts, theta, eps, na, B);
  if (typeof beta === 'string') return bad(beta);
  return { valid: true, bound: errorUnitsBound(red, tt, beta) };
}

/** The forms restricted to the active coordinates (Fa, nf x na), their exact value at the shift, and their box interval. */
interface FormData {
  nf: number;
  Fa: Float64Array;
  fShift: Float64Array;
  fLo: Float64Array;
  fHi: Float64Array;
}

/** Check the certificate's forms (integers, exact sums, zero off the active set) and tabulate them; a reason when one fails. */
function readForms(red: Reduced, forms: number[][], shift: number[]): FormData | string {
  const { n, na } = red;
  const inactive = new Uint8Array(n).fill(1);
  for (let a = 0; a < na; a++) inactive[red.active[a]] = 0;
  // forms restricted to the active coordinates, their exact value at the shift, and their box interval
  const nf = forms.length;
  const Fa = new Float64Array(nf * na);
  const fShift = new Float64Array(nf);
  const fLo = new Float64Array(nf);
  const fHi = new Float64Array(nf);
  for (let f = 0; f < nf; f++) {
    const row = forms[f];
    if (!Array.isArray(row) || row.length !== n) return `forms[${f}] must have length n`;
    let c = 0;
    let lo = 0;
    let hi = 0;
    let l1 = 0;
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (!Number.isInteger(v) || Math.abs(v) > MAX_FORM_ENTRY) return `forms[${f}] must be integers of magnitude <= 2^20`;
      if (v !== 0 && inactive[j]) return `forms[${f}] uses the inactive coordinate ${j}`;
      c += v * shift[j];
      lo += Math.min(v * red.lo, v * red.hi);
      hi += Math.max(v * red.lo, v * red.hi);
      l1 += Math.abs(v);
    }
    // every partial sum is an integer below 2^53 in magnitude: exact
    if (l1 * 2 ** 31 > 2 ** 52) return `forms[${f}] too large`;
    fShift[f] = c;
    fLo[f] = lo;
    fHi[f] = hi;
  }
  for (let f = 0; f < nf; f++) for (let a = 0; a < na; a++) Fa[f * na + a] = forms[f][red.active[a]];
  return { nf, Fa, fShift, fLo, fHi };
}

/** The cuts in shifted coordinates (forms restricted to the active block, roots p <= q); a reason when one is malformed. */
function readCuts(fd: FormData, na: number, theta: number[], cutForm: number[], cutKind: number[], cutAnchor: number[]): CutData | string {
  const { nf, Fa, fShift, fLo, fHi } = fd;
  const m = theta.length;
  const cuts: CutData = { m, F: new Float64Array(m * na), sigma: new Float64Array(m), p: new Float64Array(m), q: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    const th = theta[k];
    if (!(typeof th === 'number' && Number.isFinite(th) && th >= 0)) return `theta[${k}] must be finite and >= 0`;
    const f = cutForm[k];
    if (!Number.isInteger(f) || f < 0 || f >= nf) return `cutForm[${k}] out of range`;
    cuts.F.set(Fa.subarray(f * na, (f + 1) * na), k * na);
    if (cutKind[k] === 1) {
      const p = cutAnchor[k];
      if (!Number.isInteger(p) || Math.abs(p) > 2 ** 40) return `cutAnchor[${k}] must be an integer`;
      cuts.sigma[k] = 1;
      cuts.p[k] = p - fShift[f];
      cuts.q[k] = p - fShift[f] + 1;
    } else if (cutKind[k] === -1) {
      cuts.sigma[k] = -1;
      cuts.p[k] = fLo[f] - fShift[f];
      cuts.q[k] = fHi[f] - fShift[f];
    } else return `cutKind[${k}] must be +1 or -1`;
  }
  return cuts;
}

/** The basis's active block as a dense na x na matrix, checked small enough that B^T f stays exact; a reason otherwise. */
function readBasis(red: Reduced, basis: number[][], fd: FormData): Float64Array | string {
  const { n, na } = red;
  const { nf, Fa } = fd;
  if (!Array.isArray(basis) || basis.length !== n) return 'basis must be an n x n integer matrix';
  const B = new Float64Array(na * na);
  let maxCol = 0;
  for (let a = 0; a < na; a++) {
    const row = basis[red.active[a]];
    if (!Array.isArray(row) || row.length !== n) return 'basis must be an n x n integer matrix';
    for (let b = 0; b < na; b++) {
      const v = row[red.active[b]];
      if (!Number.isInteger(v) || Math.abs(v) > MAX_FORM_ENTRY) return 'basis entries must be integers of magnitude <= 2^20';
      B[a * na + b] = v;
    }
  }
  for (let b = 0; b < na; b++) {
    let s = 0;
    for (let a = 0; a < na; a++) s += Math.abs(B[a * na + b]);
    maxCol = Math.max(maxCol, s);
  }
  for (let f = 0; f < nf; f++) {
    let l1 = 0;
    for (let a = 0; a < na; a++) l1 = Math.max(l1, Math.abs(Fa[f * na + a]));
    if (l1 * maxCol > 2 ** 52) return 'basis too large for the forms';
  }
  return B;
}
/**
 * The certified value (normalised units) of min over real y of L(y) = (y - tt)^T P (y - tt) - sum theta_k phi_k(y),
 * phi_k(y) = sigma_k (f_k^T y - p_k)(f_k^T y - q_k), with rounding slacks; a reason when the check fails.
 * The minimum is bounded in the coordinates y = B u (B: any invertible matrix, the LLL basis when given, where M
 * is far better conditioned): with M_u = B^T M B certified to have lambda_min >= eps, at any point z~,
 * `min L >= L(z~) - ||B^T grad L(z~)||^2 / (4 eps)`. B only changes the numerics, never the validity.
 */
function certifiedDualValue(P: Float64Array, tt: Float64Array, cuts: CutData, theta: ArrayLike<number>, eps: number, na: number, B: Float64Array | null): number | string {
  const { Gf, Q, Qabs } = basisSystem(P, cuts, na, B);
  const M = certifiedDualMatrix(Q, Qabs, Gf, cuts, theta, eps, na);
  if (typeof M === 'string') return M;
  const x = lagrangianMinimiser(P, tt, M, Gf, cuts, theta, na, B);
  if (typeof x === 'string') return x;
  return certifiedLagrangianBound(P, tt, x, cuts, theta, eps, na, B);
}

/** The cut forms g_k = B^T f_k and Q = B^T P B (with |B|^T |P| |B|) in the basis coordinates (B = I: the forms and P). */
function basisSystem(P: Float64Array, cuts: CutData, na: number, B: Float64Array | null): { Gf: Float64Array; Q: Float64Array; Qabs: Float64Array } {
  const { m, F } = cuts;
  // g_k = B^T f_k (exact: integers below 2^53, checked by the caller), Q = B^T P B with |B|^T |P| |B|
  const Gf = B ? new Float64Array(m * na) : F;
  let Q: Float64Array;
  let Qabs: Float64Array;
  if (B) {
    for (let k = 0; k < m; k++)
      for (let i = 0; i < na; i++) {
        const fi = F[k * na + i];
        if (fi === 0) continue;
        for (let j = 0; j < na; j++) Gf[k * na + j] += fi * B[i * na + j];
      }
    const PB = new Float64Array(na * na);
    const PBabs = new Float64Array(na * na);
    for (let i = 0; i < na; i++)
      for (let l = 0; l < na; l++) {
        const pv = P[i * na + l];
        if (pv === 0) continue;
        for (let j = 0; j < na; j++) {
          const b = B[l * na + j];
          if (b === 0) continue;
          PB[i * na + j] += pv * b;
          PBabs[i * na + j] += Math.abs(pv * b);
        }
      }
    Q = new Float64Array(na * na);
    Qabs = new Float64Array(na * na);
    for (let i = 0; i < na; i++)
      for (let l = 0; l < na; l++) {
        const b = B[l * na + i];
        if (b === 0) continue;
        for (let j = 0; j < na; j++) {
          Q[i * na + j] += b * PB[l * na + j];
          Qabs[i * na + j] += Math.abs(b) * PBabs[l * na + j];
        }
      }
  } else {
    Q = Float64Array.from(P);
    Qabs = P.map(Math.abs);
  }
  return { Gf, Q, Qabs };
}

/**
 * M_u = Q - sum theta sigma g g^T, certified to satisfy M_u - eps I > 0 with the rounding slack of forming it and of
 * the Cholesky factorisation; a reason when the check fails. Overwrites Qabs (the entrywise sum of |terms|).
 */
function certifiedDualMatrix(Q: Float64Array, Qabs: Float64Array, Gf: Float64Array, cuts: CutData, theta: ArrayLike<number>, eps: number, na: number): Float64Array | string {
  const { m, sigma } = cuts;
  // M_u = Q - sum theta sigma g g^T and the entrywise sum of |terms| (for the rounding error of forming M_u)
  const M = Float64Array.from(Q);
  const Mabs = Qabs;
  const idx = new Int32Array(na);
  for (let k = 0; k < m; k++) {
    const th = theta[k];
    if (th === 0) continue;
    let c = 0;
    for (let a = 0; a < na; a++) if (Gf[k * na + a] !== 0) idx[c++] = a;
    const ts = th * sigma[k];
    for (let ii = 0; ii < c; ii++) {
      const i = idx[ii];
      const gi = Gf[k * na + i];
      for (let jj = 0; jj < c; jj++) {
        const j = idx[jj];
        const v = gi * Gf[k * na + j];
        M[i * na + j] -= ts * v;
        Mabs[i * na + j] += th * Math.abs(v);
      }
    }
  }
  let formErr2 = 0;
  let maxDiag = 0;
  const gForm = gamma(2 * na + m + 6);
  for (let i = 0; i < na; i++) {
    maxDiag = Math.max(maxDiag, Math.abs(M[i * na + i]) + eps);
    for (let j = 0; j < na; j++) {
      const e = gForm * Mabs[i * na + j];
      formErr2 += e * e;
    }
  }
  // |error of forming M_u|_2 <= its Frobenius norm; Cholesky backward error <= gamma(na + 2) na max diag
  const delta = 2 * (Math.sqrt(formErr2) * (1 + 1e-6) + 1.01 * gamma(na + 2) * na * maxDiag + 4 * EPSM * maxDiag);
  const A = Float64Array.from(M);
  for (let i = 0; i < na; i++) A[i * na + i] -= eps + delta;
  if (choleskyInPlace(A, na) >= 0) return 'M - eps I is not positive definite (multipliers infeasible or eps too large)';
  return M;
}

/** A minimiser x (original coordinates) of the Lagrangian: any point gives a valid bound, an accurate one a tight bound. */
function lagrangianMinimiser(P: Float64Array, tt: Float64Array, M: Float64Array, Gf: Float64Array, cuts: CutData, theta: ArrayLike<number>, na: number, B: Float64Array | null): Float64Array | string {
  const { m, sigma, p, q } = cuts;
  // a minimiser (any point gives a valid bound; an accurate one a tight bound): M_u u = B^T P tt - 1/2 sum theta sigma (p + q) g
  const L = Float64Array.from(M);
  if (choleskyInPlace(L, na) >= 0) return 'Cholesky of M failed';
  const Ptt = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    for (let j = 0; j < na; j++) s += P[i * na + j] * tt[j];
    Ptt[i] = s;
  }
  const u = new Float64Array(na);
  for (let j = 0; j < na; j++) {
    if (!B) u[j] = Ptt[j];
    else {
      let s = 0;
      for (let i = 0; i < na; i++) s += B[i * na + j] * Ptt[i];
      u[j] = s;
    }
  }
  for (let k = 0; k < m; k++) {
    const c = -0.5 * theta[k] * sigma[k] * (p[k] + q[k]);
    if (c === 0) continue;
    for (let a = 0; a < na; a++) u[a] += c * Gf[k * na + a];
  }
  cholSolve(L, na, u);
  let x = u;
  if (B) {
    x = new Float64Array(na);
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let j = 0; j < na; j++) s += B[i * na + j] * u[j];
      x[i] = s;
    }
  }
  for (let i = 0; i < na; i++) if (!Number.isFinite(x[i])) return 'non-finite minimiser';
  return x;
}

/** `L(x) - ||B^T grad L(x)||^2 / (4 eps)` with every rounding error subtracted (normalised units); a reason when non-finite. */
function certifiedLagrangianBound(P: Float64Array, tt: Float64Array, x: Float64Array, cuts: CutData, theta: ArrayLike<number>, eps: number, na: number, B: Float64Array | null): number | string {
  const { m, F, sigma, p, q } = cuts;
  // L(x) and grad L(x) with error bounds
  const v = new Float64Array(na);
  for (let i = 0; i < na; i++) v[i] = x[i] - tt[i];
  const vErr = new Float64Array(na);
  for (let i = 0; i < na; i++) vErr[i] = EPSM * Math.abs(v[i]);
  let quad = 0;
  let quadAbs = 0;
  const grad = new Float64Array(na);
  const gradErr = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    let sa = 0;
    for (let j = 0; j < na; j++) {
      s += P[i * na + j] * v[j];
      sa += Math.abs(P[i * na + j]) * (Math.abs(v[j]) + vErr[j]);
    }
    quad += v[i] * s;
    quadAbs += (Math.abs(v[i]) + vErr[i]) * sa;
    grad[i] = 2 * s;
    gradErr[i] = 2 * (gamma(na + 2) * sa + sa * 2 * EPSM);
  }
  let quadErr = gamma(2 * na + 4) * quadAbs + 4 * EPSM * quadAbs;
  let cutSum = 0;
  let cutErr = 0;
  for (let k = 0; k < m; k++) {
    const th = theta[k];
    if (th === 0) continue;
    let l = 0;
    let la = 0;
    for (let a = 0; a < na; a++) {
      const fa = F[k * na + a];
      if (fa === 0) continue;
      l += fa * x[a];
      la += Math.abs(fa * x[a]);
    }
    const lErr = gamma(na + 2) * la;
    const d1 = l - p[k];
    const d2 = l - q[k];
    const term = th * sigma[k] * d1 * d2;
    cutSum += term;
    // |phi(l~) - phi(l)| <= theta (|d1| + |d2| + lErr) lErr, plus the rounding of the product
    cutErr += th * (Math.abs(d1) + Math.abs(d2) + lErr) * lErr + gamma(6) * th * (Math.abs(d1) + EPSM * Math.abs(l) + EPSM * Math.abs(p[k])) * (Math.abs(d2) + EPSM * Math.abs(l) + EPSM * Math.abs(q[k])) + gamma(m + 2) * Math.abs(term);
    const gk = th * sigma[k] * (d1 + d2);
    const gkErr = th * 2 * lErr + gamma(4) * th * (Math.abs(d1) + Math.abs(d2) + 2 * EPSM * (Math.abs(l) + Math.abs(p[k]) + Math.abs(q[k])));
    for (let a = 0; a < na; a++) {
      const fa = F[k * na + a];
      if (fa === 0) continue;
      grad[a] -= gk * fa;
      gradErr[a] += gkErr * Math.abs(fa) * (1 + gamma(2)) + gamma(m + 4) * (Math.abs(gk) + gkErr) * Math.abs(fa);
    }
  }
  quadErr += cutErr;
  const Lval = quad - cutSum;
  // |grad_z| bounded entrywise, then |B^T grad_z| <= |B|^T (that bound)
  const gz = new Float64Array(na);
  for (let a = 0; a < na; a++) gz[a] = (Math.abs(grad[a]) + gradErr[a] + gamma(2 * m + 4) * Math.abs(grad[a])) * (1 + 4 * EPSM);
  let rho2 = 0;
  for (let j = 0; j < na; j++) {
    let r = gz[j];
    if (B) {
      r = 0;
      for (let i = 0; i < na; i++) r += Math.abs(B[i * na + j]) * gz[i];
      r *= 1 + gamma(na + 2);
    }
    rho2 += r * r;
  }
  const beta = Lval - quadErr - gamma(m + 4) * Math.abs(Lval) - (rho2 * (1 + gamma(na + 4))) / (4 * eps);
  if (!Number.isFinite(beta)) return 'non-finite bound';
  return beta;
}

// ---------------------------------------------------------------------------------------------
// The solver
// ---------------------------------------------------------------------------------------------

/** The computation's setup: basis, forms and cuts in the u basis and in the original coordinates. */
interface Setup {
  red: Reduced;
  na: number;
  /** U (z = U u) and its inverse, na x na integer matrices (identity when the reduction was skipped). */
  Ub: Float64Array;
  Uinv: Float64Array;
  lll: boolean;
  /** Q = U^T P U, target su = U^{-1} t - b0 in shifted u coordinates. */
  Q: Float64Array;
  su: Float64Array;
  /** Integer origin in z (active coordinates): a0 = U b0. */
  a0: Float64Array;
  /** Cuts in shifted u coordinates. */
  cuts: CutData;
  /** Per cut: index of its form among [e_1..e_na (z), rows of U^{-1} (u)], kind, anchor (unshifted). */
  form: Int32Array;
  kind: Int8Array;
  anchor: Float64Array;
}

export function buildSetup(red: Reduced, lllStop: { expired(): boolean } | undefined, useLll: boolean, uCuts: boolean): Setup {
  const na = red.na;
  const { Ub, Uinv, lll } = lllBasis(red, lllStop, useLll);
  const Q = lll ? congruence(red.P, Ub, na) : Float64Array.from(red.P);
  // u target s = U^{-1} t, origin b0 = round(s), a0 = U b0 (integers)
  const s = new Float64Array(na);
  for (let j = 0; j < na; j++) {
    let v = 0;
    for (let i = 0; i < na; i++) v += Uinv[j * na + i] * red.t[i];
    s[j] = v;
  }
  const b0 = s.map((v) => Math.round(v));
  const a0 = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let v = 0;
    for (let j = 0; j < na; j++) v += Ub[i * na + j] * b0[j];
    a0[i] = v;
  }
  // su = U^{-1} (t - a0) (the u target in shifted coordinates; computed from t - a0 for accuracy)
  const su = new Float64Array(na);
  for (let j = 0; j < na; j++) {
    let v = 0;
    for (let i = 0; i < na; i++) v += Uinv[j * na + i] * (red.t[i] - a0[i]);
    su[j] = v;
  }
  const { form, kind, anchor } = cutList(red, Uinv, s, lll && uCuts);
  const cuts = cutsInU(red, Ub, Uinv, a0, form, kind, anchor);
  return { red, na, Ub, Uinv, lll, Q, su, a0, cuts, form: Int32Array.from(form), kind: Int8Array.from(kind), anchor: Float64Array.from(anchor) };
}

/** The LLL basis U of P and its inverse (identity when not asked for, when na <= 1, or when the reduction fails or its entries are too large). */
function lllBasis(red: Reduced, lllStop: { expired(): boolean } | undefined, useLll: boolean): { Ub: Float64Array; Uinv: Float64Array; lll: boolean } {
  const na = red.na;
  let Ub = new Float64Array(na * na);
  let Uinv = new Float64Array(na * na);
  for (let i = 0; i < na; i++) Ub[i * na + i] = Uinv[i * na + i] = 1;
  let lll = false;
  if (useLll && na > 1) {
    const r = lllGram(red.P, na, 0.99, 50 * na * na + 1000, lllStop);
    let maxEntry = 0;
    if (r !== null) for (let i = 0; i < na * na; i++) maxEntry = Math.max(maxEntry, Math.abs(r.U[i]), Math.abs(r.Uinv[i]));
    // the certificate's forms and basis must stay small integers (the verifier's exact arithmetic)
    if (r !== null && maxEntry <= MAX_FORM_ENTRY) {
      Ub = Float64Array.from(r.U);
      Uinv = Float64Array.from(r.Uinv);
      lll = true;
    }
  }
  return { Ub, Uinv, lll };
}

/** The cuts (form index among [e_1..e_na (z), rows of U^{-1} (u)], kind +1 integrality / -1 interval, unshifted anchor); u cuts only when uCuts. */
function cutList(red: Reduced, Uinv: Float64Array, s: Float64Array, uCuts: boolean): { form: number[]; kind: number[]; anchor: number[] } {
  const na = red.na;
  const { lo, hi } = red;
  const form: number[] = [];
  const kind: number[] = [];
  const anchor: number[] = [];
  const add = (f: number, k: number, p: number) => {
    form.push(f);
    kind.push(k);
    anchor.push(p);
  };
  // z cuts (forms e_i): integrality at floor(t_i) and at the clamped anchor, box
  for (let i = 0; i < na; i++) {
    const fl = Math.floor(red.t[i]);
    add(i, 1, fl);
    const ac = Math.min(Math.max(fl, lo), Math.max(lo, hi - 1));
    if (ac !== fl) add(i, 1, ac);
    add(i, -1, 0);
  }
  // u cuts (forms = rows of U^{-1}): integrality at floor(s_j), clamped into the outer box, and the outer box
  if (uCuts) {
    for (let j = 0; j < na; j++) {
      let flo = 0;
      let fhi = 0;
      let unit = true;
      for (let i = 0; i < na; i++) {
        const v = Uinv[j * na + i];
        flo += Math.min(v * lo, v * hi);
        fhi += Math.max(v * lo, v * hi);
        if (v !== 0 && (Math.abs(v) !== 1 || i !== j)) unit = false;
      }
      if (unit && Uinv[j * na + j] === 1) continue; // the same form as e_j: already cut
      const fl = Math.floor(s[j]);
      add(na + j, 1, fl);
      const ac = Math.min(Math.max(fl, flo), Math.max(flo, fhi - 1));
      if (ac !== fl) add(na + j, 1, ac);
      add(na + j, -1, 0);
    }
  }
  return { form, kind, anchor };
}

/** The cuts in shifted u coordinates: each form written in u, its value at the origin a0 and its box interval give the roots. */
function cutsInU(red: Reduced, Ub: Float64Array, Uinv: Float64Array, a0: Float64Array, form: number[], kind: number[], anchor: number[]): CutData {
  const { na, lo, hi } = red;
  const m = form.length;
  const cuts: CutData = { m, F: new Float64Array(m * na), sigma: new Float64Array(m), p: new Float64Array(m), q: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    const f = form[k];
    // the form in u coordinates: e_i (z) -> row i of U; row j of U^{-1} (u) -> e_j
    if (f < na) for (let j = 0; j < na; j++) cuts.F[k * na + j] = Ub[f * na + j];
    else cuts.F[k * na + (f - na)] = 1;
    // the form's value at the origin (integer), and its box interval
    let c = 0;
    let flo = 0;
    let fhi = 0;
    for (let i = 0; i < na; i++) {
      const v = f < na ? (i === f ? 1 : 0) : Uinv[(f - na) * na + i];
      c += v * a0[i];
      flo += Math.min(v * lo, v * hi);
      fhi += Math.max(v * lo, v * hi);
    }
    if (kind[k] > 0) {
      cuts.sigma[k] = 1;
      cuts.p[k] = anchor[k] - c;
      cuts.q[k] = anchor[k] - c + 1;
    } else {
      cuts.sigma[k] = -1;
      cuts.p[k] = flo - c;
      cuts.q[k] = fhi - c;
    }
  }
  return cuts;
}

/** Barrier Newton method on the dual in the u basis. */
type F64 = Float64Array<ArrayBuffer>;

export class DualSolver {
  readonly na: number;
  readonly m: number;
  readonly L: F64;
  readonly H: F64;
  readonly work: F64;
  readonly FH: F64;
  readonly W: F64;
  readonly A: F64;
  readonly x: F64;
  readonly h: F64;
  readonly theta: F64;
  readonly trial: F64;
  readonly grad: F64;
  readonly step: F64;
  readonly phi: F64;
  readonly dphi: F64;
  g = NaN;
  tau = 1;
  newton = 0;
  rt: number;
  readonly Qs: F64;

  constructor(
    readonly su: Setup,
    readonly deadline: Deadline,
  ) {
    const na = (this.na = su.na);
    const m = (this.m = su.cuts.m);
    this.L = new Float64Array(na * na);
    this.H = new Float64Array(na * na);
    this.work = new Float64Array(na * na);
    this.FH = new Float64Array(m * na);
    this.W = new Float64Array(m * m);
    this.A = new Float64Array(m * m);
    this.x = new Float64Array(na);
    this.h = new Float64Array(na);
    this.theta = new Float64Array(m);
    this.trial = new Float64Array(m);
    this.grad = new Float64Array(m);
    this.step = new Float64Array(m);
    this.phi = new Float64Array(m);
    this.dphi = new Float64Array(m);
    const { Q, su: s } = su;
    this.Qs = new Float64Array(na);
    let rt = 0;
    for (let i = 0; i < na; i++) {
      let v = 0;
      for (let j = 0; j < na; j++) v += Q[i * na + j] * s[j];
      this.Qs[i] = v;
      rt += s[i] * v;
    }
    this.rt = rt;
  }

  /** Factor M(th) into L, minimiser into x; g(th) or NaN when M is not PD. */
  evalAt(th: Float64Array): number {
    const { na, m, L, x, h } = this;
    const { F, sigma, p, q } = this.su.cuts;
    L.set(this.su.Q);
    h.set(this.Qs);
    let ce = 0;
    for (let k = 0; k < m; k++) {
      const ts = th[k] * sigma[k];
      if (ts === 0) continue;
      const off = k * na;
      for (let i = 0; i < na; i++) {
        const fi = F[off + i];
        if (fi === 0) continue;
        const c = ts * fi;
        for (let j = 0; j <= i; j++) L[i * na + j] -= c * F[off + j];
        h[i] -= 0.5 * ts * (p[k] + q[k]) * fi;
      }
      ce += ts * p[k] * q[k];
    }
    if (choleskyInPlace(L, na) >= 0) return NaN;
    x.set(h);
    cholSolve(L, na, x);
    let hx = 0;
    for (let i = 0; i < na; i++) hx += h[i] * x[i];
    return this.rt - ce - hx;
  }

  barrier(th: Float64Array, gv: number): number {
    const { na, m, L } = this;
    let s = this.tau * gv;
    for (let k = 0; k < m; k++) s += Math.log(th[k]);
    for (let i = 0; i < na; i++) s += 2 * Math.log(L[i * na + i]);
    return s;
  }

  /** A strictly feasible start: interval multipliers scaled to the curvature, integrality ones inside the PD region. */
  start(): boolean {
    const { na, m, theta } = this;
    const { F, sigma, p, q } = this.su.cuts;
    const Q = this.su.Q;
    let trQ = 0;
    for (let i = 0; i < na; i++) trQ += Q[i * na + i];
    for (let k = 0; k < m; k++) {
      if (sigma[k] > 0) continue;
      let fQf = 0;
      let ff = 0;
      for (let i = 0; i < na; i++) {
        const fi = F[k * na + i];
        if (fi === 0) continue;
        ff += fi * fi;
        for (let j = 0; j < na; j++) fQf += fi * Q[i * na + j] * F[k * na + j];
      }
      const span = Math.max(q[k] - p[k], 1);
      theta[k] = (0.4 * Math.max(fQf, (1e-6 * trQ) / na, 1e-300)) / (ff * ff * span * span);
    }
    // integrality multipliers: theta_k = 0.5 / (m_int f^T M0^{-1} f) keeps M >= M0 / 2
    for (let tries = 0; tries < 40; tries++) {
      if (this.deadline.expired()) return false;
      if (Number.isFinite(this.evalAt(theta))) break;
      for (let k = 0; k < m; k++) if (sigma[k] < 0) theta[k] *= 4;
      if (tries === 39) return false;
    }
    cholInverse(this.L, na, this.H, this.work);
    let mInt = 0;
    for (let k = 0; k < m; k++) if (sigma[k] > 0) mInt++;
    for (let k = 0; k < m; k++) {
      if (sigma[k] < 0) continue;
      let fHf = 0;
      for (let i = 0; i < na; i++) {
        const fi = F[k * na + i];
        if (fi === 0) continue;
        for (let j = 0; j < na; j++) fHf += fi * this.H[i * na + j] * F[k * na + j];
      }
      theta[k] = 0.5 / (mInt * Math.max(fHf, 1e-300));
    }
    this.g = this.evalAt(theta);
    return Number.isFinite(this.g);
  }

  /** Newton system at theta (L, x current); false if the Newton matrix cannot be factored. */
  newtonSystem(): boolean {
    const { na, m, L, H, work, FH, W, A, x, phi, dphi, grad, theta, tau } = this;
    const { F, sigma, p, q } = this.su.cuts;
    cholInverse(L, na, H, work);
    FH.fill(0);
    for (let k = 0; k < m; k++) {
      const off = k * na;
      let l = 0;
      for (let i = 0; i < na; i++) {
        const fi = F[off + i];
        if (fi === 0) continue;
        l += fi * x[i];
        const hi = i * na;
        for (let j = 0; j < na; j++) FH[off + j] += fi * H[hi + j];
      }
      phi[k] = sigma[k] * (l - p[k]) * (l - q[k]);
      dphi[k] = sigma[k] * (2 * l - p[k] - q[k]);
    }
    for (let k = 0; k < m; k++) {
      const ok = k * na;
      for (let l = 0; l <= k; l++) {
        const ol = l * na;
        let s = 0;
        for (let i = 0; i < na; i++) {
          const fi = F[ol + i];
          if (fi !== 0) s += FH[ok + i] * fi;
        }
        W[k * m + l] = s;
        W[l * m + k] = s;
      }
    }
    for (let k = 0; k < m; k++) {
      grad[k] = -tau * phi[k] + 1 / theta[k] - sigma[k] * W[k * m + k];
      for (let l = 0; l <= k; l++) {
        const w = W[k * m + l];
        const v = 0.5 * tau * dphi[k] * dphi[l] * w + sigma[k] * sigma[l] * w * w;
        A[k * m + l] = v;
        A[l * m + k] = v;
      }
      A[k * m + k] += 1 / (theta[k] * theta[k]);
    }
    if (choleskyInPlace(A, m) < 0) return true;
    return false;
  }

  /** Path following until the gap estimate (m + na) / tau <= relTol |g|, a limit, or a failure. */
  run(relTol: number, maxNewton: number): 'converged' | 'iteration_limit' | 'time_limit' | 'stalled' {
    const { na, m, theta, trial, step, grad } = this;
    this.tau = (m + na) / Math.max(Math.abs(this.g), 1e-12 * (this.rt + 1));
    for (;;) {
      // centring
      for (let inner = 0; inner < 50; inner++) {
        if (this.newton >= maxNewton) return 'iteration_limit';
        if (this.deadline.expired()) return 'time_limit';
        this.g = this.evalAt(theta);
        if (!this.newtonSystem()) return 'stalled';
        step.set(grad);
        cholSolve(this.A, m, step);
        let dec2 = 0;
        for (let k = 0; k < m; k++) dec2 += grad[k] * step[k];
        this.newton++;
        if (dec2 < 1e-6) break;
        let alpha = 1;
        for (let k = 0; k < m; k++) if (step[k] < 0) alpha = Math.min(alpha, (-0.99 * theta[k]) / step[k]);
        const phi0 = this.barrier(theta, this.g);
        let accepted = false;
        for (let bt = 0; bt < 40; bt++) {
          for (let k = 0; k < m; k++) trial[k] = theta[k] + alpha * step[k];
          const gt = this.evalAt(trial);
          if (Number.isFinite(gt) && this.barrier(trial, gt) >= phi0 + 0.01 * alpha * dec2) {
            accepted = true;
            break;
          }
          alpha *= 0.5;
        }
        if (!accepted) {
          this.g = this.evalAt(theta);
          return 'stalled';
        }
        theta.set(trial);
        if (dec2 < 1e-3) break;
      }
      this.g = this.evalAt(theta);
      if ((m + na) / this.tau <= relTol * Math.abs(this.g)) return 'converged';
      this.tau *= 8;
    }
  }
}

/** The certificate (original coordinates) of multipliers th with margin eps. */
function toCertificate(su: Setup, th: ArrayLike<number>, eps: number, dualValue: number): SdpLllCertificate {
  const { red, na, Uinv, a0, form, kind, anchor } = su;
  const n = red.n;
  const shift = new Array<number>(n).fill(0);
  for (let a = 0; a < na; a++) shift[red.active[a]] = a0[a];
  // only the forms that are used, renumbered
  const used = new Map<number, number>();
  const forms: number[][] = [];
  const cutForm: number[] = [];
  for (let k = 0; k < form.length; k++) {
    const f = form[k];
    let id = used.get(f);
    if (id === undefined) {
      id = forms.length;
      used.set(f, id);
      const row = new Array<number>(n).fill(0);
      for (let i = 0; i < na; i++) row[red.active[i]] = f < na ? (i === f ? 1 : 0) : Uinv[(f - na) * na + i] + 0;
      forms.push(row);
    }
    cutForm.push(id);
  }
  let basis: number[][] | undefined;
  if (su.lll) {
    basis = [];
    for (let i = 0; i < n; i++) basis.push(new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) basis[i][i] = 1;
    for (let a = 0; a < na; a++) {
      basis[red.active[a]][red.active[a]] = 0;
      for (let b = 0; b < na; b++) basis[red.active[a]][red.active[b]] = su.Ub[a * na + b] + 0;
    }
  }
  return {
    type: 'sdp-lll-dual',
    shift,
    forms,
    ...(basis ? { basis } : {}),
    cutForm,
    cutKind: Array.from(kind),
    cutAnchor: Array.from(anchor, (p, k) => (kind[k] > 0 ? p : 0)),
    theta: Array.from(th),
    eps,
    dualValue,
  };
}

/** lambda_min of M(theta) in the u basis, estimated from below as 1 / ||M^{-1}||_F; 0 if M is not PD. */
function marginEstimate(ds: DualSolver, th: Float64Array<ArrayBuffer>): number {
  const na = ds.na;
  if (!Number.isFinite(ds.evalAt(th))) return 0;
  const H = cholInverse(ds.L, na);
  let fro = 0;
  for (let i = 0; i < na * na; i++) fro += H[i] * H[i];
  return 1 / Math.sqrt(fro);
}

export interface SdpLllSolution {
  bound: number;
  certificate: SdpLllCertificate | null;
  status: 'converged' | 'iteration_limit' | 'time_limit' | 'stalled' | 'singular' | 'trivial' | 'skipped';
  newton: number;
  lll: boolean;
  cuts: number;
  message?: string;
}

/** Solve the sdp-lll dual and certify it (bound in error units, verified by `verifySdpLllCertificate`). */
export function solveSdpLll(problem: QuantizationProblem, opts: { deadline?: Deadline; relTol?: number; maxNewton?: number; lll?: boolean; uCuts?: boolean } = {}): SdpLllSolution {
  const deadline = opts.deadline ?? Deadline.none();
  const red = reduce(problem);
  const na = red.na;
  if (na === 0) return { bound: 0, certificate: null, status: 'trivial', newton: 0, lll: false, cuts: 0 };
  // under a limit: skip what cannot fit (the LLL loop polls the deadline; the dense set-up, a Newton step with
  // m ~ 4 na cuts (~ 2 m^2 na flops) and the certification (a few na^3) cannot be interrupted)
  if (deadline.limited) {
    const speed = factorisationSpeed();
    const mEst = 4 * na;
    const stepMs = (4 * (2 * mEst * mEst * na + 3 * na * na * na + (mEst * mEst * mEst) / 3)) / speed;
    if (deadline.remaining() < 4 * stepMs)
      return { bound: 0, certificate: null, status: 'skipped', newton: 0, lll: false, cuts: 0, message: `a Newton step (~${stepMs.toFixed(0)} ms estimated at n = ${na}) does not fit in the time left` };
  }
  const su = buildSetup(red, deadline.sub(0.3), opts.lll ?? true, opts.uCuts ?? true);
  // the barrier gets 70 % of the time left; the rest is the certification's
  const ds = new DualSolver(su, deadline.sub(0.7));
  if (!ds.start()) {
    const st = deadline.expired() ? 'time_limit' : 'singular';
    return { bound: 0, certificate: null, status: st, newton: 0, lll: su.lll, cuts: su.cuts.m, message: 'no strictly feasible multipliers found' };
  }
  const status = ds.run(opts.relTol ?? 1e-8, opts.maxNewton ?? 300);
  // certification: margin from the spectrum estimate, shrinking the integrality multipliers if needed
  const th = Float64Array.from(ds.theta);
  let best: { bound: number; cert: SdpLllCertificate | null } = { bound: 0, cert: null };
  for (const shrink of [0, 1e-10, 1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]) {
    if (deadline.expired()) break;
    for (let k = 0; k < su.cuts.m; k++) th[k] = su.cuts.sigma[k] > 0 ? ds.theta[k] * (1 - shrink) : ds.theta[k];
    let eps = 0.5 * marginEstimate(ds, th);
    if (!(eps > 0)) continue;
    for (let e = 0; e < 4; e++, eps *= 0.25) {
      const cert = toCertificate(su, th, eps, ds.g * red.unit);
      const v = verifySdpLllCertificate(problem, cert);
      if (v.valid) {
        if (v.bound > best.bound || best.cert === null) best = { bound: v.bound, cert };
        break;
      }
    }
  }
  return { bound: best.bound, certificate: best.cert, status, newton: ds.newton, lll: su.lll, cuts: su.cuts.m };
}

const SDP_LLL_OPTIONS = defineOptions({
  relTol: { type: 'number', min: 0, exclusiveMin: true, max: 1, default: 1e-8, help: 'relative duality-gap target of the barrier method' },
  lll: { type: 'boolean', default: true, help: 'reduce the basis by LLL (false: z cuts only, the sdp-box cut set)' },
});

export const sdpLllSolver: QuantizationSolver = {
  name: 'sdp-lll',
  problemClass: 'quantization',
  role: 'bound',
  description: 'SDP lower bound with integrality and box cuts on z and on the LLL-reduced coordinates u = U^-1 z, via its dual, certified by Cholesky',
  options: SDP_LLL_OPTIONS,
  capabilities: ['timeLimit', 'iterationLimit'],
  solve(problem: QuantizationProblem, options: SolveOptions = {}): SolveResult {
    const deadline = new Deadline(options.timeLimitMs);
    checkQuantProblem(problem);
    const extra = resolveExtras(SDP_LLL_OPTIONS, options.extra, 'sdp-lll');
    const sol = solveSdpLll(problem, { deadline, relTol: extra.relTol, lll: extra.lll, maxNewton: options.iterationLimit });
    const status: SolveResult['status'] =
      sol.status === 'time_limit' || sol.status === 'skipped' ? 'time_limit' : sol.status === 'iteration_limit' ? 'iteration_limit' : 'bound_only';
    return makeResult({
      solver: 'sdp-lll',
      problem: problem.name,
      problemClass: 'quantization',
      lowerBound: sol.bound,
      upperBound: Infinity,
      solution: null,
      status,
      stats: { timeMs: deadline.elapsed(), iterations: sol.newton, nodes: 0, cuts: sol.cuts, lllReduced: sol.lll ? 1 : 0 },
      ...(sol.certificate ? { certificate: sol.certificate } : {}),
      message: sol.message ?? `barrier ${sol.status}${sol.lll ? '' : ' (no LLL basis: z cuts only)'}`,
    });
  },
};
