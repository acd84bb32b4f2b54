/**
 * Core types shared by every part of pvq. Matrices are dense, row-major `Float64Array`s of length n*n.
 *
 * Error of a candidate `v` for a channel: `error(v) = (w - v)^T G (w - v)`; reference energy `r = w^T G w`;
 * `SQNR_dB = 10 log10(r / error)`.
 */

/** The quadratic `(w - v)^T G (w - v)` of one output channel (or chunk). */
export interface QuadObjective {
  /** Dimension. */
  readonly n: number;
  /** Symmetric positive semidefinite Gram matrix `X^T X`, row-major n*n. */
  readonly G: Float64Array;
  /** Original weights (length n). */
  readonly w: Float64Array;
  /** Reference energy `w^T G w` (the error of the all-zero candidate). */
  readonly r: number;
}

/** Whether a problem is a full output-channel row or one chunk of it (paper's `--opt-dim`). */
export type ProblemKind = 'full-row' | 'chunk' | 'standalone';

/** A layer problem as read from the layer-problem file format (version 1), validated and symmetrised. */
export interface LayerProblem {
  readonly name: string;
  readonly n: number;
  readonly objective: QuadObjective;
  /** Quantization step s > 0 (1 when `scales` is set). */
  readonly scale: number;
  /**
   * Optional per-coordinate steps s_i > 0 (group scales: one per group of g consecutive inputs; the file gives
   * `scale` as an array of n numbers): quantized weights are `scales_i * z_i`. The grid classes solve the change of
   * variables G' = S G S, w' = S^{-1} w, scale 1 (`gridScaledLayer`, src/formats/groups.ts; solvers/classes.ts).
   */
  readonly scales?: Float64Array;
  /** Integer grid box, zmin <= 0 <= zmax. */
  readonly zmin: number;
  readonly zmax: number;
  /** Pruning budget: at most k nonzeros, 0 <= k <= n. */
  readonly k: number;
  /** Optional bounds on kept weights. */
  readonly pruneBox: readonly [number, number] | null;
  /** Free-form provenance (bits, kind, chunk, scale rule, ...). */
  readonly meta: Readonly<Record<string, unknown>>;
  /**
   * Optional finite level set (sorted, strictly increasing; weights are `scale * level`) when the file gives
   * `levels` or `format` (docs/levels.md); absent for the paper's integer grid.
   */
  readonly levels?: Float64Array;
  /** The `format` name the levels came from ('fp4', 'nf4', ...), when the file gave one. */
  readonly format?: string;
  /** Optional N:M pattern `[N, M]` for structured / joint problems (docs/structured.md). */
  readonly nm?: readonly [number, number];
  /** Optional block pattern `[size, keep]` for structured problems (docs/structured.md). */
  readonly block?: readonly [number, number];
}

/** Minimise `error(s*z)` over integer z with zmin <= z_i <= zmax. */
export interface QuantizationProblem {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly scale: number;
  readonly zmin: number;
  readonly zmax: number;
}

/** Minimise `error(v)` over real v with at most k nonzeros (and `box[0] <= v_i <= box[1]` if box is set). */
export interface PruningProblem {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly k: number;
  readonly box: readonly [number, number] | null;
}

/**
 * Minimise `error(scale * x)` over x with every x_i in the finite level set `levels` (sorted, strictly
 * increasing, finite): FP4 / FP8 / NF4 / INT-b / user-given grids (src/formats/levels.ts). The paper's integer
 * grid is the case levels = zmin..zmax. A solution is the vector x of levels (weights are scale * x).
 */
export interface LevelQuantizationProblem {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly scale: number;
  readonly levels: Float64Array;
}

/** The two problem classes the paper compares (and `pvq compare` plans for). */
export type ProblemClass = 'quantization' | 'pruning';
/** Every problem class a solver or result can have: the paper's two, level-set quantization, structured and joint. */
export type AnyProblemClass = ProblemClass | 'levels' | StructuredProblemClass;

// ---- structured sparsity and joint sparse + quantized (docs/structured.md) ----

/** Problem classes of structured pruning (N:M, block) and of joint sparse + quantized weights. */
export type StructuredProblemClass = 'structured' | 'joint' | 'joint-levels';

/**
 * Sparsity pattern over consecutive inputs:
 * - `nm`: at most `n` nonzeros in each group of `m` consecutive inputs (2:4, 4:8, 1:4); the last group may be
 *   shorter (n mod m inputs) and also keeps at most `n` of them;
 * - `block`: at most `keep` nonzero blocks of `size` consecutive inputs (the last block may be shorter).
 */
export type StructuredPattern = { readonly kind: 'nm'; readonly n: number; readonly m: number } | { readonly kind: 'block'; readonly size: number; readonly keep: number };

