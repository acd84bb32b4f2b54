import { quantErrorOf } from '../../src/core/objective.js';
import type { QuantizationProblem } from '../../src/core/types.js';

/** Exhaustive minimum over the whole box (small n only). */
export function bruteForce(p: QuantizationProblem): { value: number; z: Float64Array } {
  const n = p.objective.n;
  const z = new Float64Array(n).fill(p.zmin);
  let best = Infinity;
  let bestZ = Float64Array.from(z);
  for (;;) {
    const v = quantErrorOf(p, z);
    if (v < best) {
      best = v;
      bestZ = Float64Array.from(z);
    }
    let i = 0;
    while (i < n && z[i] === p.zmax) z[i++] = p.zmin;
    if (i === n) break;
    z[i]++;
  }
  return { value: best, z: bestZ };
}

/** Permute a problem's coordinates: new coordinate i is old coordinate perm[i]. */
export function permuteProblem(p: QuantizationProblem, perm: number[]): QuantizationProblem {
  const n = p.objective.n;
  const G = new Float64Array(n * n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = p.objective.w[perm[i]];
    for (let j = 0; j < n; j++) G[i * n + j] = p.objective.G[perm[i] * n + perm[j]];
  }
  return { ...p, name: p.name + '-perm', objective: { n, G, w, r: p.objective.r } };
}

export function scaleProblem(p: QuantizationProblem, alpha: number): QuantizationProblem {
  const G = p.objective.G.map((v) => v * alpha);
  return { ...p, name: p.name + '-scaled', objective: { ...p.objective, G, r: p.objective.r * alpha } };
}

export function relClose(a: number, b: number, rel: number, abs = 0): boolean {
  return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), abs);
}
