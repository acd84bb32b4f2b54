/**
 * Exact quantization onto a finite level set: Schnorr–Euchner depth-first branch-and-bound in the LDL^T
 * (Cholesky) basis. At every tree level the candidates are the levels in increasing order of the level cost
 * (a 1-D convex quadratic: two pointers walking outwards from the level nearest to its minimiser), so a
 * candidate whose partial cost reaches the incumbent ends its level. Same node bound (box-QP expansion over
 * [lmin, lmax]), warm start, limits, statuses and a priori rounding margin as `quant-exact` (docs/quantization.md);
 * the integer grid is the special case levels = zmin..zmax (same optimum).
 */
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import { Deadline, gapClosed, makeResult } from '../../src/core/result.js';
import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import type { LevelQuantizationProblem, SolveOptions, SolveResult, SolveStatus } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { integerGridOf, isLevel, nearestLevelIndex } from '../../src/formats/levels.js';
import { reducedValue, restrict, type Reduced } from '../quantization/common.js';
import { boxExpansionPoint, expansionTerms, leafEvalError, roundingMargin, solveExact, toErrorUnits } from '../quantization/exact.js';
import { factorInOrder, vblastOrder, type OrderedFactor } from '../quantization/lattice.js';
import { enumerateGrid, type EnumerationResult } from '../grid/enumerate.js';
import { conditionalOrder } from '../grid/order.js';
import { checkLevelProblem, expandLevels, levelErrorOf, reduceLevels } from './common.js';
import { cheapLevelCandidates, pivTolOf } from './heuristics.js';
import { solveLevelsSdp } from './sdp.js';

/** The search result in level units (`x`: the best point, reduced coordinates); the fields of the grid enumeration. */
export type LevelSearchResult = Omit<EnumerationResult, 'z'> & { x: Float64Array };

/**
 * Depth-first search over level sets in the order of F, pruning subtrees that provably cannot beat
 * `best * (1 - tol)`; `x0` (reduced coordinates, every entry a level) is the warm start. The enumeration is the
 * shared grid kernel (solvers/grid/enumerate.ts) on the level grid; the node bound (box-QP expansion over
 * [lmin, lmax]) and the rounding margin are those of `seSearch` (box = [lmin, lmax]):
 * `true partial >= computed (1 - marginRel) - marginAbs`.
 */
export function levelSearch(
  red: Reduced,
  levels: Float64Array,
  F: OrderedFactor,
  x0: Float64Array,
  opts: { tol: number; nodeLimit: number; deadline: { expired(): boolean }; expansion?: Float64Array | null; onProgress?: (best: number, nodes: number) => void },
): LevelSearchResult {
  const na = red.na;
  const work = new Float64Array(na);
  const best = reducedValue(red.P, red.t, x0, na, work);
  if (na === 0) return { x: Float64Array.from(x0), value: 0, lower: 0, finished: true, stoppedBy: 'none', nodes: 0, leaves: 0, marginAbs: 0, marginRel: 0 };
  const ex = expansionTerms(red, F, null, opts.expansion ?? null);
  const mg = roundingMargin(red, F, null, ex, Math.max(best * (1 - opts.tol), 0));
  const { z, ...rest } = enumerateGrid(red, { kind: 'levels', levels }, F, null, ex, mg, x0, best, work, opts, (x) => leafEvalError(red, x, work));
  return { x: z, ...rest };
}

/**
 * Level-aware Chang–Han order for a positive definite P: greedily decide first the coordinate whose conditional
 * mean is farthest (in conditional standard deviations) from its nearest level, fixing it there for the next
 * choices. Null when P is not numerically positive definite.
 */
export function levelAwareOrder(P: Float64Array, na: number, t: ArrayLike<number>, levels: Float64Array): Int32Array | null {
  return conditionalOrder(P, na, t, (x) => levels[nearestLevelIndex(levels, x)]);
}

export function solveLevelsExact(problem: LevelQuantizationProblem, options: SolveOptions = {}, name = 'levels-exact'): SolveResult {
  const deadline = new Deadline(options.timeLimitMs);
  checkLevelProblem(problem);
  const levels = problem.levels;
  const nodeLimit = options.nodeLimit ?? Infinity;
  const tol = options.relGapTol ?? DEFAULT_REL_GAP_TOL;
  const ex = resolveExtras(LEVELS_EXACT_OPTIONS, options.extra, name);
  const grid = integerGridOf(levels);
  if (grid && ex.integerGrid !== 'search' && Math.abs(grid[0]) <= 2 ** 30 && Math.abs(grid[1]) <= 2 ** 30) {
    // consecutive integers: the integer-grid solver (with its lattice-reduced basis) solves exactly this problem
    const r = solveExact({ name: problem.name, objective: problem.objective, scale: problem.scale, zmin: grid[0], zmax: grid[1] }, { ...options, extra: { rootSdp: ex.rootSdp, boxBound: ex.boxBound } }, name);
    return { ...r, problemClass: 'levels', stats: { ...r.stats, timeMs: deadline.elapsed(), integerGrid: 1 } };
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
    const left = deadline.remaining();
    const s = solveLevelsSdp(problem, { timeLimitMs: Number.isFinite(left) ? Math.max(1, left / 4) : undefined });
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
    stats: { timeMs: deadline.elapsed(), nodes: res.nodes, iterations: 0, leaves: res.leaves, rank: F.rank, warmUpper: ubWarm, rootBound: rootLb, marginAbs: res.marginAbs * red.unit },
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
