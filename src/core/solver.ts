import type { CommonOption, OptionSchema } from './options.js';

export { COMMON_OPTIONS, type CommonOption } from './options.js';
import type { JointLevelProblem, JointProblem, LevelQuantizationProblem, PruningProblem, QuantizationProblem, SolveOptions, SolveResult, StructuredPruningProblem } from './types.js';

/**
 * - `exact`: solves to proven optimality unless a limit stops it (then an honest limit status);
 * - `bound`: a certified lower bound (upperBound may be Infinity or a by-product feasible point);
 * - `heuristic`: a feasible point (upper bound), lowerBound is the trivial 0 unless it proves more.
 */
export type SolverRole = 'exact' | 'bound' | 'heuristic';

interface SolverBase {
  /** Registry name, e.g. 'quant-exact'. */
  readonly name: string;
  readonly role: SolverRole;
  /** One line for `pvq solvers`. */
  readonly description: string;
  /**
   * Solver-specific options accepted in `SolveOptions.extra`: a typed schema (type, default, bounds, help), validated and
   * defaulted in one place (`resolveExtras` / `resolveOptions` in src/core/options.ts). Absent: the solver takes none.
   */
  readonly options?: OptionSchema;
  /**
   * The common options the solver honours. The CLI refuses the others (`--time-limit` is only warned about).
   * Absent (a user-registered solver that does not say): every common option is passed through unchecked.
   */
  readonly capabilities?: readonly CommonOption[];
}

export interface QuantizationSolver extends SolverBase {
  readonly problemClass: 'quantization';
  solve(problem: QuantizationProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

export interface PruningSolver extends SolverBase {
  readonly problemClass: 'pruning';
  solve(problem: PruningProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

/** Quantization onto a finite level set (FP4 / FP8 / NF4 / user levels); `solution` is the vector of levels. */
export interface LevelQuantizationSolver extends SolverBase {
  readonly problemClass: 'levels';
  solve(problem: LevelQuantizationProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

/** Structured (N:M, block) pruning; `solution` is v (weights). */
export interface StructuredSolver extends SolverBase {
  readonly problemClass: 'structured';
  solve(problem: StructuredPruningProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

/** Joint sparse + quantized; `solution` is z (integers, weights scale*z). */
export interface JointSolver extends SolverBase {
  readonly problemClass: 'joint';
  solve(problem: JointProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

/** Joint sparse + level-set quantized; `solution` is x (levels or 0, weights scale*x). */
export interface JointLevelSolver extends SolverBase {
  readonly problemClass: 'joint-levels';
  solve(problem: JointLevelProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

export type Solver = QuantizationSolver | PruningSolver | LevelQuantizationSolver | StructuredSolver | JointSolver | JointLevelSolver;
