/**
 * Group scales (issue 11, item 2): per-coordinate steps in the builders, the file format and every grid class.
 * Exactness against brute force in the ORIGINAL objective (weights scales_i * z_i), not the transformed one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import { errorOf } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import type { LayerProblem } from '../../src/core/types.js';
import { gridScaledLayer } from '../../src/formats/groups.js';
import { levelsOfFormat } from '../../src/formats/levels.js';
import { chooseScale } from '../../src/formats/scale.js';
import { layerFileJSON, parseLayerFile } from '../../src/io/layer-file.js';
import { layerProblemToJSON, parseLayerProblem } from '../../src/io/layer-problem.js';
import { buildConv2dLayer, buildLinearLayer, buildProblem, groupScalesOf, type Tensor } from '../../problems/build.js';
import { getSolver } from '../../solvers/index.js';
import { solveOn } from '../../solvers/classes.js';
import { auditResult, verifyCertificate } from '../../solvers/verify.js';
import { layerProblemArb } from '../../study/testing/index.js';

function randTensor(shape: number[], rng: Rng): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal();
  return { shape, data };
}

/** Brute force over every grid vector (levels per coordinate), at most `k` nonzeros, in the original objective. */
function bruteForce(lp: LayerProblem, scales: Float64Array, levels: number[], k = lp.n): number {
  const n = lp.n;
  const v = new Float64Array(n);
  let best = Infinity;
  const rec = (i: number, nnz: number): void => {
    if (i === n) {
      best = Math.min(best, errorOf(lp.objective, v));
      return;
    }
    for (const l of levels) {
      if (l !== 0 && nnz >= k) continue;
      v[i] = scales[i] * l;
      rec(i + 1, nnz + (l !== 0 ? 1 : 0));
    }
  };
  rec(0, 0);
  return best;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** A layer problem with per-group scales (group size g) drawn from [0.3, 3] x the channel's absmax scale. */
function withGroupScales(lp: LayerProblem, g: number, seed: number): LayerProblem {
  const rng = new Rng(seed);
  const scales = new Float64Array(lp.n);
  for (let a = 0; a < lp.n; a += g) {
    const s = lp.scale * (0.3 + 2.7 * rng.uniform());
    for (let i = a; i < Math.min(lp.n, a + g); i++) scales[i] = s;
  }
  return { ...lp, scale: 1, scales };
}

describe('group scales in the builders', () => {
  it('linear: one scale per group of g inputs of the full row (the scale rule on the group), across chunk boundaries', () => {
    const rng = new Rng(5);
    const X = randTensor([40, 10], rng);
    const W = randTensor([3, 10], rng);
    const g = 4;
    // optDim 4 -> 3 chunks of 4, 3, 3 inputs: the chunk [4, 7) and [7, 10) each split a group
    const ps = buildLinearLayer(X, W, { scaleGranularity: 'group', groupSize: g, optDim: 4, bits: 3 });
    expect(ps.length).toBe(9);
    for (const p of ps) {
      const o = p.meta.channel as number;
      const [first] = (p.meta.chunk as { inputs: [number, number] }).inputs;
      expect(p.scale).toBe(1);
      expect(p.scales!.length).toBe(p.n);
      expect(p.meta.scaleGroupSize).toBe(g);
      expect(p.meta.scaleGranularity).toBe('group');
      for (let j = 0; j < p.n; j++) {
        const q = Math.floor((first + j) / g);
        const group = Array.from({ length: Math.min(10, (q + 1) * g) - q * g }, (_, t) => W.data[o * 10 + q * g + t]);
        expect(p.scales![j]).toBe(chooseScale(group, 3, 'paper-grid').scale);
      }
    }
  });

  it('conv2d: groups run over the im2col row (channel, kh, kw); a full-row problem equals groupScalesOf of its row', () => {
    const rng = new Rng(8);
    const X = randTensor([2, 3, 5, 5], rng);
    const W = randTensor([2, 3, 2, 2], rng);
    const ps = buildConv2dLayer(X, W, { scaleGranularity: 'group', groupSize: 5, scaleRule: 'minmax' });
    for (const p of ps) {
      const o = p.meta.channel as number;
      const row = Float64Array.from({ length: 12 }, (_, j) => W.data[o * 12 + j]);
      expect(Array.from(p.scales!)).toEqual(Array.from(groupScalesOf(row, 5, 4, 'minmax')));
      // three distinct groups: [0,5), [5,10), [10,12)
      expect(new Set(p.scales!).size).toBeLessThanOrEqual(3);
    }
  });

  it('buildProblem: groupSize picks a scale per group, an array scale is taken as given', () => {
    const G = [2, 1, 0, 1, 2, 0, 0, 0, 1];
    const w = [0.5, -1, 0.25];
    const p = buildProblem({ G, w, bits: 3, groupSize: 2, scaleRule: 'minmax' });
    expect(Array.from(p.scales!)).toEqual([1 / 3, 1 / 3, 0.25 / 3]);
    expect(p.meta.scaleGroupSize).toBe(2);
    expect(Array.from(buildProblem({ G, w, scale: [0.1, 0.2, 0.3] }).scales!)).toEqual([0.1, 0.2, 0.3]);
    expect(() => buildProblem({ G, w, scale: [0.1, 0.2] })).toThrow(/scale: expected 3 per-input scales/);
    expect(() => buildProblem({ G, w, scale: [0.1, -0.2, 1] })).toThrow(/scale\[1\]/);
  });

  it('refuses groupSize without scaleGranularity group, and a bad group size (PvqInputError naming the field)', () => {
    const rng = new Rng(1);
    const X = randTensor([8, 4], rng);
    const W = randTensor([2, 4], rng);
    expect(() => buildLinearLayer(X, W, { groupSize: 32 })).toThrow(/groupSize/);
    expect(() => buildLinearLayer(X, W, { scaleGranularity: 'group', groupSize: 0 })).toThrow(PvqInputError);
    expect(() => buildLinearLayer(X, W, { scaleGranularity: 'group', groupSize: 2.5 })).toThrow(/groupSize/);
  });
});

describe('group scales in the file format', () => {
  it('scale as an array of n steps round-trips through the layer file', () => {
    const rng = new Rng(3);
    const ps = buildLinearLayer(randTensor([20, 6], rng), randTensor([2, 6], rng), { scaleGranularity: 'group', groupSize: 4 });
    const back = parseLayerFile(JSON.parse(JSON.stringify(layerFileJSON(ps, 'g'))));
    expect(back.problems.length).toBe(2);
    for (let i = 0; i < 2; i++) expect(Array.from(back.problems[i].scales!)).toEqual(Array.from(ps[i].scales!));
  });

  it('rejects a wrong length, a nonpositive step, and a step that makes S G S underflow, naming the field', () => {
    const base = { n: 2, G: [[2, 1], [1, 2]], w: [0.5, -1], zmin: -2, zmax: 1, k: 1 };
    expect(() => parseLayerProblem({ ...base, scale: [0.5] })).toThrow(/scale: expected 2 entries/);
    expect(() => parseLayerProblem({ ...base, scale: [0.5, 0] })).toThrow(/scale\[1\]: must be > 0/);
    expect(() => parseLayerProblem({ ...base, scale: [0.5, 'x'] })).toThrow(/scale\[1\]/);
    expect(() => parseLayerProblem({ ...base, scale: [0.5, 1e-200] })).toThrow(/scale\[1\]/);
    const ok = parseLayerProblem({ ...base, scale: [0.5, 0.25] });
    expect(Array.from(ok.scales!)).toEqual([0.5, 0.25]);
    expect(layerProblemToJSON(ok).scale).toEqual([0.5, 0.25]);
  });
});

describe('group scales in every grid class (the change of variables in one place)', () => {
  it('gridScaledLayer: S G S, w ./ s, scale 1; error of z equals the original error of s .* z', () => {
    const lp = parseLayerProblem({ n: 2, G: [[2, 1], [1, 3]], w: [0.5, -1], scale: [0.5, 0.25], zmin: -2, zmax: 1, k: 1 });
    const t = gridScaledLayer(lp);
    expect(Array.from(t.objective.G)).toEqual([0.5, 0.125, 0.125, 0.1875]);
    expect(Array.from(t.objective.w)).toEqual([1, -4]);
    expect(t.scale).toBe(1);
    expect(t.scales).toBeUndefined();
    expect(gridScaledLayer(lp)).toBe(t); // memoised
    expect(gridScaledLayer(t)).toBe(t); // idempotent
    expect(t.objective.r).toBeCloseTo(lp.objective.r, 14);
  });

  it('quant-exact, levels-exact and joint-exact on group-scaled problems = brute force (n <= 4, g = 2); bounds below it, certificates verify', async () => {
    const fp4 = Array.from(levelsOfFormat('fp4'));
    await fc.assert(
      fc.asyncProperty(layerProblemArb({ n: { min: 1, max: 4 }, bits: 3 }), fc.integer({ min: 0, max: 1000 }), async (lp0, seed) => {
        const lp = withGroupScales(lp0, 2, seed);
        const s = lp.scales!;
        const tol = (b: number): number => 1e-9 * b + 1e-11 * lp.objective.r + 1e-300;
        const cases: [string, LayerProblem, number][] = [
          ['quant-exact', lp, bruteForce(lp, s, range(lp.zmin, lp.zmax))],
          ['levels-exact', { ...lp, levels: levelsOfFormat('fp4'), format: 'fp4' }, bruteForce(lp, s, fp4)],
          ['joint-exact', lp, bruteForce(lp, s, range(lp.zmin, lp.zmax), lp.k)],
        ];
        for (const [name, p, best] of cases) {
          const r = await solveOn(getSolver(name)!, p, { useBox: true });
          // joint-exact may stop with 'numerical_failure' a hair above its gap tolerance on rank-deficient instances
          // (seen: relative gap 1.2e-9 with dead inputs); its bounds must still be valid and tight
          if (r.status !== 'optimal') expect([r.solver, r.status, r.relGap < 1e-6]).toEqual(['joint-exact', 'numerical_failure', true]);
          // the solution, as weights scales_i * z_i in the original objective, attains the brute-force optimum
          const v = Float64Array.from(r.solution!, (z, i) => s[i] * z);
          expect(Math.abs(errorOf(lp.objective, v) - best)).toBeLessThanOrEqual(tol(best));
          expect(r.lowerBound).toBeLessThanOrEqual(best + tol(best));
          expect(auditResult(p, { ...r, solution: Array.from(r.solution!) }).status).not.toBe('failed');
        }
        for (const [name, p, best] of [['sdp-box', lp, cases[0][2]], ['levels-sdp', cases[1][1], cases[1][2]], ['joint-bound', lp, cases[2][2]]] as const) {
          const r = await solveOn(getSolver(name)!, p, { useBox: true });
          expect(r.lowerBound).toBeLessThanOrEqual(best + tol(best));
          if (r.certificate) {
            const c = verifyCertificate(p, r.certificate, { problemClass: r.problemClass });
            expect(c.valid).toBe(true);
            expect(c.bound).toBeLessThanOrEqual(best + tol(best));
          }
        }
      }),
      { seed: 1107, numRuns: 25 },
    );
  });
});
