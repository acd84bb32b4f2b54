/**
 * Time limits of quant-oa and prune-oa, deterministically: the solvers' Deadline reads an injected clock that
 * advances by one "ms" per read, so "time" is the number of clock reads (no assertion on wall-clock time).
 *
 * - at n = 400 with an expired limit and with a limit of 50 reads: a valid result (feasible solution, upper bound
 *   recomputed from it, lower bound <= upper bound), status `time_limit`, and a bounded number of clock reads after
 *   the deadline (every phase polls it; O(n^3) steps that cannot fit are skipped);
 * - for any limit, on small problems, the lower bound stays below the brute-force optimum and `optimal` is only
 *   claimed with a closed gap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pruningProblemOf, quantizationProblemOf } from '../../src/core/objective.js';
import { setDeadlineClock, type Clock } from '../../src/core/result.js';
import type { PruningProblem, QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { checkResult, errorScale } from '../../study/testing/invariants.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { solvePruneOa } from '../../solvers/milp/prune-oa.js';
import { solveQuantOa } from '../../solvers/milp/quant-oa.js';
import { brutePrune, bruteQuant, randomObjective } from './brute.js';

function countingClock(): { clock: Clock; reads: () => number } {
  let t = 0;
  return { clock: () => t++, reads: () => t };
}

afterEach(() => {
  setDeadlineClock(null);
});

const big = syntheticProblem({ n: 400, m: 600, rho: 0, wDist: 'student-t', bits: 4, seed: 1 });

describe('quant-oa and prune-oa at n = 400 under a limit', () => {
  for (const limit of [0, 50]) {
    it(`quant-oa, limit ${limit} clock reads: valid result, time_limit, bounded work after the deadline`, { timeout: 120_000 }, async () => {
      const p = quantizationProblemOf(big);
      const c = countingClock();
      setDeadlineClock(c.clock);
      const r = await solveQuantOa(p, { timeLimitMs: limit });
      setDeadlineClock(null);
      expect(checkResult(r, p)).toEqual([]);
      expect(r.solution).not.toBeNull();
      expect(r.status).toBe('time_limit');
      expect(r.lowerBound).toBeGreaterThanOrEqual(0);
      expect(c.reads()).toBeLessThanOrEqual(limit + 64);
      // nothing fits an expired limit: the O(n^3) split (uninterruptible, no clock reads) is predicted and skipped
      if (limit === 0) expect(r.message).toMatch(/diagonal split .* does not fit/);
    });
    it(`prune-oa, limit ${limit} clock reads: valid result, time_limit, bounded work after the deadline`, { timeout: 120_000 }, async () => {
      const p = pruningProblemOf(big);
      const c = countingClock();
      setDeadlineClock(c.clock);
      const r = await solvePruneOa(p, { timeLimitMs: limit });
      setDeadlineClock(null);
      expect(checkResult(r, p)).toEqual([]);
      expect(r.solution).not.toBeNull();
      expect(r.status).toBe('time_limit');
      expect(c.reads()).toBeLessThanOrEqual(limit + 64);
      if (limit === 0) expect(r.message).toMatch(/diagonal split .* does not fit/);
    });
  }
});

describe('the OA lower bound is valid for any time limit', () => {
  const limits = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 4181];
  const cases = [
    { seed: 11, n: 5, rows: 5, box: null },
    { seed: 12, n: 6, rows: 4, box: 0.5 },
  ];
  for (const cs of cases) {
    it(`n = ${cs.n}, seed ${cs.seed}: lb <= brute-force optimum <= ub, optimal only with a closed gap`, { timeout: 300_000 }, async () => {
      const objective = randomObjective(cs.seed, { n: cs.n, rows: cs.rows });
      const q: QuantizationProblem = { name: 'q', objective, scale: 0.3, zmin: -2, zmax: 1 };
      const pr: PruningProblem = { name: 'p', objective, k: 3, box: cs.box === null ? null : [-cs.box, cs.box] };
      const optQ = bruteQuant(q);
      const optP = brutePrune(pr);
      for (const limit of limits) {
        for (const [p, opt, solve] of [
          [q, optQ, () => solveQuantOa(q, { timeLimitMs: limit, relGapTol: 1e-6 })],
          [pr, optP, () => solvePruneOa(pr, { timeLimitMs: limit, relGapTol: 1e-6 })],
        ] as Array<[QuantizationProblem | PruningProblem, number, () => Promise<SolveResult>]>) {
          setDeadlineClock(countingClock().clock);
          const r = await solve();
          setDeadlineClock(null);
          const what = `${r.solver} limit ${limit}`;
          const slack = 1e-9 * opt + 1e-12 * errorScale(p);
          expect(checkResult(r, p), what).toEqual([]);
          expect(r.lowerBound, what).toBeLessThanOrEqual(opt + slack);
          expect(r.upperBound, what).toBeGreaterThanOrEqual(opt - slack);
          if (r.status === 'optimal') expect(r.relGap, what).toBeLessThanOrEqual(1e-6);
          else expect(['time_limit', 'numerical_failure'], what).toContain(r.status);
        }
      }
    });
  }
});
