/**
 * Exact box-constrained integer least squares: Schnorr–Euchner depth-first branch-and-bound with the box
 * enforced per level (Chang–Han zig-zag), V-BLAST ordering, warm start from heuristics, node/time limits
 * with an honest status and the best provable lower bound when a limit stops it.
 */
import { quantErrorOf } from '../../src/core/objective.js';
import { Deadline, gapClosed, makeResult, safeLowerBound } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { QuantizationProblem, SolveOptions, SolveResult, SolveStatus } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { cholesky, cholSolve } from '../../src/linalg/dense.js';
import { checkQuantProblem, expand, factorisationAffordable, factorisationSpeed, reduce, reducedValue, restrict, type Reduced, U } from './common.js';
import { boxAwareOrder, factorInOrder, factorInOrderUntil, vblastOrderUntil, type OrderedFactor } from './lattice.js';
import { congruence, lllGram } from './reduction.js';
import { bestHeuristicPoint } from './heuristics.js';
import { BASIS_CHOLS, cholUnitMs, FACTOR_CHOLS, stepFits, VBLAST_CHOLS } from './budget.js';
import { congruenceError, exactLookahead, remainderBound, type ModelError } from './exact-lookahead.js';
import { enumerateGrid, type EnumerationResult, type Grid, type OpenTerm } from '../grid/enumerate.js';
import { solveSdpDual } from './sdp.js';

/**
 * Expansion point for box-aware node bounds: an (approximate) minimiser x of the continuous box-constrained
 * relaxation, by projected coordinate descent. Any x gives a valid expansion
 * `f(z) = f(x) + sum_i g_i (z_i - x_i) + (z - x)^T P (z - x)`, g = 2 P (x - t); the linear terms are
 * bounded below on the box by m_i = min(g_i (lo - x_i), g_i (hi - x_i)) (= 0 at the exact box-QP optimum).
 */
export function boxExpansionPoint(red: Reduced, maxSweeps = 300, stop?: { expired(): boolean }): Float64Array {
  const { na, P, t, lo, hi } = red;
  const x = new Float64Array(na);
  for (let i = 0; i < na; i++) x[i] = Math.min(Math.max(t[i], lo), hi);
  let inside = true;
  for (let i = 0; i < na; i++) if (x[i] !== t[i]) inside = false;
  if (inside) return x;
  const r = new Float64Array(na); // P (x - t)
  for (let i = 0; i < na; i++) {
    let s = 0;
    for (let j = 0; j < na; j++) s += P[i * na + j] * (x[j] - t[j]);
    r[i] = s;
  }
  const sweeps = (count: number): void => {
    for (let sweep = 0; sweep < count; sweep++) {
      let change = 0;
      for (let i = 0; i < na; i++) {
        const pii = P[i * na + i];
        if (!(pii > 0)) continue;
        let xi = x[i] - r[i] / pii;
        xi = xi < lo ? lo : xi > hi ? hi : xi;
        const dx = xi - x[i];
        if (dx === 0) continue;
        x[i] = xi;
        const off = i * na;
        for (let j = 0; j < na; j++) r[j] += P[off + j] * dx;
        if (Math.abs(dx) > change) change = Math.abs(dx);
      }
      if (change < 1e-13 * (hi - lo + 1)) break;
    }
  };
  const recompute = (): void => {
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let j = 0; j < na; j++) s += P[i * na + j] * (x[j] - t[j]);
      r[i] = s;
    }
  };
  sweeps(Math.min(maxSweeps, 20));
  // primal active-set method: Newton on the free set, stepping only up to the first bound that is hit
  const active = new Uint8Array(na);
  for (let i = 0; i < na; i++) active[i] = (x[i] <= lo && r[i] >= 0) || (x[i] >= hi && r[i] <= 0) ? 1 : 0;
  for (let round = 0; round < 3 * na + 5; round++) {
    // any x in the box is a valid expansion point: stop refining when the deadline is near
    if (stop?.expired()) break;
    const free: number[] = [];
    for (let i = 0; i < na; i++) if (!active[i]) free.push(i);
    const nf = free.length;
    let alpha = 1;
    let block = -1;
    if (nf > 0) {
      const A = new Float64Array(nf * nf);
      const b = new Float64Array(nf);
      for (let a = 0; a < nf; a++) {
        for (let c = 0; c < nf; c++) A[a * nf + c] = P[free[a] * na + free[c]];
        b[a] = -r[free[a]];
      }
      const Lc = cholesky(A, nf);
      if (Lc === null) break;
      cholSolve(Lc, nf, b);
      for (let a = 0; a < nf; a++) {
        const i = free[a];
        if (b[a] > 0 && x[i] + b[a] > hi) {
          const al = (hi - x[i]) / b[a];
          if (al < alpha) { alpha = al; block = i; }
        } else if (b[a] < 0 && x[i] + b[a] < lo) {
          const al = (lo - x[i]) / b[a];
          if (al < alpha) { alpha = al; block = i; }
        }
      }
      for (let a = 0; a < nf; a++) {
        const i = free[a];
        x[i] = Math.min(Math.max(x[i] + alpha * b[a], lo), hi);
      }
      if (block >= 0) x[block] = x[block] > 0.5 * (lo + hi) ? hi : lo;
      recompute();
    }
    if (block >= 0) {
      active[block] = 1;
      continue;
    }
    // optimal on this active set: release one bound whose gradient points into the box
    let rel = -1;
    let worst = 0;
    for (let i = 0; i < na; i++) {
      if (!active[i]) continue;
      const v = x[i] <= lo ? -r[i] : r[i]; // > 0 means the bound is not binding
      if (v > worst) { worst = v; rel = i; }
    }
    if (rel < 0) break;
    active[rel] = 0;
  }
  return x;
}

