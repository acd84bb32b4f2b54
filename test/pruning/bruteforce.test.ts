import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { errorOf, isPruneFeasible } from '../../src/core/objective.js';
import type { PruningProblem, SolveResult } from '../../src/core/types.js';
import { pruneExactSolver, pruneBoundSolver, swapSolver, obsSolver, greedyForwardSolver, magnitudeRefitSolver, pruneBranchAndBound } from '../../solvers/pruning/index.js';
import { bruteForcePrune, randomProblem } from './helpers.js';
import { fcParams } from '../helpers/fc-seed.js';

function checkExact(p: PruningProblem): void {
  const bf = bruteForcePrune(p);
  const r = pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult;
  // absolute 1e-11 r: the brute force (ml-matrix pseudo-inverse) itself is only that accurate on singular supports
  const tol = 1e-9 * bf.err + 1e-11 * p.objective.r;
  expect(r.status).toBe('optimal');
  expect(isPruneFeasible(p, r.solution!)).toBe(true);
  expect(Math.abs(r.upperBound - bf.err)).toBeLessThanOrEqual(tol);
  expect(Math.abs(errorOf(p.objective, r.solution!) - r.upperBound)).toBeLessThanOrEqual(1e-12 * p.objective.r);
  expect(r.lowerBound).toBeLessThanOrEqual(bf.err + tol);
}

describe('prune-exact equals brute-force enumeration (independent ml-matrix solves)', () => {
  it('random full-rank problems, n <= 10, free and boxed (paper and tight boxes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom('none', 'paper', 'tight'),
        (n, kf, seed, box) => {
          const k = Math.min(n, Math.floor(kf * (n + 1)));
          const boxed = box !== 'none' && n <= 8;
          checkExact(randomProblem({ n, k: boxed ? Math.min(k, 4) : k, seed, box: boxed ? (box as 'paper' | 'tight') : 'none' }));
        },
      ),
      fcParams({ numRuns: 40 }),
    );
  });

  it('n = 12 spot checks (all supports)', () => {
    for (const seed of [11, 12]) checkExact(randomProblem({ n: 12, k: 3, seed }));
  });

  it('singular G, n = 12 and 13 spot checks (sample-space kept-side search, both variable orders)', () => {
    for (const [n, k, m, seed] of [
      [12, 3, 6, 21],
      [12, 4, 5, 22],
      [13, 3, 8, 23],
    ] as const) {
      const p = randomProblem({ n, k, seed, m });
      checkExact(p);
      const bf = bruteForcePrune(p);
      const t = pruneBranchAndBound(p, { heuristic: false, order: 'natural', relGapTol: 1e-12 });
      expect(t.path).toBe('generic');
      expect(t.status).toBe('optimal');
      expect(Math.abs(errorOf(p.objective, t.v) - bf.err)).toBeLessThanOrEqual(1e-9 * bf.err + 1e-11 * p.objective.r);
    }
  });

  it('singular G (m < n), dead inputs, duplicate columns, zero weights', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('none', 'tight'), (n, seed, box) => {
        const rng = seed % 7;
        const k = 1 + (seed % Math.max(1, n - 1));
        const boxed = box === 'tight' && n <= 7;
        const kk = boxed ? Math.min(k, 3) : k;
        checkExact(randomProblem({ n, k: kk, seed, m: 1 + (rng % (n - 1)), box: boxed ? 'tight' : 'none' }));
        checkExact(randomProblem({ n, k: kk, seed: seed + 1, dead: [0, n - 1], box: boxed ? 'tight' : 'none' }));
        checkExact(randomProblem({ n, k: kk, seed: seed + 2, duplicate: [0, 1], zeroW: [n - 1] }));
      }),
      fcParams({ numRuns: 12 }),
    );
  });
});

