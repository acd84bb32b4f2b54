import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf, quantErrorOf, quantizationProblemOf } from '../../../src/core/objective.js';
import { makeResult } from '../../../src/core/result.js';
import type { LayerProblem, QuantizationProblem, SolveResult } from '../../../src/core/types.js';
import { layerProblemToJSON, parseLayerProblem } from '../../../src/io/layer-problem.js';
import { pivotedLDL } from '../../../src/linalg/dense.js';
import { symEig } from '../../../src/linalg/eigen.js';
import {
  assertResult,
  checkBoundOrder,
  checkFeasible,
  checkOptimalGap,
  checkPermutationInvariance,
  checkResult,
  checkResultShape,
  checkSandwich,
  checkScaleInvariance,
  checkUpperBound,
  errorScale,
  InvariantError,
  inversePermutation,
  isPermutation,
  layerProblemArb,
  permutationArb,
  permuteProblem,
  permuteVector,
  pruningProblemArb,
  psdMatrixArb,
  quantizationProblemArb,
  randomPermutation,
  scaleProblem,
} from '../../../study/testing/index.js';
import { fcParams } from '../../helpers/fc-seed.js';

/** Brute-force exact quantization (small n and bits): enumerate every grid point. */
function bruteQuant(p: QuantizationProblem, solver = 'brute'): SolveResult {
  const n = p.objective.n;
  const z = new Float64Array(n).fill(p.zmin);
  let best = Infinity;
  let bestZ = new Float64Array(n);
  for (;;) {
    const e = quantErrorOf(p, z);
    if (e < best) {
      best = e;
      bestZ = Float64Array.from(z);
    }
    let i = 0;
    while (i < n && z[i] === p.zmax) z[i++] = p.zmin;
    if (i === n) break;
    z[i]++;
  }
  return makeResult({ solver, problem: p.name, problemClass: 'quantization', lowerBound: best, upperBound: best, solution: bestZ, status: 'optimal', stats: { timeMs: 0 } });
}

/** Round to nearest (a heuristic). */
function rtn(p: QuantizationProblem): SolveResult {
  const z = p.objective.w.map((x) => Math.min(p.zmax, Math.max(p.zmin, Math.round(x / p.scale))));
  return makeResult({ solver: 'rtn', problem: p.name, problemClass: 'quantization', lowerBound: 0, upperBound: quantErrorOf(p, z), solution: z, status: 'feasible', stats: { timeMs: 0 } });
}

function rank(G: Float64Array, n: number): number {
  let md = 0;
  for (let i = 0; i < n; i++) md = Math.max(md, G[i * n + i]);
  return md === 0 ? 0 : pivotedLDL(G, n, 1e-9 * md).rank;
}

describe('arbitraries', () => {
  it('layer problems are valid (pass the file validator) and respect the requested ranges', () => {
    fc.assert(
      fc.property(layerProblemArb({ n: { min: 1, max: 10 }, bits: { min: 2, max: 8 } }), (p) => {
        const back = parseLayerProblem(JSON.parse(JSON.stringify(layerProblemToJSON(p))));
        expect(back.n).toBe(p.n);
        expect(p.n).toBeGreaterThanOrEqual(1);
        expect(p.n).toBeLessThanOrEqual(10);
        const b = p.meta.bits as number;
        expect(b).toBeGreaterThanOrEqual(2);
        expect(b).toBeLessThanOrEqual(8);
        expect(p.zmin).toBe(-(2 ** (b - 1)));
        expect(p.scale).toBeGreaterThan(0);
        expect(p.k).toBeGreaterThanOrEqual(0);
        expect(p.k).toBeLessThanOrEqual(p.n);
        expect(rank(p.objective.G, p.n)).toBe(p.meta.rank);
        for (const d of p.meta.dead as number[]) for (let j = 0; j < p.n; j++) expect(p.objective.G[d * p.n + j]).toBe(0);
        if (p.pruneBox) expect(p.pruneBox[0]).toBeLessThanOrEqual(p.pruneBox[1]);
      }),
      fcParams({ numRuns: 150 }),
    );
  });

  it('options pin rank, dead inputs, box and k', () => {
    fc.assert(
      fc.property(layerProblemArb({ n: { min: 3, max: 8 }, rank: 'deficient', dead: false, pruneBox: false }), (p) => {
        expect(p.meta.rank as number).toBeLessThan(p.n);
        expect(rank(p.objective.G, p.n)).toBe(p.meta.rank);
        expect((p.meta.dead as number[]).length).toBe(0);
        expect(p.pruneBox).toBeNull();
      }),
      fcParams({ numRuns: 40 }),
    );
    fc.assert(
      fc.property(layerProblemArb({ n: 6, rank: 'full', dead: false, pruneBox: true, bits: 4 }), (p) => {
        expect(rank(p.objective.G, 6)).toBe(6);
        expect(p.pruneBox).not.toBeNull();
        expect(p.k).toBe(2); // round(6*4/16) = round(1.5) = 2
      }),
      fcParams({ numRuns: 30 }),
    );
  });

  it('PSD matrices have the requested rank and condition number', () => {
    fc.assert(
      fc.property(psdMatrixArb({ n: { min: 2, max: 8 }, logCond: { min: 0, max: 5 } }), ({ n, rank: rk, G }) => {
        const ev = symEig(G, n).values;
        const nz = Array.from(ev).filter((v) => v > 1e-9);
        expect(nz.length).toBe(rk);
        expect(ev[0]).toBeGreaterThan(-1e-12);
        expect(Math.abs(nz[nz.length - 1] - 1)).toBeLessThan(1e-9);
      }),
      fcParams({ numRuns: 60 }),
    );
    const cond = 1e4;
    fc.assert(
      fc.property(psdMatrixArb({ n: 5, rank: 'full', logCond: 4 }), ({ G }) => {
        const ev = symEig(G, 5).values;
        expect(ev[4] / ev[0]).toBeCloseTo(cond, -1);
      }),
      fcParams({ numRuns: 10 }),
    );
  });

  it('quantization and pruning arbitraries carry the right fields', () => {
    fc.assert(
      fc.property(quantizationProblemArb({ n: 3 }), pruningProblemArb({ n: 3, pruneBox: true }), (q, p) => {
        expect(q.objective.n).toBe(3);
        expect(Number.isInteger(q.zmin) && q.zmin < 0 && q.zmax > 0).toBe(true);
        expect(p.box).not.toBeNull();
        expect(p.k).toBeLessThanOrEqual(3);
      }),
      fcParams({ numRuns: 20 }),
    );
  });

  it('is deterministic: the same parameters give the same problem', () => {
    const a = fc.sample(layerProblemArb({ n: 5 }), { seed: 42, numRuns: 3 });
    const b = fc.sample(layerProblemArb({ n: 5 }), { seed: 42, numRuns: 3 });
    expect(a.map((p) => Array.from(p.objective.G))).toEqual(b.map((p) => Array.from(p.objective.G)));
    expect(a.map((p) => p.scale)).toEqual(b.map((p) => p.scale));
  });
});

