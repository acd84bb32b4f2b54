/**
 * Coordinate permutations of problems and solutions: an exact solver's optimum must not change when the
 * coordinates are permuted (same G entries, same weights, in another order).
 */
import fc from 'fast-check';
import { makeObjective } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import type { LayerProblem, LevelQuantizationProblem, PruningProblem, QuadObjective, QuantizationProblem } from '../../src/core/types.js';

/** Check that `perm` is a permutation of 0..n-1. */
export function isPermutation(perm: ArrayLike<number>, n = perm.length): boolean {
  if (perm.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = perm[i];
    if (!Number.isInteger(p) || p < 0 || p >= n || seen[p]) return false;
    seen[p] = 1;
  }
  return true;
}

/** out[i] = v[perm[i]] (the permuted problem's coordinate i is the original coordinate perm[i]). */
export function permuteVector(v: ArrayLike<number>, perm: ArrayLike<number>): Float64Array {
  const out = new Float64Array(perm.length);
  for (let i = 0; i < perm.length; i++) out[i] = v[perm[i]];
  return out;
}

/** The inverse permutation: permuteVector(permuteVector(v, p), inversePermutation(p)) = v. */
export function inversePermutation(perm: ArrayLike<number>): number[] {
  const inv = new Array<number>(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]] = i;
  return inv;
}

/** G'[i][j] = G[perm[i]][perm[j]], w'[i] = w[perm[i]]; r is recomputed (equal up to rounding). */
export function permuteObjective(obj: QuadObjective, perm: ArrayLike<number>): QuadObjective {
  const n = obj.n;
  if (!isPermutation(perm, n)) throw new RangeError(`not a permutation of 0..${n - 1}`);
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = perm[i] * n;
    for (let j = 0; j < n; j++) G[i * n + j] = obj.G[ri + perm[j]];
  }
  return makeObjective(G, permuteVector(obj.w, perm));
}

/** Permute any problem (layer, quantization or pruning); everything but the objective is unchanged. */
export function permuteProblem<T extends LayerProblem | QuantizationProblem | PruningProblem | LevelQuantizationProblem>(p: T, perm: ArrayLike<number>): T {
  const base = { ...p, objective: permuteObjective(p.objective, perm) };
  if ('meta' in p) return { ...base, meta: { ...p.meta, permutation: Array.from(perm) } } as T;
  return base as T;
}

/** A seeded random permutation of 0..n-1. */
export function randomPermutation(n: number, seed = 1): number[] {
  return new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** fast-check arbitrary of permutations of 0..n-1 (shrinks towards the identity order). */
export function permutationArb(n: number): fc.Arbitrary<number[]> {
  const ids = Array.from({ length: n }, (_, i) => i);
  return fc.shuffledSubarray(ids, { minLength: n, maxLength: n });
}

/** Multiply G by alpha > 0 (r scales too): every error scales by alpha, SQNRs are unchanged. */
export function scaleProblem<T extends LayerProblem | QuantizationProblem | PruningProblem | LevelQuantizationProblem>(p: T, alpha: number): T {
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new RangeError(`alpha must be a finite number > 0, got ${alpha}`);
  const G = p.objective.G.map((g) => g * alpha);
  return { ...p, objective: { n: p.objective.n, G, w: p.objective.w, r: p.objective.r * alpha } };
}
