import type { PruningSolver } from '../../src/core/solver.js';

/** Pruning solvers shipped with pvq (registered in solvers/index.ts). */
export const pruningSolvers: PruningSolver[] = [];
