import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { intGrid, quantLoss, stepForClip } from '../../src/formats/range.js';
import { arraySplit, inputChunks } from '../../problems/chunks.js';
import { convOutSize, im2col } from '../../problems/im2col.js';
import {
  buildConv2dLayer,
  buildDepthwiseConv2dLayer,
  buildLayer,
  buildLinearLayer,
  buildProblem,
  equalCompressionK,
  type Tensor,
} from '../../problems/build.js';
import { chooseScale, MIN_SCALE, mseExactScale } from '../../src/formats/scale.js';
import { layerFileJSON, parseLayerFile } from '../../src/io/layer-file.js';
import { fcParams } from '../helpers/fc-seed.js';

function randTensor(shape: number[], rng: Rng, sparsity = 0): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.uniform() < sparsity ? 0 : rng.normal();
  return { shape, data };
}

/** Input value with zero padding, read directly from [N, C, H, W]. */
function xAt(X: Tensor, n: number, c: number, y: number, x: number): number {
  const [, C, H, W] = X.shape;
  if (y < 0 || y >= H || x < 0 || x >= W) return 0;
  return X.data[((n * C + c) * H + y) * W + x];
}

interface Geo {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

/** Direct convolution of input channels [c0, c1) with output channel o of W: returns all outputs (N*Ho*Wo). */
function directConv(X: Tensor, Wt: Tensor, o: number, c0: number, c1: number, g: Geo): number[] {
  const [N, , H, W] = X.shape;
  const [, C, kh, kw] = Wt.shape;
  const Ho = Math.floor((H + 2 * g.padding[0] - g.dilation[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const Wo = Math.floor((W + 2 * g.padding[1] - g.dilation[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let s = 0;
        for (let c = c0; c < c1; c++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              s +=
                Wt.data[((o * C + c) * kh + i) * kw + j] *
                xAt(X, n, c, oh * g.stride[0] - g.padding[0] + i * g.dilation[0], ow * g.stride[1] - g.padding[1] + j * g.dilation[1]);
        out.push(s);
      }
  return out;
}

/** Gram entry computed directly from patches (independent of the im2col code). */
function directGram(X: Tensor, kh: number, kw: number, c0: number, c1: number, g: Geo): Float64Array {
  const [N, , H, W] = X.shape;
  const Ho = Math.floor((H + 2 * g.padding[0] - g.dilation[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const Wo = Math.floor((W + 2 * g.padding[1] - g.dilation[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  const n = (c1 - c0) * kh * kw;
  const G = new Float64Array(n * n);
  const idx: [number, number, number][] = [];
  for (let c = c0; c < c1; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) idx.push([c, i, j]);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let im = 0; im < N; im++)
        for (let oh = 0; oh < Ho; oh++)
          for (let ow = 0; ow < Wo; ow++) {
            const y0 = oh * g.stride[0] - g.padding[0];
            const x0 = ow * g.stride[1] - g.padding[1];
            s +=
              xAt(X, im, idx[a][0], y0 + idx[a][1] * g.dilation[0], x0 + idx[a][2] * g.dilation[1]) *
              xAt(X, im, idx[b][0], y0 + idx[b][1] * g.dilation[0], x0 + idx[b][2] * g.dilation[1]);
          }
      G[a * n + b] = s;
    }
  return G;
}

function expectClose(a: number, b: number, rel = 1e-10, abs = 1e-12): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b)) + abs);
}

const geoArb = fc.record({
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
});

describe('array_split and chunking', () => {
  it('matches numpy.array_split on fixed cases', () => {
    // sizes printed by numpy 1.x: [len(a) for a in np.array_split(np.arange(L), p)]
    const cases: [number, number, number[]][] = [
      [10, 3, [4, 3, 3]],
      [7, 5, [2, 2, 1, 1, 1]],
      [64, 18, [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3]],
      [3, 7, [1, 1, 1, 0, 0, 0, 0]],
      [5, 1, [5]],
      [8, 3, [3, 3, 2]],
      [384, 12, Array(12).fill(32)],
    ];
    for (const [L, p, sizes] of cases) {
      const r = arraySplit(L, p);
      expect(r.map((c) => c.last - c.first)).toEqual(sizes);
      expect(r[0].first).toBe(0);
      for (let i = 1; i < r.length; i++) expect(r[i].first).toBe(r[i - 1].last);
    }
  });

  it('property: contiguous, sizes differ by at most one, larger first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 60 }), (L, p) => {
        const r = arraySplit(L, p);
        const sizes = r.map((c) => c.last - c.first);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(L);
        for (let i = 1; i < sizes.length; i++) expect(sizes[i] === sizes[i - 1] || sizes[i] === sizes[i - 1] - 1).toBe(true);
        expect(sizes.length).toBe(p);
      }),
      fcParams({ numRuns: 200 }),
    );
  });

  it('uses ceil(C*kh*kw/optDim) chunks of input channels (paper rule)', () => {
    expect(inputChunks(64, 9, 32).length).toBe(18);
    expect(inputChunks(64, 1, 32).map((c) => c.last - c.first)).toEqual([32, 32]);
    expect(inputChunks(768, 1, 32).length).toBe(24);
    expect(inputChunks(10, 9, undefined)).toEqual([{ index: 0, count: 1, first: 0, last: 10 }]);
    expect(inputChunks(10, 9, -1).length).toBe(1);
    // capped at the channel count: never an empty chunk
    expect(inputChunks(3, 9, 2).length).toBe(3);
  });
});

describe('im2col', () => {
  it('im2col(X) * w equals a direct convolution (stride, padding, dilation)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4, max: 7 }),
        fc.integer({ min: 4, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        geoArb,
        fc.integer({ min: 0, max: 1e6 }),
        (N, C, H, W, kh, kw, g, seed) => {
          const rng = new Rng(seed);
          const X = randTensor([N, C, H, W], rng);
          const Wt = randTensor([2, C, kh, kw], rng);
          const geo = { kh, kw, ...g };
          const [Ho, Wo] = convOutSize(H, W, geo);
          fc.pre(Ho >= 1 && Wo >= 1);
          const c0 = C > 1 ? 1 : 0;
          const A = im2col({ data: X.data, N, C, H, W }, c0, C, geo);
          expect(A.rows).toBe(N * Ho * Wo);
          const direct = directConv(X, Wt, 1, c0, C, g);
          const per = kh * kw;
          for (let r = 0; r < A.rows; r++) {
            let s = 0;
            for (let j = 0; j < A.cols; j++) s += A.data[r * A.cols + j] * Wt.data[(1 * C + c0) * per + j];
            expectClose(s, direct[r]);
          }
        },
      ),
      fcParams({ numRuns: 60 }),
    );
  });

  it('output size follows the PyTorch formula', () => {
    const g = (s: number, p: number, d: number) => ({ kh: 3, kw: 3, stride: [s, s] as [number, number], padding: [p, p] as [number, number], dilation: [d, d] as [number, number] });
    expect(convOutSize(5, 5, g(1, 0, 1))).toEqual([3, 3]);
    expect(convOutSize(5, 5, g(2, 1, 1))).toEqual([3, 3]);
    expect(convOutSize(7, 7, g(1, 0, 2))).toEqual([3, 3]);
    expect(convOutSize(224, 224, g(2, 1, 1))).toEqual([112, 112]);
  });
});

describe('Conv2d builder', () => {
  it('G and r of a chunked and of a full-row conv layer equal direct computations', () => {
    const rng = new Rng(7);
    const X = randTensor([2, 5, 6, 5], rng, 0.3);
    const Wt = randTensor([3, 5, 3, 2], rng);
    const g: Geo = { stride: [2, 1], padding: [1, 0], dilation: [1, 1] };
    for (const optDim of [undefined, 12]) {
      const ps = buildConv2dLayer(X, Wt, { optDim, stride: g.stride, padding: g.padding, layer: 'conv' });
      const chunks = optDim === undefined ? [[0, 5]] : [[0, 2], [2, 4], [4, 5]]; // ceil(30/12) = 3 over 5 channels
      expect(ps.length).toBe(3 * chunks.length);
      for (const p of ps) {
        const o = p.meta.channel as number;
        const [c0, c1] = optDim === undefined ? [0, 5] : (p.meta.chunk as { inputs: [number, number] }).inputs;
        expect(p.meta.kind).toBe(optDim === undefined ? 'full-row' : 'chunk');
        expect(chunks.some(([a, b]) => a === c0 && b === c1)).toBe(true);
        expect(p.n).toBe((c1 - c0) * 6);
        const G = directGram(X, 3, 2, c0, c1, g);
        for (let i = 0; i < p.n * p.n; i++) expectClose(p.objective.G[i], G[i]);
        for (let i = 0; i < p.n; i++) for (let j = 0; j < p.n; j++) expect(p.objective.G[i * p.n + j]).toBe(p.objective.G[j * p.n + i]);
        const out = directConv(X, Wt, o, c0, c1, g);
        const r = out.reduce((s, v) => s + v * v, 0);
        expectClose(p.objective.r, r, 1e-10);
        for (let j = 0; j < p.n; j++) expect(p.objective.w[j]).toBe(Wt.data[o * 30 + c0 * 6 + j]);
        expect(p.k).toBe(equalCompressionK(p.n, 4));
        expect(p.zmin).toBe(-8);
        expect(p.zmax).toBe(7);
        for (const key of ['layer', 'channel', 'bits', 'scaleRule', 'kRule']) expect(p.meta[key]).toBeDefined();
      }
    }
  });

  it('one scale per chunk over all output channels (paper), or per channel', () => {
    const rng = new Rng(3);
    const X = randTensor([1, 4, 5, 5], rng);
    const Wt = randTensor([6, 4, 3, 3], rng);
    const ps = buildConv2dLayer(X, Wt, { optDim: 18, channels: 2, bits: 3 });
    expect(ps.length).toBe(4);
    for (const p of ps) {
      const [c0, c1] = (p.meta.chunk as { inputs: [number, number] }).inputs;
      const vals: number[] = [];
      for (let o = 0; o < 6; o++) for (let j = c0 * 9; j < c1 * 9; j++) vals.push(Wt.data[o * 36 + j]);
      expect(p.scale).toBe(chooseScale(vals, 3, 'paper-grid').scale);
    }
    const pc = buildConv2dLayer(X, Wt, { scaleGranularity: 'channel', scaleRule: 'mse-exact' });
    for (const p of pc) expect(p.scale).toBe(chooseScale(p.objective.w, 4, 'mse-exact').scale);
  });

  it('rejects mismatched shapes and non-finite data with PvqInputError', () => {
    const rng = new Rng(1);
    const X = randTensor([1, 3, 4, 4], rng);
    expect(() => buildConv2dLayer(X, randTensor([2, 2, 3, 3], rng))).toThrow(PvqInputError);
    expect(() => buildConv2dLayer(X, randTensor([2, 3, 5, 5], rng))).toThrow(PvqInputError);
    const bad = Float64Array.from(X.data as Float64Array);
    bad[5] = NaN;
    expect(() => buildConv2dLayer({ shape: X.shape, data: bad }, randTensor([2, 3, 3, 3], rng))).toThrow(PvqInputError);
    expect(() => buildConv2dLayer(X, randTensor([2, 3, 3, 3], rng), { bits: 0 })).toThrow(PvqInputError);
    expect(() => buildConv2dLayer(X, randTensor([2, 3, 3, 3], rng), { stride: 0 })).toThrow(PvqInputError);
  });
});

describe('depthwise builder', () => {
  it('channel c gets its own kh*kw problem with G and r of its own input channel', () => {
    const rng = new Rng(11);
    const X = randTensor([2, 3, 5, 6], rng);
    const Wt = randTensor([3, 1, 3, 3], rng);
    const ps = buildDepthwiseConv2dLayer(X, Wt, { padding: 1 });
    expect(ps.length).toBe(3);
    const g: Geo = { stride: [1, 1], padding: [1, 1], dilation: [1, 1] };
    for (const p of ps) {
      const c = p.meta.channel as number;
      expect(p.n).toBe(9);
      const G = directGram(X, 3, 3, c, c + 1, g);
      for (let i = 0; i < 81; i++) expectClose(p.objective.G[i], G[i]);
      // the depthwise output of channel c: a groups=1 conv over channel c alone
      const Wfull: Tensor = { shape: [1, 1, 3, 3], data: (Wt.data as Float64Array).slice(c * 9, c * 9 + 9) };
      const Xc: Tensor = { shape: [2, 1, 5, 6], data: Float64Array.from({ length: 60 }, (_, i) => X.data[Math.floor(i / 30) * 90 + c * 30 + (i % 30)]) };
      const out = directConv(Xc, Wfull, 0, 0, 1, g);
      expectClose(p.objective.r, out.reduce((s, v) => s + v * v, 0));
    }
    expect(() => buildDepthwiseConv2dLayer(X, randTensor([3, 2, 3, 3], rng))).toThrow(PvqInputError);
  });
});

describe('Linear builder', () => {
  it('G = X^T X per chunk, r = ||X w||^2, [B,T,F] equals its [B*T,F] flattening', () => {
    const rng = new Rng(5);
    const X = randTensor([40, 10], rng);
    const Wt = randTensor([4, 10], rng);
    const ps = buildLinearLayer(X, Wt, { optDim: 4, layer: 'fc' });
    // ceil(10/4) = 3 chunks of 4, 3, 3
    expect(ps.map((p) => p.n)).toEqual([4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3]);
    for (const p of ps) {
      const [f, l] = (p.meta.chunk as { inputs: [number, number] }).inputs;
      const o = p.meta.channel as number;
      for (let a = 0; a < p.n; a++)
        for (let b = 0; b < p.n; b++) {
          let s = 0;
          for (let r = 0; r < 40; r++) s += X.data[r * 10 + f + a] * X.data[r * 10 + f + b];
          expectClose(p.objective.G[a * p.n + b], s);
        }
      let r2 = 0;
      for (let r = 0; r < 40; r++) {
        let s = 0;
        for (let j = f; j < l; j++) s += X.data[r * 10 + j] * Wt.data[o * 10 + j];
        r2 += s * s;
      }
      expectClose(p.objective.r, r2);
    }
    const X3: Tensor = { shape: [5, 8, 10], data: X.data };
    const a = buildLinearLayer(X3, Wt, { optDim: 4, layer: 'fc' });
    expect(a.map((p) => Array.from(p.objective.G))).toEqual(ps.map((p) => Array.from(p.objective.G)));
    const full = buildLayer({ type: 'linear', X, W: Wt });
    expect(full.length).toBe(4);
    expect(full[0].meta.kind).toBe('full-row');
    expect(full[0].meta.chunk).toBeUndefined();
  });

  it('gram "mean" divides by the row count and leaves SQNR-relevant ratios unchanged', () => {
    const rng = new Rng(9);
    const X = randTensor([30, 6], rng);
    const Wt = randTensor([2, 6], rng);
    const s = buildLinearLayer(X, Wt);
    const m = buildLinearLayer(X, Wt, { gram: 'mean' });
    for (let i = 0; i < 2; i++) expectClose(m[i].objective.r * 30, s[i].objective.r);
  });

  it('keeps zero-energy channels and flags them; handles dead inputs', () => {
    const rng = new Rng(2);
    const X = randTensor([20, 6], rng);
    const xd = X.data as Float64Array;
    for (let r = 0; r < 20; r++) xd[r * 6 + 2] = 0; // dead input 2
    const w = new Float64Array(12);
    w.set([1, -2, 0.5, 0.25, 0, 1], 0);
    w[6 + 2] = 3; // channel 1 only reads the dead input: r = 0
    const ps = buildLinearLayer(X, { shape: [2, 6], data: w });
    expect(ps[0].meta.zeroEnergy).toBeUndefined();
    expect(ps[1].meta.zeroEnergy).toBe(true);
    expect(ps[1].objective.r).toBe(0);
    expect(ps[0].objective.G[2 * 6 + 2]).toBe(0);
  });

  it('pruneBox rule: [2 min w, 2 max w] or none', () => {
    const X: Tensor = { shape: [3, 3], data: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const W: Tensor = { shape: [1, 3], data: [-0.5, 0.25, 1] };
    expect(buildLinearLayer(X, W)[0].pruneBox).toEqual([-1, 2]);
    // one-signed weights: the box is widened to contain 0 (pruned weights are 0)
    expect(buildLinearLayer(X, { shape: [1, 3], data: [0.5, 0.25, 1] })[0].pruneBox).toEqual([0, 2]);
    expect(buildLinearLayer(X, { shape: [1, 3], data: [-0.5, -0.25, -1] })[0].pruneBox).toEqual([-2, 0]);
    expect(buildLinearLayer(X, W, { pruneBox: 'none' })[0].pruneBox).toBeNull();
  });
});

describe('k rule and single problems', () => {
  it('k = round(n*b/16), half up', () => {
    expect(equalCompressionK(32, 4)).toBe(8);
    expect(equalCompressionK(27, 4)).toBe(7); // 6.75
    expect(equalCompressionK(9, 4)).toBe(2); // 2.25
    expect(equalCompressionK(4, 2)).toBe(1); // 0.5 -> 1
    expect(equalCompressionK(12, 2)).toBe(2); // 1.5 -> 2
    expect(equalCompressionK(10, 8)).toBe(5);
    expect(equalCompressionK(3, 16)).toBe(3);
  });

  it('buildProblem validates G and chooses scale, k, box', () => {
    const p = buildProblem({ G: [2, 1, 1, 2], w: [0.5, -1], bits: 2 });
    expect(p.k).toBe(equalCompressionK(2, 2));
    expect(p.zmin).toBe(-2);
    expect(p.zmax).toBe(1);
    expect(p.pruneBox).toEqual([-2, 1]);
    expectClose(p.objective.r, 2 * 0.25 + 2 * 0.5 * -1 + 2);
    expect(() => buildProblem({ G: [1, 2, 2, 1], w: [1, 1] })).toThrow(PvqInputError); // indefinite
    expect(() => buildProblem({ G: [1, 0, 0, 1], w: [1, 1], scale: -1 })).toThrow(PvqInputError);
    expect(buildProblem({ G: [0], w: [0] }).meta.zeroEnergy).toBe(true);
  });
});

describe('scale rules', () => {
  it('paper-grid picks the first minimiser of the 100 candidates', () => {
    const grid = intGrid(4, true);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 40 }), (vals) => {
        const R = Math.max(...vals.map(Math.abs)) + 0.5;
        let best = Infinity;
        let bestJ = -1;
        for (let j = 1; j <= 100; j++) {
          const l = quantLoss(vals, stepForClip(j * (R / 100), grid), grid);
          if (l < best) {
            best = l;
            bestJ = j;
          }
        }
        const c = chooseScale(vals, 4, 'paper-grid');
        expect(c.scale).toBe(stepForClip(bestJ * (R / 100), grid));
      }),
      fcParams({ numRuns: 100 }),
    );
    // all-zero weights: every candidate ties with loss 0; the first (smallest range) wins
    const z = buildLinearLayer({ shape: [2, 2], data: [1, 0, 0, 1] }, { shape: [1, 2], data: [0, 0] });
    expect(z[0].scale).toBe(0.5 / 100 / 7);
  });