describe('degenerate inputs', () => {
  it('k = 0 gives error r with a proof', () => {
    const p = randomProblem({ n: 6, k: 0, seed: 3 });
    const r = pruneExactSolver.solve(p) as SolveResult;
    expect(r.status).toBe('optimal');
    expect([...r.solution!].every((x) => x === 0)).toBe(true);
    expect(r.upperBound).toBeCloseTo(p.objective.r, 15);
    expect(r.lowerBound).toBe(r.upperBound);
  });

  it('k = n keeps w (error 0) and k >= rank reaches 0 on a rank-deficient G', () => {
    const p = randomProblem({ n: 6, k: 6, seed: 4 });
    const r = pruneExactSolver.solve(p) as SolveResult;
    expect(r.status).toBe('optimal');
    expect(r.upperBound).toBe(0);
    const q = randomProblem({ n: 8, k: 3, seed: 5, m: 3 });
    const s = pruneExactSolver.solve(q) as SolveResult;
    expect(s.status).toBe('optimal');
    expect(s.upperBound).toBeLessThanOrEqual(1e-12 * q.objective.r);
    for (const h of [greedyForwardSolver, swapSolver]) expect((h.solve(q) as SolveResult).upperBound).toBeLessThanOrEqual(1e-12 * q.objective.r);
  });

  it('n = 1, all-zero G, all-zero w', () => {
    const one = randomProblem({ n: 1, k: 0, seed: 6 });
    expect((pruneExactSolver.solve(one) as SolveResult).upperBound).toBeCloseTo(one.objective.r, 15);
    const zeroG: PruningProblem = { name: 'z', objective: { n: 3, G: new Float64Array(9), w: Float64Array.from([1, 2, 3]), r: 0 }, k: 1, box: null };
    for (const s of [pruneExactSolver, pruneBoundSolver, obsSolver, magnitudeRefitSolver]) {
      const r = s.solve(zeroG) as SolveResult;
      expect(r.upperBound).toBe(0);
      expect(isPruneFeasible(zeroG, r.solution!)).toBe(true);
    }
    const zeroW = randomProblem({ n: 5, k: 2, seed: 7, zeroW: [0, 1, 2, 3, 4] });
    const r = pruneExactSolver.solve(zeroW) as SolveResult;
    expect(r.upperBound).toBe(0);
    expect(r.status).toBe('optimal');
  });

  it('rejects bad input with PvqInputError naming the field', () => {
    const p = randomProblem({ n: 4, k: 2, seed: 8 });
    expect(() => pruneExactSolver.solve({ ...p, k: -1 })).toThrow(/^k: /);
    expect(() => pruneExactSolver.solve({ ...p, k: 1.5 })).toThrow(/^k: /);
    expect(() => pruneExactSolver.solve({ ...p, box: [1, 2] })).not.toThrow(); // valid: see box-nonzero.test.ts
    expect(() => pruneExactSolver.solve({ ...p, box: [1, NaN] as unknown as [number, number] })).toThrow(/^box: /);
    expect(() => pruneExactSolver.solve({ ...p, box: [1, -1] })).toThrow(/^box: /);
    const bad = Float64Array.from(p.objective.w);
    bad[0] = NaN;
    expect(() => magnitudeRefitSolver.solve({ ...p, objective: { ...p.objective, w: bad } })).toThrow(/objective.w/);
    try {
      pruneBoundSolver.solve({ ...p, k: -3 });
    } catch (e) {
      expect((e as Error).name).toBe('PvqInputError');
    }
  });
});

describe('branch-and-bound internals', () => {
  it('without the heuristic incumbent, with any bound variant (monotone, diagonal look-ahead, perspective), the tree finds the brute-force optimum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), fc.boolean(), fc.constantFrom('none', 'auto'), fc.boolean(), (n, seed, mono, box, diag, persp) => {
        const k = 1 + (seed % (n - 1));
        const p = randomProblem({ n, k: box ? Math.min(k, 3) : k, seed, box: box && n <= 7 ? 'tight' : 'none' });
        const bf = bruteForcePrune(p);
        const r = pruneBranchAndBound(p, { heuristic: false, bound: mono ? 'monotone' : 'lookahead', diag, perspective: persp, relGapTol: 1e-12 });
        expect(r.status).toBe('optimal');
        expect(Math.abs(errorOf(p.objective, r.v) - bf.err)).toBeLessThanOrEqual(1e-9 * bf.err + 1e-11 * p.objective.r);
        expect(r.leaves).toBeGreaterThan(0);
      }),
      fcParams({ numRuns: 40 }),
    );
  });
});

describe('ill-conditioned positive definite G', () => {
  it('cond(G) up to 1e13: exact equals brute force (fast or generic path), bound below the optimum', async () => {
    const { psdMatrix } = await import('../../study/testing/arbitraries.js');
    const { makeObjective } = await import('../../src/core/objective.js');
    const { Rng } = await import('../../src/core/random.js');
    for (const [seed, logCond] of [
      [1, 4],
      [2, 6],
      [3, 8],
      [4, 11], // Cholesky pivots below 1e-9 max G_ii: the sample-space (generic) path
      [5, 13],
    ] as const) {
      const n = 9;
      const G = psdMatrix({ n, rank: n, cond: 10 ** logCond, seed });
      const rng = new Rng(seed);
      const w = Float64Array.from({ length: n }, () => 0.05 * rng.normal());
      const p = { name: `cond${logCond}`, objective: makeObjective(G, w), k: 3, box: null };
      const bf = bruteForcePrune(p);
      const r = pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult;
      expect(r.status).toBe('optimal');
      expect(Math.abs(r.upperBound - bf.err)).toBeLessThanOrEqual(1e-7 * bf.err + 1e-11 * p.objective.r);
      expect(r.lowerBound).toBeLessThanOrEqual(Math.min(bf.err, r.upperBound) * (1 + 1e-7));
    }
  });
});
