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
import { reducedValue, restrict, type Reduced, U } from '../quantization/common.js';
import { boxExpansionPoint, solveExact, toErrorUnits } from '../quantization/exact.js';
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

const gam = (k: number): number => (k * U) / (1 - k * U);

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

function inverseDiagonal(P: Float64Array, n: number): Float64Array | null {
  const L = cholesky(P, n);
  if (L === null) return null;
  const out = new Float64Array(n);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
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
 * Depth-first search over level sets in the order of F, pruning subtrees that provably cannot beat
 * `best * (1 - tol)`; `x0` (reduced coordinates, every entry a level) is the warm start. The rounding margin is
 * the a priori analysis of `seSearch` (box = [lmin, lmax]): `true partial >= computed (1 - marginRel) - marginAbs`.
 */
export function levelSearch(
  red: Reduced,
  levels: Float64Array,
  F: OrderedFactor,
  x0: Float64Array,
  opts: { tol: number; nodeLimit: number; deadline: number; expansion?: Float64Array | null },
): LevelSearchResult {
  const na = red.na;
  const L = levels.length;
  const { d, Lk, ord } = F;
  const { P, t, lo, hi } = red;
  const work = new Float64Array(na);
  let bestX = Float64Array.from(x0);
  let best = reducedValue(P, t, bestX, na, work);
  if (na === 0) return { x: bestX, value: 0, lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0, marginAbs: 0, marginRel: 0 };
  const xOrd = new Float64Array(na);
  const gOrd = new Float64Array(na);
  const mOrd = new Float64Array(na);
  let c0 = 0;
  let c0Err = 0;
  let linErr = 0;
  const xE = opts.expansion ?? null;
  if (xE) {
    const v = new Float64Array(na);
    for (let i = 0; i < na; i++) v[i] = xE[i] - t[i];
    let fx = 0;
    let msum = 0;
    const pos = new Int32Array(na);
    for (let k = 0; k < na; k++) pos[ord[k]] = k;
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
      m[i] = Math.min(g[i] * (lo - xE[i]), g[i] * (hi - xE[i]));
      fx += m[i];
      msum += Math.abs(m[i]);
      const bz = Math.max(Math.abs(lo - xE[i]), Math.abs(hi - xE[i]));
      linErr += (2 * gam(na + 2) * sa + 3 * U * Math.abs(g[i])) * bz + 2 * U * Math.abs(m[i]);
    }
    c0 = fx;
    c0Err = gam(na + 3) * absForm(P, v, v, na) + gam(na + 2) * msum;
    if (c0 > 0) {
      for (let i = 0; i < na; i++) {
        const k = pos[i];
        xOrd[k] = xE[i];
        gOrd[k] = g[i];
        mOrd[k] = m[i];
      }
    }
  }
  if (!(c0 > 0)) {
    c0 = 0;
    c0Err = 0;
    linErr = 0;
    gOrd.fill(0);
    mOrd.fill(0);
    for (let k = 0; k < na; k++) xOrd[k] = t[ord[k]];
  }
  // ---- a priori rounding margin (as in seSearch) ----
  const tolR = opts.tol;
  const R0 = Math.max(best * (1 - tolR), 0);
  const invDiag = inverseDiagonal(P, na);
  const Bs = new Float64Array(na);
  const Rell = 1.05 * R0 * 1.01 + 1e-300;
  for (let k = 0; k < na; k++) {
    let b = Math.max(Math.abs(lo - xOrd[k]), Math.abs(hi - xOrd[k]));
    if (invDiag) b = Math.min(b, 1.01 * Math.sqrt(Rell * invDiag[ord[k]]) + 1e-300);
    Bs[k] = b;
  }
  const marginRel = 1e-10 + gam(na + 8);
  let marginAbs = 0;
  let finiteMargin = true;
  {
    let maxD = 0;
    for (let k = 0; k < na; k++) maxD = Math.max(maxD, d[k]);
    let mb = 0;
    let mc = 0;
    let mdrop = 0;
    for (let k = 0; k < na; k++) {
      let sl = 0;
      for (let j = 0; j < k; j++) sl += Math.abs(Lk[k * na + j]) * Bs[j];
      const s = Bs[k] + sl;
      if (d[k] > 0) {
        mb += d[k] * s * s;
        const dc = gam(k + 3) * (sl + Math.abs(xOrd[k])) + U * Math.abs(xOrd[k]);
        mc += d[k] * dc * dc * (1 + 1e10);
      } else mdrop += Bs[k] * Bs[k];
    }
    marginAbs = 1.05 * (gam(na + 2) * mb + mc + na * gam(na + 2) * maxD * mdrop + linErr + c0Err);
    if (!Number.isFinite(marginAbs)) {
      finiteMargin = false;
      marginAbs = Infinity;
    }
  }
  const leafErr = (x: Float64Array): number => {
    for (let i = 0; i < na; i++) work[i] = x[i] - t[i];
    return gam(na + 4) * absForm(P, work, work, na);
  };
  const radiusOf = (b: number): number => (Math.max(b * (1 - tolR), 0) + marginAbs) / (1 - marginRel);
  let radius = radiusOf(best);

  const zl = new Float64Array(na); // level values in level order
  const xOrig = new Float64Array(na);
  const cen = new Float64Array(na);
  const piv = new Float64Array(na);
  const partial = new Float64Array(na + 1);
  const up = new Int32Array(na); // next level index above the pivot
  const dn = new Int32Array(na); // next level index below
  const ez = new Float64Array(na);
  const W = na + 1;
  const acc = new Float64Array(na * W);
  const pend = new Int32Array(na + 1);
  const outLo = lo - (hi - lo) - 1;
  const outHi = hi + (hi - lo) + 1;
  const initLevel = (k: number): void => {
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
    const c = xOrd[k] - a;
    cen[k] = c;
    const dk = d[k];
    const gk = gOrd[k];
    let pv = dk > 0 ? c - gk / (2 * dk) : gk > 0 ? -Infinity : gk < 0 ? Infinity : c;
    if (!(pv >= outLo)) pv = outLo;
    else if (pv > outHi) pv = outHi;
    piv[k] = pv;
    const r = nearestLevelIndex(levels, pv);
    up[k] = r;
    dn[k] = r - 1;
  };
  /** Index of the next candidate at level k in increasing level cost, or -1 when exhausted. */
  const peek = (k: number): number => {
    const u = up[k];
    const w = dn[k];
    const uOk = u < L;
    const wOk = w >= 0;
    if (uOk && wOk) return levels[u] - piv[k] <= piv[k] - levels[w] ? u : w;
    if (uOk) return u;
    if (wOk) return w;
    return -1;
  };
  const levelCost = (k: number, v: number): number => {
    const diff = v - cen[k];
    return d[k] * diff * diff + (gOrd[k] * (v - xOrd[k]) - mOrd[k]);
  };

  let nodes = 0;
  let leaves = 0;
  let stoppedBy: LevelSearchResult['stoppedBy'] = 'none';
  let k = 0;
  partial[0] = c0;
  initLevel(0);
  const nodeLimit = opts.nodeLimit;
  for (;;) {
    if ((nodes & 4095) === 0 && nodes > 0 && performance.now() > opts.deadline) {
      stoppedBy = 'time';
      break;
    }
    if (nodes >= nodeLimit) {
      stoppedBy = 'nodes';
      break;
    }
    const idx = peek(k);
    if (idx < 0) {
      if (--k < 0) break;
      continue;
    }
    const v = levels[idx];
    const cost = partial[k] + levelCost(k, v);
    if (cost >= radius) {
      up[k] = L;
      dn[k] = -1;
      if (--k < 0) break;
      continue;
    }
    if (idx === up[k]) up[k] = idx + 1;
    else dn[k] = idx - 1;
    nodes++;
    zl[k] = v;
    ez[k] = v - xOrd[k];
    if (k === na - 1) {
      leaves++;
      for (let j = 0; j < na; j++) xOrig[ord[j]] = zl[j];
      const val = reducedValue(P, t, xOrig, na, work);
      if (val < best) {
        best = val;
        bestX = Float64Array.from(xOrig);
        radius = radiusOf(best);
      }
    } else {
      partial[k + 1] = cost;
      if (k < pend[k + 1]) pend[k + 1] = k;
      k++;
      initLevel(k);
    }
  }
  let lower = Math.min(best * (1 - tolR), best - leafErr(bestX));
  if (stoppedBy !== 'none') {
    let m = lower;
    for (let l = 0; l <= k && l < na; l++) {
      const idx = peek(l);
      if (idx < 0) continue;
      const b = (partial[l] + levelCost(l, levels[idx])) * (1 - marginRel) - marginAbs;
      if (b < m) m = b;
    }
    lower = Math.max(0, m);
  }
  if (!finiteMargin) lower = 0;
  return { x: bestX, value: best, lower: Math.max(0, lower), finished: stoppedBy === 'none', stoppedBy, nodes, leaves, marginAbs, marginRel };
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
