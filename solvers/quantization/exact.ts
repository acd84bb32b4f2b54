/**
 * Exact box-constrained integer least squares: Schnorr–Euchner depth-first branch-and-bound with the box
 * enforced per level (Chang–Han zig-zag), V-BLAST ordering, warm start from heuristics, node/time limits
 * with an honest status and the best provable lower bound when a limit stops it.
 */
import { quantErrorOf } from '../../src/core/objective.js';
import { makeResult, safeLowerBound } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import type { QuantizationProblem, SolveOptions, SolveResult, SolveStatus } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { cholesky, cholSolve } from '../../src/linalg/dense.js';
import { checkQuantProblem, expand, reduce, reducedValue, restrict, type Reduced, U } from './common.js';
import { boxAwareOrder, factorInOrder, vblastOrder, type OrderedFactor } from './lattice.js';
import { bestHeuristicPoint } from './heuristics.js';
import { solveSdpDual } from './sdp.js';

/**
 * Expansion point for box-aware node bounds: an (approximate) minimiser x of the continuous box-constrained
 * relaxation, by projected coordinate descent. Any x gives a valid expansion
 * `f(z) = f(x) + sum_i g_i (z_i - x_i) + (z - x)^T P (z - x)`, g = 2 P (x - t); the linear terms are
 * bounded below on the box by m_i = min(g_i (lo - x_i), g_i (hi - x_i)) (= 0 at the exact box-QP optimum).
 */
