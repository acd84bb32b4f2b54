/**
 * Small least-squares kernels for the pruning OA: the refit on a fixed support (basic solution, also for
 * singular G) and an exact box-constrained refit (primal active-set method).
 */
import { matVec } from '../../src/linalg/dense.js';
import { cholesky, cholSolve, pivotedLDL } from '../../src/linalg/dense.js';

/**
 * A minimiser of `u^T A u - 2 c^T u` for symmetric PSD A (m*m) with c in range(A): the basic solution on the
 * pivots found by a pivoted LDL^T (others 0). Returns null only if even that fails (A not PSD).
 */
export function psdSolveBasic(A: Float64Array, m: number, c: Float64Array): Float64Array | null {
  const out = new Float64Array(m);
  if (m === 0) return out;
  let maxDiag = 0;
  for (let i = 0; i < m; i++) maxDiag = Math.max(maxDiag, A[i * m + i]);
  if (!(maxDiag > 0)) return out;
  const L = cholesky(A, m);
  if (L) return cholSolve(L, m, Float64Array.from(c));
  const f = pivotedLDL(A, m, 1e-12 * maxDiag);
  const piv = Array.from(f.perm.subarray(0, f.rank));
  const q = piv.length;
  const B = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) B[a * q + b] = A[piv[a] * m + piv[b]];
  const LB = cholesky(B, q);
  if (!LB) return null;
  const rhs = new Float64Array(q);
  for (let a = 0; a < q; a++) rhs[a] = c[piv[a]];
  cholSolve(LB, q, rhs);
  for (let a = 0; a < q; a++) out[piv[a]] = rhs[a];
  return out;
}

/** b = G w (n). */
export function gramTimes(G: Float64Array, n: number, w: ArrayLike<number>): Float64Array {
  return matVec(G, w, n, n);
}

/** Least-squares refit on support S (no box): v_S minimises (w - v)^T G (w - v) with v = 0 off S. */
export function refitOnSupport(G: Float64Array, n: number, b: Float64Array, S: readonly number[]): Float64Array {
  const m = S.length;
  const A = new Float64Array(m * m);
  const c = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    c[a] = b[S[a]];
    for (let q = 0; q < m; q++) A[a * m + q] = G[S[a] * n + S[q]];
  }
  const u = psdSolveBasic(A, m, c) ?? new Float64Array(m);
  const v = new Float64Array(n);
  for (let a = 0; a < m; a++) v[S[a]] = u[a];
  return v;
}

/**
 * Exact refit on support S with per-coordinate bounds lo_i <= v_i <= hi_i (convex QP, primal active set; singular
 * G is fine). Returns a feasible v (v = 0 off S); `kkt` is true when the KKT conditions were verified.
 */
export function boxRefitOnSupport(
  G: Float64Array,
  n: number,
  b: Float64Array,
  S: readonly number[],
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
): { v: Float64Array; kkt: boolean } {
  const q = boxQpOn(G, n, b, S, lo, hi);
  const m = q.m;
  let kkt = false;
  for (let iter = 0; iter < 20 * m + 20; iter++) {
    const step = stepToSubspaceMinimiser(q);
    if (step === 'failed') break;
    if (step === 'blocked') continue;
    // subspace optimum reached: check the multipliers of the bound constraints
    const worst = worstMultiplier(q);
    if (worst < 0) {
      kkt = true;
      break;
    }
    q.state[worst] = 0;
  }
  const v = new Float64Array(n);
  for (let a = 0; a < m; a++) v[S[a]] = q.u[a];
  return { v, kkt };
}

/** The box QP min u^T A u - 2 c^T u, l <= u <= h on a support, with the active-set state of its solver. */
interface BoxQp {
  m: number;
  A: Float64Array;
  c: Float64Array;
  l: Float64Array;
  h: Float64Array;
  u: Float64Array;
  /** 0: free, -1: at lower bound, +1: at upper bound. */
  state: Int8Array;
  /** Tolerance of the multiplier check. */
  tol: number;
}

