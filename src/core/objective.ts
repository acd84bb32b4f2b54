import { PvqInputError } from './errors.js';
import type { JointProblem, JointSparsity, LayerProblem, PruningProblem, QuadObjective, QuantizationProblem, StructuredPattern, StructuredPruningProblem } from './types.js';

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

/** A layer problem with per-input (group) scales is a grid problem only after the change of variables of
 * `gridScaledLayer` (src/formats/groups.ts, applied by the class adapters in solvers/classes.ts): refuse it here
 * rather than silently drop the scales. */
function refuseGroupScales(p: LayerProblem, what: string): void {
  if (p.scales) throw new PvqInputError('scale', `${what}: this problem has per-input scales; build it through the class adapter (solvers/classes.ts) or gridScaledLayer first`);
}

export function quantizationProblemOf(p: LayerProblem): QuantizationProblem {
  refuseGroupScales(p, 'quantizationProblemOf');
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

// ---- structured sparsity and joint sparse + quantized (docs/structured.md) ----

/** Groups of a pattern over n inputs: [start, end) ranges of consecutive inputs and the nonzeros each may keep. */
export function patternGroups(pattern: StructuredPattern | JointSparsity, n: number): { start: number; end: number; cap: number }[] {
  const out: { start: number; end: number; cap: number }[] = [];
  if (pattern.kind === 'k') return [{ start: 0, end: n, cap: Math.min(pattern.k, n) }];
  const size = pattern.kind === 'nm' ? pattern.m : pattern.size;
  const cap = pattern.kind === 'nm' ? pattern.n : size;
  for (let s = 0; s < n; s += size) out.push({ start: s, end: Math.min(n, s + size), cap: Math.min(cap, Math.min(n, s + size) - s) });
  return out;
}

/** The structured pruning problem of a layer problem: its `nm` (else `block`) pattern; box = pruneBox unless `useBox: false`. */
export function structuredProblemOf(p: LayerProblem, opts: { useBox?: boolean; pattern?: StructuredPattern } = {}): StructuredPruningProblem {
  const pattern: StructuredPattern | undefined =
    opts.pattern ?? (p.nm ? { kind: 'nm', n: p.nm[0], m: p.nm[1] } : p.block ? { kind: 'block', size: p.block[0], keep: p.block[1] } : undefined);
  if (!pattern) throw new PvqInputError('nm', `problem '${p.name}' gives no structured pattern (nm: [N, M] or block: [size, keep])`);
  return { name: p.name, objective: p.objective, pattern, box: (opts.useBox ?? true) ? p.pruneBox : null };
}

/** The joint sparse + quantized problem of a layer problem: grid (scale, zmin, zmax) with its `nm` pattern, else at most k nonzeros. */
export function jointProblemOf(p: LayerProblem, opts: { sparsity?: JointSparsity } = {}): JointProblem {
  refuseGroupScales(p, 'jointProblemOf');
  const sparsity: JointSparsity = opts.sparsity ?? (p.nm ? { kind: 'nm', n: p.nm[0], m: p.nm[1] } : { kind: 'k', k: p.k });
  return { name: p.name, objective: p.objective, scale: p.scale, zmin: p.zmin, zmax: p.zmax, sparsity };
}

/** True when the support of v fits the pattern (and every nonzero lies in the box, if any). */
export function isStructuredFeasible(p: StructuredPruningProblem, v: ArrayLike<number>): boolean {
  const n = p.objective.n;
  if (v.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i])) return false;
    if (v[i] !== 0 && p.box && (v[i] < p.box[0] || v[i] > p.box[1])) return false;
  }
  const groups = patternGroups(p.pattern, n);
  let nonzeroBlocks = 0;
  for (const g of groups) {
    let nnz = 0;
    for (let i = g.start; i < g.end; i++) if (v[i] !== 0) nnz++;
    if (nnz > g.cap) return false;
    if (nnz > 0) nonzeroBlocks++;
  }
  return p.pattern.kind !== 'block' || nonzeroBlocks <= p.pattern.keep;
}

/** True when z is an integer vector in [zmin, zmax] whose support fits the sparsity. */
export function isJointFeasible(p: JointProblem, z: ArrayLike<number>): boolean {
  const n = p.objective.n;
  if (z.length !== n) return false;
  for (let i = 0; i < n; i++) if (!Number.isInteger(z[i]) || z[i] < p.zmin || z[i] > p.zmax) return false;
  for (const g of patternGroups(p.sparsity, n)) {
    let nnz = 0;
    for (let i = g.start; i < g.end; i++) if (z[i] !== 0) nnz++;
    if (nnz > g.cap) return false;
  }
  return true;
}

/** Error of the joint candidate `scale * z`. */
export function jointErrorOf(p: JointProblem, z: ArrayLike<number>): number {
  return quantErrorOf(p, z);
}
// ---- end structured / joint ----