/**
 * Result of `seSearch` (the shared grid enumeration's): best point (original reduced coordinates) and its
 * normalised value; `lower` is value * (1 - tol) (minus the leaf-evaluation error) when finished, the minimum over
 * the open subtrees (each corrected by the rounding margin, raised by the look-ahead term) when a limit stopped it.
 */
export type SearchResult = EnumerationResult;

/** Lattice-reduced search coordinates: z = U u over all integer u (the box is checked at the leaves). */
export interface ReducedBasis {
  U: Float64Array;
  Uinv: Float64Array;
  /** U^T P U as computed, and Uinv t as computed. */
  Ps: Float64Array;
  ts: Float64Array;
}

const gam = (k: number): number => (k * U) / (1 - k * U);
const BIG = 2 ** 40;

/** |a|^T |P| |b| for row-major P. */
function absForm(P: Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === 0) continue;
    let r = 0;
    for (let j = 0; j < n; j++) r += Math.abs(P[i * n + j]) * Math.abs(b[j]);
    s += Math.abs(a[i]) * r;
  }
  return s;
}

/** Diagonal of P^{-1} (null when P is not numerically positive definite). */
function inverseDiagonal(P: Float64Array, n: number): Float64Array | null {
  const L = cholesky(P, n);
  if (L === null) return null;
  const out = new Float64Array(n);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // (P^{-1})_jj = ||L^{-1} e_j||^2
    y.fill(0);
    y[j] = 1;
    for (let i = j; i < n; i++) {
      let s = y[i];
      for (let k = j; k < i; k++) s -= L[i * n + k] * y[k];
      y[i] = s / L[i * n + i];
    }
    let s = 0;
    for (let i = j; i < n; i++) s += y[i] * y[i];
    out[j] = s;
  }
  return out;
}

/**
 * Depth-first Schnorr–Euchner search over the levels of F, pruning subtrees that provably cannot beat
 * `best * (1 - tol)`. `z0` (original reduced coordinates, feasible) is the warm start.
 *
 * Rounding: the partial costs are computed from a floating-point LDL^T and running sums. For every leaf z with
 * true value below the initial radius R0, |z_j - x_j| <= B_j (the box, or the ellipsoid sqrt(R0 (P^-1)_jj)), and
 * an a priori analysis (standard gamma_k model: backward error of the LDL^T, error of the centres, of the level
 * costs and of the running sums, of the box-QP expansion and, for a reduced basis, of U^T P U and Uinv t) gives
 * `true partial >= computed partial * (1 - marginRel) - marginAbs`. A subtree is pruned only when its computed
 * cost is at least `(best (1 - tol) + marginAbs) / (1 - marginRel)`, so a finished search proves
 * `best * (1 - tol)` (minus the evaluation error of best itself).
 *
 * With `basis`, `red` describes the original problem and the enumeration runs over u in the reduced basis
 * (`F` factors `basis.Ps`), without per-level box limits: leaves outside the box are skipped.
 */
export function seSearch(
  red: Reduced,
  F: OrderedFactor,
  z0: Float64Array,
  opts: {
    tol: number;
    nodeLimit: number;
    deadline: Deadline;
    expansion?: Float64Array | null;
    basis?: ReducedBasis | null;
    /** When a limit stops the search: the budget for raising the open-node bounds by the look-ahead term. */
    refine?: Deadline;
    /** Called every 4096 nodes with the best (normalised) value so far and the node count. */
    onProgress?: (best: number, nodes: number) => void;
  },
): SearchResult {
  const na = red.na;
  const basis = opts.basis ?? null;
  const work = new Float64Array(na);
  const bestZ = Float64Array.from(z0);
  const best = reducedValue(red.P, red.t, bestZ, na, work);
  if (na === 0) return { z: bestZ, value: 0, lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0, marginAbs: 0, marginRel: 0 };
  const ex = expansionTerms(red, F, basis, opts.expansion ?? null);
  const tolR = opts.tol;
  const mg = roundingMargin(red, F, basis, ex, Math.max(best * (1 - tolR), 0));
  const grid: Grid = basis ? { kind: 'integers', lo: -BIG, hi: BIG } : { kind: 'integers', lo: red.lo, hi: red.hi };
  const refineBudget = opts.refine;
  const openTerm = (k: number): OpenTerm | null => {
    if (!refineBudget || na > LOOKAHEAD_MAX_N || !mg.finiteMargin || !lookaheadAffordable(na, refineBudget)) return null;
    const levels: number[] = [];
    for (let l = 0; l <= k && l < na - 1; l++) levels.push(l);
    // at most half of what is left (the sdp-box fallback may need the rest)
    const refine = refineBudget.sub(0.5);
    const look = exactLookahead(basis ? basis.Ps : red.P, F, levels, refine);
    if (look === null) return null;
    const model = basis ? basisModelError(red, F, basis, ex) : null;
    const gridLo = basis ? -Infinity : red.lo;
    const gridHi = basis ? Infinity : red.hi;
    const lwork = new Float64Array(2 * na);
    return { term: (l, zl) => remainderBound(look, F, ex.xOrd, zl, l, gridLo, gridHi, lwork, model), stop: refine };
  };
  return enumerateGrid(red, grid, F, basis, ex, mg, z0, best, work, { ...opts, openTerm }, (z) => leafEvalError(red, z, work));
}

