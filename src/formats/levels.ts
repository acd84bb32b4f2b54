/**
 * Number formats as finite level sets: a quantized weight is `scale * x` with `x` one of the sorted, distinct,
 * finite reals `levels`. The integer grid of the paper (INT-b: zmin..zmax) is the special case of consecutive
 * integers. Built in: INT-b, the OCP 8-bit / 4-bit minifloats (FP4 E2M1, FP8 E4M3 "fn", FP8 E5M2; every finite
 * value, subnormals and zero included, -0 merged with +0) and NF4 (QLoRA's 16 normal-float levels).
 */
import { PvqInputError } from '../core/errors.js';
import type { LayerProblem, LevelQuantizationProblem } from '../core/types.js';
import { gridScaledLayer } from './groups.js';

/** A finite level set: sorted strictly increasing finite reals. */
export type LevelSet = Float64Array;

/** Names accepted by `format` in a layer problem and by `levelsOfFormat`. */
export const LEVEL_FORMATS = ['int2', 'int3', 'int4', 'int8', 'uint4', 'uint8', 'fp4', 'fp4-e2m1', 'fp8-e4m3', 'fp8-e5m2', 'nf4'] as const;

/** The integers lo..hi (INT-b: lo = -2^(b-1), hi = 2^(b-1) - 1). */
export function intLevels(lo: number, hi: number): LevelSet {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi) throw new PvqInputError('levels', `integer grid needs integers lo <= hi, got ${lo}..${hi}`);
  if (hi - lo + 1 > 1 << 20) throw new PvqInputError('levels', `integer grid ${lo}..${hi} has more than 2^20 levels`);
  const out = new Float64Array(hi - lo + 1);
  for (let i = 0; i < out.length; i++) out[i] = lo + i + 0;
  return out;
}

/** Signed b-bit integers -2^(b-1) .. 2^(b-1) - 1 (the paper's grid). */
export function intBitsLevels(bits: number, signed = true): LevelSet {
  if (!Number.isInteger(bits) || bits < 1 || bits > 20) throw new PvqInputError('bits', `expected an integer in 1..20, got ${bits}`);
  return signed ? intLevels(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) : intLevels(0, 2 ** bits - 1);
}

export interface MinifloatSpec {
  exponentBits: number;
  mantissaBits: number;
  bias: number;
  /**
   * Which codes are not finite: 'ieee' = the all-ones exponent is inf/NaN (E5M2); 'fn' = only the all-ones
   * exponent with all-ones mantissa is NaN, no infinities (OCP E4M3 "fn"); 'none' = every code is finite (E2M1).
   */
  special: 'ieee' | 'fn' | 'none';
}

/** Every finite value of a sign + exponent + mantissa minifloat (subnormals included, -0 merged with +0), sorted. */
export function minifloatLevels(spec: MinifloatSpec): LevelSet {
  const { exponentBits: E, mantissaBits: M, bias, special } = spec;
  const maxE = 2 ** E - 1;
  const pos: number[] = [];
  for (let e = 0; e <= maxE; e++) {
    for (let m = 0; m < 2 ** M; m++) {
      if (special === 'ieee' && e === maxE) continue;
      if (special === 'fn' && e === maxE && m === 2 ** M - 1) continue;
      // exact in binary64: small integers times powers of two
      const v = e === 0 ? (m / 2 ** M) * 2 ** (1 - bias) : (1 + m / 2 ** M) * 2 ** (e - bias);
      pos.push(v);
    }
  }
  const all = new Set<number>();
  for (const v of pos) {
    all.add(v);
    all.add(v === 0 ? 0 : -v);
  }
  return Float64Array.from([...all].sort((a, b) => a - b));
}

/** FP4 E2M1 (OCP MX): {0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6}. */
export const FP4_E2M1: MinifloatSpec = { exponentBits: 2, mantissaBits: 1, bias: 1, special: 'none' };
/** FP8 E4M3, OCP / NVIDIA "fn" variant: max 448, no infinities, subnormals down to 2^-9. */
export const FP8_E4M3: MinifloatSpec = { exponentBits: 4, mantissaBits: 3, bias: 7, special: 'fn' };
/** FP8 E5M2 (IEEE-like): max 57344, subnormals down to 2^-16. */
export const FP8_E5M2: MinifloatSpec = { exponentBits: 5, mantissaBits: 2, bias: 15, special: 'ieee' };

