import { describe, expect, it } from 'vitest';
import { bitsPerWeight, log2Binomial, nmIndexBits, scaleBitsPerWeight, unstructuredMaskBits, valueBitsOf } from '../../src/formats/bits.js';

describe('bits-per-weight accounting (hand-checked values)', () => {
  it('N:M index bits', () => {
    expect(nmIndexBits(2, 4)).toBeCloseTo(Math.log2(6) / 4, 14); // 0.6462
    expect(nmIndexBits(2, 4)).toBeCloseTo(0.6462406251802891, 14);
    expect(nmIndexBits(1, 4)).toBeCloseTo(0.5, 14);
    expect(nmIndexBits(4, 8)).toBeCloseTo(Math.log2(70) / 8, 14);
    expect(nmIndexBits(4, 4)).toBe(0);
    expect(() => nmIndexBits(5, 4)).toThrow(/N:M/);
  });
  it('log2 C(n, k) and the unstructured mask', () => {
    expect(log2Binomial(4, 2)).toBeCloseTo(Math.log2(6), 14);
    expect(log2Binomial(10, 3)).toBeCloseTo(Math.log2(120), 13);
    expect(log2Binomial(7, 0)).toBe(0);
    expect(unstructuredMaskBits(32, 8)).toBe(1);
    expect(unstructuredMaskBits(32, 16, 'entropy')).toBeCloseTo(Math.log2(601080390) / 32, 12); // C(32,16)
    expect(unstructuredMaskBits(32, 32, 'entropy')).toBe(0);
  });
  it('value and scale bits', () => {
    expect(valueBitsOf('fp4')).toBe(4);
    expect(valueBitsOf('nf4')).toBe(4);
    expect(valueBitsOf('fp8-e4m3')).toBe(8);
    expect(valueBitsOf('int3')).toBe(3);
    expect(valueBitsOf(Float64Array.from([0, 1, 2, 3, 4]))).toBe(3);
    expect(scaleBitsPerWeight(16, 32)).toBe(0.5);
    expect(scaleBitsPerWeight(8, 128)).toBe(0.0625);
  });
  it('whole formats', () => {
    // NF4 with an FP16 absmax per 64 weights: 4 + 0.25
    expect(bitsPerWeight({ valueBits: 4, scaleBits: 16, groupSize: 64 }).total).toBe(4.25);
    // 2:4 + INT8 with an FP16 scale per 128: 8 * 0.5 + log2(6)/4 + 0.125
    const b = bitsPerWeight({ valueBits: 8, density: 0.5, scaleBits: 16, groupSize: 128, mask: { kind: 'nm', N: 2, M: 4 } });
    expect(b.value).toBe(4);
    expect(b.total).toBeCloseTo(4 + Math.log2(6) / 4 + 0.125, 14);
    // the paper's rule: 4-bit quantization vs keeping k = n/4 weights in FP16, metadata free: both 4 bits/weight
    expect(bitsPerWeight({ valueBits: 16, density: 4 / 16 }).total).toBe(4);
    // unstructured 25% in FP16 with a bitmap: 4 + 1
    expect(bitsPerWeight({ valueBits: 16, density: 0.25, mask: { kind: 'unstructured', n: 64, k: 16 } }).total).toBe(5);
  });
});