/** Under a time limit: do the look-ahead's na eigenvalue problems (about 10 na^3 flops each) fit in half the time left? */
function lookaheadAffordable(na: number, d: Deadline): boolean {
  if (d.expired()) return false;
  if (!d.limited) return true;
  return (4 * 10 * na ** 4) / factorisationSpeed() < 0.5 * d.remaining();
}

/** Largest reduced dimension whose open-node bounds get the look-ahead term (na eigenvalue problems). */
export const LOOKAHEAD_MAX_N = 160;

/** How far the reduced-basis model (fl(U^T P U), the computed centre) is from the exact one (exact-lookahead.ts). */
function basisModelError(red: Reduced, F: OrderedFactor, basis: ReducedBasis, ex: ExpansionTerms): ModelError {
  const na = red.na;
  let dc = ex.dxs;
  if (!dc) {
    dc = new Float64Array(na);
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let j = 0; j < na; j++) s += Math.abs(basis.Uinv[i * na + j] * red.t[j]);
      dc[i] = gam(na + 1) * s;
    }
  }
  const cErrOrd = new Float64Array(na);
  for (let k = 0; k < na; k++) cErrOrd[k] = dc[F.ord[k]];
  return { qErr: congruenceError(red.P, basis.U, na), cErrOrd };
}

/**
 * The expansion at the root (level order): c0 + sum_k [d_k (z_k - centre_k)^2 + g_k (z_k - x_k) - m_k] <= f(z)
 * over the box, from the box-QP point x (its linear coefficients g and their box minima m), with the
 * rounding errors of c0 and of the linear terms; plain Schnorr–Euchner centred at t when it gives nothing.
 */
export interface ExpansionTerms {
  c0: number;
  c0Err: number;
  /** Error of the (dropped or per-level) linear terms of the expansion. */
  linErr: number;
  /** Basis mode: error bound of the computed centre Uinv x. */
  dxs: Float64Array | null;
  xOrd: Float64Array;
  gOrd: Float64Array;
  mOrd: Float64Array;
}

export function expansionTerms(red: Reduced, F: OrderedFactor, basis: ReducedBasis | null, xE: Float64Array | null): ExpansionTerms {
  const na = red.na;
  const { ord } = F;
  const { P, t } = red;
  const ts = basis ? basis.ts : t;
  const xOrd = new Float64Array(na);
  const gOrd = new Float64Array(na);
  const mOrd = new Float64Array(na);
  let c0 = 0;
  let c0Err = 0;
  let linErr = 0;
  let dxs: Float64Array | null = null;
  if (xE) {
    const v = new Float64Array(na);
    for (let i = 0; i < na; i++) v[i] = xE[i] - t[i];
    let fx = 0;
    const pos = new Int32Array(na);
    for (let k = 0; k < na; k++) pos[ord[k]] = k;
    let msum = 0;
    const g = new Float64Array(na);
    const m = new Float64Array(na);
    for (let i = 0; i < na; i++) {
      let s = 0;
      let sa = 0;
      for (let j = 0; j < na; j++) {
        s += P[i * na + j] * v[j];
        sa += Math.abs(P[i * na + j] * v[j]);
      }
      fx += v[i] * s;
      g[i] = 2 * s;
      m[i] = Math.min(g[i] * (red.lo - xE[i]), g[i] * (red.hi - xE[i]));
      fx += m[i];
      msum += Math.abs(m[i]);
      const bz = Math.max(Math.abs(red.lo - xE[i]), Math.abs(red.hi - xE[i]));
      linErr += (2 * gam(na + 2) * sa + 3 * U * Math.abs(g[i])) * bz + 2 * U * Math.abs(m[i]);
    }
    c0 = fx; // may be slightly negative when x is not the exact box-QP optimum: still a valid offset
    c0Err = gam(na + 3) * absForm(P, v, v, na) + gam(na + 2) * msum;
    if (c0 > 0) {
      if (basis) {
        // for z in the box, g^T (z - x) >= sum m: f(z) >= c0 + (z - x)^T P (z - x); centre Uinv x in the basis
        const xs = new Float64Array(na);
        dxs = new Float64Array(na);
        for (let i = 0; i < na; i++) {
          let s = 0;
          let sa = 0;
          for (let j = 0; j < na; j++) {
            s += basis.Uinv[i * na + j] * xE[j];
            sa += Math.abs(basis.Uinv[i * na + j] * xE[j]);
          }
          xs[i] = s;
          dxs[i] = gam(na + 1) * sa;
        }
        for (let k = 0; k < na; k++) xOrd[k] = xs[ord[k]];
      } else {
        for (let i = 0; i < na; i++) {
          const k = pos[i];
          xOrd[k] = xE[i];
          gOrd[k] = g[i];
          mOrd[k] = m[i];
        }
      }
    }
  }
  if (!(c0 > 0)) {
    // the expansion gives nothing at the root: plain Schnorr–Euchner centred at t
    c0 = 0;
    c0Err = 0;
    linErr = 0;
    dxs = null;
    gOrd.fill(0);
    mOrd.fill(0);
    for (let k = 0; k < na; k++) xOrd[k] = ts[ord[k]];
  }
  return { c0, c0Err, linErr, dxs, xOrd, gOrd, mOrd };
}

