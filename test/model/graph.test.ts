import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOnnxGraph } from '../../src/io/onnx-graph.js';
import { CLS_MODEL } from './cls.js';
import { chainModel, unsupportedModel } from './synthetic-onnx.js';

describe('ONNX graph: weight layers', () => {
  it('the PaddleOCR cls model: 54 weight layers (53 Conv, 1 MatMul), 124 072 weights, nothing skipped', async () => {
    const { info } = await parseOnnxGraph(readFileSync(CLS_MODEL), CLS_MODEL);
    expect(info.layers).toHaveLength(54);
    expect(info.layers.reduce((s, l) => s + l.weights, 0)).toBe(124072);
    expect(info.skipped).toEqual([]);
    const kinds = info.layers.reduce<Record<string, number>>((m, l) => ({ ...m, [l.kind]: (m[l.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({ conv2d: 42, depthwise: 11, linear: 1 }); // groups > 1 on Conv.2, 7, 10, 13, 18, 23, 28, 33, 38, 43, 48
    expect(info.inputs).toEqual([{ name: 'x', shape: [expect.any(String), 3, expect.any(String), expect.any(String)], elemType: 1 }]);
    const first = info.layers[0];
    expect(first).toMatchObject({ name: 'p2o.Conv.0', input: 'x', stride: [2, 2], padding: [1, 1], dilation: [1, 1], kernel: [3, 3], group: 1 });
    expect(first.weight.shape).toEqual([8, 3, 3, 3]);
    const dw = info.layers.find((l) => l.name === 'p2o.Conv.13')!;
    expect(dw).toMatchObject({ kind: 'depthwise', stride: [2, 1], padding: [2, 2], kernel: [5, 5], group: 32 });
    const mm = info.layers[53];
    expect(mm).toMatchObject({ op: 'MatMul', kind: 'linear', input: 'reshape2_0.tmp_0', weightLayout: '[in, out]' });
    expect(mm.weight.shape).toEqual([2, 200]); // stored [200, 2], transposed to [out, in]
  });

  it('a synthetic chain: Conv, depthwise Conv, Gemm (transB 0 and 1), MatMul; layouts and attributes', async () => {
    const { info } = await parseOnnxGraph(chainModel(), 'chain.onnx');
    expect(info.layers.map((l) => [l.name, l.kind, l.input, l.weight.shape])).toEqual([
      ['conv', 'conv2d', 'x', [3, 2, 3, 3]],
      ['dw', 'depthwise', 'r', [3, 1, 3, 3]],
      ['fc', 'linear', 'f', [4, 45]],
      ['fc2', 'linear', 'g', [3, 4]],
      ['mm', 'linear', 'h', [2, 3]],
    ]);
    expect(info.layers[0]).toMatchObject({ stride: [2, 1], padding: [1, 1], biasName: 'conv.b' });
    expect(info.layers[1]).toMatchObject({ dilation: [2, 2], padding: [2, 2], group: 3 });
    expect(info.skipped).toEqual([]);
  });

  it('weight-bearing nodes it cannot handle are listed as skipped with a reason; activation x activation is no layer', async () => {
    const { info } = await parseOnnxGraph(unsupportedModel(), 'u.onnx');
    expect(info.layers.map((l) => l.name)).toEqual(['ok']);
    const reasons = Object.fromEntries(info.skipped.map((s) => [s.name, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['asym', 'deconv', 'grouped', 'same', 'xw']);
    expect(reasons.grouped).toMatch(/grouped convolution \(groups = 2/);
    expect(reasons.deconv).toMatch(/ConvTranspose is not supported/);
    expect(reasons.asym).toMatch(/asymmetric pads/);
    expect(reasons.same).toMatch(/auto_pad SAME_UPPER/);
    expect(reasons.xw).toMatch(/first operand/);
  });

  it('bytes that are not an ONNX model: a PvqInputError naming the file', async () => {
    await expect(parseOnnxGraph(new TextEncoder().encode('hello, not a model'), 'bad.onnx')).rejects.toThrow(/^bad\.onnx: not an ONNX model/);
  });
});
