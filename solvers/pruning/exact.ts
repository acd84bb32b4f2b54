/**
 * `prune-exact`: branch-and-bound over supports for
 *
 *     minimise (w - v)^T G (w - v)  s.t.  ||v||_0 <= k  (and lo <= v_i <= hi for kept i, if a box is set).
 *
 * Fast path (G positive definite after dropping dead coordinates): a pruned-side tree in a fixed order
 * (largest OBS saliency first). A node excludes the set E; coordinates before the node's position that are
 * not in E are forced kept; the rest are candidates C. The node value err(E) = w_E^T [(G^-1)_EE]^-1 w_E (the
 * error of keeping all non-excluded coordinates) is exact and monotone. The Schur complement Hc of G^-1 on E
 * and the compensated weights rho are carried down the tree (one rank-one update per node, O(n^2)), which
 * gives every child's exact increment rho_j^2 / Hc_jj in O(1). For the R exclusions T still needed
 * (A = Hc_TT):
 *   (1) A <= diag(1/d) for a diagonal D <= G          =>  increase >= sum of the R smallest d_i rho_i^2
 *       (optional, `diag`; measured useless on our instances, off by default);
 *   (2) A <= lam diag(A), lam >= lambda_max of the unit-diagonal scaling of Hc_CC (Gershgorin and
 *       Collatz-Wielandt)                             =>  increase >= (1/lam) * sum of the R smallest e_i,
 *       e_i = rho_i^2 / Hc_ii;
 *   (3) monotonicity                                  =>  increase >= the R-th smallest e_i.
 * The last two exclusions are a pair scan with exact 2x2 values. Leaves are re-evaluated exactly (Cholesky /
 * box-constrained LS: the free value is a valid bound for the boxed one).
 *
 * Generic path (singular G after dropping dead coordinates): a kept-side enumeration whose node bound
 * is the monotone value err(forced ∪ candidates), computed by a pivoted LDL^T (exact but slow).
 */
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import type { PruningSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { Certificate, PruningProblem, SolveOptions, SolveStatus } from '../../src/core/types.js';
import { Deadline, safeLowerBound } from '../../src/core/result.js';
import { errorOf } from '../../src/core/objective.js';
import { choleskyInPlace, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { boxExcludesZero, expand, pruneResult, reduce, refit, refitFree, supportValue, validatePruningProblem } from './common.js';
import { ascendDiag, isDiagFeasible, scalarDiag, scaledDiag } from './diag.js';
import { bestHeuristicSupport, obsSupport, supportError } from './heuristics.js';
import { rootPerspectiveBound } from './perspective.js';
import { keptSideSearch, sampleFactor } from './singular.js';

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
  /** The caller's deadline (takes precedence over timeLimitMs). */
  deadline?: Deadline;
  nodeLimit?: number;
  relGapTol?: number;
  incumbent?: Float64Array;
  /** 'auto' | 'none' | 'scalar' | 'scaled' | 'ascend' */
  diag?: string;
  /** 'saliency' | 'heuristic' | 'natural' */
  order?: string;
  onProgress?: (lb: number, ub: number, nodes: number) => void;
  /** 'lookahead' (default) or 'monotone' (plain leaps-and-bounds value err(E) only; for tests and comparisons). */
  bound?: 'lookahead' | 'monotone';
  /** Start from the heuristic incumbent (default true). */
  heuristic?: boolean;
  /** Also use the root perspective dual bound (fixed dual vector) at every node (default false: measured no node savings). */
  perspective?: boolean;
  /** Frank-Wolfe iterations for the root perspective relaxation (default 40). */
  perspectiveIterations?: number;
}

export function pruneBranchAndBound(problem: PruningProblem, opts: PruneBnBOptions = {}): PruneBnBReport {
  const deadline = opts.deadline ?? new Deadline(opts.timeLimitMs);
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
    if (k === n && boxExcludesZero(problem.box) && vr !== null) {
      // the subset refit over all coordinates is the whole problem; exact unless its budget ran out
      const sv = supportValue(red.problem, red.b, Array.from({ length: n }, (_, i) => i));
      if (sv.lb < sv.err)
        return {
          v, lowerBound: safeLowerBound(Math.min(ub, sv.lb), BNB_BOUND_SLACK), status: 'iteration_limit', nodes: 0, leaves: 1,
          rootBound: sv.lb, heuristicError: ub, path: 'trivial', message: 'subset refit stopped by its budget of box-LS solves',
        };
    }
    // k = 0: v = 0 is the only feasible point. k = n: the box-LS over all coordinates is the relaxation itself.
    return {
      v, lowerBound: k === 0 ? ub : safeLowerBound(ub, BNB_BOUND_SLACK), status: 'optimal', nodes: 0, leaves: 1,
      rootBound: ub, heuristicError: ub, path: 'trivial',
    };
  }

  // incumbent
  const heur =
    opts.heuristic === false
      ? { S: Array.from({ length: k }, (_, i) => i), err: Infinity }
      : bestHeuristicSupport(red.problem, red.b, k, deadline.sub(0.4));
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
  /**
   * The limit ran out during the preprocessing (O(n^3) factorisations before the first node): the heuristic
   * point with the trivial bound 0 (no node has been explored, so nothing better is proven here).
   */
  const stopBeforeSearch = (where: string): PruneBnBReport => {
    const v = expand(red, refit(red.problem, red.b, bestS), N);
    return {
      v, lowerBound: 0, status: 'time_limit', nodes: 0, leaves: 0, rootBound: 0, heuristicError,
      path: 'fast', message: `time limit reached ${where}, before the first node (heuristic point only)`,
    };
  };
  if (deadline.expired()) return stopBeforeSearch('after the heuristic');
  const pruneAt = (): number => (UB === Infinity ? Infinity : UB - Math.max(relTol * UB, absTol));

  // positive definite?
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, red.G[i * n + i]);
  const Lg = Float64Array.from(red.G);
  const pd = choleskyInPlace(Lg, n, 1e-9 * maxDiag) < 0;
  if (deadline.expired()) return stopBeforeSearch('after the Cholesky factorisation');
  // Safety factor for bounds computed by long chains of Schur updates: with kappa ~ max G_ii / min pivot,
  // a bound is trusted only to a relative delta; nodes are pruned when bound >= cut() = pruneAt * (1 + delta)
  // and reported bounds are reduced by delta.
  let minPiv = Infinity;
  if (pd) for (let j = 0; j < n; j++) minPiv = Math.min(minPiv, Lg[j * n + j] * Lg[j * n + j]);
  const deltaPd = pd ? Math.min(1e-6, 1e3 * (maxDiag / minPiv) * 2 ** -53) : 1e-10;
  // the singular path sets its own delta (from the pivots of its rank-revealing factorisation)
  let sampleDelta = 0;
  const deltaNow = (): number => (pd ? deltaPd : Math.max(1e-10, sampleDelta));
  const cut = (): number => {
    const t = pruneAt();
    return t === Infinity ? Infinity : t + deltaNow() * Math.abs(t);
  };

  let nodes = 0;
  let leaves = 0;
  let minPruned = Infinity;
  // exact leaf value; a subset refit (box excluding 0) stopped by its budget contributes its proven bound
  let inexactLeaves = 0;
  const offZero = boxExcludesZero(problem.box);
  const leafError = (S: number[], val: number): number => {
    if (offZero && deadline.expired()) {
      // no time for the (possibly expensive) subset refit: keep the leaf's bound, stop the search
      if (!aborted) aborted = 'time_limit';
      if (val < minPruned) minPruned = val;
      return Infinity;
    }
    const sv = supportValue(red.problem, red.b, S);
    if (sv.lb < sv.err) {
      inexactLeaves++;
      if (sv.lb < minPruned) minPruned = sv.lb;
    }
    return sv.err;
  };
  let aborted: SolveStatus | null = null;
  let memoryCapped = false;
  let openMin = Infinity;
  let rootBound = 0;

  // poll the clock every node from n = 128 on (a node costs O(n^2) there, up to milliseconds), every 64 below
  const checkMask = n >= 128 ? 0 : 63;
  const checkLimits = (): boolean => {
    if (nodes >= nodeLimit) {
      aborted = 'node_limit';
      return true;
    }
    if ((nodes & checkMask) === 0 && deadline.expired()) {
      aborted = 'time_limit';
      return true;
    }
    if ((nodes & 1023) === 0 && opts.onProgress) opts.onProgress(0, UB, nodes);
    return false;
  };

  let path: 'fast' | 'generic';
  if (pd) {
    path = 'fast';
    // ---- ordering ----
    const Hg = cholInverse(Lg, n);
    if (deadline.expired()) return stopBeforeSearch('after the inverse');
    const sal = new Float64Array(n);
    for (let i = 0; i < n; i++) sal[i] = (red.w[i] * red.w[i]) / Hg[i * n + i];
    let order = Array.from({ length: n }, (_, i) => i);
    const orderKind = opts.order ?? 'saliency-desc';
    if (orderKind === 'saliency') order.sort((a, c) => sal[a] - sal[c]);
    else if (orderKind === 'saliency-desc') order.sort((a, c) => sal[c] - sal[a]);
    else if (orderKind === 'magnitude') order.sort((a, c) => Math.abs(red.w[c]) - Math.abs(red.w[a]));
    else if (orderKind === 'energy') order.sort((a, c) => red.G[c * n + c] * red.w[c] ** 2 - red.G[a * n + a] * red.w[a] ** 2);
    else if (orderKind === 'incumbent') {
      // kept coordinates of the incumbent first (largest removal cost first), then the others (largest add gain first)
      const kept = new Uint8Array(n);
      for (const i of bestS) kept[i] = 1;
      const score = new Float64Array(n);
      const S = bestS.slice();
      const m = S.length;
      const A = new Float64Array(m * m);
      for (let a = 0; a < m; a++) for (let c = 0; c < m; c++) A[a * m + c] = red.G[S[a] * n + S[c]];
      const LA0 = Float64Array.from(A);
      if (m > 0 && choleskyInPlace(LA0, m, 0) < 0) {
        const Ai = cholInverse(LA0, m);
        const x = new Float64Array(m);
        for (let a = 0; a < m; a++) for (let c = 0; c < m; c++) x[a] += Ai[a * m + c] * red.b[S[c]];
        for (let a = 0; a < m; a++) score[S[a]] = (x[a] * x[a]) / Ai[a * m + a];
        // residual correlation of the others
        for (let i = 0; i < n; i++) {
          if (kept[i]) continue;
          let c = red.b[i];
          for (let a = 0; a < m; a++) c -= red.G[i * n + S[a]] * x[a];
          score[i] = (c * c) / red.G[i * n + i];
        }
      }
      order.sort((a, c) => kept[c] - kept[a] || score[c] - score[a]);
    } else if (orderKind === 'kept-first') {
      const kept = new Uint8Array(n);
      for (const i of bestS) kept[i] = 1;
      order.sort((a, c) => kept[c] - kept[a] || sal[c] - sal[a]);
    }
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
    const diagKind = opts.diag ?? 'none';
    let d: Float64Array = new Float64Array(n);
    if (diagKind !== 'none') {
      const cands: Float64Array[] = [];
      if (diagKind === 'scalar' || diagKind === 'auto') cands.push(scalarDiag(G, n, undefined, deadline));
      if (diagKind === 'scaled' || diagKind === 'auto' || diagKind === 'ascend') cands.push(scaledDiag(G, n, undefined, deadline));
      if (diagKind === 'ascend' || diagKind === 'auto') cands.push(ascendDiag(G, n, cands[cands.length - 1], w2, undefined, undefined, deadline));
      let best = -1;
      for (const c of cands) {
        const v = rootOf(c);
        if (v > best) {
          best = v;
          d = c;
        }
      }
    }
    // G - D must stay PSD (then G^-1 <= D^-1 and every Schur complement of G^-1 is <= diag(1/d));
    // d = 0 needs no check (G is positive definite on this path)
    if (d.some((x) => x !== 0) && !isDiagFeasible(G, n, d, 0)) d.fill(0);
    if (deadline.expired()) return stopBeforeSearch('after the diagonal splitting');
    const Lp = Float64Array.from(G);
    choleskyInPlace(Lp, n, 0);
    const H = cholInverse(Lp, n);
    if (deadline.expired()) return stopBeforeSearch('after the inverse');
    rootBound = rootOf(d);

    // ---- perspective dual bound with a fixed dual vector y (root Frank-Wolfe): for every node,
    // err >= base - sum_{forced kept} c_i - (sum of the k - f largest c_i among candidates),
    // base = r - y^T (G - D')^-1 y, c_i = (b_i - y_i)^2 / d'_i (valid for any y; see perspective.ts)
    const persp = opts.perspective ?? false;
    const cP = new Float64Array(n);
    let base = -Infinity;
    const PS = new Float64Array(n + 1);
    const TOP = new Float64Array((n + 1) * (k + 1));
    if (persp) {
      const permProblem: PruningProblem = { name: problem.name, objective: { n, G, w, r }, k, box: null };
      const pr = rootPerspectiveBound(permProblem, { iterations: opts.perspectiveIterations ?? 40, deadline: deadline.sub(0.3) });
      if (pr.certificate) {
        const dP = Float64Array.from(pr.certificate.d);
        const y = Float64Array.from(pr.certificate.y);
        const Mp = Float64Array.from(G);
        for (let i = 0; i < n; i++) Mp[i * n + i] -= dP[i];
        const Lm = Float64Array.from(Mp);
        if (choleskyInPlace(Lm, n, 0) < 0) {
          const u = cholSolve(Lm, n, Float64Array.from(y));
          let quad = 0;
          for (let i = 0; i < n; i++) quad += y[i] * u[i];
          let ok = true;
          for (let i = 0; i < n; i++) {
            const e = b[i] - y[i];
            cP[i] = dP[i] > 0 ? (e * e) / dP[i] : 0;
            if (dP[i] === 0 && e !== 0) ok = false;
          }
          if (ok) base = r - quad - 1e-12 * (Math.abs(r) + Math.abs(quad));
        }
      }
      for (let i = 0; i < n; i++) PS[i + 1] = PS[i] + cP[i];
      for (let j = 0; j <= n; j++) {
        const s = Array.from(cP.subarray(j)).sort((x, y) => y - x);
        let acc = 0;
        TOP[j * (k + 1)] = 0;
        for (let t = 1; t <= k; t++) {
          if (t <= s.length) acc += s[t - 1];
          TOP[j * (k + 1) + t] = acc;
        }
      }
      if (base > -Infinity) rootBound = Math.max(rootBound, base - TOP[k]);
    }

    // ---- buffers ----
    // one n x n Schur complement per level, allocated when the search first reaches the level (depth * n^2
    // doubles up front would be 384 MB at n = 400 and 6 GB at n = 1000)
    const HcBuf: Float64Array[] = [];
    const hcAt = (level: number): Float64Array => (HcBuf[level] ??= new Float64Array(n * n));
    // ... and at most 1 GiB of them: a dive deeper than `maxLevel` stops the search like a node limit
    // (n = 1000, k = 250 would need 750 levels = 6 GB; such a tree cannot be closed anyway)
    const maxLevel = Math.max(2, Math.floor(2 ** 30 / (8 * n * n)));
    const rhoBuf: Float64Array[] = [];
    const cbBuf: Float64Array[] = [];
    const cjBuf: Int32Array[] = [];
    const qBuf: Float64Array[] = [];
    const qiBuf: Int32Array[] = [];
    for (let l = 0; l <= depth; l++) {
      rhoBuf.push(new Float64Array(n));
      cbBuf.push(new Float64Array(k + 1));
      cjBuf.push(new Int32Array(k + 1));
      qBuf.push(new Float64Array(n));
      qiBuf.push(new Int32Array(n));
    }
    hcAt(0).set(H);
    rhoBuf[0].set(w);
    const E = new Int32Array(depth);
    const excluded = new Uint8Array(n);
    let bestE: Int32Array | null = null;

    const leafSupport = (): number[] => {
      const S: number[] = [];
      for (let i = 0; i < n; i++) if (!excluded[i]) S.push(order[i]);
      return S;
    };
    const evalLeaf = (val: number): void => {
      leaves++;
      if (val >= cut()) return;
      // exact recomputation (free or boxed) for a candidate incumbent
      const e = leafError(leafSupport(), val);
      if (e < UB) {
        UB = e;
        bestE = E.slice();
      }
    };

    const sc = new Float64Array(n);
    const topL = new Float64Array(k + 2);
    const chSum = new Float64Array(k + 2);
    const chKth = new Float64Array(k + 2);
    const su = new Float64Array(n);
    const acc = new Float64Array(n);
    const uBuf: Float64Array[] = [];
    for (let l = 0; l <= depth + 1; l++) uBuf.push(new Float64Array(n).fill(1));
    const monotoneOnly = opts.bound === 'monotone';
    if (monotoneOnly) d.fill(0);
    const useD = d.some((x) => x > 0);
    const q2Buf: Float64Array[] = [];
    const qi2Buf: Int32Array[] = [];
    for (let l = 0; l <= depth; l++) {
      q2Buf.push(new Float64Array(n));
      qi2Buf.push(new Int32Array(n));
    }
    const insertSorted = (qs: Float64Array, qi: Int32Array, m: number, v: number, i: number): void => {
      let t = m;
      while (t > 0 && qs[t - 1] > v) {
        qs[t] = qs[t - 1];
        qi[t] = qi[t - 1];
        t--;
      }
      qs[t] = v;
      qi[t] = i;
    };
    /** Sum of the R smallest sorted values whose index is > j (Infinity when fewer). */
    let kth = 0; // side result of smallestAfter: the R-th smallest value itself
    const smallestAfter = (qs: Float64Array, qi: Int32Array, m: number, j: number, R: number): number => {
      kth = 0;
      if (R === 0) return 0;
      let s = 0;
      let c = 0;
      for (let t = 0; t < m; t++) {
        if (qi[t] <= j) continue;
        s += qs[t];
        if (++c === R) {
          kth = qs[t];
          return s;
        }
      }
      kth = Infinity;
      return Infinity;
    };

    /**
     * Two exclusions left: every pair {j < l} of candidates completes to a leaf (the count constraint is then
     * automatically met), with the exact value val + [rho_j rho_l] Hc_{jl}^-1 [rho_j rho_l]^T; O(|C|^2).
     */
    const pairScan = (level: number, p: number, val: number): boolean => {
      const Hc = HcBuf[level];
      const rho = rhoBuf[level];
      const thr = cut();
      const boxed = problem.box !== null && problem.box !== undefined;
      let bestV = Infinity;
      let bj = -1;
      let bl = -1;
      for (let j = p; j < n; j++) {
        const jo = j * n;
        const hjj = Hc[jo + j];
        const rj = rho[j];
        const ej = hjj > 0 ? (rj * rj) / hjj : 0;
        if (val + ej >= thr) {
          if (val + ej < minPruned) minPruned = val + ej;
          continue;
        }
        for (let l = j + 1; l < n; l++) {
          const hll = Hc[l * n + l];
          const hjl = Hc[jo + l];
          const rl = rho[l];
          const det = hjj * hll - hjl * hjl;
          leaves++;
          if (!(det > 1e-13 * hjj * hll)) {
            // numerically degenerate pair: evaluate it exactly
            E[level] = j;
            E[level + 1] = l;
            excluded[j] = 1;
            excluded[l] = 1;
            evalLeaf(val + ej);
            excluded[j] = 0;
            excluded[l] = 0;
            continue;
          }
          const v = val + (hll * rj * rj - 2 * hjl * rj * rl + hjj * rl * rl) / det;
          if (boxed && v < cut()) {
            // exact (box-LS) evaluations are the slow part: out of time, the node's value bounds the pairs left
            if (deadline.expired()) {
              if (!aborted) aborted = 'time_limit';
              if (val < openMin) openMin = val;
              nodes++;
              return true;
            }
            // the free value only bounds the boxed one: evaluate every promising pair exactly
            E[level] = j;
            E[level + 1] = l;
            excluded[j] = 1;
            excluded[l] = 1;
            evalLeaf(v);
            excluded[j] = 0;
            excluded[l] = 0;
            continue;
          }
          if (v < bestV) {
            bestV = v;
            bj = j;
            bl = l;
          }
          if (v >= thr && v < minPruned) minPruned = v;
        }
      }
      nodes++;
      if (bj >= 0 && bestV < cut()) {
        E[level] = bj;
        E[level + 1] = bl;
        excluded[bj] = 1;
        excluded[bl] = 1;
        evalLeaf(bestV);
        excluded[bj] = 0;
        excluded[bl] = 0;
      }
      return checkLimits();
    };

    /**
     * Node (level = |E|, p = first candidate, f = forced kept, val = err(E) exactly). Two look-ahead
     * bounds on the R further exclusions T among the candidates C (A = Hc_TT, the Schur complement of G^-1):
     *  (1) A <= diag(1/d)                        =>  increase >= sum_T d_i rho_i^2;
     *  (2) A <= lam * diag(A), lam >= lambda_max of the unit-diagonal scaling of Hc_CC (Gershgorin)
     *                                            =>  increase >= (1/lam) sum_T rho_i^2 / A_ii.
     * Returns true when a limit stopped the search.
     */
    const explore = (level: number, p: number, f: number, val: number, cF: number): boolean => {
      const Hc = HcBuf[level];
      const rho = rhoBuf[level];
      const cb = cbBuf[level];
      const cj = cjBuf[level];
      const q1 = qBuf[level];
      const i1 = qiBuf[level];
      const q2 = q2Buf[level];
      const i2 = qi2Buf[level];
      const R0 = depth - level;
      if (R0 === 2) return pairScan(level, p, val);
      // Upper bound lam on lambda_max of A = the unit-diagonal scaling of Hc_CC: Collatz-Wielandt,
      // lambda_max(A) <= rho(|A|) <= max_i (|A| u)_i / u_i for ANY positive u. The test vector u is the
      // parent's |A| u (one power-iteration step per tree level, carried down in uBuf), so one pass over
      // the candidate block per node suffices; the root starts from u = 1 (Gershgorin) and takes two.
      // Only the upper triangle of Hc is stored and read.
      let lam = 1;
      let badDiag = false;
      for (let i = p; i < n; i++) {
        const h = Hc[i * n + i];
        if (!(h > 0)) badDiag = true;
        sc[i] = h > 0 ? 1 / Math.sqrt(h) : 0;
      }
      const u = uBuf[level];
      const un = uBuf[level + 1];
      if (!badDiag && !monotoneOnly) {
        for (let pass = level === 0 ? 0 : 1; pass < 2; pass++) {
          const uu = pass === 0 ? un.fill(1, p, n) : u;
          for (let i = p; i < n; i++) {
            su[i] = sc[i] * uu[i];
            acc[i] = Hc[i * n + i] * su[i];
          }
          for (let i = p; i < n; i++) {
            const io = i * n;
            const sui = su[i];
            let ai = 0;
            for (let j = i + 1; j < n; j++) {
              const a = Math.abs(Hc[io + j]);
              ai += a * su[j];
              acc[j] += a * sui;
            }
            acc[i] += ai;
          }
          let lam2 = 0;
          let smax = 0;
          for (let i = p; i < n; i++) {
            const si = sc[i] * acc[i];
            const ratio = si / uu[i];
            if (ratio > lam2) lam2 = ratio;
            if (si > smax) smax = si;
            acc[i] = si;
          }
          lam = lam2 > 1 ? lam2 : 1;
          // next test vector (normalised), used by the second root pass and by the children
          const inv = smax > 0 ? 1 / smax : 1;
          const dst = pass === 0 ? u : un;
          for (let i = p; i < n; i++) dst[i] = acc[i] * inv > 1e-300 ? acc[i] * inv : 1e-300;
        }
      }
      // a non-positive conditional diagonal means rounding has taken over: use the plain value only
      const ilam = monotoneOnly || badDiag ? 0 : 1 / (lam * (1 + 1e-12));
      let m = 0;
      if (useD)
        for (let i = p; i < n; i++) {
          insertSorted(q1, i1, m, d[i] * rho[i] * rho[i], i);
          m++;
        }
      // Look-ahead (2)/(3) sums without sorting all candidates: the R smallest of the scaled increments x_i
      // after a child j are all of them minus the c = (keeps left) largest, and the R-th smallest is the
      // (c+1)-th largest; c <= k - f is small, so one backward sweep keeps a descending top list of size
      // k - f + 1 and reads every child's values (children j <= p + k - f). The subtraction is rounded down
      // by an absolute 8 n 2^-53 (suffix sum).
      const K = k - f;
      const jmaxC = Math.min(n - 1, p + K);
      let tn = 0;
      let suf = 0;
      let ownSum = 0;
      let ownKth = 0;
      for (let i = n - 1; i >= p; i--) {
        const x = ilam > 0 ? (ilam * rho[i] * rho[i]) / Hc[i * n + i] : 0;
        suf += x;
        if (tn < K + 1 || x > topL[tn - 1]) {
          let t = tn < K + 1 ? tn++ : tn - 1;
          while (t > 0 && topL[t - 1] < x) {
            topL[t] = topL[t - 1];
            t--;
          }
          topL[t] = x;
        }
        // i - 1 is a child j whose later candidates are exactly the indices >= i; also the node itself (i = p)
        const j = i - 1;
        const isChild = j >= p && j <= jmaxC;
        if (isChild || i === p) {
          const c = isChild ? K - (j - p) : K;
          const RR = isChild ? R0 - 1 : R0;
          let sum = 0;
          let kv = 0;
          if (RR > 0) {
            let tc = 0;
            for (let t = 0; t < c; t++) tc += topL[t];
            sum = suf - tc - 8 * n * 1.1102230246251565e-16 * suf;
            if (sum < 0) sum = 0;
            kv = topL[c];
          }
          if (isChild) {
            chSum[j - p] = sum;
            chKth[j - p] = kv;
          } else {
            ownSum = sum;
            ownKth = kv;
          }
        }
      }
      {
        const b1 = useD ? smallestAfter(q1, i1, m, p - 1, R0) : 0;
        let b2 = ownSum;
        // (3) monotonicity: the R-th smallest single increment is paid by any R exclusions
        const b3 = ilam > 0 ? ownKth / ilam : 0;
        if (b3 > b2) b2 = b3;
        let own = val + (b1 > b2 ? b1 : b2);
        const pb = base - cF - TOP[p * (k + 1) + (k - f)];
        if (pb > own) own = pb;
        if (own >= cut()) {
          if (own < minPruned) minPruned = own;
          return false;
        }
      }
      const R = R0 - 1;
      const jmax = Math.min(n - 1, p + (k - f));
      let nc = 0;
      for (let j = p; j <= jmax; j++) {
        const hjj = Hc[j * n + j];
        const rj = rho[j];
        const r2 = rj * rj;
        const inc = hjj > 0 ? r2 / hjj : 0;
        let bnd = inc;
        if (useD) {
          const b1 = d[j] * r2 + smallestAfter(q1, i1, m, j, R);
          if (b1 > bnd) bnd = b1;
        }
        const b2 = (hjj > 0 ? (ilam * r2) / hjj : 0) + chSum[j - p];
        if (b2 > bnd) bnd = b2;
        if (ilam > 0) {
          const b3 = chKth[j - p] / ilam;
          if (b3 > bnd) bnd = b3;
        }
        bnd += val;
        const pb = base - cF - (PS[j] - PS[p]) - TOP[(j + 1) * (k + 1) + (k - f - (j - p))];
        if (pb > bnd) bnd = pb;
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
        if (bnd >= cut()) {
          if (bnd < minPruned) minPruned = bnd;
          break;
        }
        nodes++;
        const tooDeep = level + 1 > maxLevel && depth - level > 1;
        if (tooDeep && !aborted) {
          aborted = 'node_limit';
          memoryCapped = true;
        }
        if (tooDeep || checkLimits()) {
          for (let u = t; u < nc; u++) if (cb[u] < openMin) openMin = cb[u];
          return true;
        }
        const j = cj[t];
        E[level] = j;
        excluded[j] = 1;
        const hjj = Hc[j * n + j];
        const rj = rho[j];
        const inc = hjj > 0 ? (rj * rj) / hjj : 0;
        if (R === 0) {
          evalLeaf(val + inc);
          excluded[j] = 0;
          continue;
        }
        // child Schur complement on indices > j
        const Hn = hcAt(level + 1);
        const rn = rhoBuf[level + 1];
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
          }
        } else {
          for (let i = j + 1; i < n; i++) {
            rn[i] = rho[i];
            const io = i * n;
            for (let l = i; l < n; l++) Hn[io + l] = Hc[io + l];
          }
        }
        const ab = explore(level + 1, j + 1, f + (j - p), val + inc, cF + PS[j] - PS[p]);
        excluded[j] = 0;
        if (ab) {
          if (bnd < openMin) openMin = bnd;
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
    // singular (or numerically singular) G: kept-side search in the sample space (singular.ts)
    const fac = sampleFactor(red.G, n, red.w);
    if (deadline.expired()) return { ...stopBeforeSearch('after the sample-space factorisation'), path };
    if (fac.rho <= k && !problem.box) {
      // exactly reachable: rho independent pivot columns span range(G), so error 0 with k >= rank
      const S = Array.from(fac.perm.subarray(0, fac.rho)).sort((x, y) => x - y);
      const e = supportError(red.problem, red.b, S);
      if (e < UB) {
        UB = e;
        bestS = S;
      }
      minPruned = 0;
    } else {
      let order: number[];
      const orderKind = opts.order ?? 'saliency-desc';
      if (orderKind === 'natural') order = Array.from({ length: n }, (_, i) => i);
      else {
        // likely-kept first: the incumbent's support, then decreasing single gain b_i^2 / G_ii
        const kept = new Uint8Array(n);
        for (const i of bestS) kept[i] = 1;
        const g1 = (i: number): number => (red.b[i] * red.b[i]) / red.G[i * n + i];
        order = Array.from({ length: n }, (_, i) => i).sort((x, y) => kept[y] - kept[x] || g1(y) - g1(x));
      }
      sampleDelta = fac.delta;
      keptSideSearch(fac, n, k, order, {
        cut,
        node: () => {
          nodes++;
          return checkLimits();
        },
        leaf: (S, val) => {
          leaves++;
          if (val >= cut()) return;
          const e = leafError(S, val);
          if (e < UB) {
            UB = e;
            bestS = S;
          }
        },
        pruned: (x) => {
          if (x < minPruned) minPruned = x;
        },
        open: (x) => {
          if (x < openMin) openMin = x;
        },
      });
    }
  }

  const vr = refit(red.problem, red.b, bestS);
  const v = expand(red, vr, N);
  const ub = errorOf(problem.objective, v);
  const delta = deltaNow();
  const shrink = (x: number): number => (Number.isFinite(x) ? x - delta * Math.abs(x) : x);
  const lbRaw = Math.min(ub, shrink(minPruned), shrink(openMin));
  const lowerBound = safeLowerBound(lbRaw, BNB_BOUND_SLACK);
  let status: SolveStatus = aborted ?? 'optimal';
  // `optimal` = the reported (reduced) bound is within the prune tolerance max(relTol * ub, 1e-14 r) of ub,
  // plus the rounding slack 2e-10 ub of the reductions, plus the floating-point noise of evaluating ub itself
  // (an optimum 0 reached by a point whose computed error is rounding noise)
  let message: string | undefined;
  if (status === 'optimal' && !(ub - lowerBound <= Math.max(relTol * ub, absTol) + 2 * BNB_BOUND_SLACK * ub + evalNoise(problem, v))) {
    status = inexactLeaves > 0 ? 'iteration_limit' : 'numerical_failure';
    if (inexactLeaves > 0) message = `${inexactLeaves} subset refits (box excluding 0) stopped by their budget of box-LS solves`;
  }
  if (memoryCapped) message = `search depth capped at ${Math.floor(2 ** 30 / (8 * n * n))} levels (1 GiB of Schur complements); stopped like a node limit`;
  return { v, lowerBound, status, nodes, leaves, rootBound, heuristicError, path, ...(message ? { message } : {}) };
}

