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
import { checkQuantProblem, expand, reduce, reducedValue, restrict, type Reduced, U } from './common.js';
import { factorInOrder, vblastOrder, type OrderedFactor } from './lattice.js';
import { bestHeuristicPoint } from './heuristics.js';
import { solveSdpDual } from './sdp.js';

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
  opts: { tol: number; nodeLimit: number; deadline: number },
): SearchResult {
  const na = red.na;
  const { d, Lk, tOrd, ord } = F;
  const { lo, hi, P, t } = red;
  const work = new Float64Array(na);
  let bestZ = Float64Array.from(z0);
  let best = reducedValue(P, t, bestZ, na, work);
  let radius = best * (1 - opts.tol);
  if (na === 0) return { z: bestZ, value: 0, lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0 };
  const zl = new Float64Array(na); // level order
  const zOrig = new Float64Array(na);
  const cen = new Float64Array(na);
  const partial = new Float64Array(na + 1);
  const up = new Float64Array(na);
  const dn = new Float64Array(na);
  const ez = new Float64Array(na); // zl - tOrd for decided levels
  let nodes = 0;
  let leaves = 0;
  let stoppedBy: SearchResult['stoppedBy'] = 'none';

  const initLevel = (k: number): void => {
    let c = tOrd[k];
    const row = k * na;
    for (let j = 0; j < k; j++) c -= Lk[row + j] * ez[j];
    cen[k] = c;
    let r = Math.round(c);
    if (r < lo) r = lo;
    else if (r > hi) r = hi;
    up[k] = r;
    dn[k] = r - 1;
  };
  /** Next candidate at level k in increasing distance to the centre, or NaN when the box is exhausted. */
  const peek = (k: number): number => {
    const u = up[k];
    const w = dn[k];
    const c = cen[k];
    const uOk = u <= hi;
    const wOk = w >= lo;
    if (uOk && wOk) return u - c <= c - w ? u : w;
    if (uOk) return u;
    if (wOk) return w;
    return NaN;
  };
  const advance = (k: number, v: number): void => {
    if (v === up[k]) up[k] = v + 1;
    else dn[k] = v - 1;
  };

  let k = 0;
  partial[0] = 0;
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
    const diff = v - cen[k];
    const cost = partial[k] + d[k] * diff * diff;
    if (cost >= radius) {
      // every later candidate at this level is farther from the centre: the level is done
      up[k] = hi + 1;
      dn[k] = lo - 1;
      if (--k < 0) break;
      continue;
    }
    advance(k, v);
    nodes++;
    zl[k] = v;
    ez[k] = v - tOrd[k];
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
      const diff = v - cen[l];
      const b = partial[l] + d[l] * diff * diff;
      if (b < m) m = b;
    }
    lower = Math.max(0, m);
  }
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
  const rootSdp = ex.rootSdp === true || (ex.rootSdp === undefined && na >= 40);
  const warmMode = ex.warm === 'sdp' || ex.warm === 'simple' ? ex.warm : 'auto';

  // warm start
  const warm = bestHeuristicPoint(problem, red, { sdp: warmMode === 'sdp' || (warmMode === 'auto' && na >= 24), seed: options.seed ?? 1, deadline });
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
  const ord = vblastOrder(red.P, na, pivTol);
  const F = factorInOrder(red.P, na, ord, red.t, pivTol);
  const zWarmFull = expand(red, zA);
  const ubWarm = quantErrorOf(problem, zWarmFull);
  let res: SearchResult;
  if (rootLb > 0 && ubWarm - rootLb <= tol * ubWarm) {
    res = { z: zA, value: reducedValue(red.P, red.t, zA, na), lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0 };
  } else {
    res = seSearch(red, F, zA, { tol, nodeLimit, deadline });
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
    rootSdp: 'compute the sdp-box bound at the root (default: n >= 40)',
    warm: "'auto' | 'sdp' | 'simple': warm start from SDP rounding or only cheap heuristics (default auto: SDP when n >= 24)",
  },
  solve: (p, o = {}) => solveExact(p, o),
};

export { U };
