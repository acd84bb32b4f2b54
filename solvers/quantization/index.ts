import type { QuantizationSolver } from '../../src/core/solver.js';

/** Quantization solvers shipped with pvq (registered in solvers/index.ts). */
export const quantizationSolvers: QuantizationSolver[] = [];