  it('mse-exact is globally optimal: never worse than the paper grid or a fine scan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 2, max: 8 }),
        (vals, bits) => {
          const grid = intGrid(bits, true);
          // slack for float rounding: losses of order eps^2 * sum w^2 are noise (s*q is off by an ulp)
          const C = vals.reduce((a, v) => a + v * v, 0);
          const slack = 1e-28 * C + 1e-300;
          const ex = chooseScale(vals, bits, 'mse-exact');
          expectClose(ex.loss, quantLoss(vals, ex.scale, grid), 1e-12, slack);
          // the bracketed sweep equals the full sweep
          const full = mseExactScale(vals, bits, { bracket: false });
          expect(Math.abs(full.loss - ex.loss)).toBeLessThanOrEqual(1e-12 * full.loss + slack);
          const pg = chooseScale(vals, bits, 'paper-grid');
          expect(ex.loss).toBeLessThanOrEqual(pg.loss * (1 + 1e-12) + slack);
          const mx = Math.max(...vals.map(Math.abs));
          if (mx === 0) return;
          let scan = Infinity; // steps floored at MIN_SCALE = 1e-8 like the paper's quantizer (and mse-exact)
          for (let i = 1; i <= 3000; i++) scan = Math.min(scan, quantLoss(vals, Math.max(MIN_SCALE, (i / 3000) * (2.2 * mx)), grid));
          expect(ex.loss).toBeLessThanOrEqual(scan * (1 + 1e-9) + slack);
        },
      ),
      fcParams({ numRuns: 150 }),
    );
  });

  it('mse-exact on a hand case: one weight is represented exactly', () => {
    const c = chooseScale([0.3], 4, 'mse-exact');
    expect(c.loss).toBeLessThan(1e-30);
    const c2 = chooseScale([1, 2], 2, 'mse-exact'); // grid {-2..1}: best s in [1, 2] -> loss min (1-s)^2 + (2-s)^2 at 1.5
    expectClose(c2.scale, 1.5);
    expectClose(c2.loss, 0.5);
    expect(chooseScale([0, 0], 4, 'mse-exact').loss).toBe(0);
  });
});

