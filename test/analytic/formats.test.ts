import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Gaussian, Laplace, StudentT, Truncated, Uniform, type Distribution } from '../../src/analytic/distribution.js';
import { Empirical } from '../../src/analytic/empirical.js';
import { optimalStep, quantMse, signedGrid } from '../../src/analytic/errors.js';
import { evaluateFormat, parseFormat, parseFormats } from '../../src/analytic/formats.js';
import { levelQuantMse, optimalLevelScale } from '../../src/analytic/levels.js';
import { KeptDistribution, nmPruneError, parseNM } from '../../src/analytic/nm.js';
import { PvqInputError } from '../../src/core/errors.js';
import { parseFormatSyntax, UnknownFormatError } from '../../src/formats/spec.js';
import { Rng } from '../../src/core/random.js';
import { intBitsLevels, levelsOfFormat, nearestLevelIndex } from '../../src/formats/levels.js';
import { runCli } from '../helpers/cli.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('quantization onto a level set', () => {
  it('agrees with the uniform-grid MSE (1e-10 relative) and optimal step when the levels are INT-b', () => {
    const dists: Distribution[] = [new Gaussian(), new Laplace(), new StudentT(5), new Uniform(), new Truncated(new StudentT(2), 20)];
    for (const d of dists) {
      for (const b of [2, 4, 8]) {
        const L = intBitsLevels(b);
        const g = signedGrid(b);
        const o = optimalStep(d, g);
        for (const f of [0.37, 1, 2.9]) expect(rel(levelQuantMse(d, o.step * f, L), quantMse(d, o.step * f, g))).toBeLessThan(1e-10);
        const q = optimalLevelScale(d, L);
        expect(rel(q.mse, o.mse)).toBeLessThan(1e-10);
        expect(rel(q.scale, o.step)).toBeLessThan(1e-8);
      }
    }
  });

  it('FP4 E2M1 on U[-6, 6] at scale 1: the hand-computed 7/48', () => {
    // positive half: cells about 0, .5, 1, 1.5, 2, 3, 4, 6 with midpoints .25, .75, 1.25, 1.75, 2.5, 3.5, 5 and the
    // support end 6: Σ ((u-c)^3 - (l-c)^3)/3 = 2.625/3; both halves, density 1/12: 2 * 0.875 / 12 = 7/48
    expect(rel(levelQuantMse(new Uniform(6), 1, levelsOfFormat('fp4')), 7 / 48)).toBeLessThan(1e-14);
    // at scale 1/2 the outer cells clip: [2.5, 3] about 3 is inside, beyond 3 the tail ∫_3^6 (w-3)^2/12 = 27/36
    const half = 2 * ((0.125 ** 3 / 3 + 3 * ((2 * 0.125 ** 3) / 3) + (0.25 ** 3 + 0.125 ** 3) / 3 + (2 * 0.25 ** 3) / 3 + (0.5 ** 3 + 0.25 ** 3) / 3 + 0.5 ** 3 / 3) / 12 + 27 / 36);
    expect(rel(levelQuantMse(new Uniform(6), 0.5, levelsOfFormat('fp4')), half)).toBeLessThan(1e-14);
  });

  it('the optimal scale is no worse than a fine global scan (FP4, NF4, FP8 E4M3; Gaussian, Laplace, t5)', () => {
    for (const d of [new Gaussian(), new Laplace(), new StudentT(5)]) {
      for (const f of ['fp4', 'nf4', 'fp8-e4m3']) {
        const L = levelsOfFormat(f);
        const q = optimalLevelScale(d, L);
        const Lmax = Math.max(-L[0], L[L.length - 1]);
        let best = Infinity;
        const pts = 4000;
        for (let i = 0; i <= pts; i++) best = Math.min(best, levelQuantMse(d, (0.3 / Lmax) * Math.pow(300 / 0.3, i / pts), L));
        expect(q.mse).toBeLessThanOrEqual(best * (1 + 1e-12));
        expect(q.mse).toBeGreaterThan(best * (1 - 2e-3)); // the scan is fine enough to come close
      }
    }
  });

  it('matches Monte Carlo on 10^6 samples within 5 standard errors', () => {
    const rng = new Rng(2024);
    const N = 1_000_000;
    const cases: [Distribution, () => number, string][] = [
      [new Gaussian(), () => rng.normal(), 'fp4'],
      [new Gaussian(), () => rng.normal(), 'nf4'],
      [new Laplace(), () => (rng.uniform() < 0.5 ? 1 : -1) * -Math.log(1 - rng.uniform()), 'fp4'],
      [new StudentT(5), () => rng.studentT(5), 'fp8-e4m3'],
    ];
    for (const [d, draw, f] of cases) {
      const L = levelsOfFormat(f);
      const s = optimalLevelScale(d, L).scale;
      let se = 0;
      let se2 = 0;
      for (let i = 0; i < N; i++) {
        const w = draw();
        const e = (w - s * L[nearestLevelIndex(L, w / s)]) ** 2;
        se += e;
        se2 += e * e;
      }
      const m = se / N;
      const sd = Math.sqrt((se2 / N - m * m) / N);
      expect(Math.abs(levelQuantMse(d, s, L) - m)).toBeLessThan(5 * sd);
    }
  });

  it('N(0,1) at 4 bits: NF4 > INT4 > FP4 in SNR (values of the README table)', () => {
    const g = new Gaussian();
    const r = ['int4', 'fp4', 'nf4'].map((f) => optimalLevelScale(g, levelsOfFormat(f)).snrDb);
    expect(r[0]).toBeCloseTo(19.2577, 3);
    expect(r[1]).toBeCloseTo(18.9671, 3);
    expect(r[2]).toBeCloseTo(20.0439, 3);
  });
});

