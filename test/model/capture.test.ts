import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { parseOnnx } from '../../src/io/onnx.js';
import { parseOnnxGraph, type OnnxLayer } from '../../src/io/onnx-graph.js';
import { captureActivations, checkModelInput, type Activation } from '../../src/io/onnx-run.js';
import { convOutSize, im2col } from '../../problems/im2col.js';
import { textLineBatch } from '../../problems/text-batch.js';
import { CLS_MODEL } from './cls.js';
import { chainModel } from './synthetic-onnx.js';

/** The layer's output from its input and the parsed weight (builder layout) and bias, computed directly. */
function layerOutput(l: OnnxLayer, X: Activation, bias: ArrayLike<number> | null): { shape: number[]; data: Float64Array } {
  const W = l.weight.data;
  if (l.kind === 'linear') {
    const [out, inF] = l.weight.shape;
    const rows = X.data.length / inF;
    const y = new Float64Array(rows * out);
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < out; o++) {
        let s = bias ? bias[o] : 0;
        for (let j = 0; j < inF; j++) s += X.data[r * inF + j] * W[o * inF + j];
        y[r * out + o] = s;
      }
    return { shape: [...X.shape.slice(0, -1), out], data: y };
  }
  const [N, C, H, Wd] = X.shape;
  const [outC, , kh, kw] = l.weight.shape;
  const g = { kh, kw, stride: l.stride, padding: l.padding, dilation: l.dilation };
  const [Ho, Wo] = convOutSize(H, Wd, g);
  const y = new Float64Array(N * outC * Ho * Wo);
  const x = { data: X.data, N, C, H, W: Wd };
  const perOut = l.kind === 'depthwise' ? outC / C : 0;
  const cols = l.kind === 'depthwise' ? kh * kw : C * kh * kw;
  const full = l.kind === 'conv2d' ? im2col(x, 0, C, g) : null;
  for (let o = 0; o < outC; o++) {
    const A = full ?? im2col(x, Math.floor(o / perOut), Math.floor(o / perOut) + 1, g);
    for (let r = 0; r < A.rows; r++) {
      let s = bias ? bias[o] : 0;
      for (let j = 0; j < cols; j++) s += A.data[r * cols + j] * W[o * cols + j];
      const ow = r % Wo;
      const oh = Math.floor(r / Wo) % Ho;
      const n = Math.floor(r / (Ho * Wo));
      y[((n * outC + o) * Ho + oh) * Wo + ow] = s;
    }
  }
  return { shape: [N, outC, Ho, Wo], data: y };
}

async function checkLayers(bytes: Uint8Array, field: string, x: { shape: number[]; data: Float32Array }, names?: string[]): Promise<number> {
  const { model, info } = await parseOnnxGraph(bytes, field);
  const consts = new Map((await parseOnnx(bytes, field)).map((t) => [t.name, t.data]));
  const layers = names ? info.layers.filter((l) => names.includes(l.name)) : info.layers;
  const feed = checkModelInput(info.inputs, { shape: x.shape, dtype: 'f4', data: x.data, fortranOrder: false }, 'batch', field);
  const acts = new Map<string, Activation>();
  for await (const a of captureActivations(model, layers.flatMap((l) => [l.input, l.output]), feed, field, { perRun: 3 })) acts.set(a.name, a);
  let worst = 0;
  for (const l of layers) {
    const X = acts.get(l.input)!;
    const Y = acts.get(l.output)!;
    const mine = layerOutput(l, X, l.biasName ? consts.get(l.biasName)! : null);
    expect(mine.shape, l.name).toEqual(Y.shape);
    let scale = 0;
    for (let i = 0; i < Y.data.length; i++) scale = Math.max(scale, Math.abs(Y.data[i]));
    for (let i = 0; i < Y.data.length; i++) worst = Math.max(worst, Math.abs(mine.data[i] - Y.data[i]) / (scale + 1e-30));
  }
  return worst;
}

describe('activation capture (onnxruntime) against a direct computation', () => {
  it('synthetic chain: every layer output computed from the captured input and the parsed weight equals onnxruntime\'s', async () => {
    const rng = new Rng(11);
    const x = { shape: [2, 2, 5, 5], data: Float32Array.from({ length: 100 }, () => rng.normal()) };
    const worst = await checkLayers(chainModel(), 'chain.onnx', x);
    expect(worst).toBeLessThan(1e-5); // float32 inference
  });

  it('cls model: stride-2 conv, depthwise 3x3 and 5x5 with stride 2x1, a biased 1x1 conv and the MatMul agree too', async () => {
    const b = textLineBatch({ n: 2, seed: 5 });
    const worst = await checkLayers(readFileSync(CLS_MODEL), CLS_MODEL, b, ['p2o.Conv.0', 'p2o.Conv.7', 'p2o.Conv.13', 'p2o.Conv.14', 'p2o.MatMul.0']);
    expect(worst).toBeLessThan(1e-4);
  });

  it('cls model: captured input shapes', async () => {
    const bytes = readFileSync(CLS_MODEL);
    const { model, info } = await parseOnnxGraph(bytes, CLS_MODEL);
    const b = textLineBatch({ n: 3 });
    const feed = checkModelInput(info.inputs, { shape: b.shape, dtype: 'f4', data: b.data, fortranOrder: false }, 'batch', CLS_MODEL);
    const shapes: Record<string, number[]> = {};
    for await (const a of captureActivations(model, ['x', 'hardswish_0.tmp_0', 'p2o.GlobalAveragePool.1', 'reshape2_0.tmp_0'], feed, CLS_MODEL)) shapes[a.name] = a.shape;
    expect(shapes).toEqual({ x: [3, 3, 48, 192], 'hardswish_0.tmp_0': [3, 8, 24, 96], 'p2o.GlobalAveragePool.1': [3, 8, 1, 1], 'reshape2_0.tmp_0': [3, 200] });
  });

  it('input checks: rank, fixed dimensions, dtype and name, each a PvqInputError naming the batch', async () => {
    const { info } = await parseOnnxGraph(chainModel(), 'chain.onnx');
    const arr = (shape: number[], dtype = 'f4') => ({ shape, dtype, data: new Float32Array(shape.reduce((a, c) => a * c, 1)), fortranOrder: false });
    expect(() => checkModelInput(info.inputs, arr([2, 2, 5]), 'b.npy', 'm')).toThrow(/^b\.npy: shape \[2, 2, 5\] does not match the model's input x \[N, 2, 5, 5\] \(rank 4\)/);
    expect(() => checkModelInput(info.inputs, arr([2, 3, 5, 5]), 'b.npy', 'm')).toThrow(/dimension 1/);
    expect(() => checkModelInput(info.inputs, arr([2, 2, 5, 5], 'i8'), 'b.npy', 'm')).toThrow(/^b\.npy: dtype i8/);
    expect(() => checkModelInput(info.inputs, arr([2, 2, 5, 5]), 'b.npy', 'm', 'images')).toThrow(/input name "images" does not match/);
    expect(checkModelInput(info.inputs, arr([7, 2, 5, 5]), 'b.npy', 'm').shape).toEqual([7, 2, 5, 5]);
  });
});
