import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/io/npy.js';
import { tensorStats } from '../../src/tensors/stats.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/tensors');
/** Fields computed by an independent numpy implementation (test/fixtures/tensors/paper_fields.py) on real OCR model weights. */
const REF = JSON.parse(readFileSync(join(FIX, 'paper_fields.json'), 'utf8')) as Record<string, Record<string, number>[]>;

describe('real model tensors against the numpy implementation of the paper code', () => {
  for (const [file, rows] of Object.entries(REF)) {
    it(`${file}: quant_sparsity exact, SNRs within 1e-6 dB, chosen scale identical`, () => {
      const t = readNpy(join(FIX, file));
      const ours = tensorStats(file, t.shape, t.data, rows.map((r) => r.bits));
      rows.forEach((r, i) => {
        const o = ours[i];
        expect(o.quant_scale).toBe(r.scale);
        expect(o.quant_sparsity).toBe(r.quant_sparsity);
        for (const k of ['quant_sqnr', 'pruning_sqnr', 'pruning_sqnr_corrected']) expect(Math.abs((o as any)[k] - r[k])).toBeLessThan(1e-6);
        for (const k of ['quant_mse', 'pruning_mse', 'pruning_mse_corrected']) expect(Math.abs((o as any)[k] - r[k])).toBeLessThanOrEqual(1e-12 * r[k]);
        expect(o.sample_kurtosis).toBeCloseTo(r.sample_kurtosis, 10);
      });
    });
  }
});

describe('exact range on real tensors', () => {
  it('is never worse than the paper grid (b = 2..8)', () => {
    for (const file of Object.keys(REF)) {
      const t = readNpy(join(FIX, file));
      for (const r of tensorStats(file, t.shape, t.data, [2, 3, 4, 5, 6, 7, 8], { compareExact: true })) expect(r.paper_grid_loss_db!).toBeGreaterThanOrEqual(-1e-9);
    }
  });
});
