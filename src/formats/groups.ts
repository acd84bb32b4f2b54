/**
 * Group scales (issue 11, item 2): one scale per group of g consecutive inputs of a channel.
 *
 * With a scale per coordinate, v_i = s_i x_i (x_i a level), the error is
 *   (w - S x)^T G (w - S x) = (w ./ s - x)^T (S G S) (w ./ s - x),   S = diag(s),
 * i.e. the level problem with Gram matrix S G S, weights w ./ s and scale 1. `perCoordinateScaleProblem` builds
 * it, so every level solver (and its certificate) applies unchanged; the bounds are proofs for the transformed
 * objective, which equals the original one up to the rounding of S G S and w ./ s (relative ~1e-16 per entry).
 * With power-of-two scales the transformation is exact.
 */
import { PvqInputError } from '../core/errors.js';
import { makeObjective } from '../core/objective.js';
import type { LayerProblem, LevelQuantizationProblem, QuadObjective } from '../core/types.js';

/** Absmax scale per group of `groupSize` consecutive entries: max |w| over the group / max |level| (1 for an all-zero group). */
export function groupAbsmaxScales(w: ArrayLike<number>, groupSize: number, levels: Float64Array): Float64Array {
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new PvqInputError('groupSize', `expected an integer >= 1, got ${groupSize}`);
  const top = Math.max(Math.abs(levels[0]), Math.abs(levels[levels.length - 1]));
  if (!(top > 0)) throw new PvqInputError('levels', 'need a nonzero level for absmax scaling');
  const n = w.length;
  const out = new Float64Array(n);
  for (let g0 = 0; g0 < n; g0 += groupSize) {
    const g1 = Math.min(n, g0 + groupSize);
    let m = 0;
    for (let i = g0; i < g1; i++) m = Math.max(m, Math.abs(w[i]));
    const s = m > 0 ? m / top : 1;
    for (let i = g0; i < g1; i++) out[i] = s;
  }
  return out;
}

/** The objective in grid units of `v_i = scales_i x_i`: Gram S G S (exactly symmetric), weights w ./ s. */
export function scaledObjective(objective: QuadObjective, scales: ArrayLike<number>): QuadObjective {
  const { n, G, w } = objective;
  if (scales.length !== n) throw new PvqInputError('scales', `expected ${n} scales, got ${scales.length}`);
  for (let i = 0; i < n; i++) if (!(scales[i] > 0 && Number.isFinite(scales[i]))) throw new PvqInputError(`scales[${i}]`, 'must be a finite number > 0');
  const Gs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    // exactly symmetric: (s_i G_ij) s_j and (s_j G_ji) s_i may round differently
    const v = scales[i] * G[i * n + j] * scales[j];
    Gs[i * n + j] = v;
    Gs[j * n + i] = v;
  }
  const ws = new Float64Array(n);
  for (let i = 0; i < n; i++) ws[i] = w[i] / scales[i];
  return makeObjective(Gs, ws);
}

/** The level problem of `v_i = scales_i x_i`: Gram S G S, weights w ./ s, scale 1 (see the file comment). */
export function perCoordinateScaleProblem(name: string, objective: QuadObjective, scales: ArrayLike<number>, levels: Float64Array): LevelQuantizationProblem {
  return { name, objective: scaledObjective(objective, scales), scale: 1, levels };
}

const scaledLayers = new WeakMap<LayerProblem, LayerProblem>();

/**
 * The one place where group (per-coordinate) scales are applied: a layer problem with `scales` becomes the same
 * problem in grid units (objective S G S, w ./ s; scale 1; no `scales`), which every grid class (quantization,
 * levels, joint; solvers/classes.ts) then builds as usual, so every solver, certificate and verifier applies
 * unchanged. A solution z (or x) of it means weights `scales_i * z_i`. Without `scales` the problem is returned as
 * is. Memoised per problem object (the O(n^2) product is computed once however often a class adapter asks).
 */
export function gridScaledLayer(p: LayerProblem): LayerProblem {
  if (!p.scales) return p;
  const hit = scaledLayers.get(p);
  if (hit) return hit;
  const { scales, ...rest } = p;
  const out: LayerProblem = { ...rest, objective: scaledObjective(p.objective, scales), scale: 1 };
  scaledLayers.set(p, out);
  return out;
}

/** Map a solution x of the transformed problem back to weights v_i = scales_i x_i. */
export function weightsOf(x: ArrayLike<number>, scales: ArrayLike<number>): Float64Array {
  const v = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) v[i] = scales[i] * x[i];
  return v;
}
