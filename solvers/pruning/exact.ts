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
import { boxExcludesZero, expand, pruneResult, reduce, refit, refitFree, supportValue, validatePruningProblem, type Reduced } from './common.js';
import { ascendDiag, isDiagFeasible, scalarDiag, scaledDiag } from './diag.js';
import { bestHeuristicSupport, supportError } from './heuristics.js';
import { PERSPECTIVE_ASCENT, rootPerspectiveBound } from './perspective.js';
import { keptSideSearch, sampleFactor } from './singular.js';
import { fits, INVERSE_CHOLS, predictCholMs } from '../../src/linalg/cost.js';

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
  /** 'saliency-desc' (default) | 'magnitude' | 'energy' | 'incumbent' | 'kept-first' | 'natural' (see FAST_ORDERS) */
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
  const k0 = validatePruningProblem(problem);
  const N = problem.objective.n;
  const red = reduce(problem);
  const k = Math.min(k0, red.n);
  if (k === 0 || k === red.n) return trivialReport(problem, red, k, N);

  const inc = initialIncumbent(problem, red, k, opts, deadline);
  const s = new PruneSearch(problem, red, k, deadline, opts, inc.err, inc.S);
  const heuristicError = s.UB;
  if (deadline.expired()) return stopBeforeSearch(s, N, heuristicError, 'after the heuristic');
  // the O(n^3) preprocessing cannot be interrupted: start it only when its predicted cost fits
  const predicted = predictCholMs(red.G, red.n, deadline);
  if (!fits(deadline, predicted)) return stopBeforeSearch(s, N, heuristicError, `before the Cholesky factorisation (predicted ${predicted.toFixed(0)} ms)`);
  const t0 = deadline.now();
  const Lg = factorGram(s);
  if (predicted > 0) s.cholMs = Math.max(0, deadline.now() - t0);
  if (deadline.expired()) return stopBeforeSearch(s, N, heuristicError, 'after the Cholesky factorisation');
  if (s.pd) {
    const root = fastPath(s, Lg, opts);
    if (typeof root === 'string') return stopBeforeSearch(s, N, heuristicError, root);
    return assembleReport(s, N, root, heuristicError, 'fast');
  }
  if (!genericPath(s, opts.order ?? 'saliency-desc'))
    return { ...stopBeforeSearch(s, N, heuristicError, 'after the sample-space factorisation'), path: 'generic' };
  return assembleReport(s, N, 0, heuristicError, 'generic');
}

/** k = 0: v = 0 is the only feasible point. k = n: the box-LS over all coordinates is the relaxation itself. */
function trivialReport(problem: PruningProblem, red: Reduced, k: number, N: number): PruneBnBReport {
  const n = red.n;
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
  return {
    v, lowerBound: k === 0 ? ub : safeLowerBound(ub, BNB_BOUND_SLACK), status: 'optimal', nodes: 0, leaves: 1,
    rootBound: ub, heuristicError: ub, path: 'trivial',
  };
}

/** The starting incumbent: the best heuristic support, or the caller's incumbent when it is better. */
function initialIncumbent(problem: PruningProblem, red: Reduced, k: number, opts: PruneBnBOptions, deadline: Deadline): { S: number[]; err: number } {
  const n = red.n;
  const heur =
    opts.heuristic === false
      ? { S: Array.from({ length: k }, (_, i) => i), err: Infinity }
      : bestHeuristicSupport(red.problem, red.b, k, deadline.sub(0.4));
  let bestS = heur.S.slice();
  let UB = heur.err;
  const N = problem.objective.n;
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
  return { S: bestS, err: UB };
}

/**
 * Search state shared by both tree paths: the incumbent, the limits, the counters and the bounds met on
 * the way (pruned and open nodes), from which the final lower bound is assembled.
 */
class PruneSearch {
  nodes = 0;
  leaves = 0;
  /** Smallest bound of a pruned node or leaf (and proven bound of a leaf refit stopped by its budget). */
  minPruned = Infinity;
  /** Smallest bound of a node left open when a limit stopped the search. */
  openMin = Infinity;
  /** Leaf refits (box excluding 0) stopped by their budget of box-LS solves. */
  inexactLeaves = 0;
  aborted: SolveStatus | null = null;
  memoryCapped = false;
  /** G positive definite after dropping dead coordinates (the fast path). */
  pd = false;
  /** Relative trust of the fast path's bounds (long chains of Schur updates); see factorGram. */
  deltaPd = 1e-10;
  /** The singular path's delta (from the pivots of its rank-revealing factorisation). */
  sampleDelta = 0;
  /** Measured time of the Cholesky of G (0 when small: O(n^3) steps are then not predicted). */
  cholMs = 0;
  readonly nodeLimit: number;
  readonly relTol: number;
  readonly absTol: number;
  /** Poll the clock every node from n = 128 on (a node costs O(n^2) there, up to milliseconds), every 64 below. */
  readonly checkMask: number;
  readonly offZero: boolean;
  readonly onProgress: PruneBnBOptions['onProgress'];