/** Minimise `error(v)` over real v whose support fits `pattern` (and `box[0] <= v_i <= box[1]` for nonzeros). */
export interface StructuredPruningProblem {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly pattern: StructuredPattern;
  readonly box: readonly [number, number] | null;
}

/** Sparsity of a joint problem: at most k nonzeros overall, or an N:M pattern. */
export type JointSparsity = { readonly kind: 'k'; readonly k: number } | { readonly kind: 'nm'; readonly n: number; readonly m: number };

/**
 * Minimise `error(scale * z)` over integer z in [zmin, zmax] (zmin <= 0 <= zmax) whose support fits `sparsity`.
 * `solution` of a joint result is z (integers), as for quantization.
 */
export interface JointProblem {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly scale: number;
  readonly zmin: number;
  readonly zmax: number;
  readonly sparsity: JointSparsity;
}

/**
 * Joint sparse + level-set quantized: minimise `error(scale * x)` over x with every x_i in `levels` or 0 (a pruned
 * weight is 0 whether or not 0 is a level; FP4 / NF4 / INT-b contain it) whose support fits `sparsity`.
 * `solution` of a 'joint-levels' result is x (levels), as for 'levels'.
 */
export interface JointLevelProblem {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly scale: number;
  readonly levels: Float64Array;
  readonly sparsity: JointSparsity;
}
// ---- end structured / joint ----

/**
 * Termination status, in the spirit of established solvers.
 * - `optimal`: lowerBound and upperBound agree within the stated tolerance (proof of optimality);
 * - `time_limit` / `node_limit` / `iteration_limit`: a limit stopped the solver; bounds are valid but the gap is open;
 * - `bound_only`: a pure bounding method (no claim about optimality; upperBound may be Infinity);
 * - `feasible`: a heuristic produced a feasible point, nothing is proven beyond the trivial bound;
 * - `numerical_failure`: the solver could not certify anything beyond its reported (still valid) bounds.
 */
export type SolveStatus =
  | 'optimal'
  | 'time_limit'
  | 'node_limit'
  | 'iteration_limit'
  | 'bound_only'
  | 'feasible'
  | 'numerical_failure';

export interface SolveStats {
  /** Wall-clock time in milliseconds. */
  timeMs: number;
  /** Branch-and-bound nodes (0 for methods without a tree). */
  nodes: number;
  /** Iterations (Newton steps, master problems, local-search moves...). */
  iterations: number;
  /** The relative gap tolerance behind status `optimal`, when the solver's default differs from 1e-9. */
  relGapTol?: number;
  /** Free-form solver-specific counters. */
  [extra: string]: number | undefined;
}

/** A certificate: data that an independent `verify` function can re-check from scratch. */
export interface Certificate {
  /** Which verifier understands it, e.g. 'sdp-dual', 'sdp-box-dual', 'perspective-fw', 'bnb'. */
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The one result shape every solver returns. */
export interface SolveResult {
  /** Registry name of the solver. */
  solver: string;
  /** Problem name. */
  problem: string;
  problemClass: AnyProblemClass;
  /** Proven: no feasible point has a smaller error. Always >= 0 (errors are nonnegative). */
  lowerBound: number;
  /** Error of `solution` (recomputed from the point), or Infinity when no feasible point is known. */
  upperBound: number;
  /**
   * Best feasible point: integers z for quantization (weights are scale*z), weights v for pruning; null if none.
   */
  solution: Float64Array | null;
  status: SolveStatus;
  /** (upperBound - lowerBound) / upperBound (0 when both are 0, Infinity without a feasible point). */
  relGap: number;
  stats: SolveStats;
  certificate?: Certificate;
  /** Optional human-readable remark (why a limit stopped, what was dropped...). */
  message?: string;
}

export interface ProgressInfo {
  solver: string;
  lowerBound: number;
  upperBound: number;
  nodes: number;
  iterations: number;
  timeMs: number;
}

/** Options every solver understands; solver-specific options go in `extra`. */
export interface SolveOptions {
  /** Wall-clock limit in milliseconds (default: no limit). */
  timeLimitMs?: number;
  /** Node limit for tree searches. */
  nodeLimit?: number;
  /** Iteration limit for iterative methods. */
  iterationLimit?: number;
  /** Relative gap at which `optimal` is declared (default 1e-9). */
  relGapTol?: number;
  /** Absolute gap at which `optimal` is declared (default 0; useful when the optimum is ~0). */
  absGapTol?: number;
  /** Seed for randomized methods (default 1). */
  seed?: number;
  /** A known feasible point (z or v) to warm start with. */
  incumbent?: Float64Array;
  /** Called from time to time with the current bounds. */
  onProgress?: (info: ProgressInfo) => void;
  /** Solver-specific options (e.g. `{ backend: 'glpk' }`). */
  extra?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_REL_GAP_TOL = 1e-9;
