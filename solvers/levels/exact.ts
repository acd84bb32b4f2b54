import { defineOptions, resolveExtras } from '../../src/core/options.js';
/**
 * Exact quantization onto a finite level set: Schnorr–Euchner depth-first branch-and-bound in the LDL^T
 * (Cholesky) basis. At every tree level the candidates are the levels in increasing order of the level cost
 * (a 1-D convex quadratic: two pointers walking outwards from the level nearest to its minimiser), so a
 * candidate whose partial cost reaches the incumbent ends its level. Same node bound (box-QP expansion over
 * [lmin, lmax]), warm start, limits, statuses and a priori rounding margin as `quant-exact` (docs/quantization.md);
 * the integer grid is the special case levels = zmin..zmax (same optimum).
 */
import { gapClosed, makeResult } from '../../src/core/result.js';
import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import type { LevelQuantizationProblem, SolveOptions, SolveResult, SolveStatus } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { integerGridOf, isLevel, nearestLevelIndex } from '../../src/formats/levels.js';
import { cholInverse, cholesky } from '../../src/linalg/dense.js';
import { reducedValue, restrict, type Reduced } from '../quantization/common.js';
import { boxExpansionPoint, expansionTerms, leafEvalError, roundingMargin, solveExact, toErrorUnits, type ExpansionTerms } from '../quantization/exact.js';
import { factorInOrder, vblastOrder, type OrderedFactor } from '../quantization/lattice.js';
import { checkLevelProblem, expandLevels, levelErrorOf, reduceLevels } from './common.js';
import { cheapLevelCandidates, pivTolOf } from './heuristics.js';
import { solveLevelsSdp } from './sdp.js';

export interface LevelSearchResult {
  x: Float64Array;
  value: number;
  /** Proven lower bound on the normalised optimum (see seSearch in solvers/quantization/exact.ts). */
  lower: number;
  finished: boolean;
  stoppedBy: 'none' | 'nodes' | 'time';
  nodes: number;
  leaves: number;
  marginAbs: number;
  marginRel: number;
}

/**
 * Depth-first search over level sets in the order of F, pruning subtrees that provably cannot beat
 * `best * (1 - tol)`; `x0` (reduced coordinates, every entry a level) is the warm start. The node bound (box-QP
 * expansion over [lmin, lmax]) and the rounding margin are those of `seSearch` (box = [lmin, lmax]):
 * `true partial >= computed (1 - marginRel) - marginAbs`.
 */
export function levelSearch(
  red: Reduced,
  levels: Float64Array,
  F: OrderedFactor,
  x0: Float64Array,
  opts: { tol: number; nodeLimit: number; deadline: number; expansion?: Float64Array | null },
): LevelSearchResult {
  const na = red.na;
  const work = new Float64Array(na);
  const bestX = Float64Array.from(x0);
  const best = reducedValue(red.P, red.t, bestX, na, work);
  if (na === 0) return { x: bestX, value: 0, lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0, marginAbs: 0, marginRel: 0 };
  const ex = expansionTerms(red, F, null, opts.expansion ?? null);
  const mg = roundingMargin(red, F, null, ex, Math.max(best * (1 - opts.tol), 0));
  const se = new LevelEnumerator(red, levels, F, ex, opts.tol, mg.marginAbs, mg.marginRel, best, bestX, work);
  se.run(opts.nodeLimit, opts.deadline);
  return se.result(mg.finiteMargin);
}

/**
 * State of the level-set enumeration (level order; buffers allocated once): the candidates at a tree level
 * are level indices walking outwards from the level nearest to the minimiser of the level cost.
 */
class LevelEnumerator {
  readonly na: number;
  readonly L: number;
  readonly d: Float64Array;
  readonly Lk: Float64Array;
  readonly ord: Int32Array;
  readonly xOrd: Float64Array;
  readonly gOrd: Float64Array;
  readonly mOrd: Float64Array;
  /** Level values in level order. */
  readonly zl: Float64Array;
  readonly xOrig: Float64Array;
  readonly cen: Float64Array;
  readonly piv: Float64Array;
  readonly partial: Float64Array;
  /** Next level index above the pivot. */
  readonly up: Int32Array;
  /** Next level index below. */
  readonly dn: Int32Array;
  readonly ez: Float64Array;
  /** Incremental centres (Agrell et al.), as in seSearch. */
  readonly W: number;
  readonly acc: Float64Array;
  readonly pend: Int32Array;
  readonly outLo: number;
  readonly outHi: number;
  radius: number;
  nodes = 0;
  leaves = 0;
  k = 0;
  stoppedBy: LevelSearchResult['stoppedBy'] = 'none';

