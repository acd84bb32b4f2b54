/** Shared pieces of the pruning solvers: input validation, refits on a support, result assembly. */
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, errorOf } from '../../src/core/objective.js';
import { makeResult } from '../../src/core/result.js';
import type { Certificate, PruningProblem, SolveResult, SolveStatus } from '../../src/core/types.js';
import { boxLeastSquares } from '../../src/linalg/boxls.js';
import { matVec, pivotedLDL } from '../../src/linalg/dense.js';

/** Relative pivot tolerance for rank decisions on principal submatrices of G. */
export const RANK_TOL = 1e-12;

/** Throw PvqInputError for malformed pruning problems; returns the effective k (min(k, n)). */
export function validatePruningProblem(p: PruningProblem): number {
  checkObjective(p?.objective, 'objective.');
  const n = p.objective.n;
  if (!Number.isInteger(p.k) || p.k < 0) throw new PvqInputError('k', `expected an integer >= 0, got ${p.k}`);
  if (p.box !== null && p.box !== undefined) {
    const b = p.box;
    if (!Array.isArray(b) || b.length !== 2 || !Number.isFinite(b[0]) || !Number.isFinite(b[1]))
      throw new PvqInputError('box', 'expected [lo, hi] with finite numbers, or null');
    if (b[0] > b[1]) throw new PvqInputError('box', `empty box [${b[0]}, ${b[1]}]`);
    // a box that does not contain 0 is valid: kept weights lie in [lo, hi], pruned weights are 0
  }
  return Math.min(p.k, n);
}

/** b = G w (the kept-side right-hand side). */
export function gramTimesW(G: Float64Array, w: Float64Array, n: number): Float64Array {
  return matVec(G, w, n, n);
}

/**
 * Least-squares refit on a support S (no box): v_S minimises error over vectors supported on S.
 * G_SS may be singular: the basic solution of a diagonally pivoted LDL^T is used (b_S lies in range(G_SS)
 * because b = G w). Returns the full-length v.
 */
export function refitFree(G: Float64Array, n: number, b: Float64Array, S: ArrayLike<number>): Float64Array {
  const m = S.length;
  const v = new Float64Array(n);
  if (m === 0) return v;
  const A = new Float64Array(m * m);
  let maxDiag = 0;
  for (let a = 0; a < m; a++) {
    for (let c = 0; c < m; c++) A[a * m + c] = G[S[a] * n + S[c]];
    maxDiag = Math.max(maxDiag, A[a * m + a]);
  }
  if (maxDiag <= 0) return v;
  const ldl = pivotedLDL(A, m, RANK_TOL * maxDiag);
  const rk = ldl.rank;
  const y = new Float64Array(rk);
  for (let t = 0; t < rk; t++) {
    let s = b[S[ldl.perm[t]]];
    for (let u = 0; u < t; u++) s -= ldl.L[t * m + u] * y[u];
    y[t] = s;
  }
  for (let t = 0; t < rk; t++) y[t] /= ldl.d[t];
  for (let t = rk - 1; t >= 0; t--) {
    let s = y[t];
    for (let u = t + 1; u < rk; u++) s -= ldl.L[u * m + t] * y[u];
    y[t] = s;
  }
  for (let t = 0; t < rk; t++) v[S[ldl.perm[t]]] = y[t];
  return v;
}

/** Box-constrained refit on S (exact, active set); falls back to the free refit when it lies in the box. */
export function refitBox(
  G: Float64Array,
  n: number,
  b: Float64Array,
  S: ArrayLike<number>,
  box: readonly [number, number],
): Float64Array {
  const free = refitFree(G, n, b, S);
  let inside = true;
  for (let a = 0; a < S.length; a++) {
    const x = free[S[a]];
    if (x < box[0] || x > box[1]) {
      inside = false;
      break;
    }
  }
  if (inside) return free;
  const m = S.length;
  const A = new Float64Array(m * m);
  const c = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    c[a] = b[S[a]];
    for (let d = 0; d < m; d++) A[a * m + d] = G[S[a] * n + S[d]];
  }
  const res = boxLeastSquares(A, c, m, box[0], box[1], { rankTol: RANK_TOL });
  const v = new Float64Array(n);
  for (let a = 0; a < m; a++) v[S[a]] = res.x[a];
  return v;
}

/** True when the box is set and does not contain 0 (then the value of a support is not monotone). */
export function boxExcludesZero(box: readonly [number, number] | null | undefined): box is readonly [number, number] {
  return !!box && (box[0] > 0 || box[1] < 0);
}

/** Default budget of box-LS solves of the subset refit (deterministic: same S, same result). */
export const SEMICONT_BUDGET = 2048;