export function boxExpansionPoint(red: Reduced, maxSweeps = 300): Float64Array {
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

export interface SearchResult {
  /** Best point (reduced coordinates) and its normalised value. */
  z: Float64Array;
  value: number;
  /** Proven lower bound on the normalised optimum (min over open subtrees, or value*(1 - tol) when finished). */
  lower: number;
  finished: boolean;
  stoppedBy: 'none' | 'nodes' | 'time';
  nodes: number;
  leaves: number;
}

/**
 * Depth-first Schnorr–Euchner search over the levels of F, pruning subtrees whose partial cost reaches
 * `best * (1 - tol)`. `z0` (reduced coordinates, feasible) is the warm start.
 */
export function seSearch(
  red: Reduced,
  F: OrderedFactor,
  z0: Float64Array,
  opts: { tol: number; nodeLimit: number; deadline: number; expansion?: Float64Array | null },
): SearchResult {
  const na = red.na;
  const { d, Lk, ord } = F;
  const { lo, hi, P, t } = red;
  const work = new Float64Array(na);
  let bestZ = Float64Array.from(z0);
  let best = reducedValue(P, t, bestZ, na, work);
  let radius = best * (1 - opts.tol);
  if (na === 0) return { z: bestZ, value: 0, lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0 };
  // expansion point x (level order), linear coefficients g and their box minima m
  const xOrd = new Float64Array(na);
  const gOrd = new Float64Array(na);
  const mOrd = new Float64Array(na);
  let c0 = 0;
  const xE = opts.expansion ?? null;
  if (xE) {
    const v = new Float64Array(na);
    for (let i = 0; i < na; i++) v[i] = xE[i] - t[i];
    let fx = 0;
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let j = 0; j < na; j++) s += P[i * na + j] * v[j];
      fx += v[i] * s;
      const k = F.ord.indexOf(i);
      xOrd[k] = xE[i];
      gOrd[k] = 2 * s;
    }
    for (let k = 0; k < na; k++) {
      mOrd[k] = Math.min(gOrd[k] * (lo - xOrd[k]), gOrd[k] * (hi - xOrd[k]));
      fx += mOrd[k];
    }
    c0 = fx; // may be slightly negative when x is not the exact box-QP optimum: still a valid offset
  }
  if (!(c0 > 0)) {
    // the expansion gives nothing at the root: plain Schnorr–Euchner centred at t
    c0 = 0;
    gOrd.fill(0);
    mOrd.fill(0);
    for (let k = 0; k < na; k++) xOrd[k] = F.tOrd[k];
  }
  const zl = new Float64Array(na); // level order
  const zOrig = new Float64Array(na);
  const cen = new Float64Array(na); // centre of the quadratic term
  const piv = new Float64Array(na); // enumeration pivot (minimiser of the level cost, clamped to [lo-1, hi+1])
  const partial = new Float64Array(na + 1);
  const up = new Float64Array(na);
  const dn = new Float64Array(na);
  const ez = new Float64Array(na); // zl - xOrd for decided levels
  let nodes = 0;
  let leaves = 0;
  let stoppedBy: SearchResult['stoppedBy'] = 'none';

  // incremental centres (Agrell et al.): acc[k][j] = sum_{i<j} Lk[k][i] ez[i]; pend[k] = first index whose
  // ez changed since row k was last brought up to date
  const W = na + 1;
  const acc = new Float64Array(na * W);
  const pend = new Int32Array(na + 1);
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
    if (pv < lo - 1) pv = lo - 1;
    else if (pv > hi + 1) pv = hi + 1;
    piv[k] = pv;
    let r = Math.round(pv);
    if (r < lo) r = lo;
    else if (r > hi) r = hi;
    up[k] = r;
    dn[k] = r - 1;
  };
  /** Next candidate at level k in increasing level cost, or NaN when the box is exhausted. */
  const peek = (k: number): number => {
    const u = up[k];
    const w = dn[k];
    const c = piv[k];
    const uOk = u <= hi;
    const wOk = w >= lo;
    if (uOk && wOk) return u - c <= c - w ? u : w;
    if (uOk) return u;
    if (wOk) return w;
    return NaN;
  };
  const levelCost = (k: number, v: number): number => {
    const diff = v - cen[k];
    return d[k] * diff * diff + (gOrd[k] * (v - xOrd[k]) - mOrd[k]);
  };
  const advance = (k: number, v: number): void => {
    if (v === up[k]) up[k] = v + 1;
    else dn[k] = v - 1;
  };

  let k = 0;
  partial[0] = c0;
  initLevel(0);
  const nodeLimit = opts.nodeLimit;
  const checkEvery = 4096;
  for (;;) {
    if ((nodes & (checkEvery - 1)) === 0 && nodes > 0) {
      if (performance.now() > opts.deadline) {
        stoppedBy = 'time';
        break;
      }
    }
    if (nodes >= nodeLimit) {
      stoppedBy = 'nodes';
      break;
    }
    const v = peek(k);
    if (v !== v) {
      if (--k < 0) break;
      continue;
    }
    const cost = partial[k] + levelCost(k, v);
    if (cost >= radius) {
      // every later candidate at this level costs more: the level is done
      up[k] = hi + 1;
      dn[k] = lo - 1;
      if (--k < 0) break;
      continue;
    }
    advance(k, v);
    nodes++;
    zl[k] = v;
    ez[k] = v - xOrd[k];
    if (k === na - 1) {
      leaves++;
      for (let j = 0; j < na; j++) zOrig[ord[j]] = zl[j];
      const val = reducedValue(P, t, zOrig, na, work);
      if (val < best) {
        best = val;
        bestZ = Float64Array.from(zOrig);
        radius = best * (1 - opts.tol);
      }
    } else {
      partial[k + 1] = cost;
      if (k < pend[k + 1]) pend[k + 1] = k;
      k++;
      initLevel(k);
    }
  }
  let lower = best * (1 - opts.tol);
  if (stoppedBy !== 'none') {
    // open subtrees: remaining candidates at every level 0..k on the current path
    let m = lower;
    for (let l = 0; l <= k && l < na; l++) {
      const v = peek(l);
      if (v !== v) continue;
      const b = partial[l] + levelCost(l, v);
      if (b < m) m = b;
    }
    lower = Math.max(0, m);
  } else if (best * (1 - opts.tol) < c0) lower = best * (1 - opts.tol);
  return { z: bestZ, value: best, lower, finished: stoppedBy === 'none', stoppedBy, nodes, leaves };
}

export interface ExactOptions {
  rootSdp: boolean;
  warm: 'auto' | 'sdp' | 'simple';
}

