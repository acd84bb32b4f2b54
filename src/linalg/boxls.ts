/**
 * Exact box-constrained least squares (convex QP with bounds), by a primal active-set method:
 *
 *     minimise  f(x) = x^T A x - 2 c^T x     subject to  lo <= x <= hi,
 *
 * with A symmetric positive SEMIdefinite (row-major m*m, may be singular). On a free set F the Newton
 * step solves A_FF p = -g_F with a diagonally pivoted LDL^T; when A_FF is singular and -g_F is not in its
 * range, a zero-curvature descent direction is followed to the first bound. The result is checked by its
 * KKT conditions (`boxLSKKT`): stationarity on free variables, correctly signed multipliers on active
 * bounds, feasibility.
 *
 * For pruning refits: A = G_SS, c = (G w)_S gives error(v) = r + f(v_S).
 */
import { pivotedLDL } from './dense.js';

export interface BoxLSOptions {
  /** Maximum active-set iterations (default 20 m + 50). */
  maxIter?: number;
  /** Relative pivot tolerance of the rank decisions (default 1e-12). */
  rankTol?: number;
}

export interface BoxLSResult {
  /** The minimiser (length m). */
  x: Float64Array;
  /** f(x) = x^T A x - 2 c^T x. */
  value: number;
  iterations: number;
  /** Scaled KKT violation of x (see `boxLSKKT`). */
  kktViolation: number;
  /** True when the active-set loop ended with all multipliers correctly signed. */
  converged: boolean;
}

function bound(b: number | ArrayLike<number>, i: number): number {
  return typeof b === 'number' ? b : b[i];
}

/** f(x) = x^T A x - 2 c^T x. */
export function boxLSValue(A: Float64Array, c: ArrayLike<number>, m: number, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = 0; j < m; j++) row += A[i * m + j] * x[j];
    s += x[i] * (row - 2 * c[i]);
  }
  return s;
}

/**
 * KKT violation of x for the box LS problem, scaled by `scale = max|c| + max|A| * max(1, max|x|)`:
 * max over i of |g_i| (free), max(0, -g_i) (at lo), max(0, g_i) (at hi), and bound violations
 * relative to max(1, |bounds|); g = A x - c. Variables within `atTol` (relative) of a bound count as at it.
 */
export function boxLSKKT(
  A: Float64Array,
  c: ArrayLike<number>,
  m: number,
  lo: number | ArrayLike<number>,
  hi: number | ArrayLike<number>,
  x: ArrayLike<number>,
  atTol = 1e-12,
): number {
  let maxA = 0;
  let maxC = 0;
  let maxX = 0;
  for (let i = 0; i < m * m; i++) maxA = Math.max(maxA, Math.abs(A[i]));
  for (let i = 0; i < m; i++) {
    maxC = Math.max(maxC, Math.abs(c[i]));
    maxX = Math.max(maxX, Math.abs(x[i]));
  }
  const scale = maxC + maxA * Math.max(1, maxX) || 1;
  let viol = 0;
  for (let i = 0; i < m; i++) {
    const l = bound(lo, i);
    const h = bound(hi, i);
    const xi = x[i];
    const span = Math.max(1, Math.abs(l === -Infinity ? 0 : l), Math.abs(h === Infinity ? 0 : h));
    if (xi < l) viol = Math.max(viol, (l - xi) / span);
    if (xi > h) viol = Math.max(viol, (xi - h) / span);
    let g = -c[i];
    for (let j = 0; j < m; j++) g += A[i * m + j] * x[j];
    const tol = atTol * span;
    const atLo = xi <= l + tol;
    const atHi = xi >= h - tol;
    let v: number;
    if (atLo && atHi) v = 0;
    else if (atLo) v = Math.max(0, -g);
    else if (atHi) v = Math.max(0, g);
    else v = Math.abs(g);
    viol = Math.max(viol, v / scale);
  }
  return viol;
}

/** g = A x - c. */
function gradientInto(A: Float64Array, c: ArrayLike<number>, m: number, x: Float64Array, g: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let s = -c[i];
    for (let j = 0; j < m; j++) s += A[i * m + j] * x[j];
    g[i] = s;
  }
}