describe('N:M pruning of iid weights', () => {
  it('1:2 on N(0,1): E[min(|X1|,|X2|)^2] / 2 = (1 - 2/pi) / 2', () => {
    expect(rel(nmPruneError(new Gaussian(), { N: 1, M: 2 }).mse, (1 - 2 / Math.PI) / 2)).toBeLessThan(1e-10);
  });
  it('uniform: order statistics of |X| ~ U[0, a] give (a^2/M) Σ_{k<=M-N} k(k+1)/((M+1)(M+2))', () => {
    for (const [N, M] of [[2, 4], [1, 4], [4, 8], [1, 2]]) {
      let s = 0;
      for (let k = 1; k <= M - N; k++) s += (k * (k + 1)) / ((M + 1) * (M + 2));
      const a = 1.7;
      expect(rel(nmPruneError(new Uniform(a), { N, M }).mse, (a * a * s) / M)).toBeLessThan(1e-10);
    }
  });
  it('matches Monte Carlo (2:4 Gaussian, 1:4 Laplace, 2:4 t5; 10^6 weights) within 5 standard errors', () => {
    const rng = new Rng(7);
    const cases: [Distribution, () => number, number, number][] = [
      [new Gaussian(), () => rng.normal(), 2, 4],
      [new Laplace(), () => (rng.uniform() < 0.5 ? 1 : -1) * -Math.log(1 - rng.uniform()), 1, 4],
      [new StudentT(5), () => rng.studentT(5), 2, 4],
    ];
    for (const [d, draw, N, M] of cases) {
      const groups = 1_000_000 / M;
      let s = 0;
      let s2 = 0;
      const g = new Float64Array(M);
      for (let i = 0; i < groups; i++) {
        for (let j = 0; j < M; j++) g[j] = draw() ** 2;
        g.sort();
        let e = 0;
        for (let j = 0; j < M - N; j++) e += g[j];
        e /= M; // per weight
        s += e;
        s2 += e * e;
      }
      const m = s / groups;
      const sd = Math.sqrt((s2 / groups - m * m) / groups);
      expect(Math.abs(nmPruneError(d, { N, M }).mse - m)).toBeLessThan(5 * sd);
    }
  });
  it('empirical law: exact against enumeration of all M-tuples of draws (ties included)', () => {
    const xs = [0.5, -0.5, 2, -1, 0.1];
    const emp = new Empirical(xs);
    for (const [N, M] of [[1, 2], [2, 3], [1, 3]]) {
      let total = 0;
      let count = 0;
      const idx = new Array(M).fill(0);
      for (;;) {
        const sq = idx.map((i) => xs[i] ** 2).sort((a, b) => a - b);
        total += sq.slice(0, M - N).reduce((a, b) => a + b, 0) / M;
        count++;
        let k = 0;
        while (k < M && ++idx[k] === xs.length) idx[k++] = 0;
        if (k === M) break;
      }
      expect(rel(nmPruneError(emp, { N, M }).mse, total / count)).toBeLessThan(1e-12);
    }
  });
  it('the kept-weight law integrates to 1 and conserves energy: (N/M) E_kept[W^2] + E_nm = E[W^2]', () => {
    const d = new Gaussian();
    const k = new KeptDistribution(d, { N: 2, M: 4 });
    expect(rel(k.partialMoments(-Infinity, Infinity)[0], 1)).toBeLessThan(1e-9);
    expect(rel(0.5 * k.secondMoment() + nmPruneError(d, { N: 2, M: 4 }).mse, 1)).toBeLessThan(1e-9);
  });
  it('2:4 + FP4 matches Monte Carlo (prune each group of 4, quantize the kept at the reported scale)', () => {
    const d = new Gaussian();
    const spec = parseFormat('2:4+fp4');
    const r = evaluateFormat(d, spec);
    const L = levelsOfFormat('fp4');
    const rng = new Rng(99);
    const groups = 250_000;
    let s = 0;
    let s2 = 0;
    const g = new Float64Array(4);
    for (let i = 0; i < groups; i++) {
      for (let j = 0; j < 4; j++) g[j] = rng.normal();
      const order = [0, 1, 2, 3].sort((a, b) => Math.abs(g[a]) - Math.abs(g[b]));
      let e = g[order[0]] ** 2 + g[order[1]] ** 2;
      for (const j of [order[2], order[3]]) e += (g[j] - r.scale! * L[nearestLevelIndex(L, g[j] / r.scale!)]) ** 2;
      e /= 4;
      s += e;
      s2 += e * e;
    }
    const m = s / groups;
    const sd = Math.sqrt((s2 / groups - m * m) / groups);
    expect(Math.abs(r.mse - m)).toBeLessThan(5 * sd);
    expect(r.pruneMse! + r.quantMse!).toBeCloseTo(r.mse, 15);
  });
});

