/**
 * `pvq compare --formats` with joint sparse + level-set formats (class 'joint-levels'): '2:4+fp4',
 * 'unstructured@0.5+nf4', '2:4+nf4/g3'. On a toy layer (n = 6) every interval equals brute force over all supports
 * and all levels, the bits are hand-checked, and `pvq verify` re-checks a genuine report (exit 0 with --rerun) and
 * fails a tampered one (exit 3).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { levelGridScale, parseFormats, type FormatCompareResult } from '../../../study/compare/formats.js';
import { levelsOfFormat } from '../../../src/formats/levels.js';
import { getSolver } from '../../../solvers/index.js';
import { Rng } from '../../../src/core/random.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-formats-jl-'));
const n = 6;
const FORMATS = ['2:4+fp4', 'unstructured@0.5+nf4', '2:4+nf4/g3'];

/** Two channels of a toy 6-input layer (fixed seed): G = A^T A / rows + 0.05 I. */
function toyLayer(): { G: number[][]; w: number[] }[] {
  const rng = new Rng(11);
  const out: { G: number[][]; w: number[] }[] = [];
  for (let c = 0; c < 2; c++) {
    const rows = 16;
    const A = Array.from({ length: rows }, () => Array.from({ length: n }, () => rng.normal()));
    const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => A.reduce((s, a) => s + a[i] * a[j], 0) / rows + (i === j ? 0.05 : 0)));
    const w = Array.from({ length: n }, () => rng.normal() * (0.3 + 0.4 * rng.uniform()));
    out.push({ G, w });
  }
  return out;
}

const layer = toyLayer();
const allW = layer.flatMap((c) => c.w);
const file = join(dir, 'toy.json');
writeFileSync(
  file,
  JSON.stringify(layer.map((c, i) => ({ name: `toy/out${i}`, n, G: c.G, w: c.w, scale: 0.09, zmin: -8, zmax: 7, k: 3, meta: { layer: 'toy', kind: 'full-row', channel: i, bits: 4 } }))),
);

const err = (G: number[][], w: number[], v: number[]): number => {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += (w[i] - v[i]) * G[i][j] * (w[j] - v[j]);
  return s;
};

/**
 * Brute force: every v with v_i in {0} ∪ values(i) whose support keeps at most cap(g) nonzeros in each group g
 * (group(i) names coordinate i's group).
 */
function brute(G: number[][], w: number[], values: (i: number) => number[], group: (i: number) => number, cap: number): number {
  let best = Infinity;
  const v = new Array<number>(n).fill(0);
  const used = new Map<number, number>();
  const rec = (i: number): void => {
    if (i === n) {
      best = Math.min(best, err(G, w, v));
      return;
    }
    v[i] = 0;
    rec(i + 1);
    const g = group(i);
    const u = used.get(g) ?? 0;
    if (u >= cap) return;
    used.set(g, u + 1);
    for (const x of values(i)) {
      if (x === 0) continue;
      v[i] = x;
      rec(i + 1);
    }
    used.set(g, u);
    v[i] = 0;
  };
  rec(0);
  return best;
}

