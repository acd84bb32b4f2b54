import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { levelGridScale, parseFormats, type FormatCompareResult } from '../../../study/compare/formats.js';
import { levelsOfFormat } from '../../../src/formats/levels.js';
import { paperRangeSearch } from '../../../src/formats/range.js';
import { getSolver } from '../../../solvers/index.js';
import { Rng } from '../../../src/core/random.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-formats-'));
const n = 4;

/** Three channels of a toy 4-input layer (fixed seed): G = A^T A / rows + 0.05 I, Student-like weights. */
function toyLayer(): { G: number[][]; w: number[] }[] {
  const rng = new Rng(7);
  const out: { G: number[][]; w: number[] }[] = [];
  for (let c = 0; c < 3; c++) {
    const rows = 12;
    const A = Array.from({ length: rows }, () => Array.from({ length: n }, () => rng.normal()));
    const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => A.reduce((s, a) => s + a[i] * a[j], 0) / rows + (i === j ? 0.05 : 0)));
    const w = Array.from({ length: n }, () => rng.normal() * (0.3 + 0.4 * rng.uniform()));
    out.push({ G, w });
  }
  return out;
}

const layer = toyLayer();
const allW = layer.flatMap((c) => c.w);
const scale4 = 0.09; // the file's INT4 scale
const file = join(dir, 'toy.json');
writeFileSync(
  file,
  JSON.stringify(layer.map((c, i) => ({ name: `toy/out${i}`, n, G: c.G, w: c.w, scale: scale4, zmin: -8, zmax: 7, k: 1, meta: { layer: 'toy', kind: 'full-row', channel: i, bits: 4 } }))),
);

const err = (G: number[][], w: number[], v: number[]): number => {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += (w[i] - v[i]) * G[i][j] * (w[j] - v[j]);
  return s;
};

/** Brute force over every point of a per-coordinate value set, with at most `maxNnz` nonzeros. */
function bruteGrid(G: number[][], w: number[], values: number[], maxNnz = n): number {
  let best = Infinity;
  const v = new Array<number>(n).fill(0);
  const rec = (i: number, nnz: number): void => {
    if (i === n) {
      best = Math.min(best, err(G, w, v));
      return;
    }
    for (const x of values) {
      if (x !== 0 && nnz >= maxNnz) continue;
      v[i] = x;
      rec(i + 1, nnz + (x !== 0 ? 1 : 0));
    }
    v[i] = 0;
  };
  rec(0, 0);
  return best;
}

/** Best real weights on a support: error = r - b_S^T G_SS^{-1} b_S, b = G w (Gaussian elimination). */
function lsOnSupport(G: number[][], w: number[], S: number[]): number {
  const b = G.map((row) => row.reduce((s, g, j) => s + g * w[j], 0));
  const r = w.reduce((s, wi, i) => s + wi * b[i], 0);
  const m = S.length;
  const M = S.map((i, a) => [...S.map((j) => G[i][j]), b[S[a]]]);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let q = c + 1; q < m; q++) if (Math.abs(M[q][c]) > Math.abs(M[p][c])) p = q;
    [M[c], M[p]] = [M[p], M[c]];
    for (let q = 0; q < m; q++) {
      if (q === c) continue;
      const f = M[q][c] / M[c][c];
      for (let k = c; k <= m; k++) M[q][k] -= f * M[c][k];
    }
  }
  let fit = 0;
  for (let a = 0; a < m; a++) fit += b[S[a]] * (M[a][m] / M[a][a]);
  return r - fit;
}

function bruteSupport(G: number[][], w: number[], k: number): number {
  let best = Infinity;
  for (let mask = 0; mask < 1 << n; mask++) {
    const S = [...Array(n).keys()].filter((i) => mask & (1 << i));
    if (S.length === k) best = Math.min(best, lsOnSupport(G, w, S));
  }
  return best;
}

const ints = (B: number): number[] => Array.from({ length: 2 ** B }, (_, i) => i - 2 ** (B - 1));

