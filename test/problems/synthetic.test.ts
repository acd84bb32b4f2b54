import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import { pivotedLDL } from '../../src/linalg/dense.js';
import { symEig } from '../../src/linalg/eigen.js';
import { validateGram } from '../../src/io/layer-problem.js';
import { firstConvLayer, syntheticLayer, syntheticProblem, syntheticWeights, toeplitzActivations } from '../../problems/synthetic.js';
import { fcParams } from '../helpers/fc-seed.js';

function numericRank(G: Float64Array, n: number): number {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  if (maxDiag === 0) return 0;
  return pivotedLDL(G, n, 1e-9 * maxDiag).rank;
}

describe('Toeplitz activations', () => {
  it('empirical covariance approaches rho^|i-j|', () => {
    for (const rho of [0, 0.7, 0.999]) {
      const n = 5;
      const m = 20000;
      const X = toeplitzActivations({ n, m, rho, seed: 3 });
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let r = 0; r < m; r++) s += X.data[r * n + i] * X.data[r * n + j];
          expect(Math.abs(s / m - rho ** Math.abs(i - j))).toBeLessThan(0.04);
        }
    }
  });

  it('dead columns are zero; relu activations are nonnegative', () => {
    const X = toeplitzActivations({ n: 10, m: 50, dead: [1, 7], activation: 'relu', bias: 0.2, seed: 9 });
    for (let r = 0; r < 50; r++) {
      expect(X.data[r * 10 + 1]).toBe(0);
      expect(X.data[r * 10 + 7]).toBe(0);
      for (let j = 0; j < 10; j++) expect(X.data[r * 10 + j]).toBeGreaterThanOrEqual(0);
    }
    expect(toeplitzActivations({ n: 10, m: 5, dead: 4, seed: 1 }).dead.length).toBe(4);
  });

  it('rejects invalid parameters', () => {
    expect(() => toeplitzActivations({ n: 4, rho: 1 })).toThrow(PvqInputError);
    expect(() => toeplitzActivations({ n: 4, rho: -0.1 })).toThrow(PvqInputError);
    expect(() => toeplitzActivations({ n: 4, dead: 5 })).toThrow(PvqInputError);
    expect(() => toeplitzActivations({ n: 0 })).toThrow(PvqInputError);
    expect(() => syntheticWeights({ out: 1, n: 3, wDist: 'laplace' as never })).toThrow(PvqInputError);
  });

  it('Student-t weights have heavier tails than Gaussian ones', () => {
    const kurt = (d: ArrayLike<number>) => {
      let m2 = 0;
      let m4 = 0;
      for (let i = 0; i < d.length; i++) {
        m2 += d[i] ** 2;
        m4 += d[i] ** 4;
      }
      return (m4 / d.length) / (m2 / d.length) ** 2;
    };
    const g = syntheticWeights({ out: 1, n: 20000, wDist: 'gaussian', seed: 2 });
    const t = syntheticWeights({ out: 1, n: 20000, wDist: 'student-t', nu: 5, seed: 2 });
    expect(Math.abs(kurt(g.data) - 3)).toBeLessThan(0.3);
    expect(kurt(t.data)).toBeGreaterThan(4.5);
  });
});

describe('synthetic problems', () => {
  it('are deterministic per seed and differ across seeds', () => {
    const a = syntheticProblem({ n: 12, bits: 3, rho: 0.8, seed: 5, wDist: 'student-t' });
    const b = syntheticProblem({ n: 12, bits: 3, rho: 0.8, seed: 5, wDist: 'student-t' });
    const c = syntheticProblem({ n: 12, bits: 3, rho: 0.8, seed: 6, wDist: 'student-t' });
    expect(Array.from(a.objective.G)).toEqual(Array.from(b.objective.G));
    expect(Array.from(a.objective.w)).toEqual(Array.from(b.objective.w));
    expect(a.scale).toBe(b.scale);
    expect(a.name).toBe(b.name);
    expect(Array.from(a.objective.w)).not.toEqual(Array.from(c.objective.w));
    expect(a.zmin).toBe(-4);
    expect(a.k).toBe(Math.round((12 * 3) / 16));
  });

  it('property: G is PSD with rank min(m, n - dead) (Gaussian activations)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(0, 0.5, 0.9),
        fc.integer({ min: 0, max: 1000 }),
        (n, m, dead0, rho, seed) => {
          const dead = Math.min(dead0, n);
          const p = syntheticProblem({ n, m, dead, rho, seed, bits: 4 });
          expect(() => validateGram(Float64Array.from(p.objective.G), n)).not.toThrow();
          expect(numericRank(p.objective.G, n)).toBe(Math.min(m, n - dead));
          const ev = symEig(p.objective.G, n).values;
          expect(ev[0]).toBeGreaterThan(-1e-10 * Math.max(1, ev[n - 1]));
        },
      ),
      fcParams({ numRuns: 60 }),
    );
  });

  it('syntheticLayer builds every output channel, with chunking when asked', () => {
    const ps = syntheticLayer({ n: 20, outChannels: 3, optDim: 8, seed: 4, activation: 'relu' });
    // ceil(20/8) = 3 chunks of 7, 7, 6
    expect(ps.map((p) => p.n)).toEqual([7, 7, 7, 7, 7, 7, 6, 6, 6]);
    expect(ps.every((p) => p.meta.kind === 'chunk' && (p.meta.synthetic as { generator: string }).generator === 'toeplitz')).toBe(true);
  });
});

describe('first-conv generator', () => {
  it('n = 27, a dominant near-constant eigenvector and condition around 1e5', () => {
    for (const seed of [1, 2]) {
      const ps = firstConvLayer({ seed, outChannels: 2 });
      expect(ps.length).toBe(2);
      const p = ps[0];
      expect(p.n).toBe(27);
      const { values, vectors } = symEig(p.objective.G, 27);
      const cond = values[26] / values[0];
      expect(cond).toBeGreaterThan(2e4);
      expect(cond).toBeLessThan(1e6);
      expect(values[26] / values[25]).toBeGreaterThan(20);
      let dotOnes = 0;
      for (let i = 0; i < 27; i++) dotOnes += vectors[i * 27 + 26] / Math.sqrt(27);
      expect(Math.abs(dotOnes)).toBeGreaterThan(0.95);
    }
  });
});