describe('pvq compare --formats: joint sparse + level-set formats', () => {
  const report = join(dir, 'report.json');

  it('every interval equals brute force (all supports x all levels); bits hand-checked', async () => {
    const run = await runCli(['compare', file, '--formats', FORMATS.join(','), '--no-prune-box', '--json', '-o', report, '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const res = JSON.parse(readFileSync(report, 'utf8')) as FormatCompareResult;
    expect(res.formats.map((f) => [f.label, f.problemClass])).toEqual(FORMATS.map((f) => [f, 'joint-levels']));
    const fp4 = Array.from(levelsOfFormat('fp4'));
    const nf4 = Array.from(levelsOfFormat('nf4'));
    const sFp4 = levelGridScale(allW, levelsOfFormat('fp4'));
    const sNf4 = levelGridScale(allW, levelsOfFormat('nf4'));
    const expected: Record<string, number> = Object.fromEntries(FORMATS.map((f) => [f, 0]));
    for (const { G, w } of layer) {
      const nm = (i: number) => Math.floor(i / 4); // 2:4 groups {0..3}, {4, 5} (the short last group keeps at most 2)
      expected['2:4+fp4'] += brute(G, w, () => fp4.map((x) => sFp4 * x), nm, 2);
      expected['unstructured@0.5+nf4'] += brute(G, w, () => nf4.map((x) => sNf4 * x), () => 0, 3); // k = round(0.5 n) = 3
      // /g3: one NF4 line-search scale per 3 consecutive inputs of the row
      const sG = [0, 1].map((a) => levelGridScale(w.slice(3 * a, 3 * a + 3), levelsOfFormat('nf4')));
      expected['2:4+nf4/g3'] += brute(G, w, (i) => nf4.map((x) => sG[Math.floor(i / 3)] * x), nm, 2);
    }
    const [agg] = res.aggregates;
    expect(agg.ranking).toHaveLength(3);
    for (const row of agg.ranking) {
      const e = expected[row.format];
      expect(e, row.format).toBeGreaterThan(0);
      expect(row.exactChannels, row.format).toBe(2);
      expect(Math.abs(row.error[1] - e), row.format).toBeLessThanOrEqual(1e-9 * e);
      expect(row.error[0], row.format).toBeLessThanOrEqual(e * (1 + 1e-9));
      expect(row.error[0], row.format).toBeGreaterThanOrEqual(e * (1 - 2e-9));
    }
    // ranked by the exact errors
    const got = agg.ranking.map((r) => r.format);
    for (let j = 0; j + 1 < got.length; j++) expect(expected[got[j]]).toBeLessThanOrEqual(expected[got[j + 1]] * (1 + 1e-9));
    // bits per weight by hand: value bits on the kept weights + FP16 scale(s) + sparsity metadata
    const bits = Object.fromEntries(agg.ranking.map((r) => [r.format, r.bits]));
    expect(bits['2:4+fp4'].value).toBeCloseTo(4 * (2 / 4), 12);
    expect(bits['2:4+fp4'].mask).toBeCloseTo(Math.log2(6) / 4, 12);
    expect(bits['2:4+fp4'].total).toBeCloseTo(2 + Math.log2(6) / 4 + 16 / 12, 12); // one scale per tensor of 12 weights
    expect(bits['unstructured@0.5+nf4'].total).toBeCloseTo(4 * 0.5 + 1 + 16 / 12, 12); // bitmap mask: 1 bit per weight
    expect(bits['2:4+nf4/g3'].total).toBeCloseTo(2 + Math.log2(6) / 4 + (16 * 2) / 6, 12); // two scales per row of 6
    // parameters printed per channel
    const ch = res.channels[0].outcomes;
    expect(ch['2:4+fp4']!.params).toMatchObject({ scale: sFp4, format: 'fp4', nm: [2, 4] });
    expect(ch['unstructured@0.5+nf4']!.params).toMatchObject({ scale: sNf4, format: 'nf4', k: 3 });
    expect((ch['2:4+nf4/g3']!.params as { scales: number[] }).scales).toHaveLength(n);
  });

  it('pvq verify: the genuine report verifies with --rerun (exit 0); a tampered interval or bits fail (exit 3)', async () => {
    const v = await runCli(['verify', file, report, '--rerun', '--json', '--no-progress']);
    expect(v.code, v.stdout.slice(0, 2000)).toBe(0);
    const audit = JSON.parse(v.stdout);
    expect(audit.status).toBe('verified');
    expect(new Set(audit.reports[0].results.map((r: { format: string }) => r.format))).toEqual(new Set(FORMATS));
    type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const cases: [string, (j: Json) => void, RegExp][] = [
      ['lower', (j) => (j.channels[0].outcomes['2:4+fp4'].lowerBound = j.channels[0].outcomes['2:4+fp4'].upperBound * 1.5), /2:4\+fp4 lower end/],
      ['upper', (j) => (j.channels[1].outcomes['unstructured@0.5+nf4'].upperBound *= 0.5), /unstructured@0\.5\+nf4 upper end/],
      ['bits', (j) => (j.channels[0].outcomes['2:4+nf4/g3'].bits.total -= 0.5), /bits\/weight claimed/],
      ['scales', (j) => (j.channels[0].outcomes['2:4+nf4/g3'].params.scales[0] *= 2), /parameters/],
    ];
    for (const [name, edit, msg] of cases) {
      const j = JSON.parse(readFileSync(report, 'utf8'));
      edit(j);
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify(j));
      const r = await runCli(['verify', file, path, '--rerun', '--no-progress']);
      expect(r.code, name).toBe(3);
      expect(r.stdout, name).toMatch(new RegExp(`!! .*(${msg.source})`));
    }
  });

  it('a build without the joint-levels solvers refuses the formats by name', () => {
    const none = (name: string) => (name.startsWith('joint-levels-') ? undefined : getSolver(name));
    expect(() => parseFormats('int4,2:4+fp4', {}, none)).toThrow(/format '2:4\+fp4' needs solver 'joint-levels-exact' \(class joint-levels\), not available in this build/);
    expect(parseFormats('2:4+fp4,unstructured+nf4/g32', { bitsPerWeight: 4 }, getSolver).map((f) => [f.label, f.problemClass])).toEqual([
      ['2:4+fp4', 'joint-levels'],
      ['unstructured+nf4/g32', 'joint-levels'],
    ]);
  });
});
