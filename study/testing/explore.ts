/**
 * One exploratory case, replayable from (family, seed) alone: what `npm run test:explore` (scripts/explore.ts) runs in
 * its workers, and what a regression test pasted from its output calls. Not re-exported by the kit's index (it loads
 * the whole solver registry).
 *
 * A case is a small random layer problem of the family's class (drawn by `fc.sample(fc.noBias(arb), { seed, numRuns: 1 })`), run
 * through every registered solver of that class under the given limits. Violations, by kind:
 * - `bound`: a lower bound above a feasible value (its own or another solver's, relative 1e-9 + rounding level), or a
 *   certificate proving more than the best feasible value;
 * - `gap`: status `optimal` with an open gap;
 * - `proof`: a verdict without a proof (`auditResult` fails: a lower bound or `optimal` that neither a certificate,
 *   a floor nor the solver's own search justifies);
 * - `result`: any other broken invariant (infeasible solution, upper bound not the recomputed error, bad shape);
 * - `threw`: the solver threw.
 */
import fc from 'fast-check';
import type { AnyProblemClass, JointProblem, LayerProblem, LevelQuantizationProblem, SolveOptions, SolveResult, StructuredPruningProblem } from '../../src/core/types.js';
import type { Solver } from '../../src/core/solver.js';
import { problemOf, solveOn } from '../../solvers/classes.js';
import { getSolver, listSolvers } from '../../solvers/index.js';
import { compareProblems } from '../compare/compare.js';
import { auditComparisonReport, type ComparisonReport } from '../compare/verify-report.js';
import { auditResult, verifyCertificate } from '../../solvers/verify.js';
import { jointProblemArb, layerProblemArb, levelProblemArb, structuredProblemArb, type ProblemArbOptions } from './arbitraries.js';
import { checkBoundOrder, checkFeasible, checkOptimalGap, checkResultShape, checkSandwich, checkUpperBound, errorScale, type AnyProblem } from './invariants.js';

export interface ExploreCase {
  layer: LayerProblem;
  cls: AnyProblemClass;
  useBox: boolean;
  /** Solver-specific options for this case (e.g. the MILP back end). */
  extra?: Record<string, unknown>;
}

export interface ExploreFamily {
  readonly classes: readonly AnyProblemClass[];
  /** Only these solvers (default: every registered solver of the classes, minus `exclude`). */
  readonly only?: readonly string[];
  readonly exclude?: readonly string[];
  /** Run the whole comparison (`compareProblems`) on the case and re-check every interval and verdict instead. */
  readonly compare?: boolean;
  readonly arb: fc.Arbitrary<ExploreCase>;
}

export type ViolationKind = 'bound' | 'gap' | 'proof' | 'result' | 'threw';
export interface Violation {
  kind: ViolationKind;
  solver: string;
  message: string;
}

/** Limits every solver of a case gets (the common options). */
export type ExploreLimits = Pick<SolveOptions, 'timeLimitMs' | 'nodeLimit' | 'iterationLimit'>;

/** Small problems: every case solves in milliseconds when the limits are honoured. */
export const EXPLORE_SMALL: ProblemArbOptions = { n: { min: 1, max: 5 }, bits: { min: 2, max: 3 } };

function baseLayer(name: string, objective: LayerProblem['objective'], extra: Partial<LayerProblem>): LayerProblem {
  return { name, n: objective.n, objective, scale: 1, zmin: 0, zmax: 0, k: 0, pruneBox: null, meta: {}, ...extra };
}

const levelsLayer = (p: LevelQuantizationProblem): LayerProblem => baseLayer(p.name, p.objective, { scale: p.scale, levels: p.levels });
const structuredLayer = (p: StructuredPruningProblem): LayerProblem =>
  baseLayer(p.name, p.objective, { pruneBox: p.box, ...(p.pattern.kind === 'nm' ? { nm: [p.pattern.n, p.pattern.m] as const } : { block: [p.pattern.size, p.pattern.keep] as const }) });
