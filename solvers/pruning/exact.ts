/**
 * `prune-exact`: branch-and-bound over supports for
 *
 *     minimise (w - v)^T G (w - v)  s.t.  ||v||_0 <= k  (and lo <= v_i <= hi for kept i, if a box is set).
 *
 * Fast path (G positive definite after dropping dead coordinates): a pruned-side tree in a fixed
 * order. A node excludes the set E (|E| = level); coordinates before the node's position that are not
 * in E are forced kept; the rest are candidates. The node bound is the look-ahead bound
 *
 *     LB = val_M(E) + sum_{i in E} d_i w_i^2 + (sum of the R smallest d_i w_i^2 among candidates)
 *
 * with M = G - diag(d) PD, val_M(E) = w_E^T [(M^-1)_EE]^-1 w_E and R = number of exclusions still
 * needed. With d = 0 it is the classical monotone (leaps-and-bounds) bound. The Schur complement of
 * M^-1 on E is carried down the tree (one rank-one update per node, O(n^2)), which gives every child's
 * bound in O(1). Leaves are evaluated exactly (Cholesky of G_SS; box-constrained LS when the free fit
 * leaves the box: the free value is a valid bound for the boxed one).
 *
 * Generic path (singular G after dropping dead coordinates): a kept-side enumeration whose node bound
 * is the monotone value err(forced ∪ candidates), computed by a pivoted LDL^T (slow but exact).
 */
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import type { PruningSolver } from '../../src/core/solver.js';
import type { PruningProblem, SolveOptions, SolveStatus } from '../../src/core/types.js';
import { Deadline, optionNumber, safeLowerBound } from '../../src/core/result.js';
import { errorOf } from '../../src/core/objective.js';
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';
import { gramTimesW, pruneResult, refit, refitFree, validatePruningProblem } from './common.js';
import { ascendDiag, scalarDiag, scaledDiag } from './diag.js';
import { bestHeuristicSupport, obsSupport, supportError } from './heuristics.js';

/** Relative slack by which a finished or stopped tree's bound is rounded down (floating point). */
export const BNB_BOUND_SLACK = 1e-10;

export interface PruneBnBReport {
  v: Float64Array;
  lowerBound: number;
  status: SolveStatus;
  nodes: number;
  leaves: number;
  rootBound: number;
  heuristicError: number;
  path: 'trivial' | 'fast' | 'generic';
  message?: string;
}

export interface PruneBnBOptions {
  timeLimitMs?: number;
  nodeLimit?: number;
  relGapTol?: number;
  incumbent?: Float64Array;
  /** 'auto' | 'none' | 'scalar' | 'scaled' | 'ascend' */
  diag?: string;
  /** 'saliency' | 'heuristic' | 'natural' */
  order?: string;
  onProgress?: (lb: number, ub: number, nodes: number) => void;
}

/** The reduced problem on live coordinates (G_ii > 0). */
interface Reduced {
  n: number;
  idx: number[];
  G: Float64Array;
  w: Float64Array;
  b: Float64Array;
  r: number;
  problem: PruningProblem;
}

function reduce(p: PruningProblem): Reduced {
  const { G, n, w } = p.objective;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (G[i * n + i] > 0) idx.push(i);
  const m = idx.length;
  const Gr = new Float64Array(m * m);
  const wr = new Float64Array(m);
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

function expand(red: Reduced, vr: Float64Array, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let a = 0; a < red.n; a++) v[red.idx[a]] = vr[a];
  return v;
}

/** Error of the free LS fit on S via Cholesky of G_SS (NaN when G_SS is not PD). */
function freeSupportError(G: Float64Array, n: number, b: Float64Array, r: number, S: Int32Array, m: number, L: Float64Array, y: Float64Array): number {
  for (let a = 0; a < m; a++) {
    const ra = S[a] * n;
    for (let c = 0; c <= a; c++) L[a * m + c] = G[ra + S[c]];
  }
  if (choleskyInPlace(L, m, 0) >= 0) return NaN;
  let s = 0;
  for (let a = 0; a < m; a++) {
    let t = b[S[a]];
    for (let c = 0; c < a; c++) t -= L[a * m + c] * y[c];
    t /= L[a * m + a];
    y[a] = t;
    s += t * t;
  }
  return Math.max(0, r - s);
}

