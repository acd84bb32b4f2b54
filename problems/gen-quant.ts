/** Small local generator of synthetic quantization problems (seeded), shared by tests and the benchmark. */
import { makeObjective } from '../src/core/objective.js';
import { Rng } from '../src/core/random.js';
import type { QuantizationProblem } from '../src/core/types.js';
import { paperRangeSearch } from '../src/formats/range.js';

export interface GenOptions {
  n: number;
  bits: number;
  rho?: number;
  /** Rows of X (default 4n). Fewer than n gives a rank-deficient G. */
  m?: number;
  seed?: number;
  wStd?: number;
  /** Coordinates whose column of X is zero (dead inputs). */
  dead?: number[];
  /** Override the scale (default: the paper's MSE range search). */
  scale?: number;
}

/** X rows ~ N(0, Toeplitz rho^|i-j|) (AR(1) construction), G = X^T X, w ~ N(0, wStd^2). */
export function synthQuant(o: GenOptions): QuantizationProblem {
  const { n, bits } = o;
  const rho = o.rho ?? 0;
  const m = o.m ?? 4 * n;
  const rng = new Rng(o.seed ?? 1);
  const X = new Float64Array(m * n);
  const sq = Math.sqrt(1 - rho * rho);
  for (let r = 0; r < m; r++) {
    let prev = rng.normal();
    X[r * n] = prev;
    for (let j = 1; j < n; j++) {
      prev = rho * prev + sq * rng.normal();
      X[r * n + j] = prev;
    }
  }
  for (const j of o.dead ?? []) for (let r = 0; r < m; r++) X[r * n + j] = 0;
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) s += X[r * n + i] * X[r * n + j];
      G[i * n + j] = s;
      G[j * n + i] = s;
    }
  const w = new Float64Array(n);
  const std = o.wStd ?? 0.05;
  for (let i = 0; i < n; i++) w[i] = std * rng.normal();
  const range = paperRangeSearch(w, bits, { signed: true });
  const scale = o.scale ?? range.scale;
  return {
    name: `synth-n${n}-b${bits}-rho${rho}-s${o.seed ?? 1}`,
    objective: makeObjective(G, w),
    scale,
    zmin: range.grid.qmin,
    zmax: range.grid.qmax,
  };
}