const jointLayer = (p: JointProblem): LayerProblem =>
  baseLayer(p.name, p.objective, { scale: p.scale, zmin: p.zmin, zmax: p.zmax, ...(p.sparsity.kind === 'k' ? { k: p.sparsity.k } : { k: p.objective.n, nm: [p.sparsity.n, p.sparsity.m] as const }) });

const OA = ['quant-oa', 'prune-oa'];

/** The families of `npm run test:explore` (each case: one layer problem and the class it is solved as). */
export function exploreFamilies(o: ProblemArbOptions = EXPLORE_SMALL): Record<string, ExploreFamily> {
  const lp = layerProblemArb(o);
  return {
    quantization: { classes: ['quantization'], exclude: OA, arb: lp.map((layer) => ({ layer, cls: 'quantization' as const, useBox: true })) },
    pruning: { classes: ['pruning'], exclude: OA, arb: lp.map((layer) => ({ layer, cls: 'pruning' as const, useBox: layer.pruneBox !== null })) },
    levels: { classes: ['levels'], arb: levelProblemArb(o).map((p) => ({ layer: levelsLayer(p), cls: 'levels' as const, useBox: false })) },
    structured: { classes: ['structured'], arb: structuredProblemArb(o).map((p) => ({ layer: structuredLayer(p), cls: 'structured' as const, useBox: p.box !== null })) },
    joint: { classes: ['joint'], arb: jointProblemArb(o).map((p) => ({ layer: jointLayer(p), cls: 'joint' as const, useBox: false })) },
    // the comparison (both classes, default plans) re-checked by auditComparisonReport: no verdict without a proof
    compare: { classes: ['quantization', 'pruning'], compare: true, arb: lp.map((layer) => ({ layer, cls: 'quantization' as const, useBox: layer.pruneBox !== null })) },
    'milp-oa': {
      classes: ['quantization', 'pruning'],
      only: OA,
      arb: fc.tuple(lp, fc.boolean(), fc.constantFrom('glpk', 'jsl')).map(([layer, q, backend]) => ({
        layer,
        cls: q ? ('quantization' as const) : ('pruning' as const),
        useBox: q ? true : layer.pruneBox !== null,
        extra: { backend },
      })),
    },
  };
}

/** The registered solvers a family runs on a case of class `cls`. */
export function exploreSolvers(f: ExploreFamily, cls: AnyProblemClass): Solver[] {
  return listSolvers().filter((s) => s.problemClass === cls && (f.only ? f.only.includes(s.name) : !(f.exclude ?? []).includes(s.name)));
}

/**
 * One case from a seed, without fast-check's small-value bias (every sample is a first run, which fast-check biases
 * towards the smallest values: 1000 biased draws repeat ~40 % of the matrices).
 */
function drawCase(f: ExploreFamily, seed: number): ExploreCase {
  return fc.sample(fc.noBias(f.arb), { seed, numRuns: 1 })[0];
}

/** The case of a family drawn from a seed (deterministic). */
export function exploreCase(family: string, seed: number, o?: ProblemArbOptions): ExploreCase {
  const f = exploreFamilies(o)[family];
  if (!f) throw new Error(`unknown explore family '${family}' (known: ${Object.keys(exploreFamilies(o)).join(', ')})`);
  return drawCase(f, seed);
}

/** Hooks for the runner: called before each solver (the watchdog's progress), and after it with its wall time. */
export interface ExploreHooks {
  beforeSolver?: (name: string) => void | Promise<void>;
  afterSolver?: (name: string, ms: number, result: SolveResult | null) => void;
}

