/** Pieces of the joint search: the partial selection used by the sparsity look-ahead. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { selectSmallest } from '../../solvers/joint/search.js';

describe('selectSmallest', () => {
  it('puts the t smallest entries first and the t-th smallest at t-1 (random arrays with ties, fixed seed)', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 400; trial++) {
      const m = 1 + Math.floor(rng.uniform() * 40);
      const a = new Float64Array(m);
      // few distinct values half of the time: many ties
      const distinct = trial % 2 === 0 ? 3 : 1000;
      for (let i = 0; i < m; i++) a[i] = Math.floor(rng.uniform() * distinct) / 7;
      const sorted = Float64Array.from(a).sort();
      const t = 1 + Math.floor(rng.uniform() * m);
      selectSmallest(a, m, t);
      expect(a[t - 1]).toBe(sorted[t - 1]);
      expect(Float64Array.from(a.subarray(0, t)).sort()).toEqual(sorted.subarray(0, t));
      expect(Float64Array.from(a).sort()).toEqual(sorted); // a permutation
    }
  });
});