/**
 * A priori rounding margin (see seSearch): true partial >= computed partial * (1 - marginRel) - marginAbs
 * for every leaf whose true value is below R0.
 */
export function roundingMargin(
  red: Reduced, F: OrderedFactor, basis: ReducedBasis | null, ex: ExpansionTerms, R0: number,
): { marginAbs: number; marginRel: number; finiteMargin: boolean } {
  const na = red.na;
  const { d, Lk, ord } = F;
  const { P, t } = red;
  const { xOrd, dxs } = ex;
  const Ps = basis ? basis.Ps : P;
  const invDiag = inverseDiagonal(Ps, na);
  const Bs = new Float64Array(na); // level order: bound on |z_j - x_j| for leaves with true value < R0
  const Rell = 1.05 * R0 * 1.01 + 1e-300;
  for (let k = 0; k < na; k++) {
    const j = ord[k];
    let b = Infinity;
    if (!basis) b = Math.max(Math.abs(red.lo - xOrd[k]), Math.abs(red.hi - xOrd[k]));
    if (invDiag) b = Math.min(b, 1.01 * Math.sqrt(Rell * invDiag[j]) + 1e-300);
    Bs[k] = b;
  }
  const marginRel = 1e-10 + gam(na + 8);
  let maxD = 0;
  for (let k = 0; k < na; k++) maxD = Math.max(maxD, d[k]);
  let mb = 0; // backward error of the LDL^T: gamma_{n+1} |e|^T |L||D||L^T| |e|
  let mc = 0; // centre errors: d_k dc_k^2 (1 + 1/eps)
  let mdrop = 0;
  for (let k = 0; k < na; k++) {
    let s = Bs[k];
    let sl = 0;
    for (let j = 0; j < k; j++) sl += Math.abs(Lk[k * na + j]) * Bs[j];
    s += sl;
    if (d[k] > 0) {
      mb += d[k] * s * s;
      const dc = gam(k + 3) * (sl + Math.abs(xOrd[k])) + U * Math.abs(xOrd[k]);
      mc += d[k] * dc * dc * (1 + 1e10);
    } else mdrop += Bs[k] * Bs[k];
  }
  let marginAbs = gam(na + 2) * mb + mc + na * gam(na + 2) * maxD * mdrop + ex.linErr + ex.c0Err;
  if (basis) {
    // U^T P U and Uinv t as computed: |dPs| <= gamma_{2n} |U|^T |P| |U|, |dts| <= gamma_n |Uinv| |t|
    const BsC = new Float64Array(na); // bounds in basis coordinates
    for (let k = 0; k < na; k++) BsC[ord[k]] = Bs[k];
    const y = new Float64Array(na);
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let j = 0; j < na; j++) s += Math.abs(basis.U[i * na + j]) * BsC[j];
      y[i] = s;
    }
    let dts = dxs;
    if (!dts) {
      dts = new Float64Array(na);
      for (let i = 0; i < na; i++) {
        let s = 0;
        for (let j = 0; j < na; j++) s += Math.abs(basis.Uinv[i * na + j] * t[j]);
        dts[i] = gam(na + 1) * s;
      }
    }
    marginAbs += gam(2 * na + 2) * absForm(P, y, y, na) + 2 * absForm(Ps, BsC, dts, na) + absForm(Ps, dts, dts, na);
  }
  marginAbs *= 1.05;
  if (!Number.isFinite(marginAbs)) return { marginAbs: Infinity, marginRel, finiteMargin: false };
  return { marginAbs, marginRel, finiteMargin: true };
}

/** Evaluation error of reducedValue at z: gamma_{n+3} |z - t|^T |P| |z - t| (work: scratch of length na). */
export function leafEvalError(red: Reduced, z: Float64Array, work: Float64Array): number {
  const na = red.na;
  const t = red.t;
  for (let i = 0; i < na; i++) work[i] = z[i] - t[i];
  return gam(na + 4) * absForm(red.P, work, work, na);
}

