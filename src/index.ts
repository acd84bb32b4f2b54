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
