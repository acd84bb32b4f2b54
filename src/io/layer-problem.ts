import { basename } from 'node:path';
import { PvqInputError } from '../core/errors.js';
import { readJsonFile } from './files.js';

export { readJsonFile };
import { makeObjective } from '../core/objective.js';
import type { LayerProblem } from '../core/types.js';
import { asymmetry, pivotedLDL, symmetrize } from '../linalg/dense.js';
import { checkLevels, levelsOfFormat } from '../formats/levels.js';

/** Relative asymmetry of G beyond which a file is rejected (within it, G is symmetrised). */
export const SYMMETRY_TOL = 1e-12;
/**
 * PSD tolerance, relative to max_i G_ii: a diagonally pivoted LDL^T runs while the largest remaining
 * pivot exceeds PSD_TOL * max G_ii; the Schur complement left over must then be zero within
 * PSD_TOL * max G_ii (otherwise G has a negative eigenvalue of at least about that size).
 */
export const PSD_TOL = 1e-10;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string') return JSON.stringify(x.length > 20 ? x.slice(0, 20) + '...' : x);
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'object') return 'an object';
  return String(x);
}

export function finiteNumber(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new PvqInputError(field, `expected a finite number, got ${describe(x)}`);
  return x;
}

export function integer(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new PvqInputError(field, `expected an integer, got ${describe(x)}`);
  return x;
}