describe('one format parser (src/formats/spec.ts) behind both --formats options', () => {
  it('parses the grammar into sparsity, value and group size', () => {
    expect(parseFormatSyntax(' 2:4+INT8/g32 ')).toMatchObject({ name: '2:4+int8/g32', sparsity: { kind: 'nm', N: 2, M: 4 }, value: { kind: 'int', bits: 8, signed: true }, groupSize: 32 });
    expect(parseFormatSyntax('unstructured@0.25+int4')).toMatchObject({ sparsity: { kind: 'unstructured', ratio: 0.25 }, value: { kind: 'int', bits: 4 }, groupSize: null });
    expect(parseFormatSyntax('fp8')).toMatchObject({ sparsity: null, value: { kind: 'levels', name: 'fp8' } });
    expect(Array.from((parseFormatSyntax('nf4/g64').value as { levels: Float64Array }).levels)).toEqual(Array.from(levelsOfFormat('nf4')));
    expect(parseFormatSyntax('int')).toMatchObject({ value: { kind: 'int', bits: null } });
    expect(parseFormatSyntax('prune')).toMatchObject({ sparsity: { kind: 'prune' }, value: null });
    expect(() => parseFormatSyntax('fp5')).toThrow(UnknownFormatError);
    expect(() => parseFormatSyntax('prune+int4')).toThrow(UnknownFormatError);
    expect(() => parseFormatSyntax('int17')).toThrow(/'int17': integer formats need 1..16 bits/);
    expect(() => parseFormatSyntax('4:2')).toThrow(/N:M needs 1 <= N < M/);
  });
  it('the distribution commands refuse what they cannot evaluate, naming the format', () => {
    for (const bad of ['int', 'prune', 'unstructured@0.5', 'int4/g32', '2:4+int8/g32', '2:128'])
      expect(() => parseFormat(bad), bad).toThrow(new RegExp(bad.replace(/[+/.]/g, (c) => `\\${c}`)));
  });
});

describe('format lists', () => {
  it('bits per weight from src/formats/bits.ts', () => {
    const [i4, f4, n4, f8, nm, nm8] = parseFormats('int4,fp4,nf4,fp8-e4m3,2:4,2:4+int8');
    expect([i4.bitsPerWeight, f4.bitsPerWeight, n4.bitsPerWeight, f8.bitsPerWeight]).toEqual([4, 4, 4, 8]);
    expect(nm.bitsPerWeight).toBeCloseTo(8 + Math.log2(6) / 4, 12);
    expect(nm8.bitsPerWeight).toBeCloseTo(4 + Math.log2(6) / 4, 12);
  });
  it('bad names throw PvqInputError naming the format', () => {
    for (const bad of ['fp5', '3:2', '2:4+fp5', 'int4,int4', '2:4+int8+nf4', '']) {
      let err: unknown;
      try {
        parseFormats(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PvqInputError);
      if (bad && !bad.includes(',')) expect(String((err as Error).message)).toContain(bad);
    }
    expect(() => parseNM('0:4')).toThrow(PvqInputError);
  });
});

describe('pvq analytic --formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvq-fmt-'));
  it('JSON rows per format; table; plot', async () => {
    const r = await runCli(['analytic', '--dist', 'gaussian', '--formats', 'int4,fp4,nf4,2:4', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['dist', 'params', 'variance', 'excessKurtosis', 'formats']);
    expect(j.formats.map((f: { format: string }) => f.format)).toEqual(['int4', 'fp4', 'nf4', '2:4']);
    expect(j.formats[0].scale).toBeCloseTo(0.338608, 6);
    expect(j.formats[3].snrDb).toBeCloseTo(nmPruneError(new Gaussian(), { N: 2, M: 4 }).snrDb, 10);
    const t = await runCli(['analytic', '--format', 'fp4', '--dist', 'laplace']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/fp4\s+4\.000/);
    const svg = join(dir, 'f.svg');
    expect((await runCli(['analytic', '--formats', 'int4,nf4', '--plot', svg])).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toContain('<svg');
  });
  it('a bad format name exits 2 naming it', async () => {
    expect((await runCli(['analytic', '--formats', 'int4', '--bits', '4'])).stderr).toContain('--bits');
    const r = await runCli(['analytic', '--formats', 'int4,fp5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'fp5'");
    expect(r.stdout).toBe('');
  });
});
