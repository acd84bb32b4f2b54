/**
 * Format lists for `pvq analytic --formats` / `pvq tensors --formats`: a value format (any name of
 * `levelsOfFormat`: int2..int16, uint*, fp4 / fp4-e2m1, fp8-e4m3, fp8-e5m2, nf4), an N:M pattern ('2:4': the kept
 * weights stay in FP16), or N:M plus a value format ('2:4+int8': the kept weights quantized). Bits per weight come
 * from `src/formats/bits.ts` (value bits on the kept weights + N:M index bits; one scale per tensor, not counted).
 */
import { PvqInputError } from '../core/errors.js';
import { bitsPerWeight, levelsOfFormat, valueBitsOf, type LevelSet } from '../formats/index.js';
import { ContinuousDistribution, type Distribution } from './distribution.js';
import { snrDb } from './errors.js';
import { optimalLevelScale } from './levels.js';
import { KeptDistribution, nmPruneError, parseNM, type NMPattern } from './nm.js';

export type FormatSpec =
  | { kind: 'levels'; name: string; levels: LevelSet; bitsPerWeight: number }
  | { kind: 'nm'; name: string; pattern: NMPattern; value?: { name: string; levels: LevelSet }; bitsPerWeight: number };

/** Parse one format name; throws PvqInputError(field) naming the format. */
export function parseFormat(text: string, field = '--formats'): FormatSpec {
  const name = text.trim().toLowerCase();
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof PvqInputError) throw new PvqInputError(field, `unknown or invalid format '${text.trim()}' (value formats: int2..int16, uint4, uint8, fp4, fp8-e4m3, fp8-e5m2, nf4; sparse: N:M, N:M+<value format>, e.g. 2:4, 2:4+int8)`);
      throw e;
    }
  };
  if (/^\d+:\d+/.test(name)) {
    const [nm, val, ...rest] = name.split('+');
    if (rest.length) throw new PvqInputError(field, `invalid format '${text.trim()}': at most one '+value' part`);
    const pattern = wrap(() => parseNM(nm, field));
    const density = pattern.N / pattern.M;
    const mask = { kind: 'nm' as const, N: pattern.N, M: pattern.M };
    if (val === undefined) return { kind: 'nm', name, pattern, bitsPerWeight: bitsPerWeight({ valueBits: 16, density, mask }).total };
    const levels = wrap(() => levelsOfFormat(val));
    return { kind: 'nm', name, pattern, value: { name: val, levels }, bitsPerWeight: bitsPerWeight({ valueBits: valueBitsOf(val), density, mask }).total };
  }
  const levels = wrap(() => levelsOfFormat(name));
  return { kind: 'levels', name, levels, bitsPerWeight: bitsPerWeight({ valueBits: valueBitsOf(name) }).total };
}

/** Parse a comma-separated list (nonempty, no duplicates). */
export function parseFormats(text: string, field = '--formats'): FormatSpec[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new PvqInputError(field, `expected a comma-separated list of formats, got ${JSON.stringify(text)}`);
  const specs = parts.map((p) => parseFormat(p, field));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new PvqInputError(field, `format '${s.name}' given twice`);
    seen.add(s.name);
  }
  return specs;
}

export interface FormatResult {
  format: string;
  bitsPerWeight: number;
  /** MSE-optimal scale of the value format (absent for plain N:M). */
  scale?: number;
  /** Fraction of weights set to zero by the sparsity pattern (0 for dense formats). */
  sparsity: number;
  mse: number;
  snrDb: number;
  /** N:M + value: the pruning part and the quantization part (per weight) of the MSE. */
  pruneMse?: number;
  quantMse?: number;
}

/** Expected error of one format on a distribution, at the MSE-optimal scale. */
export function evaluateFormat(d: Distribution, spec: FormatSpec): FormatResult {
  const m2 = d.secondMoment();
  if (spec.kind === 'levels') {
    const q = optimalLevelScale(d, spec.levels);
    return { format: spec.name, bitsPerWeight: spec.bitsPerWeight, scale: q.scale, sparsity: 0, mse: q.mse, snrDb: q.snrDb };
  }
  const p = nmPruneError(d, spec.pattern);
  if (!spec.value) return { format: spec.name, bitsPerWeight: spec.bitsPerWeight, sparsity: p.sparsity, mse: p.mse, snrDb: p.snrDb };
  if (!(d instanceof ContinuousDistribution)) throw new PvqInputError('--formats', `'${spec.name}': N:M plus a value format needs a continuous density (not --samples)`);
  const kept = new KeptDistribution(d, spec.pattern);
  const q = optimalLevelScale(kept, spec.value.levels);
  const quantMse = (spec.pattern.N / spec.pattern.M) * q.mse;
  const mse = p.mse + quantMse;
  return { format: spec.name, bitsPerWeight: spec.bitsPerWeight, scale: q.scale, sparsity: p.sparsity, mse, snrDb: snrDb(m2, mse), pruneMse: p.mse, quantMse };
}