describe('invariants', () => {
  const small = { n: { min: 1, max: 4 }, bits: { min: 2, max: 3 } };

  it('hold for a brute-force exact solver and round-to-nearest (bound sandwich included)', () => {
    fc.assert(
      fc.property(quantizationProblemArb(small), (q) => {
        const ex = bruteQuant(q);
        const h = rtn(q);
        expect(checkResult(ex, q)).toEqual([]);
        expect(checkResult(h, q)).toEqual([]);
        expect(checkSandwich([ex, h], { optimum: ex.upperBound, r: errorScale(q) })).toEqual([]);
      }),
      fcParams({ numRuns: 60 }),
    );
  });

  it('exact optimum: invariant under permutations and SQNR-invariant under G -> alpha G', () => {
    fc.assert(
      fc.property(
        layerProblemArb(small).chain((p) => fc.tuple(fc.constant(p), permutationArb(p.n), fc.constantFrom(1e-6, 0.37, 3, 1e5))),
        ([p, perm, alpha]) => {
          const q = quantizationProblemOf(p);
          const ex = bruteQuant(q);
          const pq = permuteProblem(q, perm);
          const exP = bruteQuant(pq);
          expect(checkPermutationInvariance(ex, exP, { r: errorScale(q) })).toEqual([]);
          // the permuted optimum, un-permuted, is optimal for the original problem
          const back = permuteVector(exP.solution!, inversePermutation(perm));
          expect(Math.abs(quantErrorOf(q, back) - ex.upperBound)).toBeLessThanOrEqual(1e-12 * ex.upperBound + 1e-12 * errorScale(q));
          const sq = scaleProblem(q, alpha);
          expect(checkScaleInvariance(q, ex, bruteQuant(sq), alpha, { which: 'both' })).toEqual([]);
        },
      ),
      fcParams({ numRuns: 40 }),
    );
  });

  it('each check catches its violation', () => {
    const [p] = fc.sample(layerProblemArb({ n: 3, bits: 2, rank: 'full', dead: false, logCond: 1 }), { seed: 7, numRuns: 1 });
    const q = quantizationProblemOf(p);
    const ex = bruteQuant(q);
    expect(ex.upperBound).toBeGreaterThan(0);
    // wrong upper bound
    expect(checkUpperBound({ ...ex, upperBound: ex.upperBound * (1 + 1e-9) }, q).length).toBe(1);
    expect(checkUpperBound({ ...ex, upperBound: ex.upperBound * (1 + 1e-14) }, q)).toEqual([]);
    // infeasible points: out of the box, not integer, wrong length
    expect(checkFeasible({ ...ex, solution: Float64Array.from([q.zmax + 1, 0, 0]) }, q).length).toBe(1);
    expect(checkFeasible({ ...ex, solution: Float64Array.from([0.5, 0, 0]) }, q).length).toBe(1);
    expect(checkFeasible({ ...ex, solution: Float64Array.from([0, 0]) }, q).length).toBe(1);
    // bounds out of order, optimal with an open gap
    expect(checkBoundOrder({ ...ex, lowerBound: ex.upperBound * 1.001 }).length).toBe(1);
    expect(checkOptimalGap({ ...ex, lowerBound: ex.upperBound * 0.5 }).length).toBe(1);
    expect(checkOptimalGap({ ...ex, lowerBound: ex.upperBound * 0.5, status: 'time_limit' })).toEqual([]);
    // shape
    expect(checkResultShape({ ...ex, lowerBound: NaN }).length).toBeGreaterThan(0);
    expect(checkResultShape({ ...ex, stats: {} as never }).length).toBe(3);
    expect(checkResultShape({ ...ex, solution: null }).length).toBeGreaterThan(0);
    expect(checkResultShape({ ...ex, status: 'done' as never }).length).toBe(1);
    expect(checkResultShape({ ...ex, relGap: 0.5 }).length).toBe(1);
    // sandwich: a "bound" above the optimum, a heuristic below it
    const badBound = { ...ex, solver: 'bad-bound', lowerBound: ex.upperBound * 1.01, upperBound: Infinity, solution: null };
    expect(checkSandwich([ex, badBound]).length).toBe(1);
    expect(checkSandwich([{ ...ex, lowerBound: 0, upperBound: ex.upperBound * 0.9 }], { optimum: ex.upperBound }).length).toBe(1);
    // scale invariance: a solver whose answer changes with alpha
    expect(checkScaleInvariance(q, ex, { ...ex, upperBound: ex.upperBound * 2 * 1.01 }, 2).length).toBe(1);
    expect(checkPermutationInvariance(ex, { ...ex, upperBound: ex.upperBound * 1.001 }).length).toBe(1);
    // assert* throws an InvariantError listing the violations
    expect(() => assertResult({ ...ex, upperBound: ex.upperBound + 1 }, q)).toThrow(InvariantError);
    expect(() => assertResult(ex, q)).not.toThrow();
  });

  it('pruning results: k and the box are checked (a LayerProblem is checked with its pruneBox)', () => {
    const p: LayerProblem = {
      name: 'p',
      n: 3,
      objective: { n: 3, G: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), w: Float64Array.from([1, -2, 3]), r: 14 },
      scale: 1,
      zmin: -2,
      zmax: 1,
      k: 1,
      pruneBox: [-4, 6],
      meta: {},
    };
    const mk = (v: number[]) =>
      makeResult({ solver: 'x', problem: 'p', problemClass: 'pruning', lowerBound: 0, upperBound: errorOf(p.objective, v), solution: Float64Array.from(v), status: 'feasible', stats: { timeMs: 1 } });
    expect(checkResult(mk([0, 0, 3]), p)).toEqual([]);
    expect(checkFeasible(mk([1, 0, 3]), p).length).toBe(1); // two nonzeros, k = 1
    expect(checkFeasible(mk([0, 0, 7]), p).length).toBe(1); // outside the box
    expect(checkFeasible(mk([0, 0, 7]), { name: 'p', objective: p.objective, k: 1, box: null })).toEqual([]);
  });
});

