import type { PruningSolver, QuantizationSolver, Solver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import type { PruningProblem, QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';

import { PRUNE_OA_OPTIONS, QUANT_OA_OPTIONS } from './common.js';
import type { CommonOption } from '../../src/core/solver.js';

const OA_CAPABILITIES: readonly CommonOption[] = ['timeLimit', 'nodeLimit', 'iterationLimit', 'relGapTol', 'incumbent', 'backend'];

/** Outer approximation for quantization over a MILP back end (loaded lazily inside solve). */
export const quantOaSolver: QuantizationSolver = {
  name: 'quant-oa',
  problemClass: 'quantization',
  role: 'exact',
  description: 'Outer approximation (factored tangent cuts + exact diagonal secants) over a MILP back end; independent cross-check (n <= 12)',
  options: QUANT_OA_OPTIONS,
  capabilities: OA_CAPABILITIES,
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
  options: PRUNE_OA_OPTIONS,
  capabilities: OA_CAPABILITIES,
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