export interface SemicontinuousResult {
  /** Best feasible refit found (full length; entries outside S are 0). */
  v: Float64Array;
  /** f(v) = v^T G v - 2 b^T v (error = r + f). */
  value: number;
  /** Proven lower bound on f over all subsets of S (= value when exact). */
  bound: number;
  /** True when the search finished within the budget (v is then optimal over the subsets of S). */
  exact: boolean;
  /** Box-LS solves used. */
  solves: number;
}

/**
 * Best refit over all subsets T of S for a box [lo, hi] that does not contain 0:
 *
 *     min over T ⊆ S, v supported on T with lo <= v_T <= hi  of  (w - v)^T G (w - v).
 *
 * (Every nonzero must lie in the box, so a coordinate is either pruned or in [lo, hi]: semi-continuous
 * variables.) Exact branch-and-bound: a node fixes some coordinates kept ([lo, hi]) and some dropped; the
 * undecided ones get the relaxed box [min(lo, 0), max(hi, 0)], whose box-LS value lower-bounds every
 * completion. A relaxed solution whose undecided coordinates are all 0 or inside [lo, hi] is feasible (its
 * zeros are pruned) and optimal for the node; otherwise it branches on the undecided coordinate deepest
 * inside the forbidden gap between 0 and the box. At most 2^|S| box-LS solves (|S| <= k), usually a few;
 * `budget` caps them deterministically: the result is then the best feasible point found, and `bound` the
 * root relaxation (every child relaxation is at least the root's, so it bounds all unexplored subsets).
 */
export function semicontinuousLS(
  G: Float64Array,
  n: number,
  b: Float64Array,
  S: ArrayLike<number>,
  box: readonly [number, number],
  budget = SEMICONT_BUDGET,
): SemicontinuousResult {
  const m = S.length;
  const out = new Float64Array(n);
  if (m === 0) return { v: out, value: 0, bound: 0, exact: true, solves: 0 };
  const [lo, hi] = box;
  const rlo = Math.min(lo, 0);
  const rhi = Math.max(hi, 0);
  // 0 undecided, 1 kept (in [lo, hi]), 2 dropped
  const state = new Int8Array(m);
  let best = 0; // value of v = 0 (f = x^T A x - 2 c^T x = 0): the empty subset
  let bestX: Float64Array | null = null;
  let bestT: number[] = [];
  let solves = 0;
  let stopped = false;
  let rootValue = -Infinity;
  const rec = (): void => {
    if (stopped) return;
    const T: number[] = [];
    for (let a = 0; a < m; a++) if (state[a] !== 2) T.push(a);
    const t = T.length;
    if (t === 0) return;
    if (solves >= budget) {
      stopped = true;
      return;
    }
    const A = new Float64Array(t * t);
    const c = new Float64Array(t);
    const L = new Float64Array(t);
    const H = new Float64Array(t);
    for (let i = 0; i < t; i++) {
      const si = S[T[i]];
      c[i] = b[si];
      for (let j = 0; j < t; j++) A[i * t + j] = G[si * n + S[T[j]]];
      const kept = state[T[i]] === 1;
      L[i] = kept ? lo : rlo;
      H[i] = kept ? hi : rhi;
    }
    solves++;
    const res = boxLeastSquares(A, c, t, L, H, { rankTol: RANK_TOL });
    if (solves === 1) rootValue = res.value;
    // the relaxed value bounds every completion; prune unless it can beat the incumbent
    if (!(res.value < best - 1e-13 * Math.abs(best))) return;
    let branch = -1;
    let gapDepth = 0;
    for (let i = 0; i < t; i++) {
      if (state[T[i]] !== 0) continue;
      const x = res.x[i];
      if (x === 0 || (x >= lo && x <= hi)) continue;
      const depth = lo > 0 ? Math.min(x, lo - x) : Math.min(-x, x - hi);
      if (branch < 0 || depth > gapDepth) {
        branch = i;
        gapDepth = depth;
      }
    }
    if (branch < 0) {
      best = res.value;
      bestX = res.x;
      bestT = T;
      return;
    }
    const a = T[branch];
    const x = res.x[branch];
    // visit the closer side first: keep when x is nearer the box than 0
    const keepFirst = Math.abs(x) > Math.abs(x - (lo > 0 ? lo : hi));
    for (const s of keepFirst ? [1, 2] : [2, 1]) {
      state[a] = s;
      rec();
    }
    state[a] = 0;
  };
  rec();
  if (bestX) {
    const x = bestX as Float64Array;
    for (let i = 0; i < bestT.length; i++) {
      const xi = x[i];
      // undecided coordinates at the relaxed bound 0 are pruned; the others are in [lo, hi]
      out[S[bestT[i]]] = xi === 0 ? 0 : Math.min(hi, Math.max(lo, xi));
    }
  }
  return { v: out, value: best, bound: stopped ? Math.min(best, rootValue) : best, exact: !stopped, solves };
}