describe('layer file', () => {
  it('round-trips through layerFileJSON / parseLayerFile', () => {
    const rng = new Rng(4);
    const ps = buildLinearLayer(randTensor([12, 5], rng), randTensor([3, 5], rng), { layer: 'fc1' });
    const json = JSON.parse(JSON.stringify(layerFileJSON(ps, 'fc1')));
    expect(json.format).toBe('pvq-layer');
    expect(json.version).toBe(1);
    const back = parseLayerFile(json);
    expect(back.name).toBe('fc1');
    expect(back.problems.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(Array.from(back.problems[i].objective.G)).toEqual(Array.from(ps[i].objective.G));
      expect(back.problems[i].scale).toBe(ps[i].scale);
      expect(back.problems[i].k).toBe(ps[i].k);
      expect(back.problems[i].meta.channel).toBe(i);
    }
    expect(() => parseLayerFile({ ...json, format: 'other' })).toThrow(PvqInputError);
    const broken = JSON.parse(JSON.stringify(json));
    broken.problems[1].k = 99;
    expect(() => parseLayerFile(broken)).toThrow(/problems\[1\]\.k/);
  });
});

describe('degenerate but valid input', () => {
  it('n = 1, k = 0, zero activations, a kernel as large as the input, optDim >= n', () => {
    const one = buildLinearLayer({ shape: [5, 1], data: [1, 2, 0, -1, 3] }, { shape: [2, 1], data: [0.3, -0.7] });
    expect(one.map((p) => p.n)).toEqual([1, 1]);
    expect(one[0].k).toBe(0); // round(1*4/16) = 0
    expect(one[0].objective.G[0]).toBe(15);
    const zeros = buildLinearLayer({ shape: [4, 3], data: new Float64Array(12) }, { shape: [2, 3], data: [1, 2, 3, -1, 0, 1] }, { bits: 16 });
    for (const p of zeros) {
      expect(p.objective.r).toBe(0);
      expect(p.meta.zeroEnergy).toBe(true);
      expect(p.k).toBe(3); // k = n at 16 bits
    }
    const rng = new Rng(8);
    const X = randTensor([2, 2, 3, 3], rng);
    const full = buildConv2dLayer(X, randTensor([1, 2, 3, 3], rng)); // one output position per image
    expect(full[0].meta.rows).toBe(2);
    expect(full[0].n).toBe(18);
    const big = buildConv2dLayer(X, randTensor([1, 2, 3, 3], rng), { optDim: 1000 });
    expect(big.length).toBe(1);
    expect(big[0].meta.kind).toBe('full-row');
    // each input channel its own chunk when optDim is tiny
    const tiny = buildConv2dLayer(X, randTensor([1, 2, 3, 3], rng), { optDim: 1 });
    expect(tiny.map((p) => p.n)).toEqual([9, 9]);
  });
});
