/**
 * The `joint-exact` search (docs/structured.md), over any sorted value set containing 0 (the integer grid
 * zmin..zmax, or a level set such as FP4 / NF4 with 0): Schnorr-Euchner enumeration on the LDL^T of
 * P = s^2 G_live in OBS-saliency order, with a count of nonzeros per group (a group at its cap only allows 0),
 * a sparsity look-ahead (`sparsityLookahead`) and exact leaves. Written as named phases over one search state:
 * `prepareSystem` (live inputs, order, factor), `JointSearch` (state; `lookBound`, `descend`, `visit`, `leaf`)
 * and `finish` (bound, status).
 */
import { PvqInputError } from '../../src/core/errors.js';
import { errorOf, patternGroups } from '../../src/core/objective.js';
import { Deadline, safeLowerBound } from '../../src/core/result.js';
import type { JointSparsity, QuadObjective, SolveStatus } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';
import { symEig } from '../../src/linalg/eigen.js';
import { factorInOrder, vblastOrder, type OrderedFactor } from '../quantization/lattice.js';

/** What the search needs of a joint problem: weights are `scale * z`, every z_i in `values` (sorted, with 0). */
export interface JointCore {
  readonly objective: QuadObjective;
  readonly scale: number;
  readonly values: Float64Array;
  readonly sparsity: JointSparsity;
}

export interface JointSearchOptions {
  timeLimitMs?: number;
  nodeLimit?: number;
  relGapTol?: number;
  lookahead?: boolean;
  order?: 'vblast' | 'saliency' | 'saliency-desc';
  /** The caller's deadline (instead of one started here from timeLimitMs). */
  deadline?: Deadline;
}

export interface JointTreeReport {
  z: Float64Array;
  lowerBound: number;
  status: SolveStatus;
  nodes: number;
  heuristicError: number;
}

/** Error of the candidate `scale * z`. */
export function coreErrorOf(c: JointCore, z: ArrayLike<number>): number {
  const n = c.objective.n;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = c.scale * z[i];
  return errorOf(c.objective, v);
}

/** Throws unless `values` is strictly increasing, finite and contains 0. */
export function checkValues(values: Float64Array, field = 'values'): void {
  let hasZero = false;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]) || (i > 0 && !(values[i] > values[i - 1]))) throw new PvqInputError(field, 'expected a strictly increasing array of finite numbers');
    if (values[i] === 0) hasZero = true;
  }
  if (!hasZero) throw new PvqInputError(field, 'must contain 0 (pruned weights)');
}

/** Index of the value nearest to x (ties to the lower value); O(1) for consecutive integers. */
export function nearestValueIndex(vals: Float64Array, consecutive: boolean, x: number): number {
  const nv = vals.length;
  if (consecutive) {
    const i = Math.round(x - vals[0]);
    return i < 0 ? 0 : i >= nv ? nv - 1 : i;
  }
  let a = 0;
  let b = nv - 1;
  if (x <= vals[0]) return 0;
  if (x >= vals[b]) return b;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (vals[mid] <= x) a = mid;
    else b = mid;
  }
  return x - vals[a] <= vals[b] - x ? a : b;
}

interface LiveSystem {
  live: number[];
  na: number;
  P: Float64Array;
  t: Float64Array;
  maxDiag: number;
  F: OrderedFactor;
}

/** Phase 1: live inputs, P = s^2 G_live, targets w / s, the decision order and the LDL^T in that order. */
function prepareSystem(c: JointCore, order: JointSearchOptions['order']): LiveSystem {
  const { n, G, w } = c.objective;
  const s = c.scale;
  const live: number[] = [];
  for (let i = 0; i < n; i++) if (G[i * n + i] > 0) live.push(i);
  const na = live.length;
  const P = new Float64Array(na * na);
  const t = new Float64Array(na);
  let maxDiag = 0;
  for (let a = 0; a < na; a++) {
    t[a] = w[live[a]] / s;
    for (let b = 0; b < na; b++) P[a * na + b] = s * s * G[live[a] * n + live[b]];
    maxDiag = Math.max(maxDiag, P[a * na + a]);
  }
  const tol = 1e-12 * maxDiag;
  let ord = vblastOrder(P, na, tol);
  const orderOpt = order ?? 'saliency';
  if (orderOpt !== 'vblast') {
    // OBS saliency t_j^2 / [P^-1]_jj: 'saliency' decides the most prunable (smallest) first, 'saliency-desc' the largest first
    const A = Float64Array.from(P);
    if (choleskyInPlace(A, na, 1e-9 * maxDiag) < 0) {
      const W = cholInverse(A, na);
      const sal = Array.from({ length: na }, (_, j) => (t[j] * t[j]) / W[j * na + j]);
      const idx = Array.from({ length: na }, (_, j) => j).sort((a2, b2) => (orderOpt === 'saliency' ? sal[a2] - sal[b2] : sal[b2] - sal[a2]) || a2 - b2);
      ord = Int32Array.from(idx);
    }
  }
  return { live, na, P, t, maxDiag, F: factorInOrder(P, na, ord, t, tol) };
}