/** Nodes the 'auto' reduced-basis search may use before falling back to the original basis. */
const AUTO_LLL_NODE_BUDGET = 2_000_000;

/** LLL-reduced basis of the (positive definite) reduced problem, or null. */
export function makeBasis(red: Reduced, onlyIfUseful = false, stop?: { expired(): boolean }, congruenceFits: () => boolean = () => true): ReducedBasis | null {
  const na = red.na;
  const l = lllGram(red.P, na, undefined, undefined, stop);
  if (l === null) return null;
  if (onlyIfUseful) {
    // a signed permutation changes nothing but the order: keep the box-aware search then
    let perm = true;
    for (let i = 0; i < na * na && perm; i++) if (l.U[i] !== 0 && Math.abs(l.U[i]) !== 1) perm = false;
    for (let j = 0; j < na && perm; j++) {
      let c = 0;
      for (let i = 0; i < na; i++) if (l.U[i * na + j] !== 0) c++;
      if (c !== 1) perm = false;
    }
    if (perm) return null;
  }
  // the congruence and its Cholesky check cannot be interrupted: started only when predicted to fit
  if (stop?.expired() || !congruenceFits()) return null;
  const Ps = congruence(red.P, l.U, na);
  const ts = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    for (let j = 0; j < na; j++) s += l.Uinv[i * na + j] * red.t[j];
    ts[i] = s;
  }
  if (cholesky(Ps, na) === null) return null;
  return { U: l.U, Uinv: l.Uinv, Ps, ts };
}

/**
 * Normalised lower bound (for t = fl(w/s)) -> error units: corrects for the rounding of t
 * (`min f >= (sqrt(bound) - eta)^2`, eta^2 = |dt|^T |P| |dt| with |dt_i| <= u |t_i|), multiplies by the unit and
 * rounds down.
 */
export function toErrorUnits(red: Reduced, lower: number): number {
  if (!(lower > 0)) return 0;
  const na = red.na;
  const dt = new Float64Array(na);
  for (let i = 0; i < na; i++) dt[i] = 1.01 * U * Math.abs(red.t[i]);
  const eta = Math.sqrt(absForm(red.P, dt, dt, na)) * (1 + 1e-6);
  const root = Math.sqrt(lower) * (1 - 2 * U) - eta;
  if (!(root > 0)) return 0;
  return safeLowerBound(root * root * (1 - 2 * U) * red.unit, 16 * U);
}

export interface ExactOptions {
  rootSdp: boolean;
  warm: 'auto' | 'sdp' | 'simple';
}

/** Share of the time left at the start of the search kept for the sdp-box bound when a time limit stops it. */
export const LIMIT_SDP_SHARE = 0.1;

/** quant-exact's own options (quant-bound takes them too, with rootSdp on). */
export const QUANT_EXACT_OPTIONS = defineOptions({
  rootSdp: { type: 'boolean', default: false, help: 'compute the sdp-box bound at the root (quant-bound turns it on)' },
  boxBound: { type: 'boolean', default: true, help: 'use the box-QP expansion for node bounds' },
  order: { type: 'enum', values: ['vblast', 'box'], default: 'vblast', help: "'vblast' or 'box' (box-aware Chang-Han-style order)" },
  reduce: {
    type: 'enum',
    values: ['auto', 'lll', 'none'],
    default: 'auto',
    help: "'auto' (LLL-reduced basis when G is positive definite, LLL changes more than the order and at most n/8 coordinates are on the box at the box-QP optimum), 'lll' or 'none'",
  },
  warm: { type: 'enum', values: ['simple', 'sdp'], default: 'simple', help: "'simple' (best of RTN, V-BLAST Babai, GPTQ, each + box 1-opt) or 'sdp' (SDP randomized rounding)" },
  lookahead: {
    type: 'boolean',
    default: true,
    help: 'when a limit stops the search, raise the open-node bounds by a certified eigenvalue bound on the remaining levels (n <= 160)',
  },
  limitSdp: {
    type: 'boolean',
    default: true,
    help: `when a limit stops the search, compute the sdp-box bound (under a time limit in the last ${Math.round(100 * LIMIT_SDP_SHARE)} % of the time left when the search starts) and report the larger bound`,
  },
});

/** What the phases of solveExact share. */
interface ExactRun {
  problem: QuantizationProblem;
  options: SolveOptions;
  name: string;
  red: Reduced;
  deadline: Deadline;
  tol: number;
  nodeLimit: number;
  orderMode: 'vblast' | 'box';
  pivTol: number;
  /** Under a limit too short for even one factorisation (n = 1000, a second), skip the search: warm start only. */
  searchAffordable: boolean;
  /** Budget for the look-ahead open-node bounds after a limit (undefined: off). */
  refine?: Deadline;
  /** The V-BLAST factor serves both the warm start (Babai point) and the search: computed once. */
  vblastF: OrderedFactor | null;
  /** Predicted ms of one Cholesky of P on the deadline's clock (0: no limit or small na; budget.ts). */
  cholMs: number;
  /** Preprocessing steps skipped because their predicted cost did not fit the time left (named in the message). */
  skipped: string[];
}

