/**
 * Per-tensor SNR of the formats of `src/analytic/formats.ts` (FP4, FP8, NF4, INT-b on level sets; N:M pruning;
 * N:M + a value format) on real weights, next to the paper's INT / unstructured fields of `stats.ts`.
 *
 * Rules (documented in docs/analytic-tensors.md):
 * - value formats: one scale per tensor, chosen by MSE: the global scan + refinement of `optimalLevelScale` on the
 *   tensor's empirical law (exact cells from double-double prefix sums; 800 points per decade up to 5000 weights,
 *   200 above), then a Lloyd polish s <- Σ w l / Σ l^2 (nearest level at s, double precision) while the loss
 *   decreases. Nearest level with ties to the lower level; the reported MSE is the direct elementwise sum.
 * - N:M: the tensor is read as rows = shape[0] (output channels) of prod(shape[1:]) weights in C order (a conv
 *   OIHW row is in·kh·kw); each row is cut into groups of M consecutive weights and the N largest |w| of each group are
 *   kept (a trailing partial group of r < M keeps min(N, r)). A rank-1 tensor is one row.
 * - N:M + value: the kept weights are quantized with the value format at their own MSE-optimal scale (as above).
 */
import { PvqInputError } from '../core/errors.js';
import { Empirical } from '../analytic/empirical.js';
import type { FormatSpec } from '../analytic/formats.js';
import { optimalLevelScale } from '../analytic/levels.js';
import { nearestLevelIndex, type LevelSet } from '../formats/levels.js';

export interface TensorFormatStats {
  name: string;
  shape: number[];
  format: string;
  bits_per_weight: number;
  /** The value format's scale (absent for plain N:M). */
  scale?: number;
  /** Fraction of weights zeroed by the sparsity pattern (0 for dense formats). */
  sparsity: number;
  mse: number;
  sqnr: number;
}

/** Direct squared error of nearest-level quantization onto s * levels. */
function levelLoss(x: Float64Array, s: number, levels: LevelSet): number {
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    const e = x[i] - s * levels[nearestLevelIndex(levels, x[i] / s)];
    loss += e * e;
  }
  return loss;
}

/** MSE-optimal scale of a level set for a set of values (scan + refine on the empirical law, then Lloyd polish). */
export function bestLevelScale(values: Float64Array, levels: LevelSet): { scale: number; loss: number } {
  const n = values.length;
  if (n === 0) return { scale: 1, loss: 0 };
  let energy = 0;
  for (let i = 0; i < n; i++) energy += values[i] * values[i];
  if (energy === 0) return { scale: 1, loss: 0 };
  const emp = new Empirical(values);
  const opt = optimalLevelScale(emp, levels, { pointsPerDecade: n <= 5000 ? 800 : 200, maxCandidates: 40 });
  let best = { scale: opt.scale, loss: levelLoss(values, opt.scale, levels) };
  for (const m of opt.localMinima.slice(1, 4)) {
    const l = levelLoss(values, m.scale, levels);
    if (l < best.loss) best = { scale: m.scale, loss: l };
  }
  // Lloyd polish: optimal scale for the current assignment, then reassign (never increases the loss)
  for (let it = 0; it < 30; it++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const l = levels[nearestLevelIndex(levels, values[i] / best.scale)];
      a += l * l;
      b += l * values[i];
    }
    if (!(a > 0) || !(b > 0)) break;
    const s2 = b / a;
    const l2 = levelLoss(values, s2, levels);
    if (!(l2 < best.loss)) break;
    best = { scale: s2, loss: l2 };
  }
  return best;
}

