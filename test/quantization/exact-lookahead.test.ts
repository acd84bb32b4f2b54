import { describe, expect, it } from 'vitest';
import { quantizationProblemOf } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import type { SolveResult } from '../../src/core/types.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { readProblemSet } from '../../src/io/problem-file.js';
import { exactLookahead, remainderBound } from '../../solvers/quantization/exact-lookahead.js';
import { factorInOrder, quantExactSolver, vblastOrder } from '../../solvers/quantization/index.js';
import { auditResult } from '../../solvers/verify.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { bruteForce } from './helpers.js';

const run = (p: unknown, o: unknown): SolveResult => (quantExactSolver.solve as (a: unknown, b: unknown) => SolveResult)(p, o);

/** Random positive definite Q = A^T A / m (n x n) with correlated columns. */
function randomPd(n: number, rng: Rng, rho: number): Float64Array {
  const m = n + 2;
  const A = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let prev = 0;
    for (let j = 0; j < n; j++) {
      prev = rho * prev + Math.sqrt(1 - rho * rho) * rng.normal();
      A[r * n + j] = prev;
    }
  }
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += A[r * n + i] * A[r * n + j];
    Q[i * n + j] = s / m;
  }
  return Q;
}

describe('look-ahead remainder bound', () => {
  it('never exceeds the brute-force minimum of the remaining levels (box and integer grids)', () => {
    const rng = new Rng(7);
    let positive = 0;
    for (let trial = 0; trial < 60; trial++) {
      const n = 3 + (trial % 4);
      const P = randomPd(n, rng, trial % 3 === 0 ? 0.9 : 0.3);
      const t = Float64Array.from({ length: n }, () => 3 * rng.normal());
      const ord = vblastOrder(P, n, 1e-12);
      const F = factorInOrder(P, n, ord, t, 0);
      const look = exactLookahead(P, F, Array.from({ length: n }, (_, i) => i))!;
      const xOrd = Float64Array.from(ord, (j) => t[j]);
      const [lo, hi] = trial % 2 ? [-2, 1] : [-6, 6];
      for (let l = 0; l < n - 1; l++) {
        const zl = Float64Array.from(xOrd, (x) => Math.min(hi, Math.max(lo, Math.round(x + rng.normal()))));
        const lb = remainderBound(look, F, xOrd, zl, l, lo, hi, new Float64Array(2 * n));
        // brute force over the remaining levels in the box: min of (z - x)^T Q (z - x) minus its real minimum over z_R
        const r = n - l - 1;
        const z = Float64Array.from(zl);
        const val = (): number => {
          let s = 0;
          for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s += (z[a] - xOrd[a]) * look.Q[a * n + b] * (z[b] - xOrd[b]);
          return s;
        };
        let best = Infinity;
        const idx = new Array(r).fill(lo);
        for (;;) {
          for (let q = 0; q < r; q++) z[l + 1 + q] = idx[q];
          best = Math.min(best, val());
          let q = 0;
          while (q < r && idx[q] === hi) idx[q++] = lo;
          if (q === r) break;
          idx[q]++;
        }
        // the real minimum over z_R: the sum of the factor's level costs of the prefix (levels 0..l)
        let realMin = 0;
        const e = new Float64Array(n);
        for (let i = 0; i <= l; i++) e[i] = zl[i] - xOrd[i];
        for (let i = 0; i <= l; i++) {
          let c = e[i];
          for (let j = 0; j < i; j++) c += F.Lk[i * n + j] * e[j];
          realMin += F.d[i] * c * c;
        }
        expect(lb).toBeGreaterThanOrEqual(0);
        expect(lb).toBeLessThanOrEqual((best - realMin) * (1 + 1e-9) + 1e-9 * best);
        if (lb > 0) positive++;
      }
    }
    expect(positive).toBeGreaterThan(20);
  });

  it('quant-exact under a node limit: the look-ahead bound is at least the plain one and below the brute-force optimum', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const lp = syntheticProblem({ n: 6, rho: seed % 2 ? 0.9 : 0.3, seed, bits: 3 });
      const p = quantizationProblemOf(lp);
      const opt = bruteForce(p).value;
      for (const nodeLimit of [0, 2, 5, 20, 80]) {
        const on = run(p, { nodeLimit, extra: { limitSdp: false } });
        const off = run(p, { nodeLimit, extra: { limitSdp: false, lookahead: false } });
        expect(on.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-12));
        expect(on.lowerBound).toBeGreaterThanOrEqual(off.lowerBound);
        expect(auditResult(lp, on).failures).toEqual([]);
      }
    }
  });

  it('ill-conditioned G, both bases, every node limit 0..12: the bound stays below the brute-force optimum', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const p = synthQuant({ n: 5, bits: 4, rho: seed % 2 ? 0.999 : 0.99, seed });
      const opt = bruteForce(p).value;
      for (const reduce of ['lll', 'none'])
        for (let nodeLimit = 0; nodeLimit <= 12; nodeLimit++) {
          const on = run(p, { nodeLimit, extra: { reduce, limitSdp: false } });
          const off = run(p, { nodeLimit, extra: { reduce, limitSdp: false, lookahead: false } });
          expect(on.lowerBound).toBeLessThanOrEqual(opt);
          expect(on.lowerBound).toBeGreaterThanOrEqual(off.lowerBound);
        }
    }
  });

  it('first-layer problems (reduced basis): the look-ahead raises the node-limited bound on some channel, never lowers it', () => {
    const set = readProblemSet('problems/first-conv.json');
    let raised = 0;
    for (const lp of set.problems.slice(0, 4)) {
      const p = quantizationProblemOf(lp);
      const on = run(p, { nodeLimit: 10, extra: { limitSdp: false } });
      const off = run(p, { nodeLimit: 10, extra: { limitSdp: false, lookahead: false } });
      expect(on.lowerBound).toBeGreaterThanOrEqual(off.lowerBound);
      expect(on.lowerBound).toBeLessThanOrEqual(on.upperBound);
      if (on.lowerBound > off.lowerBound * (1 + 1e-6)) raised++;
    }
    expect(raised).toBeGreaterThan(0);
  });
});