  constructor(
    readonly red: Reduced,
    readonly levels: Float64Array,
    F: OrderedFactor,
    ex: ExpansionTerms,
    readonly tolR: number,
    readonly marginAbs: number,
    readonly marginRel: number,
    public best: number,
    public bestX: Float64Array,
    readonly work: Float64Array<ArrayBuffer>,
  ) {
    const na = (this.na = red.na);
    this.L = levels.length;
    this.d = F.d;
    this.Lk = F.Lk;
    this.ord = F.ord;
    this.xOrd = ex.xOrd;
    this.gOrd = ex.gOrd;
    this.mOrd = ex.mOrd;
    this.zl = new Float64Array(na);
    this.xOrig = new Float64Array(na);
    this.cen = new Float64Array(na);
    this.piv = new Float64Array(na);
    this.partial = new Float64Array(na + 1);
    this.up = new Int32Array(na);
    this.dn = new Int32Array(na);
    this.ez = new Float64Array(na);
    this.W = na + 1;
    this.acc = new Float64Array(na * this.W);
    this.pend = new Int32Array(na + 1);
    const { lo, hi } = red;
    this.outLo = lo - (hi - lo) - 1;
    this.outHi = hi + (hi - lo) + 1;
    this.radius = this.radiusOf(best);
    this.partial[0] = ex.c0;
  }

  radiusOf(b: number): number {
    return (Math.max(b * (1 - this.tolR), 0) + this.marginAbs) / (1 - this.marginRel);
  }

  initLevel(k: number): void {
    const { na, W, acc, pend, Lk, ez } = this;
    const from = pend[k];
    if (from < pend[k + 1]) pend[k + 1] = from;
    const row = k * na;
    const arow = k * W;
    let a = acc[arow + from];
    for (let j = from; j < k; j++) {
      a += Lk[row + j] * ez[j];
      acc[arow + j + 1] = a;
    }
    pend[k] = k;
    const c = this.xOrd[k] - a;
    this.cen[k] = c;
    const dk = this.d[k];
    const gk = this.gOrd[k];
    let pv = dk > 0 ? c - gk / (2 * dk) : gk > 0 ? -Infinity : gk < 0 ? Infinity : c;
    if (!(pv >= this.outLo)) pv = this.outLo;
    else if (pv > this.outHi) pv = this.outHi;
    this.piv[k] = pv;
    const r = nearestLevelIndex(this.levels, pv);
    this.up[k] = r;
    this.dn[k] = r - 1;
  }

  /** Index of the next candidate at level k in increasing level cost, or -1 when exhausted. */
  peek(k: number): number {
    const u = this.up[k];
    const w = this.dn[k];
    const uOk = u < this.L;
    const wOk = w >= 0;
    const levels = this.levels;
    if (uOk && wOk) return levels[u] - this.piv[k] <= this.piv[k] - levels[w] ? u : w;
    if (uOk) return u;
    if (wOk) return w;
    return -1;
  }

  levelCost(k: number, v: number): number {
    const diff = v - this.cen[k];
    return this.d[k] * diff * diff + (this.gOrd[k] * (v - this.xOrd[k]) - this.mOrd[k]);
  }

  run(nodeLimit: number, deadline: number): void {
    const { na, levels, partial, zl, ez, xOrd, pend, up, dn } = this;
    let k = 0;
    this.initLevel(0);
    for (;;) {
      const nodes = this.nodes;
      if ((nodes & 4095) === 0 && nodes > 0 && performance.now() > deadline) {
        this.stoppedBy = 'time';
        break;
      }
      if (nodes >= nodeLimit) {
        this.stoppedBy = 'nodes';
        break;
      }
      const idx = this.peek(k);
      if (idx < 0) {
        if (--k < 0) break;
        continue;
      }
      const v = levels[idx];
      const cost = partial[k] + this.levelCost(k, v);
      if (cost >= this.radius) {
        up[k] = this.L;
        dn[k] = -1;
        if (--k < 0) break;
        continue;
      }
      if (idx === up[k]) up[k] = idx + 1;
      else dn[k] = idx - 1;
      this.nodes = nodes + 1;
      zl[k] = v;
      ez[k] = v - xOrd[k];
      if (k === na - 1) this.leaf();
      else {
        partial[k + 1] = cost;
        if (k < pend[k + 1]) pend[k + 1] = k;
        k++;
        this.initLevel(k);
      }
    }
    this.k = k;
  }