export function numberVector(x: unknown, n: number, field: string): Float64Array {
  if (!Array.isArray(x)) throw new PvqInputError(field, `expected an array of ${n} numbers, got ${describe(x)}`);
  if (x.length !== n) throw new PvqInputError(field, `expected ${n} entries (n = ${n}), got ${x.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = finiteNumber(x[i], `${field}[${i}]`);
  return out;
}

/**
 * Check that a row-major symmetric-ish matrix is symmetric within SYMMETRY_TOL (then symmetrise it in
 * place) and positive semidefinite within PSD_TOL. Throws PvqInputError naming `field`.
 */
export function validateGram(G: Float64Array, n: number, field = 'G'): Float64Array {
  const asym = asymmetry(G, n);
  if (asym > SYMMETRY_TOL) {
    let bi = 0;
    let bj = 0;
    let bd = -1;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const d = Math.abs(G[i * n + j] - G[j * n + i]);
        if (d > bd) {
          bd = d;
          bi = i;
          bj = j;
        }
      }
    throw new PvqInputError(
      field,
      `not symmetric: ${field}[${bi}][${bj}] = ${G[bi * n + bj]} but ${field}[${bj}][${bi}] = ${G[bj * n + bi]} (relative asymmetry ${asym.toExponential(2)} > ${SYMMETRY_TOL})`,
    );
  }
  symmetrize(G, n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    const d = G[i * n + i];
    if (d < 0) throw new PvqInputError(field, `not positive semidefinite: diagonal entry ${field}[${i}][${i}] = ${d} is negative`);
    if (d > maxDiag) maxDiag = d;
  }
  if (maxDiag === 0) {
    for (let i = 0; i < n * n; i++) if (G[i] !== 0) throw new PvqInputError(field, 'not positive semidefinite: zero diagonal with nonzero off-diagonal entries');
    return G;
  }
  const tol = PSD_TOL * maxDiag;
  const f = pivotedLDL(G, n, tol);
  if (f.residualMinDiag < -tol || f.residual > tol) {
    throw new PvqInputError(
      field,
      `not positive semidefinite (indefinite): after ${f.rank} pivots of a pivoted LDL^T the remaining Schur complement has entries of size ${Math.max(-f.residualMinDiag, f.residual).toExponential(3)} > tolerance ${tol.toExponential(3)} (= ${PSD_TOL} * max diag)`,
    );
  }
  return G;
}

/** Read an n x n matrix given as nested arrays. */
export function numberMatrix(x: unknown, n: number, field: string): Float64Array {
  if (!Array.isArray(x)) throw new PvqInputError(field, `expected an ${n} x ${n} array of arrays, got ${describe(x)}`);
  if (x.length !== n) throw new PvqInputError(field, `expected ${n} rows (n = ${n}), got ${x.length}`);
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = x[i];
    if (!Array.isArray(row)) throw new PvqInputError(`${field}[${i}]`, `expected an array of ${n} numbers, got ${describe(row)}`);
    if (row.length !== n) throw new PvqInputError(`${field}[${i}]`, `expected ${n} entries (n = ${n}), got ${row.length}`);
    for (let j = 0; j < n; j++) G[i * n + j] = finiteNumber(row[j], `${field}[${i}][${j}]`);
  }
  return G;
}

/** The keys of a layer problem (format version 1); others are reported through `onUnknownKey` and ignored. */
export const LAYER_PROBLEM_KEYS: readonly string[] = ['name', 'n', 'G', 'w', 'scale', 'zmin', 'zmax', 'k', 'pruneBox', 'meta', 'levels', 'format', 'nm', 'block'];

/**
 * Validate a parsed layer-problem JSON value (format version 1). Keys outside LAYER_PROBLEM_KEYS are ignored and
 * passed to `onUnknownKey` (the file readers warn on stderr: a misspelt `pruneBox` would otherwise go unnoticed).
 */
export function parseLayerProblem(json: unknown, fallbackName = 'problem', onUnknownKey?: (key: string) => void): LayerProblem {
  if (!isPlainObject(json)) throw new PvqInputError('(root)', `expected a JSON object, got ${describe(json)}`);
  if (onUnknownKey) for (const key of Object.keys(json)) if (!LAYER_PROBLEM_KEYS.includes(key)) onUnknownKey(key);
  let name = fallbackName;
  if (json.name !== undefined) {
    if (typeof json.name !== 'string' || json.name.length === 0) throw new PvqInputError('name', `expected a non-empty string, got ${describe(json.name)}`);
    name = json.name;
  }
  if (json.n === undefined) throw new PvqInputError('n', 'missing');
  const n = integer(json.n, 'n');
  if (n < 1) throw new PvqInputError('n', `must be >= 1, got ${n}`);
  // level-set quantization (docs/levels.md): `levels` or `format` may replace zmin/zmax
  let levels: Float64Array | undefined;
  let format: string | undefined;
  if (json.levels !== undefined && json.format !== undefined) throw new PvqInputError('levels', 'give either "levels" or "format", not both');
  if (json.levels !== undefined) {
    if (!Array.isArray(json.levels)) throw new PvqInputError('levels', `expected a sorted array of numbers, got ${describe(json.levels)}`);
    levels = checkLevels(json.levels, 'levels');
  } else if (json.format !== undefined) {
    if (typeof json.format !== 'string') throw new PvqInputError('format', `expected a format name such as "fp4" or "nf4", got ${describe(json.format)}`);
    format = json.format;
    levels = levelsOfFormat(json.format);
  }
  const required = levels ? ['G', 'w', 'scale', 'k'] : ['G', 'w', 'scale', 'zmin', 'zmax', 'k'];
  for (const key of required) if (json[key] === undefined) throw new PvqInputError(key, 'missing');
  const G = numberMatrix(json.G, n, 'G');
  const w = numberVector(json.w, n, 'w');
  // `scale`: one step, or one step per coordinate (group scales, docs/problems.md)
  let scale: number;
  let scales: Float64Array | undefined;
  if (Array.isArray(json.scale)) {
    scales = numberVector(json.scale, n, 'scale');
    for (let i = 0; i < n; i++) if (!(scales[i] > 0)) throw new PvqInputError(`scale[${i}]`, `must be > 0, got ${scales[i]}`);
    scale = 1;
  } else {
    scale = finiteNumber(json.scale, 'scale');
    if (!(scale > 0)) throw new PvqInputError('scale', `must be > 0, got ${scale}`);
  }
  // without zmin/zmax, a level problem's integer grid is the integers inside the level range (and 0)
  const zmin = json.zmin === undefined && levels ? Math.min(0, Math.max(Math.ceil(levels[0]), -(2 ** 30))) : integer(json.zmin, 'zmin');
  const zmax = json.zmax === undefined && levels ? Math.max(0, Math.min(Math.floor(levels[levels.length - 1]), 2 ** 30)) : integer(json.zmax, 'zmax');
  if (zmin > 0) throw new PvqInputError('zmin', `must be <= 0, got ${zmin}`);
  if (zmax < 0) throw new PvqInputError('zmax', `must be >= 0, got ${zmax}`);
  const k = integer(json.k, 'k');
  if (k < 0 || k > n) throw new PvqInputError('k', `must satisfy 0 <= k <= n = ${n}, got ${k}`);
  let pruneBox: readonly [number, number] | null = null;
  if (json.pruneBox !== undefined && json.pruneBox !== null) {
    const b = json.pruneBox;
    if (!Array.isArray(b) || b.length !== 2) throw new PvqInputError('pruneBox', `expected [lo, hi] or null, got ${describe(b)}`);
    const lo = finiteNumber(b[0], 'pruneBox[0]');
    const hi = finiteNumber(b[1], 'pruneBox[1]');
    if (lo > hi) throw new PvqInputError('pruneBox', `empty box: lo = ${lo} > hi = ${hi}`);
    pruneBox = [lo, hi];
  }
  let meta: Record<string, unknown> = {};
  if (json.meta !== undefined) {
    if (!isPlainObject(json.meta)) throw new PvqInputError('meta', `expected an object, got ${describe(json.meta)}`);
    meta = json.meta;
  }
  validateGram(G, n, 'G');
  const structured = parseStructuredFields(json);
  const base: LayerProblem = { name, n, objective: makeObjective(G, w), scale, zmin, zmax, k, pruneBox, meta, ...structured, ...(scales ? { scales } : {}) };
  const problem: LayerProblem = !levels ? base : format !== undefined ? { ...base, levels, format } : { ...base, levels };
  checkDerivedQuantities(problem);
  return problem;
}

/** Smallest positive normal double: below it a product has lost its precision (subnormal) or vanished. */
const MIN_NORMAL = 2 ** -1022;

/**
 * Refuse a problem whose derived quantities do not fit in double precision, naming what is wrong: the reference energy
 * r = w^T G w (with the headroom errors up to 16 r need), the gradient G w, and for quantization the grid coordinates
 * w / scale, the grid ends scale * zmin and scale * zmax, and the z-space matrix scale^2 G (which must not underflow).
 */
export function checkDerivedQuantities(p: LayerProblem): void {
  const { n, G, w, r } = p.objective;
  if (!Number.isFinite(r) || !Number.isFinite(16 * r))
    throw new PvqInputError(
      'w',
      `r = w^T G w is ${Number.isFinite(r) ? `${r.toExponential(3)}, too close to the double-precision limit` : 'not finite (it overflows double precision)'}: the weights or G are too large; rescale them (errors are relative, so SQNRs do not change)`,
    );
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += G[i * n + j] * w[j];
    if (!Number.isFinite(s)) throw new PvqInputError('w', `(G w)[${i}] is not finite (it overflows double precision): the weights or G are too large; rescale them`);
  }
  // with per-coordinate scales, each coordinate is checked with its own step (the largest and smallest matter)
  const steps = p.scales ?? [p.scale];
  const stepOf = (i: number): number => (p.scales ? p.scales[i] : p.scale);
  const field = (i: number): string => (p.scales ? `scale[${i}]` : 'scale');
  for (let i = 0; i < n; i++) {
    const si = stepOf(i);
    if (!Number.isFinite(w[i] / si))
      throw new PvqInputError(field(i), `scale = ${si} is so small that w[${i}] / scale = ${w[i]} / ${si} overflows double precision (the grid does not cover the weights)`);
  }
  let sMax = 0;
  let sMin = Infinity;
  let iMax = 0;
  let iMin = 0;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i] > sMax) [sMax, iMax] = [steps[i], i];
    if (steps[i] < sMin) [sMin, iMin] = [steps[i], i];
  }
  if (!Number.isFinite(sMax * p.zmin) || !Number.isFinite(sMax * p.zmax))
    throw new PvqInputError(field(iMax), `scale * zmin or scale * zmax overflows double precision (scale = ${sMax}, grid [${p.zmin}, ${p.zmax}])`);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  const tooSmall = sMin * sMin * maxDiag < MIN_NORMAL;
  const s = tooSmall ? sMin : sMax;
  const p2 = s * s * maxDiag;
  if (maxDiag > 0 && (!Number.isFinite(p2) || p2 < MIN_NORMAL))
    throw new PvqInputError(
      field(tooSmall ? iMin : iMax),
      `scale = ${s} is so ${p2 < MIN_NORMAL ? 'small' : 'large'} that scale^2 * max G_ii = ${p2} ${p2 < MIN_NORMAL ? 'underflows' : 'overflows'} double precision: the quantization objective in grid units cannot be represented (grid [${s * p.zmin}, ${s * p.zmax}] against max |w| = ${w.reduce((m, x) => Math.max(m, Math.abs(x)), 0)}); choose a scale that fits the weights`,
    );
}

// ---- structured sparsity (docs/structured.md): optional `nm: [N, M]` and `block: [size, keep]` ----
function parseStructuredFields(json: Record<string, unknown>): { nm?: readonly [number, number]; block?: readonly [number, number] } {
  const out: { nm?: readonly [number, number]; block?: readonly [number, number] } = {};
  if (json.nm !== undefined && json.nm !== null) {
    const x = json.nm;
    if (!Array.isArray(x) || x.length !== 2) throw new PvqInputError('nm', `expected [N, M], got ${describe(x)}`);
    const N = integer(x[0], 'nm[0]');
    const M = integer(x[1], 'nm[1]');
    if (M < 1) throw new PvqInputError('nm[1]', `M must be >= 1, got ${M}`);
    if (N < 0 || N > M) throw new PvqInputError('nm[0]', `N must satisfy 0 <= N <= M = ${M}, got ${N}`);
    out.nm = [N, M];
  }
  if (json.block !== undefined && json.block !== null) {
    const x = json.block;
    if (!Array.isArray(x) || x.length !== 2) throw new PvqInputError('block', `expected [size, keep], got ${describe(x)}`);
    const size = integer(x[0], 'block[0]');
    const keep = integer(x[1], 'block[1]');
    if (size < 1) throw new PvqInputError('block[0]', `block size must be >= 1, got ${size}`);
    if (keep < 0) throw new PvqInputError('block[1]', `keep must be >= 0, got ${keep}`);
    out.block = [size, keep];
  }
  return out;
}
// ---- end structured sparsity ----

/** Run `parse`, re-throwing input errors with `prefix` prepended to the field name. */
export function withFieldPrefix<T>(prefix: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof PvqInputError) throw new PvqInputError(`${prefix}${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
}

/**
 * Collects the unknown keys of a file and reports each distinct one once, as one line on stderr naming the file and
 * the key (with where it first occurs and how often), after parsing succeeded.
 */
export class UnknownKeys {
  private readonly seen = new Map<string, { first: string; count: number }>();
  /** Record `key` found at `where` (e.g. "problems[3]."). */
  add(where: string, key: string): void {
    const s = this.seen.get(key);
    if (s) s.count++;
    else this.seen.set(key, { first: `${where}${key}`, count: 1 });
  }
  lines(path: string): string[] {
    return [...this.seen.entries()].map(
      ([key, s]) => `pvq: warning: ${path}: unknown key ${JSON.stringify(key)} ignored (at ${s.first}${s.count > 1 ? ` and ${s.count - 1} more place(s)` : ''})`,
    );
  }
  flush(path: string, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): void {
    for (const l of this.lines(path)) write(l);
  }
}

/** Read and validate a layer-problem file. Errors name the file and the field; unknown keys are warned about on stderr. */
export function readLayerProblemFile(path: string): LayerProblem {
  const json = readJsonFile(path);
  const unknown = new UnknownKeys();
  const p = withFieldPrefix(`${path}: `, () => parseLayerProblem(json, basename(path).replace(/\.json$/i, ''), (k) => unknown.add('', k)));
  unknown.flush(path);
  return p;
}

/** Serialise a problem back to the file format (version 1). */
export function layerProblemToJSON(p: LayerProblem): Record<string, unknown> {
  const { n, G, w } = p.objective;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(G.subarray(i * n, (i + 1) * n)));
  return {
    name: p.name,
    n,
    G: rows,
    w: Array.from(w),
    scale: p.scales ? Array.from(p.scales) : p.scale,
    zmin: p.zmin,
    zmax: p.zmax,
    k: p.k,
    pruneBox: p.pruneBox ? [p.pruneBox[0], p.pruneBox[1]] : null,
    ...(p.format !== undefined ? { format: p.format } : p.levels ? { levels: Array.from(p.levels) } : {}),
    meta: p.meta,
    ...(p.nm ? { nm: [p.nm[0], p.nm[1]] } : {}),
    ...(p.block ? { block: [p.block[0], p.block[1]] } : {}),
  };
}