/**
 * NF4: the 16 "normal float" levels of QLoRA (Dettmers et al., 2023), exactly as published in bitsandbytes
 * (`bitsandbytes/functional.py`, `get_4bit_type('nf4')`, and the CUDA `dDequantizeNF4` table); the float32
 * values printed to 17 significant digits, i.e. these doubles are the float32 levels exactly.
 */
export const NF4_LEVELS: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
  -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

/** Level set of a named format ('int4', 'fp4', 'fp8-e4m3', 'fp8-e5m2', 'nf4', 'uint8', ...); throws on an unknown name. */
export function levelsOfFormat(name: string): LevelSet {
  const f = name.toLowerCase();
  const mInt = /^(u?)int(\d+)$/.exec(f);
  if (mInt) {
    const bits = Number(mInt[2]);
    if (bits < 1 || bits > 16) throw new PvqInputError('format', `'${name}': integer formats need 1..16 bits`);
    return intBitsLevels(bits, mInt[1] !== 'u');
  }
  if (f === 'fp4' || f === 'fp4-e2m1' || f === 'e2m1') return minifloatLevels(FP4_E2M1);
  if (f === 'fp8-e4m3' || f === 'e4m3' || f === 'fp8' || f === 'fp8-e4m3fn') return minifloatLevels(FP8_E4M3);
  if (f === 'fp8-e5m2' || f === 'e5m2') return minifloatLevels(FP8_E5M2);
  if (f === 'nf4') return Float64Array.from(NF4_LEVELS);
  throw new PvqInputError('format', `unknown format '${name}' (known: ${LEVEL_FORMATS.join(', ')})`);
}

/**
 * Validate user-given levels: a nonempty array of finite numbers, strictly increasing (sorted, distinct),
 * at most 2^20 of them. Returns them as a Float64Array; throws PvqInputError naming `field`.
 */
export function checkLevels(levels: ArrayLike<unknown>, field = 'levels'): LevelSet {
  const n = levels.length;
  if (!(n >= 1)) throw new PvqInputError(field, 'expected at least one level');
  if (n > 1 << 20) throw new PvqInputError(field, `at most 2^20 levels, got ${n}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = levels[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PvqInputError(`${field}[${i}]`, 'must be a finite number');
    if (i > 0 && !(v > out[i - 1])) throw new PvqInputError(`${field}[${i}]`, `levels must be strictly increasing (${v} after ${out[i - 1]})`);
    out[i] = v + 0;
  }
  return out;
}

/** Index of the level nearest to x (ties to the lower level); levels sorted. O(log L). */
export function nearestLevelIndex(levels: LevelSet, x: number): number {
  const L = levels.length;
  if (!(x > levels[0])) return 0;
  if (!(x < levels[L - 1])) return L - 1;
  let lo = 0;
  let hi = L - 1; // levels[lo] < x < levels[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (levels[mid] <= x) lo = mid;
    else hi = mid;
  }
  return x - levels[lo] <= levels[hi] - x ? lo : hi;
}

/** Largest index i with levels[i] <= x (-1 when x < levels[0]). */
export function floorLevelIndex(levels: LevelSet, x: number): number {
  let lo = -1;
  let hi = levels.length; // levels[lo] <= x < levels[hi] (virtually)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (levels[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** True when the levels are consecutive integers (an INT grid): returns [lo, hi], else null. */
export function integerGridOf(levels: LevelSet): [number, number] | null {
  for (let i = 0; i < levels.length; i++) if (levels[i] !== levels[0] + i || !Number.isInteger(levels[i])) return null;
  return [levels[0], levels[levels.length - 1]];
}

/** True when v is one of the levels (exact comparison). */
export function isLevel(levels: LevelSet, v: number): boolean {
  const i = floorLevelIndex(levels, v);
  return i >= 0 && levels[i] === v;
}

/**
 * The level-quantization problem of a layer problem: its `levels` (from `levels` or `format` in the file), or the
 * paper's integer grid zmin..zmax when the file gives neither.
 */
export function levelProblemOf(layer: LayerProblem): LevelQuantizationProblem {
  const p = gridScaledLayer(layer); // group scales: the problem in grid units (src/formats/groups.ts)
  return { name: p.name, objective: p.objective, scale: p.scale, levels: p.levels ?? intLevels(p.zmin, p.zmax) };
}