/** `semicontinuousLS(...).v` (exact unless the budget of box-LS solves runs out). */
export function refitSemicontinuous(
  G: Float64Array,
  n: number,
  b: Float64Array,
  S: ArrayLike<number>,
  box: readonly [number, number],
  budget = SEMICONT_BUDGET,
): Float64Array {
  return semicontinuousLS(G, n, b, S, box, budget).v;
}

/**
 * Proven value of a support for the tree: the error of the refit and a lower bound on the error of every
 * feasible point supported on a subset of S (equal unless a box excluding 0 exhausted its budget).
 */
export function supportValue(p: PruningProblem, b: Float64Array, S: ArrayLike<number>): { err: number; lb: number; v: Float64Array } {
  const { G, n, r } = p.objective;
  if (boxExcludesZero(p.box)) {
    const res = semicontinuousLS(G, n, b, S, p.box);
    const err = errorOf(p.objective, res.v);
    return { err, lb: res.exact ? err : Math.max(0, r + res.bound), v: res.v };
  }
  const v = refit(p, b, S);
  const err = errorOf(p.objective, v);
  return { err, lb: err, v };
}

/**
 * Refit on S for the problem (box-aware). With a box that does not contain 0 this is the best refit over
 * the subsets of S (`refitSemicontinuous`): a support of size <= k may leave some of its weights pruned.
 */
export function refit(p: PruningProblem, b: Float64Array, S: ArrayLike<number>): Float64Array {
  const { G, n } = p.objective;
  if (!p.box) return refitFree(G, n, b, S);
  if (boxExcludesZero(p.box)) return refitSemicontinuous(G, n, b, S, p.box);
  return refitBox(G, n, b, S, p.box);
}

/** Support (indices of nonzeros) of v. */
export function supportOf(v: ArrayLike<number>): number[] {
  const S: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) S.push(i);
  return S;
}

/** Indices of the k largest |w_i| (ties to the lower index), sorted ascending. */
export function magnitudeSupport(w: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: w.length }, (_, i) => i);
  idx.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
  return idx.slice(0, k).sort((a, b) => a - b);
}

export interface PruneOut {
  solver: string;
  problem: PruningProblem;
  v: Float64Array | null;
  lowerBound: number;
  status: SolveStatus;
  /** Start time (performance.now()) or the solve's Deadline. */
  start: number | { elapsed(): number };
  nodes?: number;
  iterations?: number;
  extraStats?: Record<string, number>;
  certificate?: Certificate;
  message?: string;
}

/** Assemble the SolveResult; upperBound is recomputed from v with errorOf. */
export function pruneResult(o: PruneOut): SolveResult {
  const ub = o.v ? errorOf(o.problem.objective, o.v) : Infinity;
  return makeResult({
    solver: o.solver,
    problem: o.problem.name,
    problemClass: 'pruning',
    lowerBound: Math.min(o.lowerBound, ub),
    upperBound: ub,
    solution: o.v,
    status: o.status,
    stats: { timeMs: typeof o.start === 'number' ? performance.now() - o.start : o.start.elapsed(), nodes: o.nodes ?? 0, iterations: o.iterations ?? 0, ...(o.extraStats ?? {}) },
    ...(o.certificate ? { certificate: o.certificate } : {}),
    ...(o.message ? { message: o.message } : {}),
  });
}

/** The reduced problem on live coordinates (G_ii > 0). */
export interface Reduced {
  n: number;
  idx: number[];
  G: Float64Array;
  w: Float64Array;
  b: Float64Array;
  r: number;
  problem: PruningProblem;
}

export function reduce(p: PruningProblem): Reduced {
  const { G, n, w } = p.objective;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (G[i * n + i] > 0) idx.push(i);
  const m = idx.length;
  // no dead coordinate: share G and w (read-only everywhere; an n^2 copy is ~0.1 s at n = 1000 on a busy machine)
  const Gr = m === n ? G : new Float64Array(m * m);
  const wr = m === n ? w : new Float64Array(m);
  if (m < n)
    for (let a = 0; a < m; a++) {
      wr[a] = w[idx[a]];
      for (let c = 0; c < m; c++) Gr[a * m + c] = G[idx[a] * n + idx[c]];
    }
  const b = gramTimesW(Gr, wr, m);
  let r = 0;
  for (let a = 0; a < m; a++) r += wr[a] * b[a];
  r = Math.max(0, r);
  const problem: PruningProblem = { name: p.name, objective: { n: m, G: Gr, w: wr, r }, k: p.k, box: p.box };
  return { n: m, idx, G: Gr, w: wr, b, r, problem };
}

export function expand(red: Reduced, vr: Float64Array, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let a = 0; a < red.n; a++) v[red.idx[a]] = vr[a];
  return v;
}