  constructor(
    readonly problem: PruningProblem,
    readonly red: Reduced,
    readonly k: number,
    readonly deadline: Deadline,
    opts: PruneBnBOptions,
    public UB: number,
    public bestS: number[],
  ) {
    this.nodeLimit = opts.nodeLimit ?? Infinity;
    this.relTol = opts.relGapTol ?? DEFAULT_REL_GAP_TOL;
    this.absTol = 1e-14 * red.r;
    this.checkMask = red.n >= 128 ? 0 : 63;
    this.offZero = boxExcludesZero(problem.box);
    this.onProgress = opts.onProgress;
  }

  pruneAt(): number {
    const UB = this.UB;
    return UB === Infinity ? Infinity : UB - Math.max(this.relTol * UB, this.absTol);
  }

  deltaNow(): number {
    return this.pd ? this.deltaPd : Math.max(1e-10, this.sampleDelta);
  }

  /** Nodes are pruned when bound >= cut() = pruneAt * (1 + delta). */
  cut(): number {
    const t = this.pruneAt();
    return t === Infinity ? Infinity : t + this.deltaNow() * Math.abs(t);
  }

  pruned(bound: number): void {
    if (bound < this.minPruned) this.minPruned = bound;
  }

  open(bound: number): void {
    if (bound < this.openMin) this.openMin = bound;
  }

  /** Node and time limits (sets `aborted`); returns true when the search must stop. */
  checkLimits(): boolean {
    const nodes = this.nodes;
    if (nodes >= this.nodeLimit) {
      this.aborted = 'node_limit';
      return true;
    }
    if ((nodes & this.checkMask) === 0 && this.deadline.expired()) {
      this.aborted = 'time_limit';
      return true;
    }
    if ((nodes & 1023) === 0 && this.onProgress) this.onProgress(0, this.UB, nodes);
    return false;
  }

  /** Exact leaf value; a subset refit (box excluding 0) stopped by its budget contributes its proven bound. */
  leafError(S: number[], val: number): number {
    if (this.offZero && this.deadline.expired()) {
      // no time for the (possibly expensive) subset refit: keep the leaf's bound, stop the search
      if (!this.aborted) this.aborted = 'time_limit';
      this.pruned(val);
      return Infinity;
    }
    const sv = supportValue(this.red.problem, this.red.b, S);
    if (sv.lb < sv.err) {
      this.inexactLeaves++;
      this.pruned(sv.lb);
    }
    return sv.err;
  }
}

/**
 * The limit ran out during the preprocessing (O(n^3) factorisations before the first node): the heuristic
 * point with the trivial bound 0 (no node has been explored, so nothing better is proven here).
 */
function stopBeforeSearch(s: PruneSearch, N: number, heuristicError: number, where: string): PruneBnBReport {
  const v = expand(s.red, refit(s.red.problem, s.red.b, s.bestS), N);
  return {
    v, lowerBound: 0, status: 'time_limit', nodes: 0, leaves: 0, rootBound: 0, heuristicError,
    path: 'fast', message: `time limit reached ${where}, before the first node (heuristic point only)`,
  };
}

/**
 * Cholesky factor of the reduced G; sets `pd` and the safety factor of the fast path: with
 * kappa ~ max G_ii / min pivot, a bound is trusted only to a relative delta (cut() and the reported bound).
 */
function factorGram(s: PruneSearch): Float64Array {
  const { G, n } = s.red;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  const Lg = Float64Array.from(G);
  const pd = choleskyInPlace(Lg, n, 1e-9 * maxDiag) < 0;
  let minPiv = Infinity;
  if (pd) for (let j = 0; j < n; j++) minPiv = Math.min(minPiv, Lg[j * n + j] * Lg[j * n + j]);
  s.pd = pd;
  s.deltaPd = pd ? Math.min(1e-6, 1e3 * (maxDiag / minPiv) * 2 ** -53) : 1e-10;
  return Lg;
}

// ---- variable orders of the fast path (pruned side first in this order) ----

interface OrderContext {
  red: Reduced;
  k: number;
  /** OBS saliency w_i^2 / (G^-1)_ii. */
  sal: Float64Array;
  /** The incumbent's support. */
  incumbent: number[];
}

const identityOrder = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
function keptMask(n: number, S: Iterable<number>): Uint8Array {
  const kept = new Uint8Array(n);
  for (const i of S) kept[i] = 1;
  return kept;
}

/** Kept coordinates of the incumbent first (largest removal cost first), then the others (largest add gain first). */
function incumbentOrder({ red, incumbent }: OrderContext): number[] {
  const n = red.n;
  const kept = keptMask(n, incumbent);
  const score = new Float64Array(n);
  const S = incumbent.slice();
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
  return identityOrder(n).sort((a, c) => kept[c] - kept[a] || score[c] - score[a]);
}

