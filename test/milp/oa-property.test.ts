/**
 * Property tests: on random tiny problems, every iteration's certified lower bound is <= the brute-force optimum
 * <= every upper bound, for both back ends; finished runs agree with the optimum.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PruningProblem, QuantizationProblem } from '../../src/core/types.js';
import { isPruneFeasible, isQuantFeasible } from '../../src/core/objective.js';
import { MILP_BACKENDS } from '../../solvers/milp/backends.js';
import type { OaIterationInfo } from '../../solvers/milp/oa.js';
import { solvePruneOa } from '../../solvers/milp/prune-oa.js';
import { solveQuantOa } from '../../solvers/milp/quant-oa.js';
import { bruteQuant, brutePrune, randomObjective } from './brute.js';

const REL = 1e-6;

function expectBoundsHold(history: OaIterationInfo[], opt: number, lb: number, ub: number): void {
  const tol = 1e-12 * Math.max(1, Math.abs(opt));
  // (history may be empty when the starting heuristic already closes the gap, e.g. an exact fit with error 0)
  for (const h of history) {
    expect(h.lowerBound).toBeLessThanOrEqual(opt + tol);
    if (Number.isFinite(h.masterBound)) expect(h.masterBound).toBeLessThanOrEqual(opt + tol);
    expect(h.upperBound).toBeGreaterThanOrEqual(opt - tol);
  }
  expect(lb).toBeLessThanOrEqual(opt + tol);
  expect(ub).toBeGreaterThanOrEqual(opt - tol);
}

const quantCase = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  n: fc.integer({ min: 1, max: 4 }),
  rowsDelta: fc.integer({ min: -2, max: 3 }),
  bits: fc.constantFrom(2, 3),
  scale: fc.constantFrom(0.1, 0.3, 0.7),
  dead: fc.boolean(),
});

const pruneCase = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  n: fc.integer({ min: 1, max: 6 }),
  rowsDelta: fc.integer({ min: -3, max: 3 }),
  kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
  box: fc.constantFrom(null, 0.4, 1.0),
  dead: fc.boolean(),
});

describe.each(MILP_BACKENDS)('outer approximation with %s', (backend) => {
  it('quant-oa: lb <= brute-force optimum <= ub at every iteration', async () => {
    await fc.assert(
      fc.asyncProperty(quantCase, async (c) => {
        const rows = Math.max(1, c.n + c.rowsDelta);
        const objective = randomObjective(c.seed, { n: c.n, rows, dead: c.dead && c.n > 1 ? [0] : [] });
        const p: QuantizationProblem = { name: 'q', objective, scale: c.scale, zmin: -(2 ** (c.bits - 1)), zmax: 2 ** (c.bits - 1) - 1 };
        const opt = bruteQuant(p);
        const history: OaIterationInfo[] = [];
        // both cut families for the coupled part: factored 1-D tangents (default) and plain Kelley tangents
        const cuts = c.seed % 2 ? 'factor' : 'tangent';
        const res = await solveQuantOa(p, { relGapTol: REL, timeLimitMs: 10000, extra: { backend, cuts, onIteration: (h: OaIterationInfo) => history.push(h) } });
        expectBoundsHold(history, opt, res.lowerBound, res.upperBound);
        expect(res.solution).not.toBeNull();
        expect(isQuantFeasible(p, res.solution!)).toBe(true);
        if (res.status === 'optimal') {
          expect(Math.abs(res.upperBound - opt)).toBeLessThanOrEqual(REL * opt + 1e-15);
          expect(res.upperBound - res.lowerBound).toBeLessThanOrEqual(REL * res.upperBound + 1e-15);
        }
        return true;
      }),
      { numRuns: 25, seed: backend === 'glpk' ? 11 : 12 },
    );
  }, 120_000);

  it('prune-oa: lb <= brute-force optimum <= ub at every iteration (free, box, singular, dead inputs)', async () => {
    await fc.assert(
      fc.asyncProperty(pruneCase, async (c) => {
        const rows = Math.max(1, c.n + c.rowsDelta);
        const objective = randomObjective(c.seed, { n: c.n, rows, dead: c.dead && c.n > 1 ? [c.n - 1] : [] });
        const k = Math.min(c.n, Math.floor(c.kFrac * (c.n + 1)));
        const p: PruningProblem = { name: 'p', objective, k, box: c.box === null ? null : [-c.box, c.box] };
        const opt = brutePrune(p);
        const history: OaIterationInfo[] = [];
        const res = await solvePruneOa(p, { relGapTol: REL, timeLimitMs: 10000, extra: { backend, onIteration: (h: OaIterationInfo) => history.push(h) } });
        expectBoundsHold(history, opt, res.lowerBound, res.upperBound);
        expect(res.solution).not.toBeNull();
        expect(isPruneFeasible(p, res.solution!)).toBe(true);
        if (res.status === 'optimal') expect(res.upperBound - opt).toBeLessThanOrEqual(REL * opt + 1e-12);
        return true;
      }),
      { numRuns: 25, seed: backend === 'glpk' ? 21 : 22 },
    );
  }, 120_000);
});

it('quant-oa: a problem with diagonal G is closed by the first master (the split is exact)', async () => {
  const n = 4;
  const G = new Float64Array(n * n);
  [1, 2, 0.5, 3].forEach((g, i) => (G[i * n + i] = g));
  const w = Float64Array.from([0.33, -0.71, 1.4, -0.05]);
  const objective = { n, G, w, r: [1, 2, 0.5, 3].reduce((s, g, i) => s + g * w[i] * w[i], 0) };
  const p: QuantizationProblem = { name: 'diag', objective, scale: 0.25, zmin: -4, zmax: 3 };
  const res = await solveQuantOa(p, { relGapTol: 1e-6, extra: { backend: 'glpk', lpWarmupRounds: 0 } });
  expect(res.status).toBe('optimal');
  expect(res.stats.iterations).toBe(1);
  expect(res.upperBound).toBeCloseTo(bruteQuant(p), 14);
});
