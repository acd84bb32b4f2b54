/**
 * Shared pieces of the level-set quantization solvers: input checks, the reduced problem (the quantization
 * solvers' `reduce` with the box [lmin, lmax]), expansion of inactive coordinates to the nearest level, and the
 * level-aware 1-opt polish.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, quantErrorOf } from '../../src/core/objective.js';
import { makeResult } from '../../src/core/result.js';
import type { LevelQuantizationProblem, QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { checkLevels, isLevel, nearestLevelIndex } from '../../src/formats/levels.js';
import { gridOneOpt } from '../grid/one-opt.js';
import { reduce, type Reduced } from '../quantization/common.js';

/** Validate a level problem; throws PvqInputError. */
export function checkLevelProblem(p: LevelQuantizationProblem): void {
  checkObjective(p.objective);
  if (!(Number.isFinite(p.scale) && p.scale > 0)) throw new PvqInputError('scale', 'must be a finite number > 0');
  if (!(p.levels instanceof Float64Array)) throw new PvqInputError('levels', 'expected a Float64Array of sorted levels');
  checkLevels(p.levels);
}

/** The quantization-problem view used only to share `reduce` (zmin/zmax are placeholders: lo/hi are overwritten). */
function asQuant(p: LevelQuantizationProblem): QuantizationProblem {
  return { name: p.name, objective: p.objective, scale: p.scale, zmin: 0, zmax: 0 };
}

/**
 * Reduced problem `f(x) = unit * (x_A - t_A)^T P (x_A - t_A)` on the active coordinates, `t = w / s`, with
 * `lo = min level`, `hi = max level` (the box of the level set).
 */
export function reduceLevels(p: LevelQuantizationProblem): Reduced {
  const red = reduce(asQuant(p));
  red.lo = p.levels[0];
  red.hi = p.levels[p.levels.length - 1];
  return red;
}

/** Nearest level of each target (RTN over levels) on a vector of targets. */
export function nearestLevels(levels: Float64Array, t: ArrayLike<number>, n = t.length): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = levels[nearestLevelIndex(levels, t[i])] + 0;
  return x;
}

/** Full solution from active coordinates; inactive coordinates take the level nearest to w_i / s. */
export function expandLevels(red: Reduced, levels: Float64Array, xA: ArrayLike<number>): Float64Array {
  const x = nearestLevels(levels, red.tFull, red.n);
  for (let a = 0; a < red.na; a++) x[red.active[a]] = xA[a] + 0;
  return x;
}

/** True when every entry of x is one of the levels. */
export function isLevelFeasible(p: LevelQuantizationProblem, x: ArrayLike<number>): boolean {
  if (x.length !== p.objective.n) return false;
  for (let i = 0; i < x.length; i++) if (!isLevel(p.levels, x[i])) return false;
  return true;
}

/** Error of the candidate `scale * x`. */
export function levelErrorOf(p: LevelQuantizationProblem, x: ArrayLike<number>): number {
  return quantErrorOf(asQuant(p), x);
}

/**
 * Greedy 1-opt over levels on `(x - t)^T P (x - t)`, in place: the best single-coordinate move of coordinate i
 * is to the level nearest to `x_i - g_i / (2 P_ii)` (g = 2 P (x - t)); apply the best decreasing move until none
 * decreases the value. Every iterate is feasible. Returns the number of moves.
 */
export function levelOneOpt(P: Float64Array, t: ArrayLike<number>, x: Float64Array, n: number, levels: Float64Array, maxMoves = 100 * n + 1000): number {
  return gridOneOpt(P, t, x, n, { kind: 'levels', levels }, maxMoves);
}

/** Heuristic result: upper bound recomputed from x, trivial lower bound 0, status `feasible`. */
export function levelHeuristicResult(solver: string, problem: LevelQuantizationProblem, x: Float64Array, t0: number, extra: Record<string, number> = {}): SolveResult {
  return makeResult({
    solver,
    problem: problem.name,
    problemClass: 'levels',
    lowerBound: 0,
    upperBound: levelErrorOf(problem, x),
    solution: x,
    status: 'feasible',
    stats: { timeMs: performance.now() - t0, ...extra },
  });
}
