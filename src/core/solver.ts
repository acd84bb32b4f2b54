import type { JointProblem, PruningProblem, QuantizationProblem, SolveOptions, SolveResult, StructuredPruningProblem } from './types.js';

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
  /** Solver-specific option names accepted in `SolveOptions.extra`, with a short description each. */
  readonly extraOptions?: Readonly<Record<string, string>>;
}

export interface QuantizationSolver extends SolverBase {
  readonly problemClass: 'quantization';
  solve(problem: QuantizationProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
}

export interface PruningSolver extends SolverBase {
  readonly problemClass: 'pruning';
  solve(problem: PruningProblem, options?: SolveOptions): SolveResult | Promise<SolveResult>;
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

export type Solver = QuantizationSolver | PruningSolver | StructuredSolver | JointSolver;
