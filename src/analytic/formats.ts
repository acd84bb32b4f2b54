/**
 * Format lists for `pvq analytic --formats` / `pvq tensors --formats`: a value format (any name of
 * `levelsOfFormat`: int2..int16, uint*, fp4 / fp4-e2m1, fp8-e4m3, fp8-e5m2, nf4), an N:M pattern ('2:4': the kept
 * weights stay in FP16), or N:M plus a value format ('2:4+int8': the kept weights quantized). Bits per weight come
 * from `src/formats/bits.ts` (value bits on the kept weights + N:M index bits; one scale per tensor, not counted). Names are
 * parsed by the one format parser, `src/formats/spec.ts` (shared with `pvq compare --formats`).
 */
import { PvqInputError } from '../core/errors.js';
import { bitsPerWeight, levelsOfFormat, valueBitsOf, type LevelSet } from '../formats/index.js';
import { parseFormatSyntax, splitFormatList, type FormatSyntax, type ValueFormat } from '../formats/spec.js';
import { ContinuousDistribution, type Distribution } from './distribution.js';
import { snrDb } from './errors.js';
import { optimalLevelScale } from './levels.js';
import { KeptDistribution, nmPruneError, parseNM, type NMPattern } from './nm.js';

export type FormatSpec =
  | { kind: 'levels'; name: string; levels: LevelSet; bitsPerWeight: number }
  | { kind: 'nm'; name: string; pattern: NMPattern; value?: { name: string; levels: LevelSet }; bitsPerWeight: number };

/** Parse one format name (the shared grammar, src/formats/spec.ts); throws PvqInputError(field) naming the format. */
export function parseFormat(text: string, field = '--formats'): FormatSpec {
  const invalid = (): PvqInputError =>
    new PvqInputError(field, `unknown or invalid format '${text.trim()}' (value formats: int2..int16, uint4, uint8, fp4, fp8-e4m3, fp8-e5m2, nf4; sparse: N:M, N:M+<value format>, e.g. 2:4, 2:4+int8)`);
  let f: FormatSyntax;
  try {
    f = parseFormatSyntax(text, field);
  } catch (e) {
    // one message listing what this command evaluates
    if (e instanceof PvqInputError) throw invalid();
    throw e;
  }
  const { name, sparsity, value } = f;
  if (f.groupSize !== null) throw new PvqInputError(field, `'${f.text}': group scales (/g${f.groupSize}) are per layer, not per distribution: use pvq compare --formats`);
  if (value !== null && value.kind === 'int' && value.bits === null) throw invalid(); // 'int' needs its bits here
  const levelsOf = (v: ValueFormat): LevelSet => (v.kind === 'levels' ? v.levels : levelsOfFormat(v.name));
  if (sparsity === null) {
    const v = value!;
    return { kind: 'levels', name, levels: levelsOf(v), bitsPerWeight: bitsPerWeight({ valueBits: valueBitsOf(v.name) }).total };
  }
  if (sparsity.kind !== 'nm') throw invalid();
  let pattern: NMPattern;
  try {
    pattern = parseNM(`${sparsity.N}:${sparsity.M}`, field); // the distribution model's own limit (M <= 64)
  } catch (e) {
    if (e instanceof PvqInputError) throw invalid();
    throw e;
  }
  const density = pattern.N / pattern.M;
  const mask = { kind: 'nm' as const, N: pattern.N, M: pattern.M };
  if (value === null) return { kind: 'nm', name, pattern, bitsPerWeight: bitsPerWeight({ valueBits: 16, density, mask }).total };
  return { kind: 'nm', name, pattern, value: { name: value.name, levels: levelsOf(value) }, bitsPerWeight: bitsPerWeight({ valueBits: valueBitsOf(value.name), density, mask }).total };
}

/** Parse a comma-separated list (nonempty, no duplicates). */
export function parseFormats(text: string, field = '--formats'): FormatSpec[] {
  const parts = splitFormatList(text, field, {
    empty: `expected a comma-separated list of formats, got ${JSON.stringify(text)}`,
    twice: (s) => `format '${s.toLowerCase()}' given twice`,
  });
  return parts.map((p) => parseFormat(p, field));
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
