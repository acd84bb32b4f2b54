/**
 * The O(n^3) kernels of the quantization bounds stop at the deadline (issue 9.4), checked with an injected clock
 * (one "ms" per read: time is the number of clock reads, nothing depends on the machine's speed):
 * - `choleskyInPlaceUntil` gives the same factor as `choleskyInPlace` without a limit, and gives up after a bounded
 *   number of polls once the deadline has passed;
 * - `eigenFloor` (inverse iteration + certified Cholesky at n > 256) returns the valid floor 0 when stopped;
 * - `quant-diag-bound`, `quant-bound`, `sdp-lll`, `sdp` and `sdp-box` at n = 400 under small limits: valid results, honest status,
 *   a bounded number of clock reads after the deadline; without a limit the diagonal-shift bound is still proven.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quantizationProblemOf } from '../../src/core/objective.js';
import { Deadline, setDeadlineClock, type Clock } from '../../src/core/result.js';
import type { SolveResult } from '../../src/core/types.js';
import { CHOLESKY_STOPPED, choleskyInPlace, choleskyInPlaceUntil } from '../../src/linalg/dense.js';
import { eigenFloor, quantBoundSolver, quantDiagBoundSolver, reduce, sdpBoxSolver, sdpLllSolver, sdpSolver, verifyDiagShiftCertificate } from '../../solvers/quantization/index.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { checkResult } from '../../study/testing/invariants.js';

function countingClock(): { clock: Clock; reads: () => number } {
  let t = 0;
  return { clock: () => t++, reads: () => t };
}

afterEach(() => {
  setDeadlineClock(null);
});

const big = syntheticProblem({ n: 400, m: 600, rho: 0, wDist: 'student-t', bits: 4, seed: 1 });
const q = quantizationProblemOf(big);

describe('interruptible Cholesky', () => {
  const red = reduce(q);
  const n = red.na;
  it('without expiry: bitwise the factor of choleskyInPlace', () => {
    const A = Float64Array.from(red.P);
    const B = Float64Array.from(red.P);
    expect(choleskyInPlace(A, n)).toBe(-1);
    expect(choleskyInPlaceUntil(B, n, Deadline.none())).toBe(-1);
    expect(B).toEqual(A);
    // a non-PD matrix still reports its failing pivot
    const C = Float64Array.from(red.P);
    C[5 * n + 5] = -1;
    expect(choleskyInPlaceUntil(C, n, Deadline.none())).toBe(5);
  });

  it('stops after a bounded number of polls once the deadline passes', () => {
    for (const limit of [0, 3, 10]) {
      const c = countingClock();
      const d = new Deadline(limit, { clock: c.clock });
      const A = Float64Array.from(red.P);
      expect(choleskyInPlaceUntil(A, n, d)).toBe(CHOLESKY_STOPPED);
      // one read to start the deadline, one per poll (every 16 columns) until it expires
      expect(c.reads()).toBeLessThanOrEqual(limit + 2);
      expect(c.reads()).toBeGreaterThanOrEqual(limit + 1);
    }
  });
});

describe('quantization bounds at n = 400 under an injected clock', () => {
  it('eigenFloor gives up with the valid floor 0 and reads the clock a bounded number of times', () => {
    for (const limit of [0, 5, 20]) {
      const c = countingClock();
      const d = new Deadline(limit, { clock: c.clock });
      expect(eigenFloor(q, d)).toBe(0);
      expect(c.reads()).toBeLessThanOrEqual(limit + 3);
    }
    // without a limit the floor is positive (the instance's G is well conditioned)
    expect(eigenFloor(q)).toBeGreaterThan(0);
  });

  for (const s of [quantDiagBoundSolver, quantBoundSolver, sdpLllSolver]) {
    it(`${s.name}: valid result, honest status, bounded clock reads after the deadline`, { timeout: 120_000 }, () => {
      for (const limit of [0, 20, 200]) {
        const c = countingClock();
        setDeadlineClock(c.clock);
        const r = s.solve(q, { timeLimitMs: limit }) as SolveResult;
        setDeadlineClock(null);
        expect(checkResult(r, q)).toEqual([]);
        expect(r.status).not.toBe('optimal');
        expect(c.reads()).toBeLessThanOrEqual(limit + 64);
      }
    });
  }

  for (const s of [sdpSolver, sdpBoxSolver]) {
    it(`${s.name} reads the injected clock: valid result, at most the grace (4 % + 50) past the deadline plus a few polls`, { timeout: 120_000 }, () => {
      for (const limit of [0, 20, 200]) {
        const c = countingClock();
        setDeadlineClock(c.clock);
        const r = s.solve(q, { timeLimitMs: limit }) as SolveResult;
        setDeadlineClock(null);
        expect(checkResult(r, q)).toEqual([]);
        expect(r.status).toBe('time_limit');
        expect(c.reads()).toBeGreaterThan(0);
        expect(c.reads()).toBeLessThanOrEqual(limit + 0.04 * limit + 50 + 64);
      }
    });
  }

  it('quant-diag-bound without a limit still proves its bound (the polls change nothing)', { timeout: 120_000 }, () => {
    const r = quantDiagBoundSolver.solve(q) as SolveResult;
    expect(r.status).toBe('bound_only');
    expect(r.lowerBound).toBeGreaterThan(0);
    const v = verifyDiagShiftCertificate(q, r.certificate!);
    expect(v.valid).toBe(true);
    expect(v.bound).toBe(r.lowerBound);
  });
});