describe('permutation helpers', () => {
  it('permute, invert and scale', () => {
    fc.assert(
      fc.property(layerProblemArb({ n: { min: 1, max: 7 } }).chain((p) => fc.tuple(fc.constant(p), permutationArb(p.n))), ([p, perm]) => {
        expect(isPermutation(perm, p.n)).toBe(true);
        const pp = permuteProblem(p, perm);
        const back = permuteProblem(pp, inversePermutation(perm));
        expect(Array.from(back.objective.G)).toEqual(Array.from(p.objective.G));
        expect(Array.from(back.objective.w)).toEqual(Array.from(p.objective.w));
        // rounding of a quadratic form is relative to sum |G_ij||x_i||x_j|, not to its (possibly cancelled) value
        const mag = (x: ArrayLike<number>) => {
          let t = 0;
          for (let i = 0; i < p.n; i++) for (let j = 0; j < p.n; j++) t += Math.abs(p.objective.G[i * p.n + j] * x[i] * x[j]);
          return t;
        };
        expect(Math.abs(pp.objective.r - p.objective.r)).toBeLessThanOrEqual(1e-13 * p.n * mag(p.objective.w) + 1e-300);
        const v = p.objective.w.map((x, i) => x * 0.5 + i);
        const e = p.objective.w.map((x, i) => x - v[i]);
        expect(Math.abs(errorOf(pp.objective, permuteVector(v, perm)) - errorOf(p.objective, v))).toBeLessThanOrEqual(1e-13 * p.n * mag(e) + 1e-300);
        expect(() => parseLayerProblem(layerProblemToJSON(pp))).not.toThrow();
      }),
      fcParams({ numRuns: 60 }),
    );
    expect(isPermutation([0, 2, 2])).toBe(false);
    expect(randomPermutation(6, 3)).toEqual(randomPermutation(6, 3));
    expect([...randomPermutation(9, 1)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => scaleProblem(quantizationProblemOf(fc.sample(layerProblemArb({ n: 2 }), 1)[0]), 0)).toThrow(RangeError);
  });
});