export function pruneBranchAndBound(problem: PruningProblem, opts: PruneBnBOptions = {}): PruneBnBReport {
  const deadline = new Deadline(opts.timeLimitMs);
  const nodeLimit = opts.nodeLimit ?? Infinity;
  const relTol = opts.relGapTol ?? DEFAULT_REL_GAP_TOL;
  const k0 = validatePruningProblem(problem);
  const N = problem.objective.n;
  const red = reduce(problem);
  const n = red.n;
  const k = Math.min(k0, n);
  const absTol = 1e-14 * red.r;

  // trivial cases
  if (k === 0 || k === n) {
    let vr: Float64Array;
    if (k === 0) vr = new Float64Array(n);
    else if (!problem.box || red.w.every((x) => x >= problem.box![0] && x <= problem.box![1])) vr = Float64Array.from(red.w);
    else vr = refit(red.problem, red.b, Array.from({ length: n }, (_, i) => i));
    const v = expand(red, vr, N);
    const ub = errorOf(problem.objective, v);
    // k = 0: v = 0 is the only feasible point. k = n: the box-LS over all coordinates is the relaxation itself.
    return {
      v, lowerBound: k === 0 ? ub : safeLowerBound(ub, BNB_BOUND_SLACK), status: 'optimal', nodes: 0, leaves: 1,
      rootBound: ub, heuristicError: ub, path: 'trivial',
    };
  }

  // incumbent
  const heur = bestHeuristicSupport(red.problem, red.b, k);
  let bestS = heur.S.slice();
  let UB = heur.err;
  if (opts.incumbent && opts.incumbent.length === N) {
    const S: number[] = [];
    for (let a = 0; a < n; a++) if (opts.incumbent[red.idx[a]] !== 0) S.push(a);
    if (S.length <= k) {
      const e = supportError(red.problem, red.b, S);
      if (e < UB) {
        UB = e;
        bestS = S;
      }
    }
  }
  const heuristicError = UB;
  const pruneAt = (): number => UB - Math.max(relTol * UB, absTol);

  // positive definite?
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, red.G[i * n + i]);
  const Lg = Float64Array.from(red.G);
  const pd = choleskyInPlace(Lg, n, 1e-9 * maxDiag) < 0;

  let nodes = 0;
  let leaves = 0;
  let minPruned = Infinity;
  let aborted: SolveStatus | null = null;
  let openMin = Infinity;
  let rootBound = 0;

  const checkLimits = (): boolean => {
    if (nodes >= nodeLimit) {
      aborted = 'node_limit';
      return true;
    }
    if ((nodes & 1023) === 0 && deadline.expired()) {
      aborted = 'time_limit';
      return true;
    }
    if ((nodes & 16383) === 0 && opts.onProgress) opts.onProgress(Math.min(minPruned, UB), UB, nodes);
    return false;
  };

  let path: 'fast' | 'generic';
  if (pd) {
    path = 'fast';
    // ---- ordering ----
    const Hg = cholInverse(Lg, n);
    const sal = new Float64Array(n);
    for (let i = 0; i < n; i++) sal[i] = (red.w[i] * red.w[i]) / Hg[i * n + i];
    let order = Array.from({ length: n }, (_, i) => i);
    const orderKind = opts.order ?? 'saliency';
    if (orderKind === 'saliency') order.sort((a, c) => sal[a] - sal[c]);
    else if (orderKind === 'heuristic') {
      const kept = new Uint8Array(n);
      for (const i of bestS) kept[i] = 1;
      order.sort((a, c) => kept[a] - kept[c] || sal[a] - sal[c]);
    } else if (orderKind === 'obs') {
      // order of elimination by OBS (first eliminated first), kept last
      const kept = new Uint8Array(n);
      for (const i of obsSupport(red.G, n, red.w, k)) kept[i] = 1;
      order.sort((a, c) => kept[a] - kept[c] || sal[a] - sal[c]);
    }
    const G = new Float64Array(n * n);
    const w = new Float64Array(n);
    const b = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      w[a] = red.w[order[a]];
      b[a] = red.b[order[a]];
      for (let c = 0; c < n; c++) G[a * n + c] = red.G[order[a] * n + order[c]];
    }
    const r = red.r;
    const depth = n - k;

    // ---- diagonal splitting ----
    const w2 = new Float64Array(n);
    for (let i = 0; i < n; i++) w2[i] = w[i] * w[i];
    const rootOf = (d: Float64Array): number => {
      const q = Array.from(d, (di, i) => di * w2[i]).sort((x, y) => x - y);
      let s = 0;
      for (let i = 0; i < depth; i++) s += q[i];
      return s;
    };
    const diagKind = opts.diag ?? 'auto';
    let d: Float64Array = new Float64Array(n);
    if (diagKind !== 'none') {
      const cands: Float64Array[] = [];
      if (diagKind === 'scalar' || diagKind === 'auto') cands.push(scalarDiag(G, n));
      if (diagKind === 'scaled' || diagKind === 'auto' || diagKind === 'ascend') cands.push(scaledDiag(G, n));
      if (diagKind === 'ascend' || diagKind === 'auto') cands.push(ascendDiag(G, n, cands[cands.length - 1], w2));
      let best = -1;
      for (const c of cands) {
        const v = rootOf(c);
        if (v > best) {
          best = v;
          d = c;
        }
      }
    }
    const M = Float64Array.from(G);
    for (let i = 0; i < n; i++) M[i * n + i] -= d[i];
    let LM = Float64Array.from(M);
    if (choleskyInPlace(LM, n, 1e-12 * maxDiag) >= 0) {
      d.fill(0);
      LM = Float64Array.from(G);
      choleskyInPlace(LM, n, 0);
    }
    const H = cholInverse(LM, n);
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = d[i] * w2[i];
    // LA[j*(n+1) + R] = sum of the R smallest q_i over i >= j (Infinity when fewer than R)
    const LA = new Float64Array((n + 1) * (n + 1)).fill(Infinity);
    for (let j = 0; j <= n; j++) {
      const s = Array.from(q.subarray(j)).sort((x, y) => x - y);
      let acc = 0;
      LA[j * (n + 1)] = 0;
      for (let R = 1; R <= s.length; R++) {
        acc += s[R - 1];
        LA[j * (n + 1) + R] = acc;
      }
    }
    rootBound = LA[depth];

    // ---- buffers ----
    const HcBuf: Float64Array[] = [];
    const rhoBuf: Float64Array[] = [];
    const cbBuf: Float64Array[] = [];
    const cjBuf: Int32Array[] = [];
    for (let l = 0; l <= depth; l++) {
      HcBuf.push(new Float64Array(n * n));
      rhoBuf.push(new Float64Array(n));
      cbBuf.push(new Float64Array(k + 1));
      cjBuf.push(new Int32Array(k + 1));
    }
    HcBuf[0].set(H);
    rhoBuf[0].set(w);
    const E = new Int32Array(depth);
    const excluded = new Uint8Array(n);
    const S = new Int32Array(k);
    const Lk = new Float64Array(k * k);
    const yk = new Float64Array(k);
    let bestE: Int32Array | null = null;

    const evalLeaf = (): void => {
      let m = 0;
      for (let i = 0; i < n; i++) if (!excluded[i]) S[m++] = i;
      leaves++;
      let e = freeSupportError(G, n, b, r, S, m, Lk, yk);
      if (Number.isNaN(e)) {
        const Sarr = Array.from(S.subarray(0, m), (i) => order[i]);
        e = supportError(red.problem, red.b, Sarr);
      } else if (problem.box) {
        if (e >= pruneAt()) return;
        // free solution: back-substitute y to get v_S, check the box
        const x = Float64Array.from(yk.subarray(0, m));
        for (let a = m - 1; a >= 0; a--) {
          let t = x[a];
          for (let c = a + 1; c < m; c++) t -= Lk[c * m + a] * x[c];
          x[a] = t / Lk[a * m + a];
        }
        let inside = true;
        for (let a = 0; a < m; a++) if (x[a] < problem.box[0] || x[a] > problem.box[1]) inside = false;
        if (!inside) {
          const Sarr = Array.from(S.subarray(0, m), (i) => order[i]);
          e = supportError(red.problem, red.b, Sarr);
        }
      }
      if (e < UB) {
        UB = e;
        bestE = E.slice();
      }
    };

    // explore children of the node (level, p, f forced kept, val, dsum); returns true when aborted
    const explore = (level: number, p: number, f: number, val: number, dsum: number): boolean => {
      const Hc = HcBuf[level];
      const rho = rhoBuf[level];
      const cb = cbBuf[level];
      const cj = cjBuf[level];
      const R = depth - level - 1;
      const jmax = Math.min(n - 1, p + (k - f));
      let nc = 0;
      for (let j = p; j <= jmax; j++) {
        const hjj = Hc[j * n + j];
        const rj = rho[j];
        const inc = hjj > 0 ? (rj * rj) / hjj : 0;
        const bnd = val + inc + dsum + q[j] + LA[(j + 1) * (n + 1) + R];
        // insertion by bound
        let t = nc++;
        while (t > 0 && cb[t - 1] > bnd) {
          cb[t] = cb[t - 1];
          cj[t] = cj[t - 1];
          t--;
        }
        cb[t] = bnd;
        cj[t] = j;
      }
      for (let t = 0; t < nc; t++) {
        const bnd = cb[t];
        if (bnd >= pruneAt()) {
          if (bnd < minPruned) minPruned = bnd;
          break;
        }
        nodes++;
        if (checkLimits()) {
          if (bnd < openMin) openMin = bnd;
          return true;
        }
        const j = cj[t];
        E[level] = j;
        excluded[j] = 1;
        if (R === 0) {
          evalLeaf();
          excluded[j] = 0;
          continue;
        }
        // child Schur complement on indices > j
        const hjj = Hc[j * n + j];
        const Hn = HcBuf[level + 1];
        const rn = rhoBuf[level + 1];
        const rj = rho[j];
        const jo = j * n;
        if (hjj > 0) {
          const inv = 1 / hjj;
          const fr = rj * inv;
          for (let i = j + 1; i < n; i++) {
            const hij = Hc[jo + i];
            const gi = hij * inv;
            rn[i] = rho[i] - hij * fr;
            const io = i * n;
            for (let l = i; l < n; l++) Hn[io + l] = Hc[io + l] - gi * Hc[jo + l];
            for (let l = i + 1; l < n; l++) Hn[l * n + i] = Hn[io + l];
          }
        } else {
          for (let i = j + 1; i < n; i++) {
            rn[i] = rho[i];
            const io = i * n;
            for (let l = j + 1; l < n; l++) Hn[io + l] = Hc[io + l];
          }
        }
        const inc = hjj > 0 ? (rj * rj) / hjj : 0;
        const ab = explore(level + 1, j + 1, f + (j - p), val + inc, dsum + q[j]);
        excluded[j] = 0;
        if (ab) {
          for (let u = t + 1; u < nc; u++) if (cb[u] < openMin) openMin = cb[u];
          return true;
        }
      }
      return false;
    };
    explore(0, 0, 0, 0, 0);
    if (bestE) {
      const ex = new Uint8Array(n);
      for (const j of bestE as Int32Array) ex[order[j]] = 1;
      bestS = [];
      for (let i = 0; i < n; i++) if (!ex[i]) bestS.push(i);
    }
  } else {
    path = 'generic';
    const G = red.G;
    const b = red.b;
    const r = red.r;
    const F: number[] = [];
    const allowedError = (p: number): number => {
      const A = F.concat(Array.from({ length: n - p }, (_, i) => p + i));
      const v = refitFree(G, n, b, A);
      let s = 0;
      for (const i of A) s += b[i] * v[i];
      return Math.max(0, r - s);
    };
    const explore = (p: number, bnd: number): boolean => {
      // node: F forced kept, candidates p..n-1; bnd = err(F ∪ candidates) (already checked < pruneAt)
      if (F.length + (n - p) <= k) {
        leaves++;
        const A = F.concat(Array.from({ length: n - p }, (_, i) => p + i));
        const e = supportError(red.problem, red.b, A);
        if (e < UB) {
          UB = e;
          bestS = A.slice();
        }
        return false;
      }
      for (let j = p; j < n; j++) {
        if (F.length === k) {
          // F itself is the only remaining choice of this subtree
          leaves++;
          const e = supportError(red.problem, red.b, F);
          if (e < UB) {
            UB = e;
            bestS = F.slice();
          }
          return false;
        }
        nodes++;
        if (checkLimits()) {
          if (bnd < openMin) openMin = bnd;
          return true;
        }
        F.push(j);
        const cb = allowedError(j + 1);
        if (cb >= pruneAt()) {
          if (cb < minPruned) minPruned = cb;
        } else if (explore(j + 1, cb)) {
          F.pop();
          if (bnd < openMin) openMin = bnd;
          return true;
        }
        F.pop();
      }
      return false;
    };
    rootBound = 0;
    explore(0, 0);
  }

  const vr = refit(red.problem, red.b, bestS);
  const v = expand(red, vr, N);
  const ub = errorOf(problem.objective, v);
  const lbRaw = Math.min(ub, minPruned, openMin);
  const lowerBound = safeLowerBound(lbRaw, BNB_BOUND_SLACK);
  let status: SolveStatus = aborted ?? 'optimal';
  if (status === 'optimal' && !(ub - lowerBound <= Math.max(relTol * ub, absTol, 2 * BNB_BOUND_SLACK * ub))) status = 'numerical_failure';
  return { v, lowerBound, status, nodes, leaves, rootBound, heuristicError, path };
}