/**
 * The `order` option of the fast path: one named strategy each (an unknown name keeps the natural order).
 * Measured on the `benchmarks/pruning.ts --quick` grid (total nodes over its 16 instances): saliency-desc
 * 37.6k, magnitude 37.4k, energy 37.2k, kept-first 37.7k, incumbent 47.9k, natural 135k; the orders
 * 'saliency' (smallest first), 'heuristic' (incumbent's pruned set smallest first) and 'obs' (OBS elimination
 * order) took 509k-541k and were removed.
 */
const FAST_ORDERS: Record<string, (c: OrderContext) => number[]> = {
  'saliency-desc': ({ red, sal }) => identityOrder(red.n).sort((a, c) => sal[c] - sal[a]),
  magnitude: ({ red }) => identityOrder(red.n).sort((a, c) => Math.abs(red.w[c]) - Math.abs(red.w[a])),
  energy: ({ red }) => {
    const { G, w, n } = red;
    return identityOrder(n).sort((a, c) => G[c * n + c] * w[c] ** 2 - G[a * n + a] * w[a] ** 2);
  },
  incumbent: incumbentOrder,
  'kept-first': ({ red, sal, incumbent }) => {
    const kept = keptMask(red.n, incumbent);
    return identityOrder(red.n).sort((a, c) => kept[c] - kept[a] || sal[c] - sal[a]);
  },
  natural: ({ red }) => identityOrder(red.n),
};

// ---- fast path (G positive definite) ----

/** Sum of the `count` smallest d_i w_i^2: the diagonal look-ahead (1) at the root. */
function diagRootBound(d: Float64Array, w2: Float64Array, count: number): number {
  const q = Array.from(d, (di, i) => di * w2[i]).sort((x, y) => x - y);
  let s = 0;
  for (let i = 0; i < count; i++) s += q[i];
  return s;
}

/**
 * The diagonal D <= G of look-ahead (1) (option `diag`; zero for 'none'): the candidate with the best root
 * bound; G - D must stay PSD (then G^-1 <= D^-1 and every Schur complement of G^-1 is <= diag(1/d)).
 */
function chooseDiag(kind: string, G: Float64Array, n: number, w2: Float64Array, depth: number, deadline: Deadline): Float64Array {
  let d: Float64Array = new Float64Array(n);
  if (kind !== 'none') {
    const cands: Float64Array[] = [];
    if (kind === 'scalar' || kind === 'auto') cands.push(scalarDiag(G, n, undefined, deadline));
    if (kind === 'scaled' || kind === 'auto' || kind === 'ascend') cands.push(scaledDiag(G, n, undefined, deadline));
    if (kind === 'ascend' || kind === 'auto') cands.push(ascendDiag(G, n, cands[cands.length - 1], w2, undefined, undefined, deadline));
    let best = -1;
    for (const c of cands) {
      const v = diagRootBound(c, w2, depth);
      if (v > best) {
        best = v;
        d = c;
      }
    }
  }
  // d = 0 needs no check (G is positive definite on this path)
  if (d.some((x) => x !== 0) && !isDiagFeasible(G, n, d, 0)) d.fill(0);
  return d;
}

/**
 * Perspective dual bound with a fixed dual vector y (root Frank-Wolfe): for every node,
 * err >= base - sum_{forced kept} c_i - (sum of the k - f largest c_i among candidates),
 * base = r - y^T (G - D')^-1 y, c_i = (b_i - y_i)^2 / d'_i (valid for any y; see perspective.ts).
 * PS = prefix sums of c, TOP[j (k + 1) + t] = sum of the t largest c_i with i >= j. Off: base = -Infinity.
 */
interface PerspectiveTables {
  base: number;
  PS: Float64Array;
  TOP: Float64Array;
}

function perspectiveTables(
  on: boolean, name: string, G: Float64Array, w: Float64Array, b: Float64Array, r: number, n: number, k: number,
  iterations: number, deadline: Deadline,
): PerspectiveTables {
  const cP = new Float64Array(n);
  let base = -Infinity;
  const PS = new Float64Array(n + 1);
  const TOP = new Float64Array((n + 1) * (k + 1));
  if (!on) return { base, PS, TOP };
  const permProblem: PruningProblem = { name, objective: { n, G, w, r }, k, box: null };
  const pr = rootPerspectiveBound(permProblem, { iterations, deadline: deadline.sub(0.3) });
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
  return { base, PS, TOP };
}

/**
 * The fast path: order, permute, diagonal splitting, root bounds, then the pruned-side tree. Returns the
 * root bound, or where the time limit stopped it before the first node.
 */