type Lookahead = ReturnType<typeof sparsityLookahead>;

/**
 * The inverse W_k of the open block P_k (levels k..) of every level (null when not positive definite), its
 * diagonal, and (1/lam_k) with lam_k >= lambda_max of the unit-diagonal scaling of W_k: Gershgorin, or (smaller)
 * the computed top eigenvalue raised by a margin and certified by a Cholesky of lam I - S.
 */
function openBlockInverses(Pl: Float64Array, na: number): { inverses: (Float64Array | null)[]; winvDiag: (Float64Array | null)[]; invLambda: Float64Array } {
  const winvDiag: (Float64Array | null)[] = [];
  const inverses: (Float64Array | null)[] = [];
  const invLambda = new Float64Array(na + 1);
  for (let k = 0; k <= na; k++) {
    const L = na - k;
    const A = new Float64Array(L * L);
    let maxDiag = 0;
    for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) A[a * L + b] = Pl[(k + a) * na + (k + b)];
    for (let a = 0; a < L; a++) maxDiag = Math.max(maxDiag, A[a * L + a]);
    if (L === 0 || choleskyInPlace(A, L, 1e-9 * maxDiag) >= 0) {
      inverses.push(null);
      winvDiag.push(null);
      continue;
    }
    const W = cholInverse(A, L);
    inverses.push(W);
    const wd = new Float64Array(L);
    for (let a = 0; a < L; a++) wd[a] = W[a * L + a];
    winvDiag.push(wd);
    const lam = scaledLambdaBound(W, wd, L);
    invLambda[k] = lam > 0 ? 1 / lam : 0;
  }
  return { inverses, winvDiag, invLambda };
}

/** lam >= lambda_max of the unit-diagonal scaling of W (see `openBlockInverses`). */
function scaledLambdaBound(W: Float64Array, wd: Float64Array, L: number): number {
  const Sc = new Float64Array(L * L);
  let lam = 0;
  for (let a = 0; a < L; a++) {
    let row = 0;
    for (let b = 0; b < L; b++) {
      Sc[a * L + b] = W[a * L + b] / Math.sqrt(wd[a] * wd[b]);
      row += Math.abs(Sc[a * L + b]);
    }
    lam = Math.max(lam, row);
  }
  lam *= 1 + 1e-12;
  if (L > 2) {
    const ev = symEig(Sc, L).values;
    let top = -Infinity;
    for (let a = 0; a < L; a++) top = Math.max(top, ev[a]);
    const cand = top * (1 + 1e-8) + 1e-12 * L;
    if (cand < lam) {
      const M = new Float64Array(L * L);
      for (let a = 0; a < L * L; a++) M[a] = -Sc[a];
      for (let a = 0; a < L; a++) M[a * L + a] += cand;
      if (choleskyInPlace(M, L, 0) < 0) lam = cand;
    }
  }
  return lam;
}

/**
 * Per level k of the search (levels k.. still open, P_k = their block of s^2 G in level order), data for a
 * sparsity look-ahead: given the decided levels, the continuous optimum of the open ones is the conditional
 * mean mu (zero cost); every feasible completion forces at least need_g open coordinates of group g to 0, and
 * forcing z_j = 0 alone costs at least mu_j^2 / [P_k^-1]_jj. By monotonicity of the constrained least-squares
 * value, the remaining cost is >= max_g (need_g-th smallest such cost in g), and by P_k^-1 <= lam diag(P_k^-1)
 * (lam: Gershgorin bound of the unit-diagonal scaling) >= (1/lam) * sum over g of its need_g smallest costs.
 * (Continuous relaxations of the integer completions, so valid lower bounds.) mu is carried down the tree:
 * fixing level k moves the open levels' mean by beta_k (z_k - mu_k), beta_k = P_{k+1}^-1 P_{open, k}.
 */
