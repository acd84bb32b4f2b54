import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PvqInputError } from '../../src/core/errors.js';
import { encodeNpy, parseNpy, parseNpyWithNpyjs, readNpy } from '../../src/io/npy.js';
import { encodeSafetensors, parseSafetensors, readSafetensors } from '../../src/io/safetensors.js';
import { fcParams } from '../helpers/fc-seed.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/tensors');
const ref = JSON.parse(readFileSync(join(FIX, 'c_f4.json'), 'utf8')) as { shape: number[]; values: number[] };

describe('readNpy', () => {
  it('reads float32 C-order data exactly', () => {
    const t = readNpy(join(FIX, 'c_f4.npy'));
    expect(t.shape).toEqual(ref.shape);
    expect(t.dtype).toBe('f4');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual(ref.values.map(Math.fround));
    expect(t.fortranOrder).toBe(false);
  });
  it('transposes Fortran-order data to C order', () => {
    const t = readNpy(join(FIX, 'fortran_f8.npy'));
    expect(t.fortranOrder).toBe(true);
    expect(t.shape).toEqual(ref.shape);
    expect(Array.from(t.data)).toEqual(ref.values);
  });
  it('decodes float16 and int64', () => {
    const h = readNpy(join(FIX, 'f2.npy'));
    for (let i = 0; i < h.data.length; i++) expect(Math.abs(h.data[i] - ref.values[i])).toBeLessThan(2e-3 * Math.max(1, Math.abs(ref.values[i])));
    const i8 = readNpy(join(FIX, 'i8.npy'));
    expect(i8.shape).toEqual([3, 4]);
    expect(Array.from(i8.data)).toEqual(Array.from({ length: 12 }, (_, i) => i - 6));
  });
  it('rejects big-endian, NaN, garbage and missing files with PvqInputError', () => {
    expect(() => readNpy(join(FIX, 'big_endian.npy'))).toThrow(/big-endian/);
    expect(() => readNpy(join(FIX, 'nan.npy'))).toThrow(PvqInputError);
    expect(() => readNpy(join(FIX, 'nan.npy'))).toThrow(/NaN/);
    expect(readNpy(join(FIX, 'nan.npy'), { allowNonFinite: true }).data[1 * 20 + 2 * 5 + 3]).toBeNaN();
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(/magic/);
    const good = readFileSync(join(FIX, 'c_f4.npy'));
    expect(() => parseNpy(good.subarray(0, good.length - 3))).toThrow(/truncated/);
    expect(() => readNpy(join(FIX, 'nope.npy'))).toThrow(PvqInputError);
  });
  it('encodeNpy round-trips through our reader and through npyjs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e30, max: 1e30 }), { minLength: 0, maxLength: 30 }), fc.boolean(), (vals, f32) => {
        const data = f32 ? Float32Array.from(vals) : Float64Array.from(vals);
        const bytes = encodeNpy(data, [data.length]);
        const a = parseNpy(bytes);
        expect(Array.from(a.data)).toEqual(Array.from(data));
        const b = parseNpyWithNpyjs(bytes);
        expect(Array.from(b.data)).toEqual(Array.from(data));
      }),
      fcParams({ numRuns: 50 }),
    );
  });
});

describe('readSafetensors', () => {
  it('reads F32/F64/F16/I32 tensors written by numpy', () => {
    const m = readSafetensors(join(FIX, 'model.safetensors'));
    expect([...m.keys()].sort()).toEqual(['half', 'idx', 'layer.bias', 'layer.weight']);
    const w = m.get('layer.weight')!;
    expect(w.shape).toEqual([3, 4, 5]);
    expect(Array.from(w.data)).toEqual(ref.values.map(Math.fround));
    expect(Array.from(m.get('layer.bias')!.data)).toEqual(ref.values.slice(0, 5).map(Math.fround));
    expect(Array.from(m.get('idx')!.data)).toEqual([0, 1, 2, 3, 4]);
    const h = m.get('half')!;
    expect(h.shape).toEqual([4, 5]);
    for (let i = 0; i < 20; i++) expect(Math.abs(h.data[i] - ref.values[i])).toBeLessThan(2e-3 * Math.max(1, Math.abs(ref.values[i])));
  });
  it('round-trips encodeSafetensors and rejects corrupt files', () => {
    const t = new Map([['a', { shape: [2, 2], data: Float64Array.from([1, -2, 3.5, 0]) }]]);
    const bytes = encodeSafetensors(t);
    expect(Array.from(parseSafetensors(bytes).get('a')!.data)).toEqual([1, -2, 3.5, 0]);
    expect(() => parseSafetensors(bytes.subarray(0, bytes.length - 8))).toThrow(/outside the data section/);
    expect(() => parseSafetensors(new Uint8Array(4))).toThrow(PvqInputError);
    const bad = new Map([['a', { shape: [2], data: Float64Array.from([1, NaN]) }]]);
    expect(() => parseSafetensors(encodeSafetensors(bad))).toThrow(/NaN/);
  });
});
