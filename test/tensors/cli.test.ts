import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/io/npy.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { Rng } from '../../src/core/random.js';
import { tensorStats } from '../../src/tensors/stats.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-at-'));

describe('pvq analytic', () => {
  it('prints the JSON contract for N(0,1)', async () => {
    const r = await runCli(['analytic', '--dist', 'gaussian', '--bits', '2,4,8', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['dist', 'params', 'variance', 'excessKurtosis', 'rows']);
    expect(j.dist).toBe('gaussian');
    expect(j.variance).toBeCloseTo(1, 12);
    expect(j.rows.map((x: any) => x.bits)).toEqual([2, 4, 8]);
    const r4 = j.rows[1];
    expect(Object.keys(r4.quant)).toEqual(['step', 'mse', 'snrDb']);
    expect(Object.keys(r4.prune)).toEqual(['sparsity', 'threshold', 'mse', 'snrDb']);
    expect(r4.quant.step).toBeCloseTo(0.33861, 5);
    expect(r4.quant.snrDb).toBeCloseTo(19.258, 3);
    expect(r4.prune.sparsity).toBe(0.75);
    expect(r4.prune.snrDb).toBeCloseTo(5.585, 3);
  });
  it('student-t by kurtosis and truncation; table output; plot written', async () => {
    const j = JSON.parse((await runCli(['analytic', '--dist', 'student-t', '--kurtosis', '6', '--bits', '3', '--json'])).stdout);
    expect(j.params.nu).toBe(5);
    expect(j.excessKurtosis).toBeCloseTo(6, 10);
    const t = JSON.parse((await runCli(['analytic', '--dist', 'student-t', '--nu', '2', '--truncate', '20', '--bits', '2,4', '--json'])).stdout);
    expect(t.params).toEqual({ nu: 2, truncate: 20 });
    expect(t.rows[0].prune.snrDb).toBeGreaterThan(t.rows[0].quant.snrDb);
    expect(t.rows[1].prune.snrDb).toBeLessThan(t.rows[1].quant.snrDb);
    const svg = join(dir, 'snr.svg');
    const r = await runCli(['analytic', '--dist', 'laplace', '--bits', '2,3', '--plot', svg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/laplace/);
    expect(r.stdout).toMatch(/quant/);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
  });
  it('bad input exits 2 with one line on stderr', async () => {
    for (const args of [['--dist', 'cauchy'], ['--dist', 'student-t'], ['--dist', 'gaussian', '--bits', '1'], ['--dist', 'student-t', '--nu', '-1'], ['--dist', 'student-t', '--nu', '2']]) {
      const r = await runCli(['analytic', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^pvq: error: /);
      expect(r.stdout).toBe('');
    }
  });
  it('custom expression density and samples', async () => {
    const j = JSON.parse((await runCli(['analytic', '--pdf', '1', '--support', '-1,1', '--bits', '3', '--json'])).stdout);
    // uniform on [-1, 1] is the reference uniform on [-sqrt 3, sqrt 3] scaled by 1/sqrt 3 (mpmath step 0.4754649275679271)
    expect(Math.abs(j.rows[0].quant.step - 0.4754649275679271 / Math.sqrt(3))).toBeLessThan(1e-8);
    expect(j.rows[0].quant.snrDb).toBeCloseTo(16.9086, 3);
    const f = join(dir, 's.npy');
    const rng = new Rng(1);
    writeFileSync(f, encodeNpy(Float64Array.from({ length: 2000 }, () => rng.normal()), [2000]));
    const s = JSON.parse((await runCli(['analytic', '--samples', f, '--bits', '4', '--json'])).stdout);
    expect(s.rows[0].quant.snrDb).toBeGreaterThan(17);
    expect(s.rows[0].quant.snrDb).toBeLessThan(21);
  });
});

describe('pvq tensors', () => {
  const rng = new Rng(4);
  const w = Float32Array.from({ length: 600 }, () => 0.05 * rng.normal());
  const npy = join(dir, 'layer1.npy');
  writeFileSync(npy, encodeNpy(w, [20, 30]));
  it('a .npy file is one tensor named after the file; fields match the library', async () => {
    const r = await runCli(['tensors', npy, '--bits', '2,4', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tensors.length).toBe(2);
    const lib = tensorStats('layer1', [20, 30], w, [2, 4]);
    for (let i = 0; i < 2; i++) {
      const t = j.tensors[i];
      expect(t.name).toBe('layer1');
      expect(t.shape).toEqual([20, 30]);
      for (const k of ['bits', 'sample_kurtosis', 'quant_sqnr', 'quant_mse', 'quant_sparsity', 'pruning_sqnr', 'pruning_mse', 'pruning_sqnr_corrected', 'pruning_mse_corrected'])
        expect(t[k]).toBe((lib[i] as any)[k]);
    }
  });
  it('folders, safetensors (rank >= 2 only), the table, and the scatter plot', async () => {
    const sub = mkdtempSync(join(dir, 'models-'));
    writeFileSync(join(sub, 'a.npy'), encodeNpy(w, [600]));
    writeFileSync(join(sub, 'm.safetensors'), encodeSafetensors(new Map([['fc.weight', { shape: [10, 60], data: w }], ['fc.bias', { shape: [600], data: w }]])));
    const svg = join(dir, 'scatter.svg');
    const r = await runCli(['tensors', sub, '--bits', '4', '--plot', svg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fc\.weight/);
    expect(r.stdout).not.toMatch(/fc\.bias/);
    expect(r.stdout).toMatch(/4 bits: pruning wins 0\/2/);
    expect(existsSync(svg)).toBe(true);
  });
  it('rejects NaN tensors and unknown files clearly (exit 2)', async () => {
    const bad = join(dir, 'bad.npy');
    const v = Float32Array.from([1, NaN, 2]);
    writeFileSync(bad, encodeNpy(v, [3]));
    const r = await runCli(['tensors', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NaN/);
    expect((await runCli(['tensors', join(dir, 'nope.onnx')])).code).toBe(2);
    expect((await runCli(['tensors', npy, '--bits', '2,x'])).code).toBe(2);
  });
});

describe('pvq tensors --plot-map', () => {
  it('writes the win-rate map', async () => {
    const f = join(dir, 'w.npy');
    const rng = new Rng(6);
    writeFileSync(f, encodeNpy(Float32Array.from({ length: 300 }, () => rng.studentT(3)), [300]));
    const svg = join(dir, 'map.svg');
    const r = await runCli(['tensors', f, '--bits', '2,4', '--plot-map', svg, '--json']);
    expect(r.code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    expect((await runCli(['tensors', f, '--plot-map', 'x.png'])).code).toBe(2);
  });
});
