/**
 * Per-tensor statistics of the paper's real-weights experiment (Sec. 3; quant_pruning_weights_sqnr.py):
 * sample kurtosis, b-bit quantization with the paper's 100-candidate range search (or the exact MSE-optimal
 * range), magnitude pruning at 1 - b/16, and the "corrected" pruning that matches the quantized tensor's
 * own zeros. The range search runs on the sorted tensor with double-double prefix sums: O(2^b log N) per
 * candidate instead of O(N), with the same float32 quantizer as `paperRangeSearch`.
 */
import { PvqInputError } from '../core/errors.js';
import { Empirical, sampleExcessKurtosis } from '../analytic/empirical.js';
import { optimalStep } from '../analytic/errors.js';
import { mseExactScale } from '../formats/scale.js';
import { intGrid, roundHalfEven, stepForClip, type IntGrid, type RangeChoice } from '../formats/range.js';

const f32 = Math.fround;

export type RangeMode = 'paper' | 'exact';

export interface TensorBitsStats {
  name: string;
  shape: number[];
  bits: number;
  sample_kurtosis: number;
  quant_sqnr: number;
  quant_mse: number;
  quant_sparsity: number;
  pruning_sqnr: number;
  pruning_mse: number;
  pruning_sqnr_corrected: number;
  pruning_mse_corrected: number;
  /** Extra fields (not in the paper's JSON). */
  quant_scale: number;
  range_mode: RangeMode;
  /** With `compareExact`: SQNR with the exact MSE-optimal range, and what the paper's grid loses (dB). */
  quant_sqnr_exact?: number;
  paper_grid_loss_db?: number;
}