function fastPath(s: PruneSearch, Lg: Float64Array, opts: PruneBnBOptions): number | string {
  const { red, deadline, k } = s;
  const n = red.n;
  if (!fits(deadline, s.cholMs, INVERSE_CHOLS)) return `before the inverse (predicted ${(INVERSE_CHOLS * s.cholMs).toFixed(0)} ms)`;
  const Hg = cholInverse(Lg, n);
  if (deadline.expired()) return 'after the inverse';
  const sal = new Float64Array(n);
  for (let i = 0; i < n; i++) sal[i] = (red.w[i] * red.w[i]) / Hg[i * n + i];
  const kind = opts.order ?? 'saliency-desc';
  const order = FAST_ORDERS[kind] ? FAST_ORDERS[kind]({ red, k, sal, incumbent: s.bestS }) : identityOrder(n);
  const G = new Float64Array(n * n);
  const w = new Float64Array(n);
  const b = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    w[a] = red.w[order[a]];
    b[a] = red.b[order[a]];
    for (let c = 0; c < n; c++) G[a * n + c] = red.G[order[a] * n + order[c]];
  }
  const depth = n - k;
  const w2 = new Float64Array(n);
  for (let i = 0; i < n; i++) w2[i] = w[i] * w[i];
  const d = chooseDiag(opts.diag ?? 'none', G, n, w2, depth, deadline);
  if (deadline.expired()) return 'after the diagonal splitting';
  // (P G P^T)^-1 = P G^-1 P^T: permute the inverse instead of factorising the permuted G again
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ro = order[a] * n;
    const ao = a * n;
    for (let c = 0; c < n; c++) H[ao + c] = Hg[ro + order[c]];
  }
  let rootBound = diagRootBound(d, w2, depth);
  const persp = opts.perspective ?? false;
  const pt = perspectiveTables(persp, s.problem.name, G, w, b, red.r, n, k, opts.perspectiveIterations ?? 40, deadline);
  if (persp && pt.base > -Infinity) rootBound = Math.max(rootBound, pt.base - pt.TOP[k]);
  const monotoneOnly = opts.bound === 'monotone';
  if (monotoneOnly) d.fill(0);
  const tree = new FastTree(s, order, H, w, d, pt, monotoneOnly);
  tree.explore(0, 0, 0, 0, 0);
  tree.commitIncumbent();
  return rootBound;
}

/** Insert (v, i) into the ascending list qs[0..m) (insertion sort step). */
function insertSorted(qs: Float64Array, qi: Int32Array, m: number, v: number, i: number): void {
  let t = m;
  while (t > 0 && qs[t - 1] > v) {
    qs[t] = qs[t - 1];
    qi[t] = qi[t - 1];
    t--;
  }
  qs[t] = v;
  qi[t] = i;
}

/** Sum of the R smallest sorted values whose index is > j (Infinity when fewer). */
function smallestAfter(qs: Float64Array, qi: Int32Array, m: number, j: number, R: number): number {
  if (R === 0) return 0;
  let s = 0;
  let c = 0;
  for (let t = 0; t < m; t++) {
    if (qi[t] <= j) continue;
    s += qs[t];
    if (++c === R) return s;
  }
  return Infinity;
}

/**
 * The pruned-side tree of the fast path over the permuted problem. A node (level = |E|, p = first
 * candidate, f = forced kept, val = err(E) exactly, cF = perspective cost of the forced kept) carries the
 * Schur complement Hc of G^-1 on E (upper triangle) and the compensated weights rho in per-level buffers.
 */
class FastTree {
  readonly n: number;
  readonly k: number;
  readonly depth: number;
  readonly useD: boolean;
  readonly boxed: boolean;
  /**
   * One n x n Schur complement per level, allocated when the search first reaches the level (depth * n^2
   * doubles up front would be 384 MB at n = 400 and 6 GB at n = 1000) ...
   */
  readonly HcBuf: Float64Array[] = [];
  /**
   * ... and at most 1 GiB of them: a dive deeper than `maxLevel` stops the search like a node limit
   * (n = 1000, k = 250 would need 750 levels = 6 GB; such a tree cannot be closed anyway)
   */
  readonly maxLevel: number;
  readonly rhoBuf: Float64Array[] = [];
  /** Children of a level: bounds (ascending) and indices. */
  readonly cbBuf: Float64Array[] = [];
  readonly cjBuf: Int32Array[] = [];
  /** Diagonal look-ahead (1): sorted d_i rho_i^2 and their indices. */
  readonly qBuf: Float64Array[] = [];
  readonly qiBuf: Int32Array[] = [];
  /** Collatz-Wielandt test vectors, one per level. */
  readonly uBuf: Float64Array[] = [];
  readonly sc: Float64Array;
  readonly su: Float64Array;
  readonly acc: Float64Array;
  readonly topL: Float64Array;
  readonly chSum: Float64Array;
  readonly chKth: Float64Array;
  /** Look-ahead (2)/(3) of the node itself (side results of lookaheadSums). */
  ownSum = 0;
  ownKth = 0;
  readonly E: Int32Array;
  readonly excluded: Uint8Array;
  bestE: Int32Array | null = null;
  readonly base: number;
  readonly PS: Float64Array;
  readonly TOP: Float64Array;

