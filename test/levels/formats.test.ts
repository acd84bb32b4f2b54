import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import {
  FP4_E2M1, FP8_E4M3, FP8_E5M2, NF4_LEVELS, checkLevels, floorLevelIndex, intBitsLevels, integerGridOf, levelProblemOf,
  levelsOfFormat, minifloatLevels, nearestLevelIndex,
} from '../../src/formats/levels.js';
import { layerProblemToJSON, parseLayerProblem } from '../../src/io/layer-problem.js';

describe('built-in level sets (hand-checked)', () => {
  it('FP4 E2M1 is {0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6}', () => {
    expect(Array.from(minifloatLevels(FP4_E2M1))).toEqual([-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    expect(Array.from(levelsOfFormat('fp4'))).toEqual(Array.from(minifloatLevels(FP4_E2M1)));
  });
  it('FP8 E4M3 (fn): max 448, 253 finite values (2 * 126 nonzero + 0), smallest subnormal 2^-9', () => {
    const l = levelsOfFormat('fp8-e4m3');
    expect(l[l.length - 1]).toBe(448);
    expect(l[0]).toBe(-448);
    // 256 codes - 2 NaN codes - (+0/-0 merged) = 253
    expect(l.length).toBe(253);
    expect(l[l.indexOf(0) + 1]).toBe(2 ** -9);
    expect(l[l.length - 2]).toBe(416); // 1.625 * 2^8
    expect(l[l.indexOf(0) + 8]).toBe(2 ** -6); // smallest normal after 7 subnormals
  });
  it('FP8 E5M2: max 57344, 247 finite values, smallest subnormal 2^-16', () => {
    const l = minifloatLevels(FP8_E5M2);
    expect(l[l.length - 1]).toBe(57344);
    // 256 codes - 2 * 4 (inf/NaN) - 1 (-0) = 247
    expect(l.length).toBe(247);
    expect(l[l.indexOf(0) + 1]).toBe(2 ** -16);
    expect(minifloatLevels(FP8_E4M3)[0]).toBe(-448);
  });
  it('NF4: the 16 published QLoRA / bitsandbytes levels', () => {
    const l = levelsOfFormat('nf4');
    expect(l.length).toBe(16);
    expect(l[0]).toBe(-1);
    expect(l[7]).toBe(0);
    expect(l[15]).toBe(1);
    expect(l[1]).toBe(-0.6961928009986877);
    expect(l[8]).toBe(0.07958029955625534);
    expect(l[14]).toBe(0.7229568362236023);
    // the published values are float32 numbers
    for (const v of NF4_LEVELS) expect(Math.fround(v)).toBe(v);
  });
  it('INT-b: the paper grid', () => {
    expect(Array.from(intBitsLevels(2))).toEqual([-2, -1, 0, 1]);
    expect(Array.from(levelsOfFormat('int4'))).toEqual(Array.from({ length: 16 }, (_, i) => i - 8));
    expect(Array.from(levelsOfFormat('uint4')).length).toBe(16);
    expect(integerGridOf(levelsOfFormat('int4'))).toEqual([-8, 7]);
    expect(integerGridOf(levelsOfFormat('fp4'))).toBeNull();
  });
  it('rejects unknown formats and unsorted levels', () => {
    expect(() => levelsOfFormat('fp5')).toThrow(PvqInputError);
    expect(() => checkLevels([0, 1, 1])).toThrow(/strictly increasing/);
    expect(() => checkLevels([0, NaN])).toThrow(/levels\[1\]/);
    expect(() => checkLevels([])).toThrow(PvqInputError);
  });
  it('nearest / floor level index', () => {
    const l = levelsOfFormat('fp4');
    expect(l[nearestLevelIndex(l, 5.2)]).toBe(6);
    expect(l[nearestLevelIndex(l, 4.9)]).toBe(4);
    expect(l[nearestLevelIndex(l, -100)]).toBe(-6);
    expect(l[nearestLevelIndex(l, 0.26)]).toBe(0.5);
    expect(floorLevelIndex(l, -7)).toBe(-1);
    expect(l[floorLevelIndex(l, 2.9)]).toBe(2);
    expect(l[floorLevelIndex(l, 3)]).toBe(3);
    expect(floorLevelIndex(l, 7)).toBe(l.length - 1);
  });
});

describe('layer-problem files with levels / format', () => {
  const base = { n: 2, G: [[2, 1], [1, 2]], w: [0.3, -0.2], scale: 0.1, k: 1 };
  it('format replaces zmin/zmax; levels round-trip', () => {
    const p = parseLayerProblem({ ...base, format: 'nf4' });
    expect(p.format).toBe('nf4');
    expect(p.levels!.length).toBe(16);
    expect([p.zmin, p.zmax]).toEqual([-1, 1]);
    const q = parseLayerProblem({ ...base, levels: [-1.5, 0, 0.25, 2] });
    expect(Array.from(q.levels!)).toEqual([-1.5, 0, 0.25, 2]);
    expect([q.zmin, q.zmax]).toEqual([-1, 2]);
    const back = parseLayerProblem(layerProblemToJSON(q));
    expect(Array.from(back.levels!)).toEqual([-1.5, 0, 0.25, 2]);
    expect(levelProblemOf(back).levels).toEqual(back.levels);
  });
  it('files without levels are unchanged and give the integer grid as levels', () => {
    const p = parseLayerProblem({ ...base, zmin: -2, zmax: 1 });
    expect(p.levels).toBeUndefined();
    expect(Object.keys(layerProblemToJSON(p))).not.toContain('levels');
    expect(Array.from(levelProblemOf(p).levels)).toEqual([-2, -1, 0, 1]);
  });
  it('bad levels name the field', () => {
    expect(() => parseLayerProblem({ ...base, levels: [0, 2, 1] })).toThrow(/levels\[2\]/);
    expect(() => parseLayerProblem({ ...base, format: 'fp3' })).toThrow(/format/);
    expect(() => parseLayerProblem({ ...base, format: 'fp4', levels: [0, 1] })).toThrow(/not both/);
    expect(() => parseLayerProblem({ ...base })).toThrow(/zmin/);
  });
});
