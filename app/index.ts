/**
 * pvq library entry point: the names the README documents, plus namespaces for the building blocks.
 * Internals (search kernels, solver phases) are reachable through the namespaces, not at the top level.
 */
// Types shared by every part
export type {
  QuadObjective,
  LayerProblem,
  QuantizationProblem,
  PruningProblem,
  LevelQuantizationProblem,
  ProblemClass,
  ProblemKind,
  SolveOptions,
  SolveResult,
  SolveStatus,
  SolveStats,
  Certificate,
  ProgressInfo,
} from '../src/core/types.js';
export { DEFAULT_REL_GAP_TOL } from '../src/core/types.js';
export type { Solver, QuantizationSolver, PruningSolver, LevelQuantizationSolver, SolverRole } from '../src/core/solver.js';
export { PvqInputError, PvqConsistencyError } from '../src/core/errors.js';
export { makeObjective, errorOf, quantErrorOf, sqnrDb, quantizationProblemOf, pruningProblemOf } from '../src/core/objective.js';
export { levelProblemOf } from '../src/formats/levels.js';
export { makeResult, safeLowerBound, gapClosed, relativeGap, Deadline } from '../src/core/result.js';
export { defineOptions, resolveOptions, type OptionSchema } from '../src/core/options.js';
export { Rng } from '../src/core/random.js';

// Files
export { parseLayerProblem, readLayerProblemFile, layerProblemToJSON } from '../src/io/layer-problem.js';
export { parseProblemSet, readProblemSet, type ProblemSet } from '../src/io/problem-file.js';
export { readNpy, parseNpy, encodeNpy, type NdArray } from '../src/io/npy.js';
export { shippedProblemPath, SHIPPED_PROBLEMS } from '../problems/shipped.js';

// Solvers, proofs, comparison
export { registerSolver, getSolver, listSolvers, getQuantizationSolver, getPruningSolver } from '../solvers/index.js';
export { verifyCertificate, auditResult, type ResultAudit, type CertificateCheck } from '../solvers/verify.js';
export { registerCertificateType, registerFamilyProofs, type FamilyProofs, type CertificateType } from '../solvers/certificates.js';
export { compareProblems, aggregate, verdict, DEFAULT_PLANS } from '../study/compare/compare.js';
export type { CompareOptions, CompareResult, ChannelComparison, AggregateComparison, MethodOutcome, MethodPlan, Winner } from '../study/compare/compare.js';
export { renderComparison, renderResult } from '../study/report/table.js';

/** Building blocks by area. */
export * as quantization from '../solvers/quantization/index.js';
export * as pruning from '../solvers/pruning/index.js';
export * as levels from '../solvers/levels/index.js';
export * as linalg from '../src/linalg/index.js';
/** Problem builders and generators (Linear / Conv2d / depthwise layers, chunking, scales, synthetic data). */
export * as problems from '../problems/index.js';
/** Number formats: level sets (INT, FP4, FP8, NF4), group scales, bits-per-weight accounting. */
export * as formats from '../src/formats/index.js';
/** Paper Sec. 2 (distributions) and Sec. 3 (real weight tensors). */
export * as analytic from '../src/analytic/index.js';
export * as tensors from '../src/tensors/index.js';
