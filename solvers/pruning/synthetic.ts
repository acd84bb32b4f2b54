/**
 * Small local generator of synthetic pruning instances for tests and benchmarks (the project-wide
 * generator lives in problems/): X rows ~ N(0, Toeplitz rho^|i-j|), G = X^T X, w ~ N(0, 0.05^2),
 * box [2 min w, 2 max w].
 */
import { makeObjective } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import type { PruningProblem } from '../../src/core/types.js';

export interface SyntheticPruneSpec {
  n: number;
  k: number;
  rho: number;
  /** Rows of X (default 4n). */
  m?: number;
  seed?: number;
  box?: boolean;
  wStd?: number;
}

export function syntheticPruningProblem(spec: SyntheticPruneSpec): PruningProblem {
  const { n, k, rho } = spec;
  const m = spec.m ?? 4 * n;
  const rng = new Rng(spec.seed ?? 1);
  const s = Math.sqrt(Math.max(0, 1 - rho * rho));
  const G = new Float64Array(n * n);
  const x = new Float64Array(n);
  for (let t = 0; t < m; t++) {
    // AR(1) row: Toeplitz rho^|i-j| covariance
    x[0] = rng.normal();
    for (let i = 1; i < n; i++) x[i] = rho * x[i - 1] + s * rng.normal();
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const off = i * n;
      for (let j = 0; j < n; j++) G[off + j] += xi * x[j];
    }
  }
  const std = spec.wStd ?? 0.05;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = std * rng.normal();
  let lo = 0;
  let hi = 0;
  for (const v of w) {
    lo = Math.min(lo, 2 * v);
    hi = Math.max(hi, 2 * v);
  }
  return {
    name: `syn_n${n}_k${k}_rho${rho}_m${m}_s${spec.seed ?? 1}`,
    objective: makeObjective(G, w),
    k,
    box: spec.box ? [lo, hi] : null,
  };
}
