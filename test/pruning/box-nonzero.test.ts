/**
 * Boxes that do not contain 0 (valid input: the format only requires lo <= hi). Kept weights lie in [lo, hi],
 * pruned weights are 0, at most k are kept (fewer allowed). The value of a support is then not monotone, so
 * exactness is checked against brute force over ALL supports of size <= k with an exact box-LS on each
 * (independent ml-matrix active-set enumeration in helpers.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { errorOf, isPruneFeasible } from '../../src/core/objective.js';
import type { PruningProblem, SolveResult } from '../../src/core/types.js';
import {
  greedyForwardSolver,
  magnitudeRefitSolver,
  magnitudeSolver,
  obsSolver,
  pruneBoundSolver,
  pruneBranchAndBound,
  pruneExactSolver,
  refitSemicontinuous,
  semicontinuousLS,
  swapSolver,
  verifyPerspectiveCertificate,
} from '../../solvers/pruning/index.js';
import { bruteForcePrune, bruteSupport, randomProblem } from './helpers.js';
import { fcParams } from '../helpers/fc-seed.js';

type Kind = 'positive' | 'negative' | 'shifted' | 'point';

/** A random problem with a box excluding 0: one-signed w with the paper box, a box away from w, a point box. */
function offZeroProblem(n: number, k: number, seed: number, kind: Kind, m?: number): PruningProblem {
  const p = randomProblem({ n, k, seed, m });
  const w = Float64Array.from(p.objective.w);
  let box: [number, number];
  if (kind === 'positive' || kind === 'negative') {
    const s = kind === 'positive' ? 1 : -1;
    for (let i = 0; i < n; i++) w[i] = s * Math.abs(w[i]);
    const mn = Math.min(...w);
    const mx = Math.max(...w);
    box = [2 * mn, 2 * mx];
    if (box[0] <= 0 && box[1] >= 0) box = s > 0 ? [1e-3, 2 * mx] : [2 * mn, -1e-3];
  } else {
    const a = Math.max(...Array.from(w, Math.abs));
    box = kind === 'shifted' ? [0.5 * a, 1.5 * a] : [-0.7 * a, -0.7 * a];
  }
  const G = p.objective.G;
  let r = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r += w[i] * G[i * n + j] * w[j];
  return { name: `${kind}${seed}`, objective: { n, G, w, r: Math.max(0, r) }, k, box };
}

const kinds: Kind[] = ['positive', 'negative', 'shifted', 'point'];

