import type { PruningSolver, QuantizationSolver, Solver } from '../src/core/solver.js';
import { levelSolvers } from './levels/index.js';
import { milpSolvers } from './milp/index.js';
import { pruningSolvers } from './pruning/index.js';
import { quantizationSolvers } from './quantization/index.js';
import { jointLevelSolvers, jointSolvers } from './joint/index.js';
import { structuredSolvers } from './structured/index.js';

const registry = new Map<string, Solver>();

/** Add (or replace, with `replace: true`) a solver; users plug in their own this way. */
export function registerSolver(solver: Solver, opts: { replace?: boolean } = {}): void {
  if (registry.has(solver.name) && !opts.replace) throw new Error(`a solver named '${solver.name}' is already registered`);
  registry.set(solver.name, solver);
}

export function getSolver(name: string): Solver | undefined {
  return registry.get(name);
}

export function listSolvers(): Solver[] {
  return [...registry.values()];
}

export function getQuantizationSolver(name: string): QuantizationSolver | undefined {
  const s = registry.get(name);
  return s && s.problemClass === 'quantization' ? s : undefined;
}

export function getPruningSolver(name: string): PruningSolver | undefined {
  const s = registry.get(name);
  return s && s.problemClass === 'pruning' ? s : undefined;
}

for (const s of [...quantizationSolvers, ...pruningSolvers, ...milpSolvers, ...levelSolvers]) registerSolver(s);
for (const s of [...structuredSolvers, ...jointSolvers, ...jointLevelSolvers]) registerSolver(s);
