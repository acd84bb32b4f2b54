import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../../src/io/npy.js';
import { readProblemSet } from '../../../src/io/problem-file.js';
import { REFERENCE_DIR, referenceCases } from '../../../problems/reference-set.js';
import { REPO, runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-cmd-'));
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('pvq solve reproduces the reference baselines', () => {
  for (const c of referenceCases()) {
    it(`${c.name}: rtn, magnitude, magnitude-refit`, async () => {
      const file = join(REFERENCE_DIR, `${c.name}.json`);
      const rtn = JSON.parse((await runCli(['solve', file, '--solver', 'rtn', '--json'])).stdout);
      expect(rel(rtn.upperBound, c.expected.rtn_quant)).toBeLessThan(1e-9);
      expect(rtn.solution).toEqual(c.expected.rtn_z);
      expect(rtn.lowerBound).toBe(0);
      const mag = JSON.parse((await runCli(['solve', file, '--solver', 'magnitude', '--no-prune-box', '--json'])).stdout);
      expect(rel(mag.upperBound, c.expected.mag_prune)).toBeLessThan(1e-9);
      const refit = JSON.parse((await runCli(['solve', file, '--solver', 'magnitude-refit', '--no-prune-box', '--json'])).stdout);
      expect(rel(refit.upperBound, c.expected.mag_prune_refit)).toBeLessThan(1e-9);
      for (const r of [rtn, mag, refit]) {
        expect(r.problem).toBe(c.name);
        expect(typeof r.stats.timeMs).toBe('number');
        expect(r.status).toBe('feasible');
      }
    });
  }
});

describe('pvq solve output', () => {
  it('prints the result object with the documented fields and writes -o atomically', async () => {
    const out = join(dir, 'res.json');
    const file = join(REFERENCE_DIR, 'pub05_n8_b4.json');
    const r = await runCli(['solve', file, '--solver', 'quant-exact', '--json', '-o', out]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['solver', 'problem', 'lowerBound', 'upperBound', 'status', 'solution', 'relGap', 'stats']) expect(j).toHaveProperty(k);
    expect(j.status).toBe('optimal');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(j);
    const text = await runCli(['solve', file, '--solver', 'sdp']);
    expect(text.stdout).toMatch(/status\s+/);
    expect(text.stdout).toMatch(/certificate /);
  });

  it('--check passes on consistent solvers', async () => {
    const file = join(REFERENCE_DIR, 'pub02_n4_b3.json');
    const r = await runCli(['solve', file, '--solver', 'sdp-box', '--check']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/consistent/);
  });

  it('lists the solvers', async () => {
    const r = await runCli(['solvers', '--json']);
    const names = JSON.parse(r.stdout).solvers.map((s: { name: string }) => s.name);
    for (const n of ['rtn', 'sdp', 'sdp-box', 'quant-exact', 'magnitude', 'magnitude-refit', 'prune-exact']) expect(names).toContain(n);
  });
});

describe('pvq compare', () => {
  it('runs on the shipped default layer with proven verdicts', async () => {
    const r = await runCli(['compare', '--json', '--no-progress']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.channels.length).toBeGreaterThanOrEqual(4);
    for (const c of j.channels) {
      expect(c.quant.lowerBound).toBeLessThanOrEqual(c.quant.upperBound);
      expect(c.prune.lowerBound).toBeLessThanOrEqual(c.prune.upperBound);
      if (c.proven && c.winner === 'quantization') expect(c.quant.upperBound).toBeLessThan(c.prune.lowerBound);
    }
    expect(j.aggregates).toHaveLength(1);
  });

  it('builds a Linear layer from .npy with chunking: G and r equal a direct computation', async () => {
    const out = join(dir, 'layer.json');
    const Xf = join(REPO, 'problems/data/default_X.npy');
    const Wf = join(REPO, 'problems/data/default_W.npy');
    const r = await runCli(['build', '--type', 'linear', '--acts', Xf, '--weights', Wf, '--bits', '4', '--opt-dim', '16', '--channels', '2', '-o', out]);
    expect(r.code).toBe(0);
    const set = readProblemSet(out);
    const X = readNpy(Xf);
    const W = readNpy(Wf);
    const [rows, nin] = X.shape;
    const chunks = Math.ceil(nin / 16);
    expect(set.problems).toHaveLength(2 * chunks);
    for (const p of set.problems) {
      const chunk = p.meta.chunk as { inputs: [number, number] };
      const ch = p.meta.channel as number;
      const [f, l] = chunk.inputs;
      const n = l - f;
      expect(p.n).toBe(n);
      // direct: G = A^T A on the chunk's columns, r = ||A w||^2
      let rDirect = 0;
      for (let t = 0; t < rows; t++) {
        let y = 0;
        for (let j = 0; j < n; j++) y += X.data[t * nin + f + j] * W.data[ch * nin + f + j];
        rDirect += y * y;
      }
      expect(rel(p.objective.r, rDirect)).toBeLessThan(1e-10);
      for (const [i, j] of [[0, 0], [0, n - 1], [n - 1, 1]]) {
        let g = 0;
        for (let t = 0; t < rows; t++) g += X.data[t * nin + f + i] * X.data[t * nin + f + j];
        expect(rel(p.objective.G[i * n + j], g)).toBeLessThan(1e-12);
      }
    }
    const cmp = await runCli(['compare', out, '--no-progress']);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/ch 1 \/ chunk 1/);
    expect(cmp.stdout).toMatch(/aggregate/);
  });

  it('--opt-dim full builds whole rows, the same file as no --opt-dim', async () => {
    const Xf = join(REPO, 'problems/data/default_X.npy');
    const Wf = join(REPO, 'problems/data/default_W.npy');
    const full = join(dir, 'full.json');
    const plain = join(dir, 'plain.json');
    const args = ['build', '--type', 'linear', '--acts', Xf, '--weights', Wf, '--bits', '4', '--channels', '2'];
    expect((await runCli([...args, '--opt-dim', 'full', '-o', full])).code).toBe(0);
    expect((await runCli([...args, '-o', plain])).code).toBe(0);
    const a = readProblemSet(full);
    expect(a.problems).toHaveLength(2);
    expect(a.problems[0].n).toBe(readNpy(Xf).shape[1]);
    expect(readFileSync(full, 'utf8')).toBe(readFileSync(plain, 'utf8'));
  });
});
