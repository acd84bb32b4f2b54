/**
 * Problem classes, pluggable in one place: each class registers an adapter that builds its problem from a layer
 * problem, checks a solution's feasibility and recomputes its error. `pvq solve`, `pvq solve --check`,
 * `pvq verify` (auditResult, verifyCertificate, --rerun) and the comparisons dispatch through this table; none
 * of them lists the classes. Adding a class = one adapter entry here (`registerProblemClass`) + its family's
 * proofs entry (solvers/certificates.ts) + its solvers (solvers/index.ts).
 */
import { errorOf, isJointFeasible, isPruneFeasible, isQuantFeasible, isStructuredFeasible, jointProblemOf, pruningProblemOf, quantErrorOf, quantizationProblemOf, structuredProblemOf } from '../src/core/objective.js';
import { PvqInputError } from '../src/core/errors.js';
import type { Solver } from '../src/core/solver.js';
import type { AnyProblemClass, JointLevelProblem, JointProblem, LayerProblem, LevelQuantizationProblem, PruningProblem, QuantizationProblem, SolveOptions, SolveResult, StructuredPruningProblem } from '../src/core/types.js';
import { levelProblemOf } from '../src/formats/levels.js';
import { gridScaledLayer } from '../src/formats/groups.js';
import { isLevelFeasible, levelErrorOf } from './levels/common.js';
import { isJointLevelFeasible, jointLevelProblemOf } from './joint/levels.js';

/** The problem type of each class (what its solvers, feasibility checks and certificate verifiers take). */
export interface ProblemOfClass {
  quantization: QuantizationProblem;
  pruning: PruningProblem;
  levels: LevelQuantizationProblem;
  structured: StructuredPruningProblem;
  joint: JointProblem;
  'joint-levels': JointLevelProblem;
}

/** Options of `of`: `useBox` = build pruning-like problems with the file's pruneBox (as the solver was run). */
export interface ClassBuildOptions {
  useBox: boolean;
}

export interface ProblemClassAdapter<C extends AnyProblemClass = AnyProblemClass> {
  readonly problemClass: C;
  /** One line for the docs and error messages. */
  readonly describe: string;
  /** What `solution` holds for this class ('z' integers, 'v' weights, 'x' levels). */
  readonly solution: string;
  /** The exact search solver that `pvq solve --check` and `pvq verify --rerun` use for this class. */
  readonly exactSolver: string;
  /** The class's problem of a layer problem (throws PvqInputError when the layer lacks what the class needs). */
  of(layer: LayerProblem, opts: ClassBuildOptions): ProblemOfClass[C];
  isFeasible(problem: ProblemOfClass[C], solution: ArrayLike<number>): boolean;
  /** Why a solution is infeasible, in one phrase (for audits). */
  infeasible(problem: ProblemOfClass[C]): string;
  /** Error of a feasible solution, recomputed from the point. */
  errorOf(problem: ProblemOfClass[C], solution: ArrayLike<number>): number;
}

type AnyAdapter = { [C in AnyProblemClass]: ProblemClassAdapter<C> }[AnyProblemClass];

const adapters = new Map<string, AnyAdapter>();

/** Register (or replace, with `replace: true`) a problem class adapter. */
export function registerProblemClass(adapter: AnyAdapter, opts: { replace?: boolean } = {}): void {
  if (adapters.has(adapter.problemClass) && !opts.replace) throw new Error(`problem class '${adapter.problemClass}' is already registered`);
  adapters.set(adapter.problemClass, adapter);
}

export function getProblemClass(cls: string): AnyAdapter | undefined {
  return adapters.get(cls);
}

export function listProblemClasses(): AnyAdapter[] {
  return [...adapters.values()];
}

/** The adapter of a class, or a PvqInputError naming `field` when the class is not registered. */
export function requireProblemClass(cls: string, field = 'problemClass'): AnyAdapter {
  const a = adapters.get(cls);
  if (!a) throw new PvqInputError(field, `unknown problem class ${JSON.stringify(cls)}; registered: ${[...adapters.keys()].join(', ')}`);
  return a;
}

/** The class's problem of a layer problem, untyped (callers that only pass it on to a solver or verifier of that class). */
export function problemOf(cls: AnyProblemClass, layer: LayerProblem, opts: ClassBuildOptions): ProblemOfClass[AnyProblemClass] {
  return requireProblemClass(cls).of(layer, opts);
}

