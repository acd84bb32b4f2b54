/**
 * Time limits, deterministically: the solvers' Deadline reads an injected clock that advances by one "ms" per
 * read, so "time" is the number of clock reads and nothing here depends on the machine's speed.
 *
 * - Deadline arithmetic (remaining, sub-budgets);
 * - every quantization and pruning solver (MILP ones excluded: their own suite) at n = 400 with an already
 *   expired limit and with a limit of 50 reads returns a valid result (feasible solution, upper bound
 *   recomputed from it, lower bound <= upper bound, no `optimal`) and reads the clock only a bounded number of
 *   times after the deadline (every phase polls it and gives up);
 * - for any limit, the lower bound stays below the true optimum (small problems, exact reference).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pruningProblemOf, quantizationProblemOf } from '../../src/core/objective.js';
import { Deadline, setDeadlineClock, type Clock } from '../../src/core/result.js';
import type { PruningProblem, QuantizationProblem, SolveResult } from '../../src/core/types.js';
import type { PruningSolver, QuantizationSolver } from '../../src/core/solver.js';
import { checkResult, errorScale } from '../../study/testing/invariants.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { listSolvers } from '../../solvers/index.js';
import { pruneExactSolver } from '../../solvers/pruning/index.js';
import { quantExactSolver } from '../../solvers/quantization/index.js';

/** A clock that advances by 1 per read; `reads` counts them. */
function countingClock(): { clock: Clock; reads: () => number } {
  let t = 0;
  return { clock: () => t++, reads: () => t };
}

afterEach(() => {
  setDeadlineClock(null);
});

describe('Deadline', () => {
  it('counts remaining time and splits it into phase budgets that end no later than the parent', () => {
    let now = 100;
    const clock = () => now;
    const d = new Deadline(1000, { clock });
    expect(d.remaining()).toBe(1000);
    now = 400;
    expect(d.elapsed()).toBe(300);
    expect(d.remaining()).toBe(700);
    const half = d.sub(0.5);
    expect(half.remaining()).toBe(350);
    expect(d.sub(1, 100).remaining()).toBe(100);
    expect(d.sub(2).end).toBe(d.end);
    now = 1099;
    expect(d.expired()).toBe(false);
    expect(half.expired()).toBe(true);
    now = 1100;
    expect(d.expired()).toBe(true);
    expect(d.remaining()).toBe(0);
    expect(d.sub(0.5).expired()).toBe(true);
  });

  it('without a limit never expires, and its sub-budgets are unlimited unless capped', () => {
    let now = 0;
    const d = new Deadline(undefined, { clock: () => now });
    now = 1e12;
    expect(d.expired()).toBe(false);
    expect(d.remaining()).toBe(Infinity);
    expect(d.sub(0.1).remaining()).toBe(Infinity);
    expect(d.sub(0.1, 5).remaining()).toBe(5);
    expect(new Deadline(Infinity).limited).toBe(false);
    expect(new Deadline(0, { clock: () => 7 }).expired()).toBe(true);
  });

  it('setDeadlineClock changes the clock of new deadlines and returns the previous one', () => {
    const prev = setDeadlineClock(() => 42);
    expect(new Deadline(1).start).toBe(42);
    setDeadlineClock(prev);
    expect(new Deadline(1).start).not.toBe(42);
  });
});

// the instance: A 600 x 400 Gaussian, G = A^T A / 600, Student-t weights, 4 bits
const big = syntheticProblem({ n: 400, m: 600, rho: 0, wDist: 'student-t', bits: 4, seed: 1 });
// the integer-grid and pruning classes (level-set solvers have their own limit tests in test/levels)
const solvers = listSolvers().filter(
  (s): s is QuantizationSolver | PruningSolver => s.name !== 'quant-oa' && s.name !== 'prune-oa' && (s.problemClass === 'quantization' || s.problemClass === 'pruning'),
);
// solvers that keep their own wall clock (solvers/quantization/sdp.ts): checked for validity only
const ownClock = new Set(['sdp', 'sdp-box']);

async function run(name: string, timeLimitMs: number, p: QuantizationProblem | PruningProblem): Promise<SolveResult> {
  const s = solvers.find((x) => x.name === name)!;
  return s.problemClass === 'quantization' ? s.solve(p as QuantizationProblem, { timeLimitMs }) : s.solve(p as PruningProblem, { timeLimitMs });
}

describe('every solver at n = 400 under a limit', () => {
  for (const s of solvers) {
    for (const limit of [0, 50]) {
      it(`${s.name}, limit ${limit} clock reads: valid result, bounded work after the deadline`, { timeout: 120_000 }, async () => {
        const p = s.problemClass === 'quantization' ? quantizationProblemOf(big) : pruningProblemOf(big);
        const c = countingClock();
        setDeadlineClock(c.clock);
        const r = await run(s.name, limit, p);
        setDeadlineClock(null);
        expect(checkResult(r, p)).toEqual([]);
        if (s.role !== 'bound') expect(r.solution).not.toBeNull();
        expect(r.status).not.toBe('optimal');
        if (s.role === 'exact') expect(['time_limit', 'feasible']).toContain(r.status);
        expect(r.stats.nodes).toBeLessThanOrEqual(64 * 64);
        if (!ownClock.has(s.name)) expect(c.reads()).toBeLessThanOrEqual(limit + 64);
      });
    }
  }
});

describe('the lower bound is valid for any time limit', () => {
  const small = [
    syntheticProblem({ n: 9, rho: 0.9, bits: 3, seed: 3 }),
    syntheticProblem({ n: 10, m: 6, rho: 0.5, bits: 2, seed: 4, wDist: 'student-t' }),
    syntheticProblem({ n: 12, rho: 0.99, bits: 4, seed: 5 }),
  ];
  const limits = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597];
  for (const lp of small) {
    it(`${lp.name}: every solver's bound <= the optimum, and the limit status is honest`, { timeout: 120_000 }, async () => {
      const q = quantizationProblemOf(lp);
      const pr = pruningProblemOf(lp);
      const optQ = (quantExactSolver.solve(q) as SolveResult).upperBound;
      const optP = (pruneExactSolver.solve(pr) as SolveResult).upperBound;
      for (const s of solvers) {
        for (const limit of limits) {
          setDeadlineClock(countingClock().clock);
          const p = s.problemClass === 'quantization' ? q : pr;
          const r = await run(s.name, limit, p);
          setDeadlineClock(null);
          const opt = s.problemClass === 'quantization' ? optQ : optP;
          const slack = 1e-9 * opt + 1e-12 * errorScale(p);
          expect(checkResult(r, p), `${s.name} limit ${limit}`).toEqual([]);
          expect(r.lowerBound, `${s.name} limit ${limit}`).toBeLessThanOrEqual(opt + slack);
          expect(r.upperBound, `${s.name} limit ${limit}`).toBeGreaterThanOrEqual(opt - slack);
        }
      }
    });
  }
});
