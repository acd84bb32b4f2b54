/**
 * Bits-per-weight accounting, metadata included: the value code, the scales (one per group of g weights), and
 * for sparse formats the positions of the kept weights (an unstructured mask: 1 bit per weight, or its entropy
 * bound log2 C(n, k) / n; N:M indices: log2 C(M, N) / M per weight, 2:4 = log2(6)/4 ≈ 0.646). A sparse format pays
 * value bits only on the kept weights. The paper's rule (prune to k = n b / 16 weights kept in FP16, metadata
 * free) is the special case `valueBits 16, density b/16, no mask, no scale`.
 */
import { PvqInputError } from '../core/errors.js';
import { levelsOfFormat } from './levels.js';

/** log2 of the binomial coefficient C(n, k) (exact sum of logs; 0 for k = 0 or k = n). */
export function log2Binomial(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0 || k < 0 || k > n) throw new PvqInputError('k', `need integers 0 <= k <= n, got n = ${n}, k = ${k}`);
  const kk = Math.min(k, n - k);
  let s = 0;
  for (let i = 1; i <= kk; i++) s += Math.log2((n - kk + i) / i);
  return s;
}

/** Code bits of a value format: 4 for fp4 / nf4 / int4, 8 for fp8-*, B for intB / uintB; ceil(log2 L) for user levels. */
export function valueBitsOf(format: string | Float64Array): number {
  if (typeof format !== 'string') return format.length <= 1 ? 0 : Math.ceil(Math.log2(format.length));
  const f = format.toLowerCase();
  const m = /^u?int(\d+)$/.exec(f);
  if (m) return Number(m[1]);
  if (f.startsWith('fp4') || f === 'e2m1' || f === 'nf4') return 4;
  if (f.startsWith('fp8') || f === 'e4m3' || f === 'e5m2') return 8;
  if (f === 'fp16' || f === 'bf16') return 16;
  if (f === 'fp32') return 32;
  return valueBitsOf(levelsOfFormat(format)); // throws on unknown names
}

/** Scale bits per weight: `scaleBits` per group of `groupSize` weights (e.g. 16 / 32 = 0.5 for FP16 scales per 32). */
export function scaleBitsPerWeight(scaleBits: number, groupSize: number): number {
  if (!(scaleBits >= 0) || !(groupSize >= 1)) throw new PvqInputError('groupSize', `need scaleBits >= 0 and groupSize >= 1, got ${scaleBits}, ${groupSize}`);
  return scaleBits / groupSize;
}

/**
 * Scale bits per weight of group scales: one `scaleBits` scale per group of `groupSize` consecutive weights of a row of
 * n, i.e. scaleBits * ceil(n / g) / n (= scaleBits / g when g divides n; the last group may be shorter).
 */
export function groupScaleBitsPerWeight(n: number, groupSize: number, scaleBits = 16): number {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(groupSize) || groupSize < 1) throw new PvqInputError('groupSize', `need integers n >= 1 and groupSize >= 1, got ${n}, ${groupSize}`);
  return (scaleBits * Math.ceil(n / groupSize)) / n;
}

/** Unstructured sparsity mask bits per weight: 'bitmap' = 1, 'entropy' = log2 C(n, k) / n (the information bound). */
export function unstructuredMaskBits(n: number, k: number, rule: 'bitmap' | 'entropy' = 'bitmap'): number {
  if (rule === 'bitmap') return 1;
  return n === 0 ? 0 : log2Binomial(n, k) / n;
}

/** N:M index bits per weight: log2 C(M, N) / M (2:4: log2(6)/4 ≈ 0.646; 1:4: 0.5; 4:8: log2(70)/8 ≈ 0.766). */
export function nmIndexBits(N: number, M: number): number {
  if (!Number.isInteger(N) || !Number.isInteger(M) || M < 1 || N < 0 || N > M) throw new PvqInputError('N:M', `need integers 0 <= N <= M, M >= 1, got ${N}:${M}`);
  return log2Binomial(M, N) / M;
}

export interface BitsSpec {
  /** Code bits per stored value (e.g. 4, or valueBitsOf('nf4')). */
  valueBits: number;
  /** Fraction of weights stored (1 for dense; k/n unstructured; N/M for N:M). Default 1. */
  density?: number;
  /** Scale bits per group and the group size (default none). */
  scaleBits?: number;
  groupSize?: number;
  /** Sparsity metadata: none, an unstructured mask over n weights, or N:M indices. */
  mask?: { kind: 'none' } | { kind: 'unstructured'; n: number; k: number; rule?: 'bitmap' | 'entropy' } | { kind: 'nm'; N: number; M: number };
}

export interface BitsBreakdown {
  value: number;
  scale: number;
  mask: number;
  total: number;
}

/** Bits per weight of a format configuration, by component. */
export function bitsPerWeight(spec: BitsSpec): BitsBreakdown {
  const density = spec.density ?? 1;
  if (!(density >= 0 && density <= 1)) throw new PvqInputError('density', `must lie in [0, 1], got ${density}`);
  const value = spec.valueBits * density;
  const scale = spec.scaleBits !== undefined && spec.scaleBits > 0 ? scaleBitsPerWeight(spec.scaleBits, spec.groupSize ?? 1) : 0;
  const m = spec.mask ?? { kind: 'none' };
  const mask = m.kind === 'unstructured' ? unstructuredMaskBits(m.n, m.k, m.rule) : m.kind === 'nm' ? nmIndexBits(m.N, m.M) : 0;
  return { value, scale, mask, total: value + scale + mask };
}