/** Check every solver's result on one case (see the file header); returns the violations (empty: the case passes). */
export async function runExploreCase(family: string, seed: number, limits: ExploreLimits, hooks: ExploreHooks = {}, o?: ProblemArbOptions): Promise<Violation[]> {
  const f = exploreFamilies(o)[family];
  if (!f) throw new Error(`unknown explore family '${family}'`);
  const c = drawCase(f, seed);
  if (f.compare) return compareCase(c, limits, hooks);
  const problem = problemOf(c.cls, c.layer, { useBox: c.useBox }) as AnyProblem;
  const out: Violation[] = [];
  const results: SolveResult[] = [];
  for (const s of exploreSolvers(f, c.cls)) {
    await hooks.beforeSolver?.(s.name);
    const t0 = performance.now();
    let r: SolveResult;
    try {
      r = await solveOn(s, c.layer, { useBox: c.useBox }, { ...limits, seed: 1, ...(c.extra ? { extra: c.extra } : {}) });
    } catch (e) {
      hooks.afterSolver?.(s.name, performance.now() - t0, null);
      out.push({ kind: 'threw', solver: s.name, message: (e as Error).message });
      continue;
    }
    hooks.afterSolver?.(s.name, performance.now() - t0, r);
    const push = (kind: ViolationKind, msgs: string[]) => out.push(...msgs.map((message) => ({ kind, solver: s.name, message })));
    const shape = checkResultShape(r);
    if (shape.length) {
      push('result', shape);
      continue;
    }
    const es = errorScale(problem);
    const t = { relTol: 1e-9 };
    push('result', [...checkFeasible(r, problem), ...checkUpperBound(r, problem, t)]);
    push('bound', checkBoundOrder(r, t, es));
    push('gap', checkOptimalGap(r, t, es));
    const audit = auditResult(c.layer, r, { useBox: c.useBox });
    if (audit.status === 'failed') push('proof', audit.failures);
    results.push(r);
  }
  const es = errorScale(problem);
  out.push(...checkSandwich(results, { r: es, relTol: 1e-9 }).map((message) => ({ kind: 'bound' as const, solver: '*', message })));
  const best = Math.min(...results.map((r) => r.upperBound));
  for (const r of results) {
    if (!r.certificate) continue;
    const chk = verifyCertificate(c.layer, r.certificate, { useBox: c.useBox, problemClass: c.cls });
    if (chk.valid && chk.bound > best * (1 + 1e-9) + 1e-12 * es) out.push({ kind: 'bound', solver: r.solver, message: `certificate proves ${chk.bound} above the feasible value ${best}` });
  }
  return out;
}

/**
 * The comparison on one case: `compareProblems` with the default plans under the time limit (60 s per phase when
 * none is given: the small cases finish long before), then `auditComparisonReport` on it. A failed result audit or a
 * failed claim (an interval or a verdict that the verified bounds do not give) is a `proof` violation.
 */
async function compareCase(c: ExploreCase, limits: ExploreLimits, hooks: ExploreHooks): Promise<Violation[]> {
  await hooks.beforeSolver?.('compare');
  const t0 = performance.now();
  const res = await compareProblems([c.layer], 'explore', { timeLimitMs: limits.timeLimitMs ?? 60_000, pruneBox: c.useBox, seed: 1, resolve: getSolver });
  hooks.afterSolver?.('compare', performance.now() - t0, null);
  // the report as `pvq compare --json` writes it (typed arrays as arrays, non-finite numbers as null; app/cli/output.ts)
  const json = JSON.stringify({ name: 'explore', ...res }, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : typeof v === 'number' && !Number.isFinite(v) ? null : v));
  const audit = await auditComparisonReport(new Map([[c.layer.name, c.layer]]), JSON.parse(json) as ComparisonReport);
  const out: Violation[] = [];
  for (const r of audit.results) if (r.status === 'failed') out.push(...r.failures.map((message) => ({ kind: 'proof' as const, solver: `compare/${r.method}/${r.solver ?? '?'}`, message })));
  for (const cl of audit.claims) if (cl.status === 'failed') out.push(...cl.failures.map((message) => ({ kind: 'proof' as const, solver: `compare ${cl.subject}`, message })));
  return out;
}
