import { describe, expect, it } from 'vitest';
import { makeObjective, quantErrorOf } from '../../src/core/objective.js';
import type { QuantizationProblem } from '../../src/core/types.js';
import { permuteProblem } from '../../study/testing/index.js';
import { quantExactSolver } from '../../solvers/quantization/index.js';

/** Found by test/study/testing/registry.test.ts: nearly singular G (rank 3 of 4) on which the 'auto' LLL basis,
 * which checks the box only at the leaves, ran > 50M nodes within a 2 s limit for one coordinate order. */
const G = Float64Array.from([
  0.3090242972962535, 0.0833084916347417, -0.4349679072329039, -0.01806499982444482, 0.0833084916347417, 0.029175571570726345,
  -0.1378425841971479, 0.0038022677736231593, -0.4349679072329039, -0.1378425841971479, 0.6885019640683133, -0.010785631439503634,
  -0.01806499982444482, 0.0038022677736231593, -0.010785631439503634, 0.01929453929295485,
]);
const w = Float64Array.from([-0.12197244591866388, -1.6306307446522035, 0.12057804692700427, 0.11511296634053446]);
const q: QuantizationProblem = { name: 'near-singular', objective: makeObjective(G, w), scale: 1.9604493502890525, zmin: -4, zmax: 3 };

function brute(p: QuantizationProblem): number {
  let best = Infinity;
  const z = [0, 0, 0, 0];
  for (z[0] = p.zmin; z[0] <= p.zmax; z[0]++)
    for (z[1] = p.zmin; z[1] <= p.zmax; z[1]++)
      for (z[2] = p.zmin; z[2] <= p.zmax; z[2]++) for (z[3] = p.zmin; z[3] <= p.zmax; z[3]++) best = Math.min(best, quantErrorOf(p, z));
  return best;
}

describe('quant-exact on a nearly singular G under every coordinate order', () => {
  it('is optimal and equals brute force for all 24 permutations', () => {
    const opt = brute(q);
    const perms: number[][] = [];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) if (new Set([a, b, c, d]).size === 4) perms.push([a, b, c, d]);
    for (const perm of perms) {
      const r = quantExactSolver.solve(permuteProblem(q, perm) as QuantizationProblem, { nodeLimit: 200_000 }) as Awaited<ReturnType<typeof quantExactSolver.solve>>;
      expect(r.status, perm.join('')).toBe('optimal');
      expect(Math.abs(r.upperBound - opt)).toBeLessThanOrEqual(1e-12 * opt);
      expect(r.lowerBound).toBeLessThanOrEqual(opt);
    }
  });
});