// Phase budgets (fractions of the time left when the phase starts); every optional phase is skipped or cut
// short when its budget runs out: warm start 20 % (RTN always), root SDP 25 %, box-QP expansion point 20 %,
// LLL 30 %; the search gets the rest. Without a time limit nothing changes.
export function solveExact(problem: QuantizationProblem, options: SolveOptions = {}, name = 'quant-exact'): SolveResult {
  const deadline = new Deadline(options.timeLimitMs);
  checkQuantProblem(problem);
  const red = reduce(problem);
  const na = red.na;
  const ex = resolveExtras(QUANT_EXACT_OPTIONS, options.extra, name);
  const run: ExactRun = { ...exactRun(problem, options, name, red, deadline, ex.order), refine: ex.lookahead === false ? undefined : deadline };
  const zA = warmStart(run, ex.warm);
  // root bound
  let rootLb = 0;
  let rootCert: SolveResult['certificate'];
  if (ex.rootSdp && na > 0 && !deadline.expired()) {
    const sdpMs = deadline.sub(0.25).remaining();
    const s = solveSdpDual(problem, { box: true, timeLimitMs: Number.isFinite(sdpMs) ? sdpMs : undefined });
    rootLb = s.bound;
    rootCert = s.certificate;
  }
  const ubWarm = quantErrorOf(problem, expand(red, zA));
  const expansion = ex.boxBound === false || na === 0 || !run.searchAffordable ? null : boxExpansionPoint(red, undefined, deadline.sub(0.2));
  const basis = chooseBasis(run, ex.reduce, expansion);
  const onProgress = options.onProgress
    ? (best: number, nodes: number): void =>
        options.onProgress!({ solver: name, lowerBound: rootLb, upperBound: best * red.unit, nodes, iterations: 0, timeMs: deadline.elapsed() })
    : undefined;
  const closedAtRoot = rootLb > 0 && ubWarm - rootLb <= run.tol * ubWarm;
  // under a time limit the search leaves a share for the sdp-box bound it may need when it stops
  const limitSdp = ex.limitSdp !== false && !ex.rootSdp && na > 0;
  const searchRun = limitSdp && deadline.limited ? { ...run, deadline: deadline.sub(1 - LIMIT_SDP_SHARE) } : run;
  const s = searchPhase(searchRun, zA, closedAtRoot, basis, ex.reduce === 'auto', expansion, onProgress);
  // (under a time limit only when about ten factorisations fit: the relaxation's steps cannot be interrupted)
  if (limitSdp && !s.res.finished && !deadline.expired() && factorisationAffordable(na, deadline, 0.1)) {
    // stopped on a limit: the search's open-node bound can be weaker than the relaxation's; keep the larger
    const ms = deadline.remaining();
    const sd = solveSdpDual(problem, { box: true, timeLimitMs: Number.isFinite(ms) ? ms : undefined });
    if (sd.bound > rootLb) {
      rootLb = sd.bound;
      rootCert = sd.certificate;
    }
  }
  return exactResult(run, s, rootLb, rootCert, ubWarm);
}

function exactRun(problem: QuantizationProblem, options: SolveOptions, name: string, red: Reduced, deadline: Deadline, order: string): ExactRun {
  const na = red.na;
  let maxDiag = 0;
  for (let i = 0; i < na; i++) maxDiag = Math.max(maxDiag, red.P[i * na + i]);
  const pivTol = Math.max(1e-13 * maxDiag * na, 1e-300);
  const orderMode = order === 'vblast' || order === 'box' ? order : 'vblast';
  let vblastF: OrderedFactor | null = null;
  const skipped: string[] = [];
  // the V-BLAST order (a pivoted LDL^T) does not poll the deadline: predicted on the deadline's clock and
  // started only when it and the ordered factor fit into half the time left
  const cholMs = na > 0 ? cholUnitMs(red.P, na, deadline) : 0;
  const searchAffordable = factorisationAffordable(na, deadline, 0.5) && stepFits(deadline, cholMs, VBLAST_CHOLS + FACTOR_CHOLS, 0.5);
  if (!searchAffordable) skipped.push('search order and factorisation (V-BLAST)');
  if (orderMode === 'vblast' && na > 0 && searchAffordable) {
    const ord = vblastOrderUntil(red.P, na, pivTol, deadline);
    vblastF = ord && factorInOrderUntil(red.P, na, ord, red.t, pivTol, deadline);
    if (vblastF === null) skipped.push('search factorisation (V-BLAST order out of time)');
  }
  const nodeLimit = options.nodeLimit ?? Infinity;
  const tol = options.relGapTol ?? DEFAULT_REL_GAP_TOL;
  return { problem, options, name, red, deadline, tol, nodeLimit, orderMode, pivTol, searchAffordable, vblastF, cholMs, skipped };
}