  constructor(
    readonly s: PruneSearch,
    readonly order: number[],
    H: Float64Array,
    w: Float64Array,
    readonly d: Float64Array,
    pt: PerspectiveTables,
    readonly monotoneOnly: boolean,
  ) {
    const n = (this.n = s.red.n);
    const k = (this.k = s.k);
    const depth = (this.depth = n - k);
    this.maxLevel = Math.max(2, Math.floor(2 ** 30 / (8 * n * n)));
    for (let l = 0; l <= depth; l++) {
      this.rhoBuf.push(new Float64Array(n));
      this.cbBuf.push(new Float64Array(k + 1));
      this.cjBuf.push(new Int32Array(k + 1));
      this.qBuf.push(new Float64Array(n));
      this.qiBuf.push(new Int32Array(n));
    }
    this.hcAt(0).set(H);
    this.rhoBuf[0].set(w);
    this.E = new Int32Array(depth);
    this.excluded = new Uint8Array(n);
    this.sc = new Float64Array(n);
    this.topL = new Float64Array(k + 2);
    this.chSum = new Float64Array(k + 2);
    this.chKth = new Float64Array(k + 2);
    this.su = new Float64Array(n);
    this.acc = new Float64Array(n);
    for (let l = 0; l <= depth + 1; l++) this.uBuf.push(new Float64Array(n).fill(1));
    this.useD = d.some((x) => x > 0);
    this.boxed = s.problem.box !== null && s.problem.box !== undefined;
    this.base = pt.base;
    this.PS = pt.PS;
    this.TOP = pt.TOP;
  }

  hcAt(level: number): Float64Array {
    return (this.HcBuf[level] ??= new Float64Array(this.n * this.n));
  }

  /** The best leaf found (if any) becomes the search's incumbent support (reduced indices). */
  commitIncumbent(): void {
    if (!this.bestE) return;
    const n = this.n;
    const ex = new Uint8Array(n);
    for (const j of this.bestE) ex[this.order[j]] = 1;
    const S: number[] = [];
    for (let i = 0; i < n; i++) if (!ex[i]) S.push(i);
    this.s.bestS = S;
  }

  leafSupport(): number[] {
    const S: number[] = [];
    for (let i = 0; i < this.n; i++) if (!this.excluded[i]) S.push(this.order[i]);
    return S;
  }

  /** A leaf (the current E) of value `val`: exact recomputation (free or boxed) for a candidate incumbent. */
  evalLeaf(val: number): void {
    const s = this.s;
    s.leaves++;
    if (val >= s.cut()) return;
    const e = s.leafError(this.leafSupport(), val);
    if (e < s.UB) {
      s.UB = e;
      this.bestE = this.E.slice();
    }
  }

  /** The leaf E + {j, l} at this level. */
  evalPair(level: number, j: number, l: number, val: number): void {
    this.E[level] = j;
    this.E[level + 1] = l;
    this.excluded[j] = 1;
    this.excluded[l] = 1;
    this.evalLeaf(val);
    this.excluded[j] = 0;
    this.excluded[l] = 0;
  }

  /**
   * Two exclusions left: every pair {j < l} of candidates completes to a leaf (the count constraint is then
   * automatically met), with the exact value val + [rho_j rho_l] Hc_{jl}^-1 [rho_j rho_l]^T; O(|C|^2).
   */
  pairScan(level: number, p: number, val: number): boolean {
    const s = this.s;
    const n = this.n;
    const Hc = this.HcBuf[level];
    const rho = this.rhoBuf[level];
    const thr = s.cut();
    const boxed = this.boxed;
    let bestV = Infinity;
    let bj = -1;
    let bl = -1;
    for (let j = p; j < n; j++) {
      const jo = j * n;
      const hjj = Hc[jo + j];
      const rj = rho[j];
      const ej = hjj > 0 ? (rj * rj) / hjj : 0;
      if (val + ej >= thr) {
        s.pruned(val + ej);
        continue;
      }
      for (let l = j + 1; l < n; l++) {
        const hll = Hc[l * n + l];
        const hjl = Hc[jo + l];
        const rl = rho[l];
        const det = hjj * hll - hjl * hjl;
        s.leaves++;
        if (!(det > 1e-13 * hjj * hll)) {
          // numerically degenerate pair: evaluate it exactly
          this.evalPair(level, j, l, val + ej);
          continue;
        }
        const v = val + (hll * rj * rj - 2 * hjl * rj * rl + hjj * rl * rl) / det;
        if (boxed && v < s.cut()) {
          // exact (box-LS) evaluations are the slow part: out of time, the node's value bounds the pairs left
          if (s.deadline.expired()) {
            if (!s.aborted) s.aborted = 'time_limit';
            s.open(val);
            s.nodes++;
            return true;
          }
          // the free value only bounds the boxed one: evaluate every promising pair exactly
          this.evalPair(level, j, l, v);
          continue;
        }
        if (v < bestV) {
          bestV = v;
          bj = j;
          bl = l;
        }
        if (v >= thr) s.pruned(v);
      }
    }
    s.nodes++;
    if (bj >= 0 && bestV < s.cut()) this.evalPair(level, bj, bl, bestV);
    return s.checkLimits();
  }

