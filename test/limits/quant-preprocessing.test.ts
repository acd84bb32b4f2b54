/**
 * quant-exact / quant-bound predict their uninterruptible preprocessing (the V-BLAST order is a pivoted LDL^T that
 * does not poll the deadline; the LLL basis ends with an O(n^3) congruence) on the deadline's clock and skip a step
 * whose predicted cost does not fit (issue 9.4). Checked with an injected counting clock (one "ms" per read), so
 * the predictions and decisions do not depend on the machine: at n = 400 one Cholesky is predicted at
 * 2 * 1 * (400 / 256)^3 ~ 7.6 ms, the order + factor at 18 of them (~137 ms), started only within half the time left.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quantizationProblemOf } from '../../src/core/objective.js';
import { setDeadlineClock, type Clock } from '../../src/core/result.js';
import type { SolveResult } from '../../src/core/types.js';
import { quantBoundSolver, quantExactSolver, rtnSolver } from '../../solvers/quantization/index.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { checkResult } from '../../study/testing/invariants.js';

function countingClock(): { clock: Clock; reads: () => number } {
  let t = 0;
  return { clock: () => t++, reads: () => t };
}

afterEach(() => {
  setDeadlineClock(null);
});

const q = quantizationProblemOf(syntheticProblem({ n: 400, m: 600, rho: 0, wDist: 'student-t', bits: 4, seed: 1 }));

describe('quant-exact preprocessing under a limit (injected clock)', () => {
  it('skips the V-BLAST order when its predicted cost does not fit, names it, returns a valid bound', () => {
    const c = countingClock();
    setDeadlineClock(c.clock);
    const r = quantExactSolver.solve(q, { timeLimitMs: 200 }) as SolveResult;
    expect(r.status).toBe('time_limit');
    expect(r.message).toMatch(/skipped: search order and factorisation \(V-BLAST\)/);
    expect(r.stats.nodes).toBe(0);
    // the warm start (best of RTN, Babai, GPTQ, ...) is kept: at least as good as RTN
    expect(r.upperBound).toBeLessThanOrEqual((rtnSolver.solve(q) as SolveResult).upperBound! * (1 + 1e-12));
    expect(r.lowerBound).toBeGreaterThanOrEqual(0);
    expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound!);
    expect(checkResult(r, q)).toEqual([]);
    // the clock was read only a bounded number of times past the limit
    expect(c.reads()).toBeLessThan(200 + 200);
  });

  it('the same solve with room for the order runs the search (node limit) and skips nothing', () => {
    setDeadlineClock(countingClock().clock);
    const r = quantExactSolver.solve(q, { timeLimitMs: 1e9, nodeLimit: 2000 }) as SolveResult;
    expect(r.status).toBe('node_limit');
    expect(r.message ?? '').not.toMatch(/skipped/);
    expect(r.stats.nodes).toBeGreaterThan(0);
  });

  it('quant-bound passes the skipped step on in its message; the bound stays valid', () => {
    const c = countingClock();
    setDeadlineClock(c.clock);
    const r = quantBoundSolver.solve(q, { timeLimitMs: 200 }) as SolveResult;
    expect(r.status).toBe('bound_only');
    expect(r.message).toMatch(/skipped: search order and factorisation/);
    expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound!);
    expect(checkResult(r, q)).toEqual([]);
  });
});