export function solveExact(problem: QuantizationProblem, options: SolveOptions = {}, name = 'quant-exact'): SolveResult {
  const t0 = performance.now();
  checkQuantProblem(problem);
  const deadline = options.timeLimitMs !== undefined && Number.isFinite(options.timeLimitMs) ? t0 + options.timeLimitMs : Infinity;
  const nodeLimit = options.nodeLimit ?? Infinity;
  const tol = options.relGapTol ?? DEFAULT_REL_GAP_TOL;
  const red = reduce(problem);
  const na = red.na;
  const ex = options.extra ?? {};
  const rootSdp = ex.rootSdp === true;
  const warmMode = ex.warm === 'sdp' || ex.warm === 'simple' ? ex.warm : 'simple';

  // warm start
  const warm = bestHeuristicPoint(problem, red, { sdp: warmMode === 'sdp', seed: options.seed ?? 1, deadline });
  let zA = warm.zA;
  if (options.incumbent && options.incumbent.length === red.n) {
    const inc = restrict(red, options.incumbent);
    let ok = true;
    for (let i = 0; i < na; i++) if (!Number.isInteger(inc[i]) || inc[i] < red.lo || inc[i] > red.hi) ok = false;
    if (ok && reducedValue(red.P, red.t, inc, na) < reducedValue(red.P, red.t, zA, na)) zA = inc;
  }
  // root bound
  let rootLb = 0;
  let rootCert: SolveResult['certificate'];
  if (rootSdp && na > 0) {
    const s = solveSdpDual(problem, { box: true, timeLimitMs: Math.max(0, (deadline - performance.now()) / 4) });
    rootLb = s.bound;
    rootCert = s.certificate;
  }
  let maxDiag = 0;
  for (let i = 0; i < na; i++) maxDiag = Math.max(maxDiag, red.P[i * na + i]);
  const pivTol = Math.max(1e-13 * maxDiag * na, 1e-300);
  const orderMode = ex.order === 'vblast' || ex.order === 'box' ? ex.order : 'vblast';
  let ord: Int32Array | null = null;
  if (orderMode === 'box') {
    const ld = na > 0 ? vblastOrder(red.P, na, pivTol) : new Int32Array(0);
    // box-aware order only for full-rank P (singular P: null-space coordinates first, V-BLAST on the rest)
    const full = factorInOrder(red.P, na, ld, red.t, pivTol).rank === na;
    ord = full ? boxAwareOrder(red.P, na, red.t, red.lo, red.hi) : ld;
    if (ord === null) ord = ld;
  } else ord = vblastOrder(red.P, na, pivTol);
  const F = factorInOrder(red.P, na, ord, red.t, pivTol);
  const zWarmFull = expand(red, zA);
  const ubWarm = quantErrorOf(problem, zWarmFull);
  let res: SearchResult;
  if (rootLb > 0 && ubWarm - rootLb <= tol * ubWarm) {
    res = { z: zA, value: reducedValue(red.P, red.t, zA, na), lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0 };
  } else {
    const expansion = ex.boxBound === false ? null : boxExpansionPoint(red);
    res = seSearch(red, F, zA, { tol, nodeLimit, deadline, expansion });
  }
  const z = expand(red, res.z);
  const ub = quantErrorOf(problem, z);
  let lb: number;
  let status: SolveStatus;
  if (res.finished) {
    lb = Math.max(safeLowerBound(res.lower * red.unit, 1e-12), rootLb);
    status = 'optimal';
  } else {
    lb = Math.max(safeLowerBound(res.lower * red.unit, 1e-12), rootLb);
    status = res.stoppedBy === 'time' ? 'time_limit' : 'node_limit';
  }
  if (lb > ub) lb = ub;
  return makeResult({
    solver: name,
    problem: problem.name,
    problemClass: 'quantization',
    lowerBound: lb,
    upperBound: ub,
    solution: z,
    status,
    stats: { timeMs: performance.now() - t0, nodes: res.nodes, iterations: 0, leaves: res.leaves, rank: F.rank, warmUpper: ubWarm, rootBound: rootLb },
    certificate: status !== 'optimal' && rootCert && rootLb >= lb ? rootCert : undefined,
    message: res.finished ? undefined : `stopped by the ${res.stoppedBy === 'time' ? 'time' : 'node'} limit after ${res.nodes} nodes`,
  });
}

export const quantExactSolver: QuantizationSolver = {
  name: 'quant-exact',
  problemClass: 'quantization',
  role: 'exact',
  description: 'exact: Schnorr-Euchner box branch-and-bound (V-BLAST order, heuristic warm start, optional SDP root bound)',
  extraOptions: {
    rootSdp: 'compute the sdp-box bound at the root (default false; quant-bound turns it on)',
    boxBound: 'use the box-QP expansion for node bounds (default true)',
    order: "'vblast' (default) or 'box' (box-aware Chang-Han-style order)",
    warm: "'simple' (default: best of RTN, V-BLAST Babai, GPTQ, each + box 1-opt) or 'sdp' (SDP randomized rounding)",
  },
  solve: (p, o = {}) => solveExact(p, o),
};