describe('box not containing 0', () => {
  it('prune-exact equals brute force over all supports of size <= k (n <= 9)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...kinds), fc.boolean(), (n, k0, seed, kind, singular) => {
        const k = Math.min(n, k0);
        const p = offZeroProblem(n, k, seed, kind, singular && n > 2 ? 1 + (seed % (n - 1)) : undefined);
        const bf = bruteForcePrune(p);
        const tol = 1e-9 * bf.err + 1e-11 * p.objective.r;
        const r = pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult;
        expect(r.status).toBe('optimal');
        expect(isPruneFeasible(p, r.solution!)).toBe(true);
        expect(Math.abs(r.upperBound - bf.err)).toBeLessThanOrEqual(tol);
        expect(r.lowerBound).toBeLessThanOrEqual(bf.err + tol);
        expect(r.lowerBound).toBeGreaterThanOrEqual(bf.err - tol - 1e-9 * bf.err);
        // heuristics: feasible, never below the optimum
        for (const h of [magnitudeSolver, magnitudeRefitSolver, greedyForwardSolver, obsSolver, swapSolver]) {
          const hr = h.solve(p) as SolveResult;
          expect(isPruneFeasible(p, hr.solution!)).toBe(true);
          expect(hr.upperBound).toBeGreaterThanOrEqual(bf.err - tol);
          expect(Math.abs(hr.upperBound - errorOf(p.objective, hr.solution!))).toBeLessThanOrEqual(1e-12 * p.objective.r);
        }
        // the tree without the heuristic incumbent, and its monotone variant
        for (const bound of ['lookahead', 'monotone'] as const) {
          const t = pruneBranchAndBound(p, { heuristic: false, bound, relGapTol: 1e-12 });
          expect(t.status).toBe('optimal');
          expect(Math.abs(errorOf(p.objective, t.v) - bf.err)).toBeLessThanOrEqual(tol);
        }
      }),
      fcParams({ numRuns: 60 }),
    );
  });

  it('prune-bound and its certificate stay below the optimum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...kinds), (n, seed, kind) => {
        const p = offZeroProblem(n, 1 + (seed % Math.min(3, n)), seed, kind);
        const bf = bruteForcePrune(p);
        const r = pruneBoundSolver.solve(p, { iterationLimit: 30, extra: { bnbNodeLimit: 3 } }) as SolveResult;
        expect(r.lowerBound).toBeLessThanOrEqual(bf.err * (1 + 1e-9) + 1e-12 * p.objective.r);
        expect(isPruneFeasible(p, r.solution!)).toBe(true);
        if (r.certificate && r.certificate.type === 'perspective-fw') {
          const v = verifyPerspectiveCertificate(p, r.certificate);
          expect(v.ok).toBe(true);
          expect(v.bound).toBeLessThanOrEqual(bf.err * (1 + 1e-9) + 1e-12 * p.objective.r);
        }
      }),
      fcParams({ numRuns: 25 }),
    );
  });

  it('refitSemicontinuous equals the best box-LS over all subsets of S', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...kinds), (n, seed, kind) => {
        const p = offZeroProblem(n, n, seed, kind);
        const { G, w } = p.objective;
        const b = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += G[i * n + j] * w[j];
        const S = Array.from({ length: n }, (_, i) => i);
        const v = refitSemicontinuous(G, n, b, S, p.box!);
        const bf = bruteForcePrune(p).err;
        expect(isPruneFeasible(p, v)).toBe(true);
        expect(Math.abs(errorOf(p.objective, v) - bf)).toBeLessThanOrEqual(1e-9 * bf + 1e-11 * p.objective.r);
        // at least as good as keeping all of S with the box (the old refit)
        expect(errorOf(p.objective, v)).toBeLessThanOrEqual(bruteSupport(G, n, w, S, p.box).err * (1 + 1e-9) + 1e-12 * p.objective.r);
      }),
      fcParams({ numRuns: 30 }),
    );
  });

  it('the value is not monotone: keeping fewer than k can be strictly better (the solver prunes more)', () => {
    // two correlated inputs, w = (0.05, 0.05), box [1, 2]: any kept weight is >= 1, far above w
    const G = Float64Array.from([1, 0.9, 0.9, 1]);
    const w = Float64Array.from([0.05, 0.05]);
    const p: PruningProblem = { name: 'nm', objective: { n: 2, G, w, r: 0.05 * 0.05 * 3.8 }, k: 2, box: [1, 2] };
    const r = pruneExactSolver.solve(p) as SolveResult;
    // every nonzero must be >= 1, far above w: pruning everything (error r) is optimal
    expect(r.status).toBe('optimal');
    expect([...r.solution!]).toEqual([0, 0]);
    expect(r.upperBound).toBeCloseTo(p.objective.r, 15);
    expect(r.lowerBound).toBeGreaterThan(0.99 * p.objective.r);
  });

  it('a budget-limited subset refit stays feasible and reports a bound below the exact value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 7 }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 3 }), (n, seed, budget) => {
        const p = offZeroProblem(n, n, seed, 'point');
        const { G, w, r } = p.objective;
        const b = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += G[i * n + j] * w[j];
        const S = Array.from({ length: n }, (_, i) => i);
        const exact = semicontinuousLS(G, n, b, S, p.box!);
        const cut = semicontinuousLS(G, n, b, S, p.box!, budget);
        expect(exact.exact).toBe(true);
        expect(cut.solves).toBeLessThanOrEqual(budget);
        expect(isPruneFeasible(p, cut.v)).toBe(true);
        expect(cut.bound).toBeLessThanOrEqual(exact.value + 1e-12 * r);
        expect(cut.value).toBeGreaterThanOrEqual(exact.value - 1e-12 * r);
        if (cut.exact) expect(Math.abs(cut.value - exact.value)).toBeLessThanOrEqual(1e-12 * r);
        expect(exact.solves > budget).toBe(!cut.exact);
      }),
      fcParams({ numRuns: 30 }),
    );
  });

  it('time limits are honoured on a hard point box (n = 32, k = 16): feasible, bound <= incumbent, optimal only if proven', () => {
    const p = offZeroProblem(32, 16, 4, 'point');
    const t0 = performance.now();
    const r = pruneExactSolver.solve(p, { timeLimitMs: 300 }) as SolveResult;
    const elapsed = performance.now() - t0;
    expect(isPruneFeasible(p, r.solution!)).toBe(true);
    expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound);
    expect(['time_limit', 'optimal']).toContain(r.status);
    if (r.status === 'optimal') expect(r.relGap).toBeLessThanOrEqual(1e-9);
    // generous: the check is that the solver stops at all (it ran for minutes before the deadline reached the swap search)
    expect(elapsed).toBeLessThan(20_000);
  });
});