/** A sorted float32 copy of the tensor plus double-double prefix sums (shared by every bit width). */
export class PreparedTensor {
  readonly n: number;
  /** float32 values (as float64), sorted ascending. */
  readonly x: Float64Array;
  readonly emp: Empirical;
  readonly min: number;
  readonly max: number;
  readonly sumSq: number;
  readonly kurtosis: number;
  constructor(values: ArrayLike<number>, field = 'tensor') {
    const n = values.length;
    if (n === 0) throw new PvqInputError(field, 'empty tensor');
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (Number.isNaN(v)) throw new PvqInputError(field, `entry ${i} is NaN`);
      if (!Number.isFinite(v)) throw new PvqInputError(field, `entry ${i} is ${v} (Infinity is not accepted)`);
      x[i] = f32(v);
    }
    this.kurtosis = sampleExcessKurtosis(x);
    this.emp = new Empirical(x, field);
    this.x = this.emp.x;
    this.n = n;
    this.min = this.x[0];
    this.max = this.x[n - 1];
    this.sumSq = this.emp.secondMoment() * n;
  }

  /** Level of one value under the float32 quantizer (monotone in x). */
  static level(x: number, scale32: number, grid: IntGrid): number {
    let q = roundHalfEven(f32(x / scale32));
    if (q < grid.qmin) q = grid.qmin;
    else if (q > grid.qmax) q = grid.qmax;
    return q;
  }

  /**
   * First sorted index (>= from) whose level is >= k (k > qmin): gallop on plain comparisons to a narrow
   * bracket around the boundary (k - 1/2) * scale, then an exact binary search with the float32 quantizer.
   */
  private firstAtLeast(k: number, scale32: number, grid: IntGrid, from: number): number {
    const x = this.x;
    const n = this.n;
    const t = (k - 0.5) * scale32;
    const d = Math.abs(t) * 1e-6 + 1e-30;
    const tLo = t - d;
    const tHi = t + d;
    // gallop: first index with x >= tLo
    let lo = from;
    let step = 1;
    let hi = from;
    while (hi < n && x[hi] < tLo) {
      lo = hi + 1;
      hi += step;
      step *= 2;
    }
    if (hi > n) hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (x[m] < tLo) lo = m + 1;
      else hi = m;
    }
    // first index with x > tHi bounds the exact search from above
    let top = lo;
    step = 1;
    while (top < n && x[top] <= tHi) {
      top += step;
      step *= 2;
    }
    if (top > n) top = n;
    let a = lo;
    let b = top;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (PreparedTensor.level(x[m], scale32, grid) < k) a = m + 1;
      else b = m;
    }
    return a;
  }

  /**
   * Summed squared error of the float32 quantizer at `scale32` (exact level ranges by binary search, each range's
   * error from double-double sums), and the number of values quantized to 0.
   */
  lossAt(scale32: number, grid: IntGrid): { loss: number; zeros: number } {
    const o = new Float64Array(3);
    let loss = 0;
    let zeros = 0;
    const kLo = Math.max(grid.qmin, PreparedTensor.level(this.min, scale32, grid));
    const kHi = Math.min(grid.qmax, PreparedTensor.level(this.max, scale32, grid));
    let i = 0;
    for (let k = kLo; k <= kHi; k++) {
      const j = k === kHi ? this.n : this.firstAtLeast(k + 1, scale32, grid, i);
      if (j > i) {
        const v = f32(k * scale32);
        this.emp.rangeMoments(i, j, v, o);
        loss += o[2] * this.n;
        if (v === 0) zeros += j - i;
      }
      i = j;
    }
    return { loss, zeros };
  }

  /** The paper's range search (same candidates, float32 quantizer and first-minimiser rule as `paperRangeSearch`). */
  paperRange(bits: number, numCandidates = 100, margin = 0.5): RangeChoice {
    const signed = this.min < 0;
    const grid = intGrid(bits, signed);
    const R = Math.max(Math.abs(this.min), this.max) + margin;
    const step = R / numCandidates;
    let best: RangeChoice | null = null;
    for (let j = 1; j <= numCandidates; j++) {
      const clip = j * step;
      const scale = stepForClip(clip, grid, 'float32');
      const { loss } = this.lossAt(scale, grid);
      if (best === null || loss < best.loss) best = { scale, clip, index: j, grid, loss, rule: `paper-grid(j=${j}/${numCandidates}, margin=${margin}, float32)` };
    }
    return best!;
  }

  /**
   * The MSE-optimal step on the same grid. Candidates: the exact breakpoint sweep of `src/formats/scale.ts` (signed
   * grid, when N * 2^(b-1) <= 4e6), a dense scan + refinement of the empirical error, and the paper's grid choice;
   * each is polished by the Lloyd fixed point s = Σ w q / Σ q^2 under the float32 quantizer; the best wins.
   */
  exactRange(bits: number): RangeChoice {
    const signed = this.min < 0;
    const grid = intGrid(bits, signed);
    if (this.sumSq === 0) return { scale: 1e-8, clip: 1e-8 * grid.qmax, index: 0, grid, loss: 0, rule: 'exact(all-zero)' };
    const starts: number[] = [];
    if (signed && this.n * 2 ** (bits - 1) <= 4e6) starts.push(mseExactScale(this.x, bits).scale);
    const opt = optimalStep(this.emp, { qmin: grid.qmin, qmax: grid.qmax }, { pointsPerDecade: this.n <= 5000 ? 800 : 200, maxCandidates: 40 });
    starts.push(opt.step);
    for (const m of opt.localMinima.slice(1, 4)) starts.push(m.step);
    starts.push(this.paperRange(bits).scale);
    let best: { scale: number; loss: number } | null = null;
    for (const s0 of starts) {
      const r = this.lloyd(Math.max(f32(s0), 1e-8), grid);
      if (best === null || r.loss < best.loss) best = r;
    }
    return { scale: best!.scale, clip: best!.scale * grid.qmax, index: 0, grid, loss: best!.loss, rule: 'exact(sweep/scan+refine, float32 quantizer)' };
  }

  /** Lloyd polish: s <- Σ w q / Σ q^2 for the assignment at s, while the float32 loss decreases. */
  private lloyd(scale0: number, grid: IntGrid): { scale: number; loss: number } {
    let scale = scale0;
    let loss = this.lossAt(scale, grid).loss;
    for (let it = 0; it < 20; it++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < this.n; i++) {
        const q = PreparedTensor.level(this.x[i], scale, grid);
        a += q * q;
        b += q * this.x[i];
      }
      if (a === 0) break;
      const s2 = Math.max(f32(b / a), 1e-8);
      const l2 = this.lossAt(s2, grid).loss;
      if (!(l2 < loss)) break;
      scale = s2;
      loss = l2;
    }
    return { scale, loss };
  }

  private cumAbs2: Float64Array | null = null;
  /** cum[j] = sum of the j smallest w^2 (the pruning error of zeroing j entries), summed in ascending order. */
  prunedEnergy(): Float64Array {
    if (!this.cumAbs2) {
      const a = this.emp.sortedAbs();
      const c = new Float64Array(this.n + 1);
      let s = 0;
      for (let i = 0; i < this.n; i++) {
        s += a[i] * a[i];
        c[i + 1] = s;
      }
      this.cumAbs2 = c;
    }
    return this.cumAbs2;
  }

  /** Direct elementwise float32 quantization error and zero count (the reported fields). */
  quantizeDirect(scale32: number, grid: IntGrid): { loss: number; zeros: number } {
    let loss = 0;
    let zeros = 0;
    for (let i = 0; i < this.n; i++) {
      const x = this.x[i];
      const v = f32(PreparedTensor.level(x, scale32, grid) * scale32);
      if (v === 0) zeros++;
      const e = x - v;
      loss += e * e;
    }
    return { loss, zeros };
  }
}

