import { describe, expect, it } from 'vitest';
import { winRateByKurtosis } from '../../src/tensors/summary.js';
import type { TensorBitsStats } from '../../src/tensors/stats.js';

const row = (k: number, bits: number, q: number, p: number): TensorBitsStats =>
  ({ name: 't', shape: [1], bits, sample_kurtosis: k, quant_sqnr: q, pruning_sqnr: p } as TensorBitsStats);

describe('winRateByKurtosis', () => {
  it('buckets by the paper edges (upper-inclusive), counts pruning wins, skips non-finite rows', () => {
    const cells = winRateByKurtosis([row(-1, 2, 5, 3), row(0, 2, 5, 6), row(0.5, 2, 5, 6), row(12, 2, 4, 7), row(12, 4, 12, 9), row(NaN, 2, 1, 9), row(3, 2, Infinity, 1)]);
    expect(cells.map((c) => [c.bucket, c.bits, c.pruneWins, c.tensors])).toEqual([
      ['<=0', 2, 1, 2],
      ['0-1', 2, 1, 1],
      ['10-20', 2, 1, 1],
      ['10-20', 4, 0, 1],
    ]);
    expect(cells[0].rate).toBe(0.5);
  });
});