/** N:M magnitude pruning along rows of prod(shape[1:]) weights: pruned energy, and the kept values. */
export function nmPrune(data: ArrayLike<number>, shape: readonly number[], N: number, M: number): { loss: number; kept: Float64Array } {
  const n = data.length;
  const rows = shape.length >= 2 && shape[0] > 0 ? shape[0] : 1;
  if (n % rows !== 0) throw new PvqInputError('shape', `shape ${shape.join('x')} does not match ${n} values`);
  const len = n / rows;
  const kept: number[] = [];
  let loss = 0;
  const idx: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let g0 = 0; g0 < len; g0 += M) {
      const g1 = Math.min(len, g0 + M);
      idx.length = 0;
      for (let j = g0; j < g1; j++) idx.push(r * len + j);
      idx.sort((a, b) => Math.abs(data[b]) - Math.abs(data[a]) || a - b);
      for (let t = 0; t < idx.length; t++) {
        const v = data[idx[t]];
        if (t < N) kept.push(v);
        else loss += v * v;
      }
    }
  }
  return { loss, kept: Float64Array.from(kept) };
}

function sqnr(energy: number, loss: number): number {
  if (loss === 0) return energy === 0 ? NaN : Infinity;
  return 10 * Math.log10(energy / loss);
}

/** The per-format fields of one tensor (values in float32 precision, as the paper's fields). */
export function tensorFormatStats(name: string, shape: number[], data: ArrayLike<number>, specs: readonly FormatSpec[]): TensorFormatStats[] {
  const n = data.length;
  if (n === 0) throw new PvqInputError(name, 'empty tensor');
  const x = new Float64Array(n);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new PvqInputError(name, `entry ${i} is ${v}`);
    x[i] = Math.fround(v);
    energy += x[i] * x[i];
  }
  return specs.map((s) => {
    if (s.kind === 'levels') {
      const q = bestLevelScale(x, s.levels);
      return { name, shape, format: s.name, bits_per_weight: s.bitsPerWeight, scale: q.scale, sparsity: 0, mse: q.loss / n, sqnr: sqnr(energy, q.loss) };
    }
    const p = nmPrune(x, shape, s.pattern.N, s.pattern.M);
    const sparsity = 1 - p.kept.length / n;
    if (!s.value) return { name, shape, format: s.name, bits_per_weight: s.bitsPerWeight, sparsity, mse: p.loss / n, sqnr: sqnr(energy, p.loss) };
    const q = bestLevelScale(p.kept, s.value.levels);
    const loss = p.loss + q.loss;
    return { name, shape, format: s.name, bits_per_weight: s.bitsPerWeight, scale: q.scale, sparsity, mse: loss / n, sqnr: sqnr(energy, loss) };
  });
}

export interface FormatWinCount {
  format: string;
  bits_per_weight: number;
  tensors: number;
  /** Tensors where this format has the highest SNR of all formats (ties count for each). */
  wins: number;
  /** The same among the formats with the same bits per weight. */
  winsSameBits: number;
  medianSqnr: number;
}

/** How often each format wins (highest SNR per tensor), overall and among equal bits-per-weight formats. */
export function formatWinCounts(rows: readonly TensorFormatStats[]): FormatWinCount[] {
  const formats = [...new Set(rows.map((r) => r.format))];
  const byTensor = new Map<string, TensorFormatStats[]>();
  for (const r of rows) {
    const list = byTensor.get(r.name) ?? [];
    list.push(r);
    byTensor.set(r.name, list);
  }
  const key = (b: number): string => b.toFixed(6);
  return formats.map((f) => {
    const mine = rows.filter((r) => r.format === f);
    let wins = 0;
    let winsSameBits = 0;
    for (const r of mine) {
      const others = byTensor.get(r.name)!;
      const fin = (v: number): number => (Number.isNaN(v) ? -Infinity : v);
      if (others.every((o) => fin(r.sqnr) >= fin(o.sqnr))) wins++;
      if (others.filter((o) => key(o.bits_per_weight) === key(r.bits_per_weight)).every((o) => fin(r.sqnr) >= fin(o.sqnr))) winsSameBits++;
    }
    const sorted = mine.map((r) => r.sqnr).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const m = sorted.length;
    const median = m === 0 ? NaN : m % 2 ? sorted[(m - 1) / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
    return { format: f, bits_per_weight: mine[0]?.bits_per_weight ?? NaN, tensors: mine.length, wins, winsSameBits, medianSqnr: median };
  });
}