  leaf(): void {
    const { na, zl, xOrig, ord, red } = this;
    this.leaves++;
    for (let j = 0; j < na; j++) xOrig[ord[j]] = zl[j];
    const val = reducedValue(red.P, red.t, xOrig, na, this.work);
    if (val < this.best) {
      this.best = val;
      this.bestX = Float64Array.from(xOrig);
      this.radius = this.radiusOf(val);
    }
  }

  result(finiteMargin: boolean): LevelSearchResult {
    const { na, best, bestX, tolR, partial, marginAbs, marginRel, stoppedBy, k } = this;
    let lower = Math.min(best * (1 - tolR), best - leafEvalError(this.red, bestX, this.work));
    if (stoppedBy !== 'none') {
      let m = lower;
      for (let l = 0; l <= k && l < na; l++) {
        const idx = this.peek(l);
        if (idx < 0) continue;
        const b = (partial[l] + this.levelCost(l, this.levels[idx])) * (1 - marginRel) - marginAbs;
        if (b < m) m = b;
      }
      lower = Math.max(0, m);
    }
    if (!finiteMargin) lower = 0;
    return {
      x: bestX, value: best, lower: Math.max(0, lower), finished: stoppedBy === 'none', stoppedBy, nodes: this.nodes,
      leaves: this.leaves, marginAbs, marginRel,
    };
  }
}

/**
 * Level-aware Chang–Han order for a positive definite P: greedily decide first the coordinate whose conditional
 * mean is farthest (in conditional standard deviations) from its nearest level, fixing it there for the next
 * choices. Null when P is not numerically positive definite.
 */
export function levelAwareOrder(P: Float64Array, na: number, t: ArrayLike<number>, levels: Float64Array): Int32Array | null {
  if (na === 0) return new Int32Array(0);
  const Lc = cholesky(P, na);
  if (Lc === null) return null;
  const S = cholInverse(Lc, na);
  const mu = Float64Array.from(t);
  const alive = new Uint8Array(na).fill(1);
  const out = new Int32Array(na);
  for (let step = 0; step < na; step++) {
    let best = -1;
    let bv = -Infinity;
    for (let j = 0; j < na; j++) {
      if (!alive[j]) continue;
      const sjj = S[j * na + j];
      if (!(sjj > 0)) continue;
      const r = levels[nearestLevelIndex(levels, mu[j])];
      const v = ((r - mu[j]) * (r - mu[j])) / sjj;
      if (v > bv) { bv = v; best = j; }
    }
    if (best < 0) for (let j = 0; j < na; j++) if (alive[j]) { best = j; break; }
    out[step] = best;
    alive[best] = 0;
    const sbb = S[best * na + best];
    if (sbb > 0) {
      const delta = (levels[nearestLevelIndex(levels, mu[best])] - mu[best]) / sbb;
      for (let i = 0; i < na; i++) if (alive[i]) mu[i] += S[i * na + best] * delta;
      const ib = 1 / sbb;
      for (let i = 0; i < na; i++) {
        if (!alive[i]) continue;
        const f = S[i * na + best] * ib;
        if (f === 0) continue;
        for (let j = 0; j < na; j++) if (alive[j]) S[i * na + j] -= f * S[best * na + j];
      }
    }
  }
  return out;
}

