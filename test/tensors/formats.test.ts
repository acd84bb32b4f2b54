import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { parseFormats } from '../../src/analytic/formats.js';
import { Rng } from '../../src/core/random.js';
import { intBitsLevels, levelsOfFormat, nearestLevelIndex } from '../../src/formats/levels.js';
import { encodeNpy } from '../../src/io/npy.js';
import { bestLevelScale, formatWinCounts, nmPrune, tensorFormatStats, type TensorFormatStats } from '../../src/tensors/formats.js';
import { mseExactScale } from '../../src/formats/scale.js';
import { runCli } from '../helpers/cli.js';

function loss(x: Float64Array, s: number, L: Float64Array): number {
  let e = 0;
  for (const v of x) e += (v - s * L[nearestLevelIndex(L, v / s)]) ** 2;
  return e;
}

function sample(n: number, seed: number, heavy = false): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(heavy ? rng.studentT(3) * 0.1 : rng.normal() * 0.05));
}

describe('per-tensor scale search over a level set', () => {
  it('INT4 levels: equals the exact breakpoint sweep of src/formats/scale.ts (1e-9 relative)', () => {
    for (const seed of [1, 2, 3]) {
      const x = sample(400, seed, seed === 3);
      const exact = mseExactScale(x, 4);
      const r = bestLevelScale(x, intBitsLevels(4));
      expect(r.loss).toBeGreaterThanOrEqual(exact.loss * (1 - 1e-12));
      expect(r.loss).toBeLessThanOrEqual(exact.loss * (1 + 1e-9));
    }
  });
  it('FP4 / NF4 / FP8: no worse than a dense scan of the direct loss', () => {
    const x = sample(300, 5, true);
    for (const f of ['fp4', 'nf4', 'fp8-e4m3']) {
      const L = levelsOfFormat(f);
      const r = bestLevelScale(x, L);
      expect(r.loss).toBeCloseTo(loss(x, r.scale, L), 14);
      const Lmax = L[L.length - 1];
      let best = Infinity;
      for (let i = 0; i <= 6000; i++) best = Math.min(best, loss(x, (1e-3 / Lmax) * Math.pow(1e4, i / 6000), L));
      expect(r.loss).toBeLessThanOrEqual(best * (1 + 1e-12));
    }
  });
});

describe('N:M pruning of a tensor', () => {
  it('groups of M consecutive weights within each row of prod(shape[1:]); partial groups keep min(N, r)', () => {
    // 2 rows of 6: groups {0..3}, {4, 5} per row
    const x = [1, -4, 2, 3, 0.5, -0.25, /* row 2 */ -1, 1, 0.1, -0.2, 5, 6];
    const r = nmPrune(x, [2, 6], 2, 4);
    // row 1: drop 1, 2 (keep -4, 3), keep 0.5, -0.25; row 2: keep -1, 1, drop 0.1, -0.2; keep 5, 6
    expect(r.loss).toBeCloseTo(1 + 4 + 0.01 + 0.04, 14);
    expect(r.kept.length).toBe(8);
    // 1:4 on a rank-1 tensor is one row: groups {0..3}, {4, 5}
    expect(nmPrune([3, 1, 2, -5, 1, 2], [6], 1, 4).loss).toBeCloseTo(9 + 1 + 4 + 1, 14);
  });
  it('fields: N:M sparsity, SNR, N:M + value is pruning plus the kept weights quantized', () => {
    const x = sample(64 * 16, 11);
    const specs = parseFormats('2:4,2:4+int8,fp4');
    const [nm, nm8, fp4] = tensorFormatStats('t', [64, 16], x, specs);
    expect(nm.sparsity).toBe(0.5);
    let energy = 0;
    for (const v of x) energy += v * v;
    expect(nm.sqnr).toBeCloseTo(10 * Math.log10(energy / (nm.mse * x.length)), 12);
    expect(nm8.mse).toBeGreaterThan(nm.mse);
    expect(nm8.mse).toBeLessThan(nm.mse * 1.01);
    expect(nm8.bits_per_weight).toBeCloseTo(4 + Math.log2(6) / 4, 12);
    expect(fp4.sparsity).toBe(0);
    expect(fp4.scale).toBeGreaterThan(0);
  });
  it('win counts: best of all and at equal bits per weight', () => {
    const row = (name: string, format: string, b: number, sqnr: number): TensorFormatStats => ({ name, shape: [1], format, bits_per_weight: b, sparsity: 0, mse: 1, sqnr });
    const rows = [row('a', 'int4', 4, 10), row('a', 'nf4', 4, 11), row('a', 'int8', 8, 30), row('b', 'int4', 4, 12), row('b', 'nf4', 4, 11), row('b', 'int8', 8, 9)];
    const w = formatWinCounts(rows);
    expect(w.map((c) => [c.format, c.wins, c.winsSameBits])).toEqual([
      ['int4', 1, 1],
      ['nf4', 0, 1],
      ['int8', 1, 2],
    ]);
  });
});

describe('pvq tensors --formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvq-tf-'));
  const file = join(dir, 'w.npy');
  writeFileSync(file, encodeNpy(Float32Array.from(sample(256, 4)), [32, 8]));
  it('JSON: paper rows at 4 bits by default, per-format rows and the summary', async () => {
    const r = await runCli(['tensors', file, '--formats', 'int4,fp4,nf4,2:4', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['tensors', 'formats', 'formatSummary']);
    expect(j.tensors.map((t: { bits: number }) => t.bits)).toEqual([4]);
    expect(j.formats.map((f: { format: string }) => f.format)).toEqual(['int4', 'fp4', 'nf4', '2:4']);
    expect(j.formatSummary).toHaveLength(4);
    const t = await runCli(['tensors', file, '--format', 'fp4,1:4', '--bits', '3']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('int3 paper dB');
    expect(t.stdout).toContain('best at equal bits/weight');
  });
  it('a bad format name exits 2 naming it', async () => {
    const r = await runCli(['tensors', file, '--formats', 'nf4,2:4+fp9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'2:4+fp9'");
    expect(r.stdout).toBe('');
  });
});