/** The heuristic warm start (reduced coordinates), or the caller's incumbent when feasible and better. */
function warmStart(run: ExactRun, warmMode: string): Float64Array {
  const { problem, options, red, deadline } = run;
  const na = red.na;
  const warm = bestHeuristicPoint(problem, red, {
    sdp: warmMode === 'sdp',
    seed: options.seed ?? 1,
    deadline: deadline.sub(warmMode === 'sdp' ? 0.5 : 0.2),
    vblast: run.vblastF,
  });
  let zA = warm.zA;
  if (options.incumbent && options.incumbent.length === red.n) {
    const inc = restrict(red, options.incumbent);
    let ok = true;
    for (let i = 0; i < na; i++) if (!Number.isInteger(inc[i]) || inc[i] < red.lo || inc[i] > red.hi) ok = false;
    if (ok && reducedValue(red.P, red.t, inc, na) < reducedValue(red.P, red.t, zA, na)) zA = inc;
  }
  return zA;
}

/**
 * Lattice reduction: 'auto' uses an LLL-reduced basis when P is positive definite and LLL does more than
 * permute coordinates (ill-conditioned G); the box is then enforced at the leaves and through the box-QP offset.
 */
function chooseBasis(run: ExactRun, reduceMode: string, expansion: Float64Array | null): ReducedBasis | null {
  const { red, deadline } = run;
  const na = red.na;
  if (reduceMode === 'none' || na <= 1 || run.orderMode !== 'vblast' || !run.searchAffordable || deadline.expired()) return null;
  // auto: only when few coordinates sit on the box at the box-QP optimum (leaves outside the box are wasted)
  let clamped = 0;
  if (expansion) for (let i = 0; i < na; i++) if (expansion[i] <= red.lo || expansion[i] >= red.hi) clamped++;
  // ... and not when the whole box is small (the box-per-level search visits at most width^na leaves)
  const smallBox = na * Math.log(red.hi - red.lo + 1) <= Math.log(1e5);
  if (reduceMode === 'lll' || (clamped <= na / 8 && !smallBox)) {
    const sub = deadline.sub(0.3);
    const fitsNow = (): boolean => stepFits(sub, run.cholMs, BASIS_CHOLS);
    if (!fitsNow()) {
      run.skipped.push('lattice reduction (LLL basis)');
      return null;
    }
    const b = makeBasis(red, reduceMode === 'auto', sub, fitsNow);
    if (b === null && deadline.limited && !fitsNow()) run.skipped.push('lattice reduction (LLL basis)');
    return b;
  }
  return null;
}

/** The factor of the search in the original coordinates (V-BLAST or box-aware order); null when out of time. */
function originalFactor(run: ExactRun): OrderedFactor | null {
  const { red, pivTol, deadline } = run;
  const na = red.na;
  let ord: Int32Array | null = null;
  // a second pivoted LDL^T cannot be interrupted either: only when predicted to fit
  const chols = run.orderMode === 'box' ? VBLAST_CHOLS + 3 * FACTOR_CHOLS : VBLAST_CHOLS + FACTOR_CHOLS;
  if (!(run.orderMode === 'vblast' && run.vblastF) && !stepFits(deadline, run.cholMs, chols)) {
    run.skipped.push(`search order and factorisation (${run.orderMode === 'box' ? 'box-aware' : 'V-BLAST'})`);
    return null;
  }
  if (run.orderMode === 'box') {
    const ld = na > 0 ? vblastOrderUntil(red.P, na, pivTol, deadline) : new Int32Array(0);
    if (ld === null) return null;
    // box-aware order only for full-rank P (singular P: null-space coordinates first, V-BLAST on the rest)
    const full = factorInOrder(red.P, na, ld, red.t, pivTol).rank === na;
    ord = full ? boxAwareOrder(red.P, na, red.t, red.lo, red.hi) : ld;
    if (ord === null) ord = ld;
  } else {
    if (run.vblastF) return run.vblastF;
    ord = vblastOrderUntil(red.P, na, pivTol, deadline);
  }
  return ord && factorInOrderUntil(red.P, na, ord, red.t, pivTol, deadline);
}

interface SearchPhase {
  res: SearchResult;
  F: OrderedFactor | null;
  basis: ReducedBasis | null;
}