  /**
   * Node (level = |E|, p = first candidate, f = forced kept, val = err(E) exactly). Two look-ahead
   * bounds on the R further exclusions T among the candidates C (A = Hc_TT, the Schur complement of G^-1):
   *  (1) A <= diag(1/d)                        =>  increase >= sum_T d_i rho_i^2;
   *  (2) A <= lam * diag(A), lam >= lambda_max of the unit-diagonal scaling of Hc_CC (Gershgorin)
   *                                            =>  increase >= (1/lam) sum_T rho_i^2 / A_ii.
   * Returns true when a limit stopped the search.
   */
  explore(level: number, p: number, f: number, val: number, cF: number): boolean {
    if (this.depth - level === 2) return this.pairScan(level, p, val);
    const ilam = this.inverseLambda(level, p);
    let m = 0;
    if (this.useD) {
      const rho = this.rhoBuf[level];
      const q1 = this.qBuf[level];
      const i1 = this.qiBuf[level];
      for (let i = p; i < this.n; i++) {
        insertSorted(q1, i1, m, this.d[i] * rho[i] * rho[i], i);
        m++;
      }
    }
    this.lookaheadSums(level, p, f, ilam);
    const own = this.nodeBound(level, p, f, val, cF, ilam, m);
    if (own >= this.s.cut()) {
      this.s.pruned(own);
      return false;
    }
    const nc = this.rankChildren(level, p, f, val, cF, ilam, m);
    return this.expandChildren(level, p, f, val, cF, nc);
  }

  /**
   * 1 / lam (rounded down; 0 when only the plain value is usable) for an upper bound lam on lambda_max of
   * A = the unit-diagonal scaling of Hc_CC: Collatz-Wielandt, lambda_max(A) <= rho(|A|) <= max_i (|A| u)_i / u_i
   * for ANY positive u. The test vector u is the parent's |A| u (one power-iteration step per tree level,
   * carried down in uBuf), so one pass over the candidate block per node suffices; the root starts from
   * u = 1 (Gershgorin) and takes two. Only the upper triangle of Hc is stored and read.
   */
  inverseLambda(level: number, p: number): number {
    const n = this.n;
    const Hc = this.HcBuf[level];
    const sc = this.sc;
    let lam = 1;
    let badDiag = false;
    for (let i = p; i < n; i++) {
      const h = Hc[i * n + i];
      if (!(h > 0)) badDiag = true;
      sc[i] = h > 0 ? 1 / Math.sqrt(h) : 0;
    }
    const u = this.uBuf[level];
    const un = this.uBuf[level + 1];
    if (!badDiag && !this.monotoneOnly)
      for (let pass = level === 0 ? 0 : 1; pass < 2; pass++) {
        // the next test vector (normalised) goes to u for the second root pass, to un for the children
        lam = pass === 0 ? this.collatzPass(Hc, p, un.fill(1, p, n), u) : this.collatzPass(Hc, p, u, un);
      }
    // a non-positive conditional diagonal means rounding has taken over: use the plain value only
    return this.monotoneOnly || badDiag ? 0 : 1 / (lam * (1 + 1e-12));
  }

  /** One Collatz-Wielandt step from the test vector uu: returns max(1, max_i (|A| uu)_i / uu_i), writes |A| uu (normalised) to dst. */
  collatzPass(Hc: Float64Array, p: number, uu: Float64Array, dst: Float64Array): number {
    const n = this.n;
    const sc = this.sc;
    const su = this.su;
    const acc = this.acc;
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
    const inv = smax > 0 ? 1 / smax : 1;
    for (let i = p; i < n; i++) dst[i] = acc[i] * inv > 1e-300 ? acc[i] * inv : 1e-300;
    return lam2 > 1 ? lam2 : 1;
  }

