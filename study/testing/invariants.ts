/**
 * Solver-agnostic invariants over `SolveResult`s: each `check*` returns a list of violations (empty when
 * the invariant holds) and each `assert*` throws an `InvariantError` listing them. They take results as
 * input, so they apply to any solver, including users' own.
 */
import { errorOf, sqnrDb } from '../../src/core/objective.js';
import type { JointLevelProblem, JointProblem, StructuredPruningProblem } from '../../src/core/types.js';
import { gapClosed, relativeGap } from '../../src/core/result.js';
import { DEFAULT_REL_GAP_TOL, type LayerProblem, type LevelQuantizationProblem, type PruningProblem, type QuadObjective, type QuantizationProblem, type SolveResult } from '../../src/core/types.js';
import { getProblemClass, listProblemClasses, type ProblemClassAdapter } from '../../solvers/classes.js';

export type AnyProblem = LayerProblem | QuantizationProblem | PruningProblem | LevelQuantizationProblem | StructuredPruningProblem | JointProblem | JointLevelProblem;

export class InvariantError extends Error {
  readonly violations: string[];
  constructor(violations: string[]) {
    super(`${violations.length} invariant violation(s):\n- ${violations.join('\n- ')}`);
    this.name = 'InvariantError';
    this.violations = violations;
  }
}

export interface Tolerances {
  /** Relative tolerance for comparing errors (default 1e-12). */
  relTol?: number;
  /**
   * Absolute tolerance for comparing errors; default 1e-12 * errorScale(problem) (for checks over sets of
   * results: 1e-12 * the `r` option), which absorbs rounding in errors that are tiny next to the problem's
   * natural magnitude.
   */
  absTol?: number;
  /** Gap tolerance at which `optimal` may be claimed (default DEFAULT_REL_GAP_TOL = 1e-9). */
  relGapTol?: number;
}

const STATUSES = new Set(['optimal', 'time_limit', 'node_limit', 'iteration_limit', 'bound_only', 'feasible', 'numerical_failure']);