export const pruneExactSolver: PruningSolver = {
  name: 'prune-exact',
  problemClass: 'pruning',
  role: 'exact',
  description: 'Branch-and-bound over supports (look-ahead bound with a diagonal splitting, incremental Schur complements); box via exact box-LS at leaves',
  extraOptions: {
    diag: "diagonal splitting for the look-ahead bound: 'auto' (default), 'none', 'scalar', 'scaled', 'ascend'",
    order: "variable order: 'saliency' (default), 'heuristic', 'obs', 'natural'",
  },
  solve(problem: PruningProblem, options: SolveOptions = {}) {
    const start = performance.now();
    const extra = options.extra ?? {};
    const rep = pruneBranchAndBound(problem, {
      timeLimitMs: options.timeLimitMs,
      nodeLimit: options.nodeLimit,
      relGapTol: options.relGapTol,
      incumbent: options.incumbent,
      diag: typeof extra.diag === 'string' ? extra.diag : undefined,
      order: typeof extra.order === 'string' ? extra.order : undefined,
      onProgress: options.onProgress
        ? (lb, ub, nodes) =>
            options.onProgress!({ solver: 'prune-exact', lowerBound: lb, upperBound: ub, nodes, iterations: 0, timeMs: performance.now() - start })
        : undefined,
    });
    void optionNumber;
    return pruneResult({
      solver: 'prune-exact',
      problem,
      v: rep.v,
      lowerBound: rep.lowerBound,
      status: rep.status,
      start,
      nodes: rep.nodes,
      extraStats: { leaves: rep.leaves, rootBound: rep.rootBound, heuristicError: rep.heuristicError },
      message: `${rep.path} path${rep.status === 'optimal' ? '' : '; lower bound = min over open nodes'}`,
    });
  },
};