/** Floating-point noise of errorOf(v): 8 n 2^-52 (|w - v|^T |G| |w - v|). */
export function evalNoise(problem: PruningProblem, v: Float64Array): number {
  const { G, n, w } = problem.objective;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ei = Math.abs(w[i] - v[i]);
    if (ei === 0) continue;
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(G[i * n + j]) * Math.abs(w[j] - v[j]);
    s += ei * row;
  }
  return 8 * n * 2 ** -52 * s;
}

const PRUNE_EXACT_OPTIONS = defineOptions({
  diag: { type: 'enum', values: ['none', 'auto', 'scalar', 'scaled', 'ascend'], default: 'none', help: 'diagonal look-ahead (1)' },
  order: {
    type: 'enum',
    values: ['saliency-desc', 'saliency', 'magnitude', 'energy', 'incumbent', 'kept-first', 'heuristic', 'obs', 'natural'],
    default: 'saliency-desc',
    help: 'variable order',
  },
  bound: { type: 'enum', values: ['lookahead', 'monotone'], default: 'lookahead', help: "'lookahead' or 'monotone' (plain leaps-and-bounds)" },
  perspective: { type: 'boolean', default: false, help: 'also use the root perspective dual bound (fixed dual vector) at every node' },
});

export const pruneExactSolver: PruningSolver = {
  name: 'prune-exact',
  problemClass: 'pruning',
  role: 'exact',
  description: 'Branch-and-bound over supports (exact pruned-side values by incremental Schur complements, coupled look-ahead bounds); box via exact box-LS at leaves',
  options: PRUNE_EXACT_OPTIONS,
  capabilities: ['timeLimit', 'nodeLimit', 'relGapTol', 'incumbent'],
  solve(problem: PruningProblem, options: SolveOptions = {}) {
    const deadline = new Deadline(options.timeLimitMs);
    const start = deadline;
    const extra = resolveExtras(PRUNE_EXACT_OPTIONS, options.extra, 'prune-exact');
    const rep = pruneBranchAndBound(problem, {
      deadline,
      nodeLimit: options.nodeLimit,
      relGapTol: options.relGapTol,
      incumbent: options.incumbent,
      diag: extra.diag,
      order: extra.order,
      bound: extra.bound,
      perspective: extra.perspective,
      onProgress: options.onProgress
        ? (lb, ub, nodes) =>
            options.onProgress!({ solver: 'prune-exact', lowerBound: lb, upperBound: ub, nodes, iterations: 0, timeMs: deadline.elapsed() })
        : undefined,
    });
    // a stopped search: the root perspective bound may beat the open-node minimum. It runs in what is left of
    // the time limit; without one (a node limit stopped the search), in at most half the time spent so far
    // (and 0.25 s), so that a small node limit still returns quickly.
    let lowerBound = rep.lowerBound;
    let certificate: Certificate | undefined;
    if (rep.status !== 'optimal' && rep.path !== 'trivial') {
      const post = deadline.limited ? deadline : new Deadline(Math.max(250, 0.5 * deadline.elapsed()));
      const pr = rootPerspectiveBound(problem, { iterations: 50, deadline: post });
      if (pr.bound > lowerBound && pr.certificate) {
        lowerBound = pr.bound;
        certificate = pr.certificate;
      }
    }
    return pruneResult({
      solver: 'prune-exact',
      problem,
      v: rep.v,
      lowerBound,
      certificate,
      status: rep.status,
      start,
      nodes: rep.nodes,
      extraStats: { leaves: rep.leaves, rootBound: rep.rootBound, heuristicError: rep.heuristicError },
      message: `${rep.path} path${rep.status === 'optimal' ? '' : '; lower bound = min over open nodes'}${rep.message ? `; ${rep.message}` : ''}`,
    });
  },
};