function tol(a: number, b: number, t: Tolerances, r: number): number {
  const abs = t.absTol ?? 1e-12 * Math.max(0, r);
  return (t.relTol ?? 1e-12) * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

function objectiveOf(p: AnyProblem): QuadObjective {
  return p.objective;
}

/**
 * The magnitude against which rounding in errors is judged: max(r, (sum_i sqrt(G_ii) |w_i|)^2). The second
 * term bounds sum_ij |G_ij w_i w_j| for PSD G, so it stays meaningful when r = w^T G w is small by
 * cancellation. Pass it as the `r` option of the checks over sets of results.
 */
export function errorScale(p: AnyProblem): number {
  const { n, G, w, r } = p.objective;
  let t = 0;
  for (let i = 0; i < n; i++) t += Math.sqrt(Math.max(0, G[i * n + i])) * Math.abs(w[i]);
  return Math.max(r, t * t);
}

/**
 * The error of a result's solution for its problem class: points in grid units (the class's `solution` is `z` or
 * level `x`) are scaled by the problem's scale, weights (`v`) are taken as they are.
 */
export function recomputeError(result: SolveResult, problem: AnyProblem): number {
  if (result.solution === null) return Infinity;
  const obj = objectiveOf(problem);
  const a = getProblemClass(result.problemClass);
  if (a && a.solution !== 'v') {
    const s = (problem as QuantizationProblem | LevelQuantizationProblem).scale;
    const v = new Float64Array(obj.n);
    for (let i = 0; i < obj.n; i++) v[i] = s * result.solution[i];
    return errorOf(obj, v);
  }
  return errorOf(obj, result.solution);
}

/** A layer problem (the file format) rather than the problem of one class. */
function isLayerProblem(p: AnyProblem): p is LayerProblem {
  return 'meta' in p && 'pruneBox' in p;
}

/** Shape of a result: fields present with sane types and values. */
export function checkResultShape(result: SolveResult): string[] {
  const v: string[] = [];
  const where = `${String(result?.solver)} on ${String(result?.problem)}`;
  if (typeof result !== 'object' || result === null) return ['result is not an object'];
  if (typeof result.solver !== 'string' || result.solver.length === 0) v.push(`${where}: solver must be a non-empty string`);
  if (typeof result.problem !== 'string') v.push(`${where}: problem must be a string`);
  const classes = listProblemClasses().map((a) => a.problemClass as string);
  if (!classes.includes(result.problemClass)) v.push(`${where}: problemClass must be one of ${classes.map((c) => `'${c}'`).join(', ')}, got ${String(result.problemClass)}`);
  if (!STATUSES.has(result.status)) v.push(`${where}: unknown status ${String(result.status)}`);
  if (typeof result.lowerBound !== 'number' || !Number.isFinite(result.lowerBound) || result.lowerBound < 0)
    v.push(`${where}: lowerBound must be a finite number >= 0, got ${result.lowerBound}`);
  if (typeof result.upperBound !== 'number' || Number.isNaN(result.upperBound) || result.upperBound < 0)
    v.push(`${where}: upperBound must be a number >= 0 or Infinity, got ${result.upperBound}`);
  if (result.solution !== null && !(result.solution instanceof Float64Array)) v.push(`${where}: solution must be a Float64Array or null`);
  if (result.solution === null && result.upperBound !== Infinity) v.push(`${where}: no solution but upperBound = ${result.upperBound} (must be Infinity)`);
  if (result.solution !== null && !Number.isFinite(result.upperBound)) v.push(`${where}: a solution but upperBound = ${result.upperBound}`);
  if (typeof result.relGap !== 'number' || Number.isNaN(result.relGap)) v.push(`${where}: relGap must be a number`);
  else if (Number.isFinite(result.lowerBound) && !Number.isNaN(result.upperBound)) {
    const g = relativeGap(result.lowerBound, result.upperBound);
    if (!(g === result.relGap || Math.abs(g - result.relGap) <= 1e-12 * Math.max(1, Math.abs(g)))) v.push(`${where}: relGap ${result.relGap} != (ub - lb)/ub = ${g}`);
  }
  const st = result.stats as unknown as Record<string, unknown> | undefined;
  if (typeof st !== 'object' || st === null) v.push(`${where}: stats missing`);
  else
    for (const k of ['timeMs', 'nodes', 'iterations'])
      if (typeof st[k] !== 'number' || !Number.isFinite(st[k] as number) || (st[k] as number) < 0) v.push(`${where}: stats.${k} must be a finite number >= 0, got ${String(st[k])}`);
  if (result.certificate !== undefined && (typeof result.certificate !== 'object' || typeof result.certificate.type !== 'string')) v.push(`${where}: certificate must be an object with a string type`);
  return v;
}

/**
 * The solution (if any) is feasible for the problem of its class (solvers/classes.ts): `problem` is that
 * problem, or a layer problem from which the class builds it (pruning-like classes with the layer's pruneBox, as
 * the solvers run by default; pass the PruningProblem you solved to check exactly that one).
 */
export function checkFeasible(result: SolveResult, problem: AnyProblem): string[] {
  if (result.solution === null) return [];
  const where = `${result.solver} on ${result.problem}`;
  const n = problem.objective.n;
  if (result.solution.length !== n) return [`${where}: solution has length ${result.solution.length}, expected n = ${n}`];
  const a = getProblemClass(result.problemClass) as ProblemClassAdapter | undefined;
  if (!a) return [`${where}: unknown problem class ${String(result.problemClass)}`];
  const p = isLayerProblem(problem) ? a.of(problem, { useBox: true }) : problem;
  return a.isFeasible(p as never, result.solution) ? [] : [`${where}: ${a.infeasible(p as never)}`];
}

/** upperBound equals the error recomputed from the solution (relTol 1e-12 + absTol). */
export function checkUpperBound(result: SolveResult, problem: AnyProblem, t: Tolerances = {}): string[] {
  if (result.solution === null) return result.upperBound === Infinity ? [] : [`${result.solver} on ${result.problem}: upperBound ${result.upperBound} without a solution`];
  const e = recomputeError(result, problem);
  if (Math.abs(e - result.upperBound) > tol(e, result.upperBound, t, errorScale(problem)))
    return [`${result.solver} on ${result.problem}: upperBound ${result.upperBound} but the solution's error is ${e}`];
  return [];
}

/** lowerBound <= upperBound (within tolerance). */
export function checkBoundOrder(result: SolveResult, t: Tolerances = {}, r = 0): string[] {
  if (result.lowerBound > result.upperBound + (Number.isFinite(result.upperBound) ? tol(result.lowerBound, result.upperBound, t, r) : 0))
    return [`${result.solver} on ${result.problem}: lowerBound ${result.lowerBound} > upperBound ${result.upperBound}`];
  return [];
}

/**
 * Status `optimal` implies a closed gap: ub - lb <= (relGapTol + relTol) * ub + absTol (relGapTol default
 * 1e-9; relTol, default 1e-12, leaves room for rounding a certified lower bound down after the test).
 */
export function checkOptimalGap(result: SolveResult, t: Tolerances = {}, r = 0): string[] {
  if (result.status !== 'optimal') return [];
  const abs = t.absTol ?? 1e-12 * Math.max(0, r);
  // a solver may declare its own tolerance in stats.relGapTol (e.g. the OA solvers: 1e-6)
  const relGapTol = t.relGapTol ?? (typeof result.stats.relGapTol === 'number' ? result.stats.relGapTol : DEFAULT_REL_GAP_TOL);
  if (!gapClosed(result.lowerBound, result.upperBound, relGapTol + (t.relTol ?? 1e-12), abs))
    return [`${result.solver} on ${result.problem}: status optimal but gap is open (lb ${result.lowerBound}, ub ${result.upperBound}, relGap ${result.relGap})`];
  return [];
}

/** All single-result invariants: shape, feasibility, recomputed upper bound, bound order, optimal => closed gap. */
export function checkResult(result: SolveResult, problem: AnyProblem, t: Tolerances = {}): string[] {
  const shape = checkResultShape(result);
  if (shape.length > 0) return shape;
  const r = errorScale(problem);
  return [...checkFeasible(result, problem), ...checkUpperBound(result, problem, t), ...checkBoundOrder(result, t, r), ...checkOptimalGap(result, t, r)];
}

export function assertResult(result: SolveResult, problem: AnyProblem, t: Tolerances = {}): void {
  const v = checkResult(result, problem, t);
  if (v.length > 0) throw new InvariantError(v);
}

/**
 * Over results of several solvers on the same problem (same class): every lower bound <= every upper
 * bound, and lowerBound <= optimum <= upperBound when the optimum is known (e.g. from brute force).
 */
export function checkSandwich(results: readonly SolveResult[], opts: Tolerances & { optimum?: number; r?: number } = {}): string[] {
  const v: string[] = [];
  const r = opts.r ?? 0;
  const classes = new Set(results.map((x) => x.problemClass));
  if (classes.size > 1) return [`results mix problem classes (${[...classes].join(', ')})`];
  for (const a of results)
    for (const b of results)
      if (a.lowerBound > b.upperBound + (Number.isFinite(b.upperBound) ? tol(a.lowerBound, b.upperBound, opts, r) : 0))
        v.push(`lower bound of ${a.solver} (${a.lowerBound}) exceeds upper bound of ${b.solver} (${b.upperBound}) on ${a.problem}`);
  if (opts.optimum !== undefined) {
    const o = opts.optimum;
    for (const a of results) {
      if (a.lowerBound > o + tol(a.lowerBound, o, opts, r)) v.push(`lower bound of ${a.solver} (${a.lowerBound}) exceeds the optimum ${o} on ${a.problem}`);
      if (a.upperBound < o - tol(a.upperBound, o, opts, r)) v.push(`upper bound of ${a.solver} (${a.upperBound}) is below the optimum ${o} on ${a.problem}`);
    }
  }
  return v;
}

export function assertSandwich(results: readonly SolveResult[], opts: Tolerances & { optimum?: number; r?: number } = {}): void {
  const v = checkSandwich(results, opts);
  if (v.length > 0) throw new InvariantError(v);
}

/**
 * SQNR invariance under G -> alpha*G: errors scale by alpha, so the result on the scaled problem must
 * satisfy ub' = alpha*ub (and lb' = alpha*lb with `which: 'both'`), i.e. the same SQNR. Meant for
 * deterministic solvers (exact ones in particular): pass the result on `scaleProblem(problem, alpha)` as
 * `scaled`. Two optimal results may each be off by the optimality gap, so relTol defaults to 1e-9.
 */
export function checkScaleInvariance(
  problem: AnyProblem,
  original: SolveResult,
  scaled: SolveResult,
  alpha: number,
  opts: Tolerances & { which?: 'upper' | 'both' } = {},
): string[] {
  const v: string[] = [];
  const r = problem.objective.r;
  const es = errorScale(problem);
  const t: Tolerances = { ...opts, relTol: opts.relTol ?? DEFAULT_REL_GAP_TOL };
  const cmp = (label: string, a: number, b: number) => {
    if (a === Infinity || b === Infinity) {
      if (a !== b) v.push(`${label}: ${a} vs ${b} after scaling G by ${alpha}`);
      return;
    }
    const x = a * alpha;
    if (Math.abs(x - b) > tol(x, b, t, es * alpha))
      v.push(`${label}: ${a} * ${alpha} = ${x} but the scaled problem gives ${b} (SQNR ${sqnrDb(r, a).toFixed(6)} vs ${sqnrDb(r * alpha, b).toFixed(6)} dB)`);
  };
  cmp(`${original.solver} upper bound`, original.upperBound, scaled.upperBound);
  if (opts.which === 'both') cmp(`${original.solver} lower bound`, original.lowerBound, scaled.lowerBound);
  return v;
}

/**
 * An exact solver's optimum is invariant under permutations of the coordinates: compare its upper bounds
 * on a problem and on `permuteProblem(problem, perm)` when both are optimal; when a limit stopped either,
 * check that neither lower bound exceeds the other's feasible value. relTol defaults to 1e-9 (the optimality gap).
 */
export function checkPermutationInvariance(original: SolveResult, permuted: SolveResult, t: Tolerances & { r?: number } = {}): string[] {
  if (original.status !== 'optimal' || permuted.status !== 'optimal') {
    // a limit stopped one of them: the two problems share their optimum, so each lower bound must stay
    // below the other's feasible value
    const v: string[] = [];
    const tl = { ...t, relTol: t.relTol ?? DEFAULT_REL_GAP_TOL };
    if (original.lowerBound > permuted.upperBound + tol(original.lowerBound, permuted.upperBound, tl, t.r ?? 0))
      v.push(`${original.solver}: lower bound ${original.lowerBound} exceeds the permuted problem's feasible value ${permuted.upperBound}`);
    if (permuted.lowerBound > original.upperBound + tol(permuted.lowerBound, original.upperBound, tl, t.r ?? 0))
      v.push(`${permuted.solver}: lower bound ${permuted.lowerBound} of the permuted problem exceeds the feasible value ${original.upperBound}`);
    return v;
  }
  const a = original.upperBound;
  const b = permuted.upperBound;
  if (a === b) return [];
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a - b) > tol(a, b, { ...t, relTol: t.relTol ?? DEFAULT_REL_GAP_TOL }, t.r ?? 0))
    return [`${original.solver}: optimum ${a} changes to ${b} under a permutation of the coordinates`];
  return [];
}