/** The QP on support S, started at the point of the box nearest to 0. */
function boxQpOn(G: Float64Array, n: number, b: Float64Array, S: readonly number[], lo: ArrayLike<number>, hi: ArrayLike<number>): BoxQp {
  const m = S.length;
  const A = new Float64Array(m * m);
  const c = new Float64Array(m);
  const l = new Float64Array(m);
  const h = new Float64Array(m);
  let scale = 0;
  for (let a = 0; a < m; a++) {
    c[a] = b[S[a]];
    l[a] = lo[S[a]];
    h[a] = hi[S[a]];
    for (let q = 0; q < m; q++) A[a * m + q] = G[S[a] * n + S[q]];
    scale = Math.max(scale, Math.abs(c[a]), A[a * m + a] * Math.max(Math.abs(l[a]), Math.abs(h[a])));
  }
  const u = new Float64Array(m);
  const state = new Int8Array(m);
  for (let a = 0; a < m; a++) {
    u[a] = Math.min(h[a], Math.max(l[a], 0));
    state[a] = u[a] === l[a] ? -1 : u[a] === h[a] ? 1 : 0;
  }
  return { m, A, c, l, h, u, state, tol: 1e-12 * (scale || 1) };
}

/**
 * Step from u toward the minimiser over the free coordinates (the others fixed at their bounds), stopping at the
 * first bound hit: 'blocked' (that coordinate becomes active), 'reached', or 'failed' (no minimiser found).
 */
function stepToSubspaceMinimiser(q: BoxQp): 'failed' | 'blocked' | 'reached' {
  const { m, A, c, l, h, u, state } = q;
  const F: number[] = [];
  for (let a = 0; a < m; a++) if (state[a] === 0) F.push(a);
  const f = F.length;
  let target: Float64Array | null = new Float64Array(0);
  if (f > 0) {
    const AF = new Float64Array(f * f);
    const rhs = new Float64Array(f);
    for (let p = 0; p < f; p++) {
      let s = c[F[p]];
      for (let k = 0; k < m; k++) if (state[k] !== 0) s -= A[F[p] * m + k] * u[k];
      rhs[p] = s;
      for (let k = 0; k < f; k++) AF[p * f + k] = A[F[p] * m + F[k]];
    }
    target = psdSolveBasic(AF, f, rhs);
    if (!target) return 'failed';
  }
  let alpha = 1;
  let block = -1;
  let blockSide = 0;
  for (let p = 0; p < f; p++) {
    const a = F[p];
    const d = target[p] - u[a];
    if (d > 0 && u[a] + d > h[a]) {
      const al = (h[a] - u[a]) / d;
      if (al < alpha) {
        alpha = al;
        block = a;
        blockSide = 1;
      }
    } else if (d < 0 && u[a] + d < l[a]) {
      const al = (l[a] - u[a]) / d;
      if (al < alpha) {
        alpha = al;
        block = a;
        blockSide = -1;
      }
    }
  }
  for (let p = 0; p < f; p++) {
    const a = F[p];
    u[a] = Math.min(h[a], Math.max(l[a], u[a] + alpha * (target[p] - u[a])));
  }
  if (block < 0) return 'reached';
  state[block] = blockSide as -1 | 1;
  u[block] = blockSide > 0 ? h[block] : l[block];
  return 'blocked';
}

/** The active bound whose multiplier has the wrong sign by the most (beyond the tolerance), or -1 (KKT holds). */
function worstMultiplier(q: BoxQp): number {
  const { m, A, c, l, h, u, state } = q;
  let worst = -1;
  let worstVal = q.tol;
  for (let a = 0; a < m; a++) {
    let s = -c[a];
    for (let k = 0; k < m; k++) s += A[a * m + k] * u[k];
    // s is half the gradient: at the lower bound it must be >= 0, at the upper bound <= 0
    const viol = state[a] === -1 ? -s : state[a] === 1 ? s : 0;
    if (viol > worstVal && l[a] < h[a]) {
      worstVal = viol;
      worst = a;
    }
  }
  return worst;
}
