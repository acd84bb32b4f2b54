import { describe, expect, it } from 'vitest';
import { jointProblemOf, quantizationProblemOf } from '../../src/core/objective.js';
import { gridScaledLayer } from '../../src/formats/groups.js';
import { readProblemSet } from '../../src/io/problem-file.js';
import { shippedProblemPath } from '../../problems/shipped.js';

describe('per-input scales are never dropped silently', () => {
  const p = readProblemSet(shippedProblemPath('default')).problems[0];
  const scaled = { ...p, scales: Float64Array.from({ length: p.n }, (_, i) => p.scale * (1 + (i % 4) / 4)), scale: 1 };

  it('quantizationProblemOf / jointProblemOf refuse a layer problem with scales', () => {
    expect(() => quantizationProblemOf(scaled)).toThrow(/per-input scales/);
    expect(() => jointProblemOf(scaled)).toThrow(/per-input scales/);
  });

  it('after the change of variables they accept it (grid units: scale 1, G scaled)', () => {
    const q = quantizationProblemOf(gridScaledLayer(scaled));
    expect(q.scale).toBe(1);
    const s0 = scaled.scales[0];
    expect(q.objective.G[0]).toBeCloseTo(p.objective.G[0] * s0 * s0, 12);
    expect(quantizationProblemOf(p).scale).toBe(p.scale);
  });
});
