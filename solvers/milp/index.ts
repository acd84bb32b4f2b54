import type { Solver } from '../../src/core/solver.js';

/** MILP-based solvers (outer approximation); their back ends are loaded lazily inside solve(). */
export const milpSolvers: Solver[] = [];
