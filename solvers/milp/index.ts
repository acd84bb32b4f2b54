import type { PruningSolver, QuantizationSolver, Solver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../certificates.js';
import type { PruningProblem, QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';

const extraOptions = {
  backend: "'glpk' (default; GLPK 5 in WebAssembly, optional dependency) or 'jsl' (javascript-lp-solver, pure JS)",
  sideConstraints: 'array of {terms: [[index, coef], ...], lb?, ub?}: linear constraints on the discrete variables (z for quant-oa, the 0/1 keep-mask for prune-oa); bounds are then for that variant',
  onIteration: 'callback(info) after every master solve with the certified bounds so far',
  absGapTol: 'absolute gap at which optimality is declared (default 1e-14 * r, the rounding level of the error)',
  lpWarmupRounds: 'Kelley rounds on the LP relaxation before the MILP masters (default 2n)',
} as const;

/** Outer approximation for quantization over a MILP back end (loaded lazily inside solve). */
export const quantOaSolver: QuantizationSolver = {
  name: 'quant-oa',
  problemClass: 'quantization',
  role: 'exact',
  description: 'Outer approximation (factored tangent cuts + exact diagonal secants) over a MILP back end; independent cross-check (n <= 12)',
  extraOptions: {
    ...extraOptions,
    cuts: "'factor' (default: y = L^T (z - t) with 1-D tangents of y_k^2) or 'tangent' (plain Kelley cuts)",
    split: "'jacobi' (default) diagonal split, 'max' (barrier-maximised weighted trace, measured slower) or 'none'",
  },
  async solve(problem: QuantizationProblem, options?: SolveOptions): Promise<SolveResult> {
    const { solveQuantOa } = await import('./quant-oa.js');
    return solveQuantOa(problem, options);
  },
};

/** Outer approximation for pruning (perspective cuts) over a MILP back end (loaded lazily inside solve). */
export const pruneOaSolver: PruningSolver = {
  name: 'prune-oa',
  problemClass: 'pruning',
  role: 'exact',
  description: 'Outer approximation with perspective cuts over a MILP back end; independent cross-check (n <= 16)',
  extraOptions: {
    ...extraOptions,
    formulation: "'perspective' (mask only; default with glpk, no box, G definite) or 'bigm' (mask + weights)",
    maxMSupports: 'supports enumerated to derive big-M for singular G without a box (default 50000)',
  },
  async solve(problem: PruningProblem, options?: SolveOptions): Promise<SolveResult> {
    const { solvePruneOa } = await import('./prune-oa.js');
    return solvePruneOa(problem, options);
  },
};

/** MILP-based solvers (outer approximation); their back ends are loaded lazily inside solve(). */
export const milpSolvers: Solver[] = [quantOaSolver, pruneOaSolver];

export { crossCheck } from './crosscheck.js';
export type { CrossCheckOptions } from './crosscheck.js';
export type { SideConstraint } from './common.js';
export type { MilpBackend, MilpModel, MilpResult, MilpRow, MilpVar, MilpStatus, MilpSolveOptions } from './model.js';
export type { MilpBackendName } from './backends.js';
export type { OaIterationInfo } from './oa.js';

/** Load a MILP back end ('glpk' or 'jsl') for direct use of the small MILP interface. */
export async function loadMilpBackend(name: 'glpk' | 'jsl') {
  const m = await import('./backends.js');
  return m.loadMilpBackend(name);
}

/** Outer approximation leaves a record of its master problems, not a re-checkable proof: its bounds need a re-run. */
export const milpProofs: FamilyProofs = {
  certificates: [
    { type: 'outer-approximation', problemClass: 'quantization', description: 'history of the OA master problems (a search record)', verify: null },
    { type: 'outer-approximation', problemClass: 'pruning', description: 'history of the OA master problems (a search record)', verify: null },
  ],
  searchSolvers: ['quant-oa', 'prune-oa'],
};
