import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/random.js';
import { PvqInputError } from '../../src/core/errors.js';
import { intGrid, paperRangeSearch, quantizeValue, quantLoss } from '../../src/formats/range.js';
import { correctedSparsity, PreparedTensor, tensorStats } from '../../src/tensors/stats.js';
import { mseExactScale } from '../../src/formats/scale.js';
import { fcParams } from '../helpers/fc-seed.js';

const f32 = Math.fround;

/** Direct element-by-element computation of every field (the paper's code, in plain loops). */
function direct(values: number[], b: number) {
  const x = values.map(f32);
  const n = x.length;
  const r = paperRangeSearch(x, b, { arith: 'float32' });
  let e2 = 0, zeros = 0, ss = 0;
  for (const v of x) {
    const q = quantizeValue(v, r.scale, r.grid.qmin, r.grid.qmax, 'float32');
    if (q === 0) zeros++;
    e2 += (v - q) ** 2;
    ss += v * v;
  }
  const abs = x.map(Math.abs).sort((a, c) => a - c);
  const prune = (c: number) => {
    const j = Math.floor(c * n); // Python int(sparsity * numel): double precision
    let s = 0;
    for (let i = 0; i < j; i++) s += abs[i] ** 2;
    return s;
  };
  const qs = f32(zeros / n);
  const pe = prune(1 - b / 16);
  const pc = prune(1.0 - ((1.0 - qs) * b) / 16.0); // Python floats: keep_ratio = (1.0 - quant_sparsity) * n_bits / 16.0
  const mean = x.reduce((a, c) => a + c, 0) / n;
  let m2 = 0, m4 = 0;
  for (const v of x) { m2 += (v - mean) ** 2; m4 += (v - mean) ** 4; }
  m2 /= n; m4 /= n;
  return { scale: r.scale, quant_mse: e2 / n, quant_sparsity: qs, quant_sqnr: 10 * Math.log10(ss / e2), pruning_mse: pe / n, pruning_sqnr: 10 * Math.log10(ss / pe), pruning_mse_corrected: pc / n, kurt: m4 / (m2 * m2) - 3 };
}

function check(values: number[], bits: number[]) {
  const rows = tensorStats('t', [values.length], values, bits);
  rows.forEach((row, i) => {
    const d = direct(values, bits[i]);
    expect(row.quant_scale).toBe(d.scale);
    expect(row.quant_sparsity).toBe(d.quant_sparsity);
    expect(row.quant_mse).toBeCloseTo(d.quant_mse, 14);
    if (Number.isFinite(d.quant_sqnr)) expect(Math.abs(row.quant_sqnr - d.quant_sqnr)).toBeLessThan(1e-9);
    expect(row.pruning_mse).toBeCloseTo(d.pruning_mse, 14);
    expect(row.pruning_mse_corrected).toBeCloseTo(d.pruning_mse_corrected, 14);
    if (Number.isFinite(d.kurt)) expect(row.sample_kurtosis).toBeCloseTo(d.kurt, 9);
  });
}

describe('tensor fields against a direct element-by-element computation', () => {
  it('random Gaussian and heavy-tailed tensors, b = 2..8', () => {
    const rng = new Rng(3);
    for (const scale of [0.02, 0.3, 2]) {
      const g = Array.from({ length: 500 }, () => scale * rng.normal());
      const t = Array.from({ length: 300 }, () => scale * rng.studentT(3));
      check(g, [2, 3, 4, 5, 6, 7, 8]);
      check(t, [2, 4, 8]);
    }
  });
  it('property: arbitrary small tensors (ties at .5 on the candidate grid, repeats, zeros)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -40, max: 40 }).map((k) => k * 0.0625), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 8 }), (vals, b) => {
        check(vals, [b]);
      }),
      fcParams({ numRuns: 150 }),
    );
  });
  it('ties at .5: values exactly halfway between levels round half to even', () => {
    // max|w| = 1.5 -> R = 2, candidates c_j = j/50; at 2 bits the step is c_j (qmax = 1)
    const vals = [1.5, -1.5, 0.5, -0.5, 0.25, 1, -1, 0];
    check(vals, [2, 3, 4]);
    const t = new PreparedTensor(vals);
    const grid = intGrid(2, true);
    expect(t.lossAt(1, grid)).toEqual(t.quantizeDirect(1, grid));
    // 0.5/1 -> 0 (even), 1.5/1 -> 2 -> clamped to qmax = 1, -0.5 -> 0, -1.5 -> -2
    expect(t.quantizeDirect(1, grid).zeros).toBe(4);
  });
  it('all-positive tensors use the unsigned grid [0, 2^b - 1]', () => {
    const rng = new Rng(9);
    const vals = Array.from({ length: 200 }, () => Math.abs(rng.normal()) * 0.1);
    check(vals, [2, 4, 8]);
    const t = new PreparedTensor(vals);
    expect(t.paperRange(4).grid).toEqual({ signed: false, qmin: 0, qmax: 15 });
  });
  it('all-zero tensor: sparsity 1, zero errors, NaN SQNR and kurtosis', () => {
    const [r] = tensorStats('z', [4], [0, 0, 0, 0], [4]);
    expect(r.quant_sparsity).toBe(1);
    expect(r.quant_mse).toBe(0);
    expect(r.pruning_mse).toBe(0);
    expect(r.quant_sqnr).toBeNaN();
    expect(r.sample_kurtosis).toBeNaN();
  });
  it('rejects NaN and Infinity with a clear PvqInputError', () => {
    expect(() => tensorStats('w', [3], [1, NaN, 2], [4])).toThrow(PvqInputError);
    expect(() => tensorStats('w', [3], [1, NaN, 2], [4])).toThrow(/entry 1 is NaN/);
    expect(() => tensorStats('w', [2], [1, Infinity], [4])).toThrow(/Infinity/);
    expect(() => tensorStats('w', [0], [], [4])).toThrow(/empty/);
  });
  it('the corrected pruning never beats the plain one, and the sparsity is 1 - b/16 exactly', () => {
    const rng = new Rng(5);
    const vals = Array.from({ length: 1024 }, () => rng.studentT(4));
    for (const r of tensorStats('w', [1024], vals, [2, 3, 4, 5, 6, 7, 8])) {
      expect(r.pruning_mse_corrected).toBeGreaterThanOrEqual(r.pruning_mse);
      expect(correctedSparsity(r.quant_sparsity, r.bits)).toBeGreaterThanOrEqual(1 - r.bits / 16 - 1e-7);
    }
  });
});