export function solveLevelsExact(problem: LevelQuantizationProblem, options: SolveOptions = {}, name = 'levels-exact'): SolveResult {
  const t0 = performance.now();
  checkLevelProblem(problem);
  const levels = problem.levels;
  const deadline = options.timeLimitMs !== undefined && Number.isFinite(options.timeLimitMs) ? t0 + options.timeLimitMs : Infinity;
  const nodeLimit = options.nodeLimit ?? Infinity;
  const tol = options.relGapTol ?? DEFAULT_REL_GAP_TOL;
  const ex = resolveExtras(LEVELS_EXACT_OPTIONS, options.extra, name);
  const grid = integerGridOf(levels);
  if (grid && ex.integerGrid !== 'search' && Math.abs(grid[0]) <= 2 ** 30 && Math.abs(grid[1]) <= 2 ** 30) {
    // consecutive integers: the integer-grid solver (with its lattice-reduced basis) solves exactly this problem
    const r = solveExact({ name: problem.name, objective: problem.objective, scale: problem.scale, zmin: grid[0], zmax: grid[1] }, { ...options, extra: { rootSdp: ex.rootSdp, boxBound: ex.boxBound } }, name);
    return { ...r, problemClass: 'levels', stats: { ...r.stats, timeMs: performance.now() - t0, integerGrid: 1 } };
  }
  const red = reduceLevels(problem);
  const na = red.na;
  const warm = cheapLevelCandidates(red, levels);
  let xA = warm.xA;
  if (options.incumbent && options.incumbent.length === red.n) {
    const inc = restrict(red, options.incumbent);
    let ok = true;
    for (let i = 0; i < na; i++) if (!isLevel(levels, inc[i])) ok = false;
    if (ok && reducedValue(red.P, red.t, inc, na) < reducedValue(red.P, red.t, xA, na)) xA = inc;
  }
  let rootLb = 0;
  let rootCert: SolveResult['certificate'];
  if (ex.rootSdp === true && na > 0) {
    const s = solveLevelsSdp(problem, { timeLimitMs: Number.isFinite(deadline) ? Math.max(1, (deadline - performance.now()) / 4) : undefined });
    rootLb = s.bound;
    rootCert = s.certificate;
  }
  const tolPiv = pivTolOf(red);
  const vb = vblastOrder(red.P, na, tolPiv);
  let ord = vb;
  if (ex.order !== 'vblast') {
    // level-aware order only for full-rank P (singular P: null-space coordinates first, V-BLAST on the rest)
    const full = factorInOrder(red.P, na, vb, red.t, tolPiv).rank === na;
    ord = (full ? levelAwareOrder(red.P, na, red.t, levels) : null) ?? vb;
  }
  const F = factorInOrder(red.P, na, ord, red.t, tolPiv);
  const expansion = ex.boxBound === false || na === 0 ? null : boxExpansionPoint(red);
  const xWarm = expandLevels(red, levels, xA);
  const ubWarm = levelErrorOf(problem, xWarm);
  const res: LevelSearchResult =
    rootLb > 0 && ubWarm - rootLb <= tol * ubWarm
      ? { x: xA, value: reducedValue(red.P, red.t, xA, na), lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0, marginAbs: 0, marginRel: 0 }
      : levelSearch(red, levels, F, xA, { tol, nodeLimit, deadline, expansion });
  const x = expandLevels(red, levels, res.x);
  const ub = levelErrorOf(problem, x);
  const lb = Math.max(toErrorUnits(red, res.lower), rootLb);
  let status: SolveStatus = res.finished ? 'optimal' : res.stoppedBy === 'time' ? 'time_limit' : 'node_limit';
  let note: string | undefined;
  const { n, G, w } = problem.objective;
  let sc = 0;
  for (let i = 0; i < n; i++) sc += Math.sqrt(Math.max(0, G[i * n + i])) * Math.abs(w[i]);
  const errorScale = Math.max(problem.objective.r, sc * sc);
  if (res.finished && !gapClosed(Math.min(lb, ub), ub, tol + 1e-12, 1e-12 * errorScale)) {
    status = 'feasible';
    note = `search finished, but the floating-point margin (${(res.marginAbs * red.unit).toExponential(2)}) leaves the gap open`;
  }
  const lbOut = Math.min(lb, ub);
  return makeResult({
    solver: name,
    problem: problem.name,
    problemClass: 'levels',
    lowerBound: lbOut,
    upperBound: ub,
    solution: x,
    status,
    stats: { timeMs: performance.now() - t0, nodes: res.nodes, iterations: 0, leaves: res.leaves, rank: F.rank, warmUpper: ubWarm, rootBound: rootLb, marginAbs: res.marginAbs * red.unit },
    certificate: status !== 'optimal' && rootCert && rootLb >= lbOut ? rootCert : undefined,
    message: res.finished ? note : `stopped by the ${res.stoppedBy === 'time' ? 'time' : 'node'} limit after ${res.nodes} nodes`,
  });
}

export const LEVELS_EXACT_OPTIONS = defineOptions({
  rootSdp: { type: 'boolean', default: false, help: 'compute the levels-sdp bound at the root' },
  boxBound: { type: 'boolean', default: true, help: 'use the box-QP expansion over [lmin, lmax] for node bounds' },
  integerGrid: { type: 'enum', values: ['delegate', 'search'], default: 'delegate', help: "'delegate' (consecutive-integer levels are solved by quant-exact) or 'search' (this search)" },
  order: { type: 'enum', values: ['levels', 'vblast'], default: 'levels', help: "'levels' (level-aware Chang-Han order for positive definite G, V-BLAST otherwise) or 'vblast'" },
});

export const levelsExactSolver: LevelQuantizationSolver = {
  name: 'levels-exact',
  problemClass: 'levels',
  role: 'exact',
  description: 'exact: Schnorr-Euchner branch-and-bound over a level set (level-aware order, box-QP node bound, heuristic warm start)',
  options: LEVELS_EXACT_OPTIONS,
  capabilities: ['timeLimit', 'nodeLimit', 'relGapTol', 'incumbent'],
  solve: (p, o = {}) => solveLevelsExact(p, o),
};