/** The factor of the search and the search itself (with the 'auto' fallback from the reduced basis). */
function searchPhase(
  run: ExactRun, zA: Float64Array, closedAtRoot: boolean, basis: ReducedBasis | null, auto: boolean,
  expansion: Float64Array | null, onProgress: ((best: number, nodes: number) => void) | undefined,
): SearchPhase {
  const { red, tol, nodeLimit, deadline } = run;
  const na = red.na;
  let F: OrderedFactor | null;
  if (basis) {
    // reverse Gram–Schmidt order of the reduced basis (the last basis vector is decided first)
    const ordB = new Int32Array(na);
    for (let k = 0; k < na; k++) ordB[k] = na - 1 - k;
    F = factorInOrderUntil(basis.Ps, na, ordB, basis.ts, 0, deadline);
  } else F = run.searchAffordable ? originalFactor(run) : null;
  const warmOnly = (stoppedBy: SearchResult['stoppedBy']): SearchResult => ({
    z: zA, value: reducedValue(red.P, red.t, zA, na), lower: 0, finished: stoppedBy === 'none', stoppedBy, nodes: 0, leaves: 0, marginAbs: 0, marginRel: 0,
  });
  if (closedAtRoot) return { res: warmOnly('none'), F, basis };
  // the time limit ran out in the preprocessing: the warm start and the root bound (if any)
  if (F === null) return { res: warmOnly('time'), F, basis };
  if (!(basis && auto)) return { res: seSearch(red, F, zA, { tol, nodeLimit, deadline, expansion, basis, onProgress, refine: run.refine }), F, basis };
  // The reduced basis checks the box only at the leaves: when a nearly singular P makes its enumeration
  // explode, fall back to the original basis (box enforced per level), warm-started from the best point.
  // Both searches are valid on their own; the larger lower bound of the two is kept.
  const r1 = seSearch(red, F, zA, { tol, nodeLimit: Math.min(nodeLimit, AUTO_LLL_NODE_BUDGET), deadline, expansion, basis, onProgress, refine: run.refine });
  if (r1.finished || r1.stoppedBy === 'time' || nodeLimit <= AUTO_LLL_NODE_BUDGET) return { res: r1, F, basis };
  F = originalFactor(run);
  const r2 = F === null ? { ...r1, stoppedBy: 'time' as const, nodes: 0, leaves: 0 } : seSearch(red, F, r1.z, { tol, nodeLimit: nodeLimit - r1.nodes, deadline, expansion, basis: null, onProgress, refine: run.refine });
  const res = { ...r2, lower: r2.finished ? r2.lower : Math.max(r1.lower, r2.lower), nodes: r1.nodes + r2.nodes, leaves: r1.leaves + r2.leaves };
  return { res, F, basis: null };
}

/** Bounds in error units, the status (closure test as in the testing kit) and the result. */
function exactResult(run: ExactRun, s: SearchPhase, rootLb: number, rootCert: SolveResult['certificate'], ubWarm: number): SolveResult {
  const { problem, red, tol, deadline, name } = run;
  const { res, F, basis } = s;
  const z = expand(red, res.z);
  const ub = quantErrorOf(problem, z);
  const searchLb = toErrorUnits(red, res.lower);
  const lb = Math.max(searchLb, rootLb);
  let status: SolveStatus = res.finished ? 'optimal' : res.stoppedBy === 'time' ? 'time_limit' : 'node_limit';
  let marginNote: string | undefined;
  // same closure test as the testing kit: relGapTol + 1e-12 relative, 1e-12 * errorScale absolute, with
  // errorScale = max(r, (sum_i sqrt(G_ii) |w_i|)^2) (the size of the terms whose cancellation makes the error)
  let sc = 0;
  for (let i = 0; i < problem.objective.n; i++) sc += Math.sqrt(Math.max(0, problem.objective.G[i * problem.objective.n + i])) * Math.abs(problem.objective.w[i]);
  const errorScale = Math.max(problem.objective.r, sc * sc);
  if (res.finished && !gapClosed(Math.min(lb, ub), ub, tol + 1e-12, 1e-12 * errorScale)) {
    // the search finished, but the rounding margin is larger than the gap tolerance: do not claim optimality
    status = 'feasible';
    marginNote = `search finished, but the floating-point margin (${(res.marginAbs * red.unit).toExponential(2)}) leaves the gap open`;
  }
  const lbOut = Math.min(lb, ub);
  return makeResult({
    solver: name,
    problem: problem.name,
    problemClass: 'quantization',
    lowerBound: lbOut,
    upperBound: ub,
    solution: z,
    status,
    stats: { timeMs: deadline.elapsed(), nodes: res.nodes, iterations: 0, leaves: res.leaves, rank: F?.rank ?? 0, warmUpper: ubWarm, rootBound: rootLb, searchBound: searchLb, marginAbs: res.marginAbs * red.unit, reducedBasis: basis ? 1 : 0 },
    // the sdp-box certificate proves rootLb: the whole bound when it is the larger one, else its part (the rest
    // rests on the search: `pvq verify --rerun`)
    certificate: status !== 'optimal' && rootCert && rootLb > 0 ? rootCert : undefined,
    message: res.finished
      ? marginNote
      : F === null
        ? `stopped by the time limit during the preprocessing (warm start only${run.skipped.length ? `; skipped: ${[...new Set(run.skipped)].join(', ')}` : ''})`
        : `stopped by the ${res.stoppedBy === 'time' ? 'time' : 'node'} limit after ${res.nodes} nodes${rootLb > 0 ? '; bound = max(open-node bound, sdp-box bound)' : ''}`,
  });
}

export const quantExactSolver: QuantizationSolver = {
  name: 'quant-exact',
  problemClass: 'quantization',
  role: 'exact',
  description: 'exact: Schnorr-Euchner box branch-and-bound (V-BLAST order, heuristic warm start, optional SDP root bound)',
  options: QUANT_EXACT_OPTIONS,
  capabilities: ['timeLimit', 'nodeLimit', 'relGapTol', 'seed', 'incumbent'],
  solve: (p, o = {}) => solveExact(p, o),
};