/** Feasibility and recomputed error of a solution for the class's problem of `layer` (null error when infeasible). */
export function evaluateSolution(cls: AnyProblemClass, layer: LayerProblem, solution: ArrayLike<number>, opts: ClassBuildOptions): { feasible: boolean; error: number | null; reason: string } {
  const a = requireProblemClass(cls) as ProblemClassAdapter;
  const p = a.of(layer, opts);
  if (!a.isFeasible(p, solution)) return { feasible: false, error: null, reason: a.infeasible(p) };
  return { feasible: true, error: a.errorOf(p, solution), reason: '' };
}

/** Run a solver on the problem of its class built from `layer`. */
export async function solveOn(solver: Solver, layer: LayerProblem, opts: ClassBuildOptions, options: SolveOptions = {}): Promise<SolveResult> {
  const problem = problemOf(solver.problemClass, layer, opts);
  // the solver's own class built the problem: the union of solve signatures is one call here
  return (solver.solve as (p: ProblemOfClass[AnyProblemClass], o?: SolveOptions) => SolveResult | Promise<SolveResult>)(problem, options);
}

const quantization: ProblemClassAdapter<'quantization'> = {
  problemClass: 'quantization',
  describe: 'b-bit uniform quantization: v = scale * z, z integer in [zmin, zmax]',
  solution: 'z',
  exactSolver: 'quant-exact',
  of: (l) => quantizationProblemOf(gridScaledLayer(l)), // group scales: the problem in grid units (levels: inside levelProblemOf)
  isFeasible: isQuantFeasible,
  infeasible: () => 'solution is not an integer vector inside [zmin, zmax]',
  errorOf: quantErrorOf,
};

const pruning: ProblemClassAdapter<'pruning'> = {
  problemClass: 'pruning',
  describe: 'unstructured pruning: at most k nonzeros (inside pruneBox when used)',
  solution: 'v',
  exactSolver: 'prune-exact',
  of: (l, o) => pruningProblemOf(l, { useBox: o.useBox }),
  isFeasible: isPruneFeasible,
  infeasible: (p) => `solution has more than k = ${p.k} nonzeros or leaves the box`,
  errorOf: (p, v) => errorOf(p.objective, v),
};

const levels: ProblemClassAdapter<'levels'> = {
  problemClass: 'levels',
  describe: 'quantization onto a finite level set (FP4 / FP8 / NF4 / INT-b / user levels): v = scale * x',
  solution: 'x',
  exactSolver: 'levels-exact',
  of: (l) => levelProblemOf(l),
  isFeasible: isLevelFeasible,
  infeasible: () => 'solution has an entry that is not one of the levels',
  errorOf: levelErrorOf,
};

const structured: ProblemClassAdapter<'structured'> = {
  problemClass: 'structured',
  describe: 'structured pruning: N:M or block sparsity pattern (inside pruneBox when used)',
  solution: 'v',
  exactSolver: 'nm-exact',
  of: (l, o) => structuredProblemOf(l, { useBox: o.useBox }),
  isFeasible: isStructuredFeasible,
  infeasible: () => 'solution does not fit the structured pattern or leaves the box',
  errorOf: (p, v) => errorOf(p.objective, v),
};

const joint: ProblemClassAdapter<'joint'> = {
  problemClass: 'joint',
  describe: 'joint sparse + quantized: integer grid with at most k nonzeros or an N:M pattern',
  solution: 'z',
  exactSolver: 'joint-exact',
  of: (l) => jointProblemOf(gridScaledLayer(l)),
  isFeasible: isJointFeasible,
  infeasible: () => 'solution is not an integer vector in [zmin, zmax] fitting the sparsity',
  errorOf: quantErrorOf,
};

const jointLevels: ProblemClassAdapter<'joint-levels'> = {
  problemClass: 'joint-levels',
  describe: 'joint sparse + level-set quantized: levels (FP4 / NF4 / FP8 / INT-b / user levels) or 0, at most k nonzeros or an N:M pattern',
  solution: 'x',
  exactSolver: 'joint-levels-exact',
  of: (l) => jointLevelProblemOf(gridScaledLayer(l)), // group scales: the problem in grid units
  isFeasible: isJointLevelFeasible,
  infeasible: () => 'solution has an entry that is neither a level nor 0, or does not fit the sparsity',
  errorOf: levelErrorOf,
};

for (const a of [quantization, pruning, levels, structured, joint, jointLevels] as AnyAdapter[]) registerProblemClass(a);