  /**
   * Look-ahead (2)/(3) sums without sorting all candidates: the R smallest of the scaled increments x_i
   * after a child j are all of them minus the c = (keeps left) largest, and the R-th smallest is the
   * (c+1)-th largest; c <= k - f is small, so one backward sweep keeps a descending top list of size
   * k - f + 1 and reads every child's values (children j <= p + k - f) into chSum/chKth, the node's own
   * into ownSum/ownKth. The subtraction is rounded down by an absolute 8 n 2^-53 (suffix sum).
   */
  lookaheadSums(level: number, p: number, f: number, ilam: number): void {
    const n = this.n;
    const Hc = this.HcBuf[level];
    const rho = this.rhoBuf[level];
    const topL = this.topL;
    const chSum = this.chSum;
    const chKth = this.chKth;
    const R0 = this.depth - level;
    const K = this.k - f;
    const jmaxC = Math.min(n - 1, p + K);
    let tn = 0;
    let suf = 0;
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
          this.ownSum = sum;
          this.ownKth = kv;
        }
      }
    }
  }

  /** The node's own bound: val + the best look-ahead, and the perspective bound. */
  nodeBound(level: number, p: number, f: number, val: number, cF: number, ilam: number, m: number): number {
    const b1 = this.useD ? smallestAfter(this.qBuf[level], this.qiBuf[level], m, p - 1, this.depth - level) : 0;
    let b2 = this.ownSum;
    // (3) monotonicity: the R-th smallest single increment is paid by any R exclusions
    const b3 = ilam > 0 ? this.ownKth / ilam : 0;
    if (b3 > b2) b2 = b3;
    const own = val + (b1 > b2 ? b1 : b2);
    const k = this.k;
    const pb = this.base - cF - this.TOP[p * (k + 1) + (k - f)];
    return pb > own ? pb : own;
  }

  /** Bounds of the children j = p..p + k - f (exclude j, keep p..j-1), sorted ascending into cbBuf/cjBuf; returns their count. */
  rankChildren(level: number, p: number, f: number, val: number, cF: number, ilam: number, m: number): number {
    const n = this.n;
    const k = this.k;
    const Hc = this.HcBuf[level];
    const rho = this.rhoBuf[level];
    const cb = this.cbBuf[level];
    const cj = this.cjBuf[level];
    const q1 = this.qBuf[level];
    const i1 = this.qiBuf[level];
    const { d, useD, chSum, chKth, PS, TOP, base } = this;
    const R = this.depth - level - 1;
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
    return nc;
  }

  /** Visit the ranked children best first until one's bound reaches the cut; returns true when a limit stopped the search. */
  expandChildren(level: number, p: number, f: number, val: number, cF: number, nc: number): boolean {
    const s = this.s;
    const Hc = this.HcBuf[level];
    const rho = this.rhoBuf[level];
    const cb = this.cbBuf[level];
    const cj = this.cjBuf[level];
    const n = this.n;
    const depth = this.depth;
    const PS = this.PS;
    const R = depth - level - 1;
    for (let t = 0; t < nc; t++) {
      const bnd = cb[t];
      if (bnd >= s.cut()) {
        s.pruned(bnd);
        break;
      }
      s.nodes++;
      const tooDeep = level + 1 > this.maxLevel && depth - level > 1;
      if (tooDeep && !s.aborted) {
        s.aborted = 'node_limit';
        s.memoryCapped = true;
      }
      if (tooDeep || s.checkLimits()) {
        for (let u = t; u < nc; u++) s.open(cb[u]);
        return true;
      }
      const j = cj[t];
      this.E[level] = j;
      this.excluded[j] = 1;
      const hjj = Hc[j * n + j];
      const rj = rho[j];
      const inc = hjj > 0 ? (rj * rj) / hjj : 0;
      if (R === 0) {
        this.evalLeaf(val + inc);
        this.excluded[j] = 0;
        continue;
      }
      this.childSchur(level, j);
      const ab = this.explore(level + 1, j + 1, f + (j - p), val + inc, cF + PS[j] - PS[p]);
      this.excluded[j] = 0;
      if (ab) {
        s.open(bnd);
        for (let u = t + 1; u < nc; u++) s.open(cb[u]);
        return true;
      }
    }
    return false;
  }

  /** The child's Schur complement (on indices > j, upper triangle) and compensated weights after excluding j. */
  childSchur(level: number, j: number): void {
    const n = this.n;
    const Hc = this.HcBuf[level];
    const rho = this.rhoBuf[level];
    const Hn = this.hcAt(level + 1);
    const rn = this.rhoBuf[level + 1];
    const jo = j * n;
    const hjj = Hc[jo + j];
    const rj = rho[j];
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
  }
}

// ---- generic path (singular G) ----

/** Likely-kept first: the incumbent's support, then decreasing single gain b_i^2 / G_ii ('natural': as given). */
function genericOrder(red: Reduced, incumbent: number[], kind: string): number[] {
  const n = red.n;
  if (kind === 'natural') return identityOrder(n);
  const kept = keptMask(n, incumbent);
  const g1 = (i: number): number => (red.b[i] * red.b[i]) / red.G[i * n + i];
  return identityOrder(n).sort((x, y) => kept[y] - kept[x] || g1(y) - g1(x));
}

/**
 * Singular (or numerically singular) G: kept-side search in the sample space (singular.ts). Returns false
 * when the time limit ran out during the factorisation.
 */
