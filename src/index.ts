/**
 * pvq library entry point. See README.md for the API overview.
 */
export * from './core/index.js';
export * from './linalg/index.js';
export { parseLayerProblem, readLayerProblemFile, layerProblemToJSON, validateGram, SYMMETRY_TOL, PSD_TOL } from './io/layer-problem.js';
export { parseProblemSet, readProblemSet, type ProblemSet } from './io/problem-file.js';
export * from './compare/compare.js';
export { renderComparison, renderResult, renderTable } from './report/table.js';
export { registerSolver, getSolver, listSolvers, getQuantizationSolver, getPruningSolver } from '../solvers/index.js';
export { roundHalfEven, intGrid, quantizeValue, quantLoss, paperRangeSearch, type RangeChoice } from './tensors/range.js';
export { verifyCertificate, auditResult, VERIFIABLE_CERTIFICATES, type CertificateCheck, type ResultAudit } from '../solvers/verify.js';
/** Solver building blocks (heuristic points, SDP dual, box-LS, perspective bound, ...). */
export * as quantization from '../solvers/quantization/index.js';
export * as pruning from '../solvers/pruning/index.js';
/** Problem builders and generators (Linear / Conv2d / depthwise layers, chunking, scales, synthetic data). */
export * as problems from '../problems/index.js';
/** Paper Sec. 2 (distributions) and Sec. 3 (real weight tensors). */
export * as analytic from './analytic/index.js';
export * as tensors from './tensors/index.js';