describe('exact range mode', () => {
  it('is at least as good as the paper grid and every point of a fine scan, and matches the breakpoint sweep', () => {
    const rng = new Rng(11);
    for (const b of [2, 3, 4, 6]) {
      const vals = Array.from({ length: 400 }, () => 0.05 * rng.studentT(5));
      const t = new PreparedTensor(vals);
      const ex = t.exactRange(b);
      const pg = t.paperRange(b);
      expect(ex.loss).toBeLessThanOrEqual(pg.loss * (1 + 1e-12));
      const x32 = Array.from(t.x);
      for (let i = 1; i <= 300; i++) {
        const s = f32(ex.scale * (0.3 + (i / 300) * 2));
        expect(quantLoss(x32, s, ex.grid, 'float32')).toBeGreaterThanOrEqual(ex.loss * (1 - 1e-6));
      }
      // independent exact algorithm (float64 quantizer): same optimum up to float32 rounding of the step
      const sweep = mseExactScale(x32, b);
      expect(Math.abs(ex.loss - sweep.loss) / sweep.loss).toBeLessThan(1e-5);
    }
  });
  it('reports what the paper grid loses', () => {
    const rng = new Rng(2);
    const vals = Array.from({ length: 2000 }, () => 0.01 * rng.normal());
    const rows = tensorStats('w', [2000], vals, [4, 8], { compareExact: true });
    for (const r of rows) {
      expect(r.paper_grid_loss_db!).toBeGreaterThanOrEqual(-1e-9);
      expect(r.quant_sqnr_exact!).toBeCloseTo(r.quant_sqnr + r.paper_grid_loss_db!, 10);
    }
    // sigma = 0.01 with the absolute 0.5 margin: the paper grid is coarse at 8 bits and loses a visible amount
    expect(rows[1].paper_grid_loss_db!).toBeGreaterThan(0.01);
  });
});

describe('corrected pruning counts are evaluated in double precision, as in the official code', () => {
  // zeros exact zeros and n - zeros distinct magnitudes in [0.5, 1): the quantized tensor has exactly `zeros` zeros
  // at any bit width (every nonzero entry is at least 3.5 grid steps from 0), so quant_sparsity = float32(zeros/n)
  function tensorWith(n: number, zeros: number): number[] {
    const v: number[] = [];
    for (let i = 0; i < n; i++) v.push(i < zeros ? 0 : (i % 2 ? -1 : 1) * (0.5 + (0.5 * (i - zeros)) / (n - zeros)));
    return v;
  }
  const cases: [string, number, number, number, number][] = [
    // name, numel, bits, quantized zeros, entries pruned by the official code (float32 arithmetic gives 48 and 781)
    ['96-entry bias at 8 bits with 2 zeros', 96, 8, 2, 49],
    ['864-entry kernel at 4 bits with 532 zeros', 864, 4, 532, 780],
  ];
  for (const [name, n, b, zeros, pruned] of cases) {
    it(name, () => {
      const values = tensorWith(n, zeros);
      const [row] = tensorStats('t', [n], values, [b]);
      expect(row.quant_sparsity).toBe(f32(zeros / n));
      // independent: the sum of the `pruned` smallest squares
      const sq = values.map((x) => f32(x) ** 2).sort((a, c) => a - c);
      const energy = (j: number) => sq.slice(0, j).reduce((a, c) => a + c, 0);
      expect(row.pruning_mse_corrected * n).toBeCloseTo(energy(pruned), 12);
      expect(Math.abs(row.pruning_mse_corrected * n - energy(pruned))).toBeLessThan(1e-3 * Math.abs(energy(pruned + 1) - energy(pruned)));
      expect(Math.abs(row.pruning_mse_corrected * n - energy(pruned - 1))).toBeGreaterThan(0.1);
      expect(Math.abs(row.pruning_mse_corrected * n - energy(pruned + 1))).toBeGreaterThan(0.1);
      expect(Math.floor(correctedSparsity(row.quant_sparsity, b) * n)).toBe(pruned);
    });
  }
});