function genericPath(s: PruneSearch, orderKind: string): boolean {
  const { red, k } = s;
  const n = red.n;
  // the rank-revealing LDL^T costs about one Cholesky (measured in factorGram)
  if (!fits(s.deadline, s.cholMs, 1.5)) return false;
  const fac = sampleFactor(red.G, n, red.w);
  if (s.deadline.expired()) return false;
  if (fac.rho <= k && !s.problem.box) {
    // exactly reachable: rho independent pivot columns span range(G), so error 0 with k >= rank
    const S = Array.from(fac.perm.subarray(0, fac.rho)).sort((x, y) => x - y);
    const e = supportError(red.problem, red.b, S);
    if (e < s.UB) {
      s.UB = e;
      s.bestS = S;
    }
    s.minPruned = 0;
    return true;
  }
  const order = genericOrder(red, s.bestS, orderKind);
  s.sampleDelta = fac.delta;
  keptSideSearch(fac, n, k, order, {
    cut: () => s.cut(),
    node: () => {
      s.nodes++;
      return s.checkLimits();
    },
    leaf: (S, val) => {
      s.leaves++;
      if (val >= s.cut()) return;
      const e = s.leafError(S, val);
      if (e < s.UB) {
        s.UB = e;
        s.bestS = S;
      }
    },
    pruned: (x) => s.pruned(x),
    open: (x) => s.open(x),
  });
  return true;
}

/** The incumbent refit, the lower bound min(ub, pruned, open) shrunk by delta, and the status. */
function assembleReport(s: PruneSearch, N: number, rootBound: number, heuristicError: number, path: 'fast' | 'generic'): PruneBnBReport {
  const { red, problem, nodes, leaves, inexactLeaves, relTol, absTol } = s;
  const n = red.n;
  const vr = refit(red.problem, red.b, s.bestS);
  const v = expand(red, vr, N);
  const ub = errorOf(problem.objective, v);
  const delta = s.deltaNow();
  const shrink = (x: number): number => (Number.isFinite(x) ? x - delta * Math.abs(x) : x);
  const lbRaw = Math.min(ub, shrink(s.minPruned), shrink(s.openMin));
  // the tree's values are differences of terms of size up to (sum_i sqrt(G_ii)|w_i|)^2: their rounding is absolute,
  // not relative to the (possibly tiny) bound, so an absolute slack of that order goes the safe way too
  const absSlack = boundAbsSlack(problem);
  const lowerBound = safeLowerBound(lbRaw, BNB_BOUND_SLACK, absSlack);
  let status: SolveStatus = s.aborted ?? 'optimal';
  // `optimal` = the reported (reduced) bound is within the prune tolerance max(relTol * ub, 1e-14 r) of ub,
  // plus the rounding slack 2e-10 ub of the reductions, plus the floating-point noise of evaluating ub itself
  // (an optimum 0 reached by a point whose computed error is rounding noise)
  let message: string | undefined;
  if (status === 'optimal' && !(ub - lowerBound <= Math.max(relTol * ub, absTol) + 2 * BNB_BOUND_SLACK * ub + 2 * absSlack + evalNoise(problem, v))) {
    status = inexactLeaves > 0 ? 'iteration_limit' : 'numerical_failure';
    if (inexactLeaves > 0) message = `${inexactLeaves} subset refits (box excluding 0) stopped by their budget of box-LS solves`;
  }
  if (s.memoryCapped) message = `search depth capped at ${Math.floor(2 ** 30 / (8 * n * n))} levels (1 GiB of Schur complements); stopped like a node limit`;
  return { v, lowerBound, status, nodes, leaves, rootBound, heuristicError, path, ...(message ? { message } : {}) };
}

/** Floating-point noise of errorOf(v): 8 n 2^-52 (|w - v|^T |G| |w - v|). */
/** Absolute rounding slack of the tree's bounds: 4 n eps (sum_i sqrt(G_ii) |w_i|)^2 (>= 4 n eps r). */
export function boundAbsSlack(problem: PruningProblem): number {
  const { G, n, w } = problem.objective;
  let sc = 0;
  for (let i = 0; i < n; i++) sc += Math.sqrt(Math.max(0, G[i * n + i])) * Math.abs(w[i]);
  return 4 * n * Number.EPSILON * sc * sc;
}

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
    values: ['saliency-desc', 'magnitude', 'energy', 'incumbent', 'kept-first', 'natural'],
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
    // under a time limit the tree gets 90 % of it: the rest is kept for the root perspective bound of a stopped
    // search (otherwise a search stopped by the limit had no time left for it and reported its open-node minimum)
    const rep = pruneBranchAndBound(problem, {
      deadline: deadline.limited ? deadline.sub(0.9) : deadline,
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
      const pr = rootPerspectiveBound(problem, { iterations: 50, deadline: post, ascent: PERSPECTIVE_ASCENT });
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
      // `optimal` allows the rounding slack of the reductions on top of relGapTol (assembleReport): state that tolerance
      extraStats: { leaves: rep.leaves, rootBound: rep.rootBound, heuristicError: rep.heuristicError, relGapTol: (options.relGapTol ?? DEFAULT_REL_GAP_TOL) + 2 * BNB_BOUND_SLACK },
      message: `${rep.path} path${rep.status === 'optimal' ? '' : '; lower bound = min over open nodes'}${rep.message ? `; ${rep.message}` : ''}`,
    });
  },
};