function sparsityLookahead(P: Float64Array, na: number, ord: ArrayLike<number>, levelGroup: Int32Array, ng: number) {
  const Pl = new Float64Array(na * na);
  for (let a = 0; a < na; a++) for (let b = 0; b < na; b++) Pl[a * na + b] = P[ord[a] * na + ord[b]];
  const { inverses, winvDiag, invLambda } = openBlockInverses(Pl, na);
  const beta: (Float64Array | null)[] = [];
  for (let k = 0; k < na; k++) {
    const W = inverses[k + 1];
    const L = na - k - 1;
    if (!W || L === 0) {
      beta.push(L === 0 ? new Float64Array(0) : null);
      continue;
    }
    const bk = new Float64Array(L);
    for (let a = 0; a < L; a++) {
      let s = 0;
      for (let b = 0; b < L; b++) s += W[a * L + b] * Pl[(k + 1 + b) * na + k];
      bk[a] = s;
    }
    beta.push(bk);
  }
  // a missing beta breaks the carried mean below that level: disable the look-ahead there and below
  let broken = false;
  for (let k = 0; k <= na; k++) {
    if (broken) winvDiag[k] = null;
    if (k < na && !beta[k]) broken = true;
  }
  const suffix = new Int32Array((na + 1) * ng);
  for (let k = na - 1; k >= 0; k--) {
    for (let g = 0; g < ng; g++) suffix[k * ng + g] = suffix[(k + 1) * ng + g];
    suffix[k * ng + levelGroup[k]]++;
  }
  const levelsOf: number[][] = Array.from({ length: ng }, () => []);
  for (let k = 0; k < na; k++) levelsOf[levelGroup[k]].push(k);
  // firstOpen[g * (na + 1) + k]: position in levelsOf[g] of its first level >= k
  const firstOpen = new Int32Array(ng * (na + 1));
  for (let g = 0; g < ng; g++) {
    let i = 0;
    for (let k = 0; k <= na; k++) {
      while (i < levelsOf[g].length && levelsOf[g][i] < k) i++;
      firstOpen[g * (na + 1) + k] = i;
    }
  }
  return { winvDiag, invLambda, beta, suffix, levelsOf, firstOpen };
}

/**
 * Partially order a[0..m) so that a[0..t) are its t smallest entries (in any order) and a[t-1] is the t-th
 * smallest (1 <= t <= m): quickselect with median-of-three, insertion sort on short ranges.
 */
