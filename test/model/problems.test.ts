import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { parseOnnxGraph } from '../../src/io/onnx-graph.js';
import { buildModelLayerProblems, layerInputTensor } from '../../problems/model.js';
import { chainModel } from './synthetic-onnx.js';

describe('layer problems of a model layer', async () => {
  const { info } = await parseOnnxGraph(chainModel(), 'chain.onnx');
  const byName = Object.fromEntries(info.layers.map((l) => [l.name, l]));
  const rng = new Rng(2);
  const x = { shape: [2, 2, 5, 5], data: Float64Array.from({ length: 100 }, () => rng.normal()) };

  it("conv: the layer's stride and padding by default, the paper's stride-1 no-padding im2col on request", () => {
    const real = buildModelLayerProblems(byName.conv, x, { bits: 4, optDim: null, im2col: 'layer' });
    const paper = buildModelLayerProblems(byName.conv, x, { bits: 4, optDim: null, im2col: 'paper' });
    expect(real).toHaveLength(3);
    expect(real[0].meta).toMatchObject({ stride: [2, 1], padding: [1, 1], rows: 2 * 3 * 5, kind: 'full-row', layer: 'conv', bits: 4 });
    expect(paper[0].meta).toMatchObject({ stride: [1, 1], padding: [0, 0], rows: 2 * 3 * 3 });
    expect(real[0].n).toBe(18);
    // the weights are the layer's, output channel by output channel
    expect(Array.from(real[2].objective.w)).toEqual(Array.from(byName.conv.weight.data.slice(36, 54)));
  });

  it('opt-dim chunks and the channel cap', () => {
    const ps = buildModelLayerProblems(byName.conv, x, { bits: 3, optDim: 9, im2col: 'layer', channels: 2 });
    expect(ps.map((p) => p.name)).toEqual(['conv/out0/chunk0of2', 'conv/out1/chunk0of2', 'conv/out0/chunk1of2', 'conv/out1/chunk1of2']);
    expect(ps.every((p) => p.n === 9 && p.k === Math.floor((9 * 3) / 16 + 0.5))).toBe(true);
  });

  it('linear: inputs [B, T, in] become B*T rows, G = X^T X', () => {
    const X = { shape: [2, 3, 4], data: Float64Array.from({ length: 24 }, () => rng.normal()) };
    expect(layerInputTensor(byName.fc2, X, 'm').shape).toEqual([6, 4]);
    const ps = buildModelLayerProblems(byName.fc2, X, { bits: 4, optDim: null, im2col: 'layer' });
    expect(ps).toHaveLength(3);
    const G = ps[0].objective.G;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let r = 0; r < 6; r++) s += X.data[r * 4 + i] * X.data[r * 4 + j];
        expect(G[i * 4 + j]).toBeCloseTo(s, 12);
      }
    expect(() => layerInputTensor(byName.fc2, { shape: [6, 5], data: new Float64Array(30) }, 'm.onnx')).toThrow(/^m\.onnx: layer fc2: input g has shape \[6, 5\], expected \[\.\.\., 4\]/);
  });

  it('depthwise: one problem of size kh*kw per channel, with the dilation', () => {
    const r = { shape: [2, 3, 3, 5], data: Float64Array.from({ length: 90 }, () => rng.normal()) };
    const ps = buildModelLayerProblems(byName.dw, r, { bits: 2, optDim: 32, im2col: 'layer' });
    expect(ps).toHaveLength(3);
    expect(ps[1].meta).toMatchObject({ layerType: 'depthwise', dilation: [2, 2], padding: [2, 2], inputChannel: 1 });
    expect(ps[1].n).toBe(9);
  });
});