/**
 * The corrected pruning sparsity 1 - (1 - quant_sparsity) * b/16 as the official code evaluates it: quant_sparsity is
 * a float32 value (a torch int/int division) turned into a Python float, then `keep_ratio = (1.0 - quant_sparsity) *
 * n_bits / 16.0` and `1 - keep_ratio` are double-precision operations (left to right).
 */
export function correctedSparsity(quantSparsity32: number, bits: number): number {
  const keep = ((1.0 - quantSparsity32) * bits) / 16.0;
  return 1.0 - keep;
}

function sqnr(sumSq: number, err: number): number {
  if (err === 0) return sumSq === 0 ? NaN : Infinity;
  return 10 * Math.log10(sumSq / err);
}

/** Number of entries pruned at sparsity c: `int(sparsity * numel)`, a Python float times an int (double precision). */
export function prunedCount(c: number, n: number): number {
  return Math.min(n, Math.max(0, Math.floor(c * n)));
}

export interface TensorStatsOptions {
  range?: RangeMode;
  /** Also compute the exact-range SQNR and the paper grid's loss. */
  compareExact?: boolean;
}

/** All fields for one tensor and several bit widths. */
export function tensorStats(name: string, shape: number[], values: ArrayLike<number> | PreparedTensor, bits: readonly number[], opts: TensorStatsOptions = {}): TensorBitsStats[] {
  const t = values instanceof PreparedTensor ? values : new PreparedTensor(values, name);
  const mode = opts.range ?? 'paper';
  const n = t.n;
  const cum = t.prunedEnergy();
  const prefix = (j: number): number => cum[j];
  return bits.map((b) => {
    if (!Number.isInteger(b) || b < 2 || b > 16) throw new PvqInputError('bits', `expected integers in [2, 16], got ${b}`);
    const choice = mode === 'paper' ? t.paperRange(b) : t.exactRange(b);
    const q = t.lossAt(choice.scale, choice.grid);
    const quantSparsity = f32(q.zeros / n);
    const jp = prunedCount(1 - b / 16, n);
    const pe = prefix(jp);
    const jc = prunedCount(correctedSparsity(quantSparsity, b), n);
    const pc = prefix(jc);
    const row: TensorBitsStats = {
      name,
      shape,
      bits: b,
      sample_kurtosis: t.kurtosis,
      quant_sqnr: sqnr(t.sumSq, q.loss),
      quant_mse: q.loss / n,
      quant_sparsity: quantSparsity,
      pruning_sqnr: sqnr(t.sumSq, pe),
      pruning_mse: pe / n,
      pruning_sqnr_corrected: sqnr(t.sumSq, pc),
      pruning_mse_corrected: pc / n,
      quant_scale: choice.scale,
      range_mode: mode,
    };
    if (opts.compareExact) {
      const ex = mode === 'exact' ? choice : t.exactRange(b);
      const qe = mode === 'exact' ? q : t.lossAt(ex.scale, ex.grid);
      row.quant_sqnr_exact = sqnr(t.sumSq, qe.loss);
      row.paper_grid_loss_db = row.quant_sqnr_exact - (mode === 'paper' ? row.quant_sqnr : sqnr(t.sumSq, t.lossAt(t.paperRange(b).scale, t.paperRange(b).grid).loss));
    }
    return row;
  });
}