describe('pvq compare --formats', () => {
  it('every interval is exact on a toy layer (n = 4) and equals brute force; the ranking and "proven" marks follow', async () => {
    const run = await runCli(['compare', file, '--formats', 'int4,fp4,nf4,2:4,unstructured@0.5+int4,2:4+int4,prune', '--no-prune-box', '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const res = JSON.parse(run.stdout) as FormatCompareResult;
    // independent values: brute force per channel, summed
    const fp4 = levelsOfFormat('fp4');
    const nf4 = levelsOfFormat('nf4');
    const sFp4 = levelGridScale(allW, fp4);
    const sNf4 = levelGridScale(allW, nf4);
    const expected: Record<string, number> = { int4: 0, fp4: 0, nf4: 0, '2:4': 0, 'unstructured@0.5+int4': 0, '2:4+int4': 0, prune: 0 };
    for (const { G, w } of layer) {
      expected.int4 += bruteGrid(G, w, ints(4).map((z) => scale4 * z));
      expected.fp4 += bruteGrid(G, w, Array.from(fp4, (x) => sFp4 * x));
      expected.nf4 += bruteGrid(G, w, Array.from(nf4, (x) => sNf4 * x));
      expected['2:4'] += bruteSupport(G, w, 2); // n = 4: one group of 4, i.e. keep 2
      // joint formats keep the file's INT4 grid (same bits): at most 2 nonzeros (n = 4 is one 2:4 group)
      expected['unstructured@0.5+int4'] += bruteGrid(G, w, ints(4).map((z) => scale4 * z), 2);
      expected['2:4+int4'] += bruteGrid(G, w, ints(4).map((z) => scale4 * z), 2);
      expected.prune += bruteSupport(G, w, 1);
    }
    const [agg] = res.aggregates;
    expect(agg.group).toBe('toy');
    expect(agg.ranking).toHaveLength(7);
    for (const row of agg.ranking) {
      const e = expected[row.format];
      expect(row.exactChannels, row.format).toBe(3);
      // upper end: the optimum (rounding only); lower end: a proof, never above it, within the 1e-9 optimality gap
      expect(Math.abs(row.error[1] - e), row.format).toBeLessThanOrEqual(1e-12 * e + 1e-15);
      expect(row.error[0], row.format).toBeLessThanOrEqual(e * (1 + 1e-12));
      expect(row.error[0], row.format).toBeGreaterThanOrEqual(e * (1 - 2e-9));
    }
    // ranked by the (exact) errors, ascending; "proven better" exactly when the next error is larger
    const order = Object.entries(expected).sort((a, b) => a[1] - b[1] || 0);
    const got = agg.ranking.map((r) => r.format);
    for (let j = 0; j + 1 < got.length; j++) {
      expect(expected[got[j]]).toBeLessThanOrEqual(expected[got[j + 1]] * (1 + 1e-9));
      const gap = expected[got[j + 1]] - expected[got[j]];
      if (gap > 1e-9 * expected[got[j + 1]]) expect(agg.ranking[j].provenBetterThanNext, `${got[j]} vs ${got[j + 1]}`).toBe(true);
      if (gap === 0) expect(agg.ranking[j].provenBetterThanNext).toBe(false);
      // with exact intervals, "proven better than" is every format with a strictly larger error
      expect(new Set(agg.ranking[j].provenBetterThan)).toEqual(new Set(got.filter((g) => expected[g] > expected[got[j]] * (1 + 1e-9))));
    }
    expect(new Set(got)).toEqual(new Set(order.map(([k]) => k)));
    // the two identical feasible sets on n = 4 tie exactly, and a tie is never "proven better"
    const iU = got.indexOf('unstructured@0.5+int4');
    const iN = got.indexOf('2:4+int4');
    expect(Math.abs(iU - iN)).toBe(1);
    expect(agg.ranking[Math.min(iU, iN)].provenBetterThanNext).toBe(false);
    // bits per weight: value + one FP16 scale per tensor of 12 weights + metadata
    const bits = Object.fromEntries(agg.ranking.map((r) => [r.format, r.bitsPerWeight]));
    expect(bits.int4).toBeCloseTo(4 + 16 / 12, 12);
    expect(bits['2:4']).toBeCloseTo(8 + Math.log2(6) / 4, 12);
    expect(bits['unstructured@0.5+int4']).toBeCloseTo(2 + 16 / 12 + 1, 12);
    expect(bits.prune).toBeCloseTo(4, 12); // the paper's rule: k/n * 16, metadata free
    // the text table ranks the same way
    const text = await runCli(['compare', file, '--formats', 'int4,fp4,prune', '--no-prune-box', '--no-progress']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/1\. (int4|fp4)/);
    expect(text.stdout).toMatch(/3\. prune/);
  });

  it('group scales (/gG): per-group scales by the same rules, intervals = brute force in the original weights, scale bits 16 per group', async () => {
    const run = await runCli(['compare', file, '--formats', 'int4/g2,fp4/g2,2:4+int4/g2,int4/g3', '--no-prune-box', '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const res = JSON.parse(run.stdout) as FormatCompareResult;
    const fp4 = levelsOfFormat('fp4');
    const expected: Record<string, number> = { 'int4/g2': 0, 'fp4/g2': 0, '2:4+int4/g2': 0, 'int4/g3': 0 };
    /** Brute force with value set values(i) at coordinate i (scale of its group times the grid), at most maxNnz nonzeros. */
    const brute = (G: number[][], w: number[], values: (i: number) => number[], maxNnz = n): number => {
      let best = Infinity;
      const v = new Array<number>(n).fill(0);
      const rec = (i: number, nnz: number): void => {
        if (i === n) return void (best = Math.min(best, err(G, w, v)));
        for (const x of values(i)) {
          if (x !== 0 && nnz >= maxNnz) continue;
          v[i] = x;
          rec(i + 1, nnz + (x !== 0 ? 1 : 0));
        }
      };
      rec(0, 0);
      return best;
    };
    layer.forEach(({ G, w }, c) => {
      const sInt = (g: number) => (i: number) => paperRangeSearch(w.slice(Math.floor(i / g) * g, Math.floor(i / g) * g + g), 4, { signed: true }).scale;
      const sFp = (i: number) => levelGridScale(w.slice(Math.floor(i / 2) * 2, Math.floor(i / 2) * 2 + 2), fp4);
      expected['int4/g2'] += brute(G, w, (i) => ints(4).map((z) => sInt(2)(i) * z));
      expected['int4/g3'] += brute(G, w, (i) => ints(4).map((z) => sInt(3)(i) * z));
      expected['fp4/g2'] += brute(G, w, (i) => Array.from(fp4, (x) => sFp(i) * x));
      expected['2:4+int4/g2'] += brute(G, w, (i) => ints(4).map((z) => sInt(2)(i) * z), 2);
      // the reported per-input scales are the group rule's
      const q = res.channels[c].outcomes['int4/g2']!.params.scales as number[];
      expect(q).toEqual([0, 1, 2, 3].map(sInt(2)));
    });
    const [agg] = res.aggregates;
    for (const row of agg.ranking) {
      const e = expected[row.format];
      expect(row.exactChannels, row.format).toBe(3);
      expect(Math.abs(row.error[1] - e), row.format).toBeLessThanOrEqual(1e-9 * e + 1e-15);
      expect(row.error[0], row.format).toBeLessThanOrEqual(e * (1 + 1e-9));
    }
    const bits = Object.fromEntries(agg.ranking.map((r) => [r.format, r.bitsPerWeight]));
    expect(bits['int4/g2']).toBeCloseTo(4 + 16 / 2, 12);
    expect(bits['int4/g3']).toBeCloseTo(4 + (16 * 2) / 4, 12); // two groups (3 + 1) on 4 weights
    expect(bits['2:4+int4/g2']).toBeCloseTo(2 + 8 + Math.log2(6) / 4, 12);
    for (const [spec, msg] of [
      ['int4/x', /'int4\/x': a group scale is written \/gG/],
      ['prune/g32', /'prune\/g32': a group scale \/g32 needs a value format/],
      ['int4/g0', /group size G of \/gG must be an integer >= 1/],
    ] as const)
      expect(() => parseFormats(spec), spec).toThrow(msg);
  });

  it('--bits-per-weight picks, per family, the largest configuration within the budget', async () => {
    const run = await runCli(['compare', file, '--formats', 'int,unstructured+int4,2:4+int,fp4', '--bits-per-weight', '4', '--no-prune-box', '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const res = JSON.parse(run.stdout) as FormatCompareResult;
    const sc = 16 / 12; // scale bits per weight
    const ch = res.channels[0].outcomes;
    // int: B + 4/3 <= 4 -> B = 2
    expect(ch.int!.params).toMatchObject({ zmin: -2, zmax: 1 });
    // unstructured+int4: 4k/4 + 1 + 4/3 <= 4 -> k = 1
    expect(ch['unstructured+int4']!.params).toMatchObject({ k: 1 });
    // 2:4+int: B/2 + log2(6)/4 + 4/3 <= 4 -> B = 4
    expect(ch['2:4+int']!.params).toMatchObject({ zmin: -8, zmax: 7, nm: [2, 4] });
    for (const row of res.aggregates[0].ranking) expect(row.bitsPerWeight).toBeLessThanOrEqual(4 + 1e-12);
    expect(ch['2:4+int']!.bits.total).toBeCloseTo(2 + Math.log2(6) / 4 + sc, 12);
    // fp4 costs 4 + 4/3 > 4: listed as over the budget, not ranked
    expect(res.aggregates[0].overBudget).toEqual(['fp4']);
  });

  it('bad format strings exit 2 naming the format; unavailable solvers are named', async () => {
    for (const [spec, msg] of [
      ['int4,fp5', /unknown format 'fp5'/],
      ['int', /'int' leaves the bits free/],
      ['unstructured@1.5', /keep ratio/],
      ['4:2', /'4:2': N:M needs 1 <= N < M/],
    ] as const) {
      const r = await runCli(['compare', file, '--formats', spec]);
      expect(r.code, spec).toBe(2);
      expect(r.stderr, spec).toMatch(msg);
    }
    const b = await runCli(['compare', file, '--bits-per-weight', '4']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--bits-per-weight.*only with --formats/);
    // a build without the joint solvers refuses joint formats by name (the dispatch asks the registry)
    const noJoint = (name: string) => (name.startsWith('joint-') ? undefined : getSolver(name));
    expect(() => parseFormats('int4,2:4+int8', {}, noJoint)).toThrow(/format '2:4\+int8' needs solver 'joint-exact' \(class joint\), not available in this build/);
    expect(parseFormats('int4,2:4', {}, noJoint).map((f) => f.problemClass)).toEqual(['quantization', 'structured']);
  });
});