/** Solve A_BB y = rhs in place (y holds the rhs in pivot order) with the first rk pivots of a pivoted LDL^T. */
function ldlBasicSolve(ldl: ReturnType<typeof pivotedLDL>, nf: number, rk: number, y: Float64Array): void {
  for (let t = 0; t < rk; t++) {
    let s = y[t];
    for (let u = 0; u < t; u++) s -= ldl.L[t * nf + u] * y[u];
    y[t] = s;
  }
  for (let t = 0; t < rk; t++) y[t] /= ldl.d[t];
  for (let t = rk - 1; t >= 0; t--) {
    let s = y[t];
    for (let u = t + 1; u < rk; u++) s -= ldl.L[u * nf + t] * y[u];
    y[t] = s;
  }
}

/**
 * The step p on the free set F (p is zero on entry): the basic Newton step, or a zero-curvature descent ray when
 * A_FF is singular and -g_F is not in its range. stepNonzero: p is not negligible against x.
 */
function freeSetStep(A: Float64Array, m: number, g: Float64Array, x: Float64Array, F: number[], p: Float64Array, pivotTol: number): { unboundedRay: boolean; stepNonzero: boolean } {
  const nf = F.length;
  let unboundedRay = false;
  let stepNonzero = false;
  const AF = new Float64Array(nf * nf);
  for (let a = 0; a < nf; a++) for (let b = 0; b < nf; b++) AF[a * nf + b] = A[F[a] * m + F[b]];
  const ldl = pivotedLDL(AF, nf, pivotTol);
  const rk = ldl.rank;
  // basic solution: pivots 0..rk-1 solve A_BB p_B = -g_B, the rest 0
  const y = new Float64Array(rk);
  for (let t = 0; t < rk; t++) y[t] = -g[F[ldl.perm[t]]];
  ldlBasicSolve(ldl, nf, rk, y);
  for (let t = 0; t < rk; t++) p[F[ldl.perm[t]]] = y[t];
  // consistency of the dependent rows: residual (A_FF p + g_F) on them
  let worst = -1;
  let worstRes = 0;
  let gScale = 0;
  for (let a = 0; a < nf; a++) gScale = Math.max(gScale, Math.abs(g[F[a]]));
  for (let t = rk; t < nf; t++) {
    const i = F[ldl.perm[t]];
    let s = g[i];
    for (let a = 0; a < nf; a++) s += A[i * m + F[a]] * p[F[a]];
    if (Math.abs(s) > worstRes) {
      worstRes = Math.abs(s);
      worst = t;
    }
  }
  if (worst >= 0 && worstRes > 1e-10 * Math.max(gScale, Number.MIN_VALUE) + 1e-300) {
    // zero-curvature direction: e_j - A_BB^{-1} A_Bj on the free set, signed to descend
    const j = F[ldl.perm[worst]];
    p.fill(0);
    const z = new Float64Array(rk);
    for (let t = 0; t < rk; t++) z[t] = -A[F[ldl.perm[t]] * m + j];
    ldlBasicSolve(ldl, nf, rk, z);
    for (let t = 0; t < rk; t++) p[F[ldl.perm[t]]] = z[t];
    p[j] = 1;
    let gp = 0;
    for (let a = 0; a < nf; a++) gp += g[F[a]] * p[F[a]];
    if (gp > 0) for (let a = 0; a < nf; a++) p[F[a]] = -p[F[a]];
    unboundedRay = true;
  }
  let xs = 1;
  for (let a = 0; a < nf; a++) xs = Math.max(xs, Math.abs(x[F[a]]));
  for (let a = 0; a < nf; a++) if (Math.abs(p[F[a]]) > 1e-15 * xs) stepNonzero = true;
  return { unboundedRay, stepNonzero };
}

/**
 * Move x along p (on the free set F) to the first bound, or by a full step (infinite for a ray); the blocking
 * variable joins the active set. Returns true when a bound blocked the step.
 */