export function selectSmallest(a: Float64Array, m: number, t: number): void {
  let lo = 0;
  let hi = m - 1;
  const target = t - 1;
  while (hi - lo > 8) {
    const mid = (lo + hi) >> 1;
    // median of three to a[mid]
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // a[lo..j] <= pivot <= a[i..hi], and a[j+1..i-1] == pivot
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const x = a[i];
  a[i] = a[j];
  a[j] = x;
}

/** The search state: the system, the groups and counts, the incumbent, the carried means and the counters. */
class JointSearch {
  readonly n: number;
  readonly na: number;
  readonly live: number[];
  readonly F: OrderedFactor;
  readonly vals: Float64Array;
  readonly consecutive: boolean;
  readonly levelGroup: Int32Array;
  readonly ng: number;
  readonly cap: Int32Array;
  readonly count: Int32Array;
  readonly look: Lookahead | null;
  readonly muStack: Float64Array[] = [];
  readonly zl: Float64Array;
  readonly leafZ: Float64Array;
  readonly buf: Float64Array;
  readonly rnd: Float64Array;
  readonly buf2: Float64Array;
  readonly delta: number;
  readonly relTol: number;
  readonly absTol: number;
  readonly nodeLimit: number;
  readonly deadline: Deadline;
  UB: number;
  bestZ: Float64Array;
  nodes = 0;
  minPruned = Infinity;
  stopped: SolveStatus | null = null;

  constructor(
    readonly core: JointCore,
    sys: LiveSystem,
    incumbent: { z: Float64Array; error: number },
    opts: JointSearchOptions,
  ) {
    this.deadline = opts.deadline ?? new Deadline(opts.timeLimitMs);
    this.relTol = opts.relGapTol ?? DEFAULT_REL_GAP_TOL;
    this.absTol = 1e-14 * core.objective.r;
    this.nodeLimit = opts.nodeLimit ?? Infinity;
    this.n = core.objective.n;
    this.na = sys.na;
    this.live = sys.live;
    this.F = sys.F;
    this.bestZ = incumbent.z;
    this.UB = incumbent.error;
    const groupOf = new Int32Array(this.n);
    const groups = patternGroups(core.sparsity, this.n);
    groups.forEach((g, gi) => {
      for (let i = g.start; i < g.end; i++) groupOf[i] = gi;
    });
    this.ng = groups.length;
    this.cap = Int32Array.from(groups.map((g) => g.cap));
    this.count = new Int32Array(this.ng);
    this.levelGroup = new Int32Array(this.na);
    for (let k = 0; k < this.na; k++) this.levelGroup[k] = groupOf[this.live[this.F.ord[k]]];
    let minPositiveD = Infinity;
    for (let k = 0; k < this.na; k++) if (this.F.d[k] > 0) minPositiveD = Math.min(minPositiveD, this.F.d[k]);
    this.delta = Math.max(1e-10, Math.min(1e-6, 1e3 * (sys.maxDiag / minPositiveD) * 2 ** -53));
    this.zl = new Float64Array(this.na);
    this.vals = Float64Array.from(core.values);
    let consecutive = true;
    for (let i = 1; i < this.vals.length; i++) if (this.vals[i] !== this.vals[i - 1] + 1) consecutive = false;
    this.consecutive = consecutive;
    this.leafZ = new Float64Array(this.n);
    this.look = opts.lookahead === false ? null : sparsityLookahead(sys.P, this.na, this.F.ord, this.levelGroup, this.ng);
    for (let k = 0; k <= this.na; k++) this.muStack.push(new Float64Array(this.na));
    if (this.look) for (let j = 0; j < this.na; j++) this.muStack[0][j] = sys.t[this.F.ord[j]];
    this.buf = new Float64Array(this.na);
    this.rnd = new Float64Array(this.na);
    this.buf2 = new Float64Array(this.na);
  }

  cut(): number {
    const tt = this.UB - Math.max(this.relTol * this.UB, this.absTol);
    return tt + this.delta * Math.abs(tt);
  }

  /**
   * Sparsity look-ahead at level k (0 when unavailable): see `sparsityLookahead`. Returns early (with a value
   * >= slack, still a valid bound) once the bound reaches `slack` (the node is pruned either way).
   */
  lookBound(k: number, slack: number): number {
    const look = this.look;
    if (!look || !look.winvDiag[k]) return 0;
    const { na, vals, rnd, buf, buf2, ng, cap, count } = this;
    const mu = this.muStack[k];
    const wd = look.winvDiag[k]!;
    // r_j: cost of the nearest allowed value alone; zero_j - r_j: the extra of forcing z_j = 0
    let mono = 0;
    let sum = 0;
    for (let j = k; j < na; j++) {
      const x = mu[j];
      const q = vals[nearestValueIndex(vals, this.consecutive, x)];
      const rj = ((x - q) * (x - q)) / wd[j - k];
      rnd[j] = rj;
      sum += rj;
      if (rj > mono) mono = rj;
    }
    if (!(mono < slack)) return mono;
    for (let g = 0; g < ng; g++) {
      const need = look.suffix[k * ng + g] - (cap[g] - count[g]);
      if (need <= 0) continue;
      const lv = look.levelsOf[g];
      let m = 0;
      for (let i = look.firstOpen[g * (na + 1) + k]; i < lv.length; i++) {
        const j = lv[i];
        const f = (mu[j] * mu[j]) / wd[j - k];
        buf[m] = f;
        buf2[m++] = Math.max(0, f - rnd[j]);
      }
      selectSmallest(buf, m, need);
      if (buf[need - 1] > mono) mono = buf[need - 1];
      selectSmallest(buf2, m, need);
      for (let q = 0; q < need; q++) sum += buf2[q];
    }
    return Math.max(mono, look.invLambda[k] * sum);
  }

  /** A complete point: evaluate exactly, keep it when better. */
  leaf(partial: number): void {
    const { leafZ, live, zl, na } = this;
    leafZ.fill(0);
    for (let a = 0; a < na; a++) leafZ[live[this.F.ord[a]]] = zl[a];
    const e = coreErrorOf(this.core, leafZ);
    if (e < this.UB) {
      this.UB = e;
      this.bestZ = Float64Array.from(leafZ);
    }
    this.minPruned = Math.min(this.minPruned, partial);
  }

  /** Try value z at level k (centre c, level weight dk): false when its cost reaches the cut. */
  visit(k: number, partial: number, c: number, dk: number, z: number): boolean {
    const cost = partial + dk * (z - c) * (z - c);
    if (!(cost < this.cut())) {
      this.minPruned = Math.min(this.minPruned, cost);
      return false;
    }
    this.zl[k] = z;
    const look = this.look;
    if (look) {
      const mu = this.muStack[k];
      const nx = this.muStack[k + 1];
      const beta = look.beta[k];
      const dz = z - mu[k];
      if (beta) for (let j = k + 1; j < this.na; j++) nx[j] = mu[j] - beta[j - k - 1] * dz;
    }
    const g = this.levelGroup[k];
    const nz = z !== 0 ? 1 : 0;
    this.count[g] += nz;
    this.descend(k + 1, cost);
    this.count[g] -= nz;
    return true;
  }

  /** The node at level k with the partial cost so far: limits, look-ahead, then the values in Schnorr-Euchner order. */
  descend(k: number, partial: number): void {
    if (this.stopped) return;
    if (k === this.na) return this.leaf(partial);
    this.nodes++;
    if (this.nodes > this.nodeLimit) {
      this.stopped = 'node_limit';
      return;
    }
    if ((this.nodes & 1023) === 0 && this.deadline.expired()) {
      this.stopped = 'time_limit';
      return;
    }
    if (this.look) {
      const c0 = this.cut();
      const lb = partial + this.lookBound(k, c0 - partial);
      if (!(lb < c0)) {
        this.minPruned = Math.min(this.minPruned, lb);
        return;
      }
    }
    const { Lk, tOrd, d } = this.F;
    const { na, zl, vals } = this;
    const nv = vals.length;
    let c = tOrd[k];
    const row = k * na;
    for (let j = 0; j < k; j++) c -= Lk[row + j] * (zl[j] - tOrd[j]);
    const dk = d[k];
    const g = this.levelGroup[k];
    if (this.count[g] >= this.cap[g]) {
      this.visit(k, partial, c, dk, 0);
      return;
    }
    if (dk === 0) {
      // no curvature at this level: every value costs the same; enumerate all (0 first)
      this.visit(k, partial, c, dk, 0);
      for (let i = 0; i < nv && !this.stopped; i++) if (vals[i] !== 0) this.visit(k, partial, c, dk, vals[i]);
      return;
    }
    // Schnorr-Euchner zigzag over the sorted values: increasing distance from c, each side stopped at the cut
    const i0 = nearestValueIndex(vals, this.consecutive, c);
    if (!this.visit(k, partial, c, dk, vals[i0])) return;
    let lo = i0 - 1;
    let hi = i0 + 1;
    while (!this.stopped && (lo >= 0 || hi < nv)) {
      const useHi = hi < nv && (lo < 0 || vals[hi] - c <= c - vals[lo]);
      const i = useHi ? hi++ : lo--;
      if (!this.visit(k, partial, c, dk, vals[i])) {
        if (useHi) hi = nv;
        else lo = -1;
      }
    }
  }

  /** Phase 3: the proven bound and the status (a stopped search proves nothing here: the caller adds a certified bound). */
  finish(heuristicError: number): JointTreeReport {
    const ub = coreErrorOf(this.core, this.bestZ);
    const { delta, nodes } = this;
    if (this.stopped) return { z: this.bestZ, lowerBound: 0, status: this.stopped, nodes, heuristicError };
    const shrink = (x: number): number => (Number.isFinite(x) ? x - delta * Math.abs(x) : x);
    const lowerBound = safeLowerBound(Math.min(ub, shrink(this.minPruned)), 1e-10);
    let status: SolveStatus = 'optimal';
    if (!(ub - lowerBound <= Math.max(this.relTol * ub, this.absTol) + 2e-10 * ub + 1e-13 * this.core.objective.r)) status = 'numerical_failure';
    return { z: this.bestZ, lowerBound, status, nodes, heuristicError };
  }
}

/**
 * Exact search over `core.values` from the given candidate points (the first strictly better one wins ties; at
 * least one is needed, e.g. the zero vector, which is always feasible). Phases: best candidate, `prepareSystem`,
 * the `JointSearch` tree from the root, `finish`.
 */
export function searchJoint(core: JointCore, candidates: Float64Array[], opts: JointSearchOptions = {}): JointTreeReport {
  checkValues(core.values);
  let bestZ = candidates[0];
  let UB = coreErrorOf(core, bestZ);
  for (const z of candidates.slice(1)) {
    const e = coreErrorOf(core, z);
    if (e < UB) {
      UB = e;
      bestZ = z;
    }
  }
  const sys = prepareSystem(core, opts.order);
  const st = new JointSearch(core, sys, { z: bestZ, error: UB }, opts);
  st.descend(0, 0);
  return st.finish(UB);
}
