/** Shared pieces of the structured (N:M, block) pruning solvers: validation, groups, refits, result assembly. */
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, errorOf, isStructuredFeasible, patternGroups } from '../../src/core/objective.js';
import { makeResult } from '../../src/core/result.js';
import type { AnyProblemClass, Certificate, PruningProblem, SolveOptions, SolveResult, SolveStatus, StructuredPattern, StructuredPruningProblem } from '../../src/core/types.js';
import { gramTimesW, supportValue } from '../pruning/common.js';

/** Validate a structured problem (throws PvqInputError naming the field). */
export function validateStructuredProblem(p: StructuredPruningProblem): void {
  checkObjective(p?.objective, 'objective.');
  validatePattern(p.pattern, 'pattern');
  if (p.box !== null && p.box !== undefined) {
    const b = p.box;
    if (!Array.isArray(b) || b.length !== 2 || !Number.isFinite(b[0]) || !Number.isFinite(b[1]) || b[0] > b[1])
      throw new PvqInputError('box', 'expected [lo, hi] with finite lo <= hi, or null');
  }
}

export function validatePattern(pt: StructuredPattern, field: string): void {
  if (!pt || typeof pt !== 'object') throw new PvqInputError(field, 'missing pattern');
  const int = (x: unknown, f: string, min: number): void => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min) throw new PvqInputError(`${field}.${f}`, `expected an integer >= ${min}, got ${String(x)}`);
  };
  if (pt.kind === 'nm') {
    int(pt.m, 'm', 1);
    int(pt.n, 'n', 0);
    if (pt.n > pt.m) throw new PvqInputError(`${field}.n`, `N = ${pt.n} exceeds M = ${pt.m}`);
  } else if (pt.kind === 'block') {
    int(pt.size, 'size', 1);
    int(pt.keep, 'keep', 0);
  } else throw new PvqInputError(`${field}.kind`, `expected 'nm' or 'block'`);
}

/** The unstructured pruning problem with the same objective and box (k = the pattern's largest support). */
export function relaxedPruningProblem(p: StructuredPruningProblem): PruningProblem {
  const n = p.objective.n;
  const groups = patternGroups(p.pattern, n);
  let k: number;
  if (p.pattern.kind === 'nm') k = groups.reduce((s, g) => s + g.cap, 0);
  else {
    const sizes = groups.map((g) => g.end - g.start).sort((a, b) => b - a);
    k = sizes.slice(0, p.pattern.keep).reduce((s, x) => s + x, 0);
  }
  return { name: p.name, objective: p.objective, k, box: p.box };
}

/** Best (box-aware) refit on the support S, with its proven value (see pruning/common supportValue). */
export function structuredRefit(p: StructuredPruningProblem, S: ArrayLike<number>): { err: number; lb: number; v: Float64Array } {
  const pp = relaxedPruningProblem(p);
  const b = gramTimesW(p.objective.G, p.objective.w, p.objective.n);
  return supportValue(pp, b, S);
}

/** What `structuredResult` assembles: a `PointOut` whose point is the weights v of a structured problem. */
export type StructuredOut = Omit<PointOut, 'problem' | 'problemClass' | 'point' | 'isFeasible' | 'errorOf'> & { problem: StructuredPruningProblem; v: Float64Array | null };

/** Assemble the SolveResult; upperBound is recomputed from v with errorOf (and v checked against the pattern). */
export function structuredResult(o: StructuredOut): SolveResult {
  return pointResult({ ...o, problemClass: 'structured', point: o.v, isFeasible: (v) => isStructuredFeasible(o.problem, v), errorOf: (v) => errorOf(o.problem.objective, v) });
}

/** What `pointResult` assembles (shared by the structured and joint families). */
export interface PointOut {
  solver: string;
  problem: { readonly name: string };
  problemClass: AnyProblemClass;
  point: Float64Array | null;
  isFeasible(point: Float64Array): boolean;
  /** The error of a feasible point, recomputed from the point. */
  errorOf(point: Float64Array): number;
  lowerBound: number;
  status: SolveStatus;
  start: number;
  nodes?: number;
  iterations?: number;
  extraStats?: Record<string, number>;
  certificate?: Certificate;
  message?: string;
}

/** One SolveResult from a point: feasibility checked (an infeasible point is an internal error), upperBound recomputed, lowerBound <= upperBound. */
export function pointResult(o: PointOut): SolveResult {
  if (o.point && !o.isFeasible(o.point)) throw new Error(`${o.solver}: internal error, infeasible point`);
  const ub = o.point ? o.errorOf(o.point) : Infinity;
  return makeResult({
    solver: o.solver,
    problem: o.problem.name,
    problemClass: o.problemClass,
    lowerBound: Math.min(o.lowerBound, ub),
    upperBound: ub,
    solution: o.point,
    status: o.status,
    stats: { timeMs: performance.now() - o.start, nodes: o.nodes ?? 0, iterations: o.iterations ?? 0, ...(o.extraStats ?? {}) },
    ...(o.certificate ? { certificate: o.certificate } : {}),
    ...(o.message ? { message: o.message } : {}),
  });
}

/** The limits an exact tree search (nm-exact, joint-exact, joint-levels-exact) takes from the common options. */
export interface TreeLimits {
  timeLimitMs?: number;
  nodeLimit?: number;
  relGapTol?: number;
  incumbent?: Float64Array;
}

/** The common options every exact tree search honours. */
export const TREE_CAPABILITIES = ['timeLimit', 'nodeLimit', 'relGapTol', 'incumbent'] as const;

export const treeLimitsOf = (o: SolveOptions): TreeLimits => ({ timeLimitMs: o.timeLimitMs, nodeLimit: o.nodeLimit, relGapTol: o.relGapTol, incumbent: o.incumbent });

/**
 * An exact tree-search solver of class C: validate, run the search with the common limits, assemble the result.
 * Shared by `nm-exact`, `joint-exact` and `joint-levels-exact`.
 */
export function treeSearchSolver<P, S>(spec: {
  name: string;
  problemClass: AnyProblemClass;
  description: string;
  validate(p: P): void;
  run(p: P, limits: TreeLimits, start: number): SolveResult;
}): S {
  return {
    name: spec.name,
    problemClass: spec.problemClass,
    role: 'exact',
    description: spec.description,
    capabilities: [...TREE_CAPABILITIES],
    solve(problem: P, options: SolveOptions = {}): SolveResult {
      const start = performance.now();
      spec.validate(problem);
      return spec.run(problem, treeLimitsOf(options), start);
    },
  } as S;
}

/** All subsets of {0..m-1} of size t (lexicographic). */
export function combinations(m: number, t: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (s: number): void => {
    if (cur.length === t) {
      out.push([...cur]);
      return;
    }
    for (let i = s; i <= m - (t - cur.length); i++) {
      cur.push(i);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}