function stepToBound(x: Float64Array, p: Float64Array, F: number[], state: Int8Array, lo: number | ArrayLike<number>, hi: number | ArrayLike<number>, unboundedRay: boolean): boolean {
  let alpha = unboundedRay ? Infinity : 1;
  let block = -1;
  let blockSide = 0;
  for (const i of F) {
    const pi = p[i];
    if (pi < 0) {
      const t = (bound(lo, i) - x[i]) / pi;
      if (t < alpha) {
        alpha = t;
        block = i;
        blockSide = -1;
      }
    } else if (pi > 0) {
      const t = (bound(hi, i) - x[i]) / pi;
      if (t < alpha) {
        alpha = t;
        block = i;
        blockSide = 1;
      }
    }
  }
  if (alpha === Infinity) throw new Error('boxLeastSquares: unbounded problem (c outside range(A) and unbounded box)');
  if (alpha < 0) alpha = 0;
  for (const i of F) x[i] += alpha * p[i];
  if (block >= 0) {
    state[block] = blockSide as -1 | 1;
    x[block] = blockSide < 0 ? bound(lo, block) : bound(hi, block);
  }
  // keep free variables inside the box (rounding)
  for (const i of F) x[i] = Math.min(bound(hi, i), Math.max(bound(lo, i), x[i]));
  return block >= 0;
}

/**
 * Solve min x^T A x - 2 c^T x over lo <= x <= hi (bounds scalars or per-coordinate, may be infinite).
 * Throws if the problem is unbounded (only possible with infinite bounds and c outside range(A)).
 */
export function boxLeastSquares(
  A: Float64Array,
  c: ArrayLike<number>,
  m: number,
  lo: number | ArrayLike<number>,
  hi: number | ArrayLike<number>,
  opts: BoxLSOptions = {},
): BoxLSResult {
  const maxIter = opts.maxIter ?? 20 * m + 50;
  const rankTol = opts.rankTol ?? 1e-12;
  const x = new Float64Array(m);
  // 0: free, -1: held at lo, +1: held at hi
  const state = new Int8Array(m);
  for (let i = 0; i < m; i++) {
    const l = bound(lo, i);
    const h = bound(hi, i);
    if (l > h) throw new Error(`boxLeastSquares: empty box at ${i}: [${l}, ${h}]`);
    x[i] = Math.min(h, Math.max(l, 0));
  }
  let maxDiag = 0;
  for (let i = 0; i < m; i++) maxDiag = Math.max(maxDiag, A[i * m + i]);
  const g = new Float64Array(m);
  const p = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  let lastFreed = -1;
  for (; iterations < maxIter; iterations++) {
    gradientInto(A, c, m, x, g);
    const F: number[] = [];
    for (let i = 0; i < m; i++) if (state[i] === 0) F.push(i);
    p.fill(0);
    const { unboundedRay, stepNonzero } = F.length > 0 ? freeSetStep(A, m, g, x, F, p, rankTol * Math.max(maxDiag, Number.MIN_VALUE)) : { unboundedRay: false, stepNonzero: false };
    if (stepNonzero) {
      const blocked = stepToBound(x, p, F, state, lo, hi, unboundedRay);
      if (blocked || unboundedRay) continue;
      // full Newton step taken: recompute the gradient and check multipliers below
      gradientInto(A, c, m, x, g);
    }
    // stationary on the free set: release the most violated bound, if any
    let worstI = -1;
    let worstV = 0;
    let gScale = 0;
    for (let i = 0; i < m; i++) gScale = Math.max(gScale, Math.abs(c[i]));
    gScale += maxDiag;
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      const v = state[i] < 0 ? -g[i] : g[i]; // > 0 means moving inside decreases f
      if (v > worstV) {
        worstV = v;
        worstI = i;
      }
    }
    if (worstI < 0 || worstV <= 1e-14 * gScale) {
      converged = true;
      break;
    }
    if (worstI === lastFreed && worstV <= 1e-11 * gScale) {
      converged = true;
      break;
    }
    state[worstI] = 0;
    lastFreed = worstI;
  }
  return { x, value: boxLSValue(A, c, m, x), iterations, kktViolation: boxLSKKT(A, c, m, lo, hi, x), converged };
}
