import { PvqInputError } from './errors.js';
import type { LayerProblem, PruningProblem, QuadObjective, QuantizationProblem } from './types.js';

/** `x^T A x` for a row-major symmetric n*n matrix. */
export function quadForm(A: Float64Array, x: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    let row = 0;
    const off = i * n;
    for (let j = 0; j < n; j++) row += A[off + j] * x[j];
    s += xi * row;
  }
  return s;
}

/** Build an objective, computing r = w^T G w. G must already be symmetric (row-major n*n). */
export function makeObjective(G: Float64Array, w: Float64Array): QuadObjective {
  const n = w.length;
  if (G.length !== n * n) throw new Error(`makeObjective: G has ${G.length} entries, expected ${n * n}`);
  return { n, G, w, r: Math.max(0, quadForm(G, w, n)) };
}

/** `error(v) = (w - v)^T G (w - v)`, clamped at 0 (G is PSD; tiny negatives are rounding). */
export function errorOf(obj: QuadObjective, v: ArrayLike<number>): number {
  const { n, w, G } = obj;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = w[i] - v[i];
  return Math.max(0, quadForm(G, e, n));
}

/** Error of the quantized candidate `scale * z`. */
export function quantErrorOf(p: QuantizationProblem, z: ArrayLike<number>): number {
  const n = p.objective.n;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = p.scale * z[i];
  return errorOf(p.objective, v);
}

/** SQNR in dB for an error value: 10 log10(r / error); +Infinity for error 0, and NaN when r = 0. */
export function sqnrDb(r: number, error: number): number {
  if (r === 0) return error === 0 ? NaN : -Infinity;
  if (error <= 0) return Infinity;
  return 10 * Math.log10(r / error);
}

export function quantizationProblemOf(p: LayerProblem): QuantizationProblem {
  return { name: p.name, objective: p.objective, scale: p.scale, zmin: p.zmin, zmax: p.zmax };
}

export function pruningProblemOf(p: LayerProblem, opts: { useBox?: boolean } = {}): PruningProblem {
  const useBox = opts.useBox ?? true;
  return { name: p.name, objective: p.objective, k: p.k, box: useBox ? p.pruneBox : null };
}

/** True when z is integer-valued and inside [zmin, zmax]. */
export function isQuantFeasible(p: QuantizationProblem, z: ArrayLike<number>): boolean {
  if (z.length !== p.objective.n) return false;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i];
    if (!Number.isInteger(zi) || zi < p.zmin || zi > p.zmax) return false;
  }
  return true;
}

/** True when v has at most k nonzeros and every nonzero lies in the box (if any). */
export function isPruneFeasible(p: PruningProblem, v: ArrayLike<number>): boolean {
  if (v.length !== p.objective.n) return false;
  let nnz = 0;
  for (let i = 0; i < v.length; i++) {
    const vi = v[i];
    if (!Number.isFinite(vi)) return false;
    if (vi !== 0) {
      nnz++;
      if (p.box && (vi < p.box[0] || vi > p.box[1])) return false;
    }
  }
  return nnz <= p.k;
}

/**
 * Validate an in-memory objective handed to a solver through the library API (files are validated more
 * thoroughly by the readers): n, G (Float64Array n*n, finite, nonnegative diagonal), w (Float64Array n, finite).
 * Throws PvqInputError naming `prefix + field`.
 */
export function checkObjective(o: QuadObjective | undefined, prefix = ''): void {
  if (!o || typeof o.n !== 'number') throw new PvqInputError(`${prefix}objective`, 'missing objective');
  const n = o.n;
  if (!Number.isInteger(n) || n < 1) throw new PvqInputError(`${prefix}n`, `expected an integer >= 1, got ${n}`);
  if (!(o.G instanceof Float64Array) || o.G.length !== n * n) throw new PvqInputError(`${prefix}G`, `expected a Float64Array of n*n = ${n * n} entries`);
  if (!(o.w instanceof Float64Array) || o.w.length !== n) throw new PvqInputError(`${prefix}w`, `expected a Float64Array of n = ${n} entries`);
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(o.G[i])) throw new PvqInputError(`${prefix}G`, `entry ${i} is not finite`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(o.w[i])) throw new PvqInputError(`${prefix}w`, `entry ${i} is not finite`);
  for (let i = 0; i < n; i++) if (o.G[i * n + i] < 0) throw new PvqInputError(`${prefix}G`, `negative diagonal entry G[${i}][${i}] (G must be PSD)`);
}
