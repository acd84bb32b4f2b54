import { Deadline } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import type { QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { checkQuantProblem, clampRound, heuristicResult } from './common.js';

/** Round to nearest (half to even), clamped into the box. */
export function rtnPoint(p: QuantizationProblem): Float64Array {
  const { n, w } = p.objective;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = clampRound(w[i] / p.scale, p.zmin, p.zmax);
  return z;
}

export const rtnSolver: QuantizationSolver = {
  name: 'rtn',
  problemClass: 'quantization',
  role: 'heuristic',
  description: 'round-to-nearest: z = clamp(roundHalfEven(w/s), zmin, zmax) (the baseline)',
  capabilities: [],
  solve(problem: QuantizationProblem): SolveResult {
    const clock = new Deadline();
    checkQuantProblem(problem);
    const z = rtnPoint(problem);
    return heuristicResult('rtn', problem, z, clock);
  },
};
