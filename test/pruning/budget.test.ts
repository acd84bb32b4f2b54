/**
 * Predicted O(n^3) steps under a time limit (issue 9, item 4), with an injected clock only: the Deadline reads a
 * fake clock that advances by a fixed step per read, so the calibration and every decision are deterministic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pruningProblemOf } from '../../src/core/objective.js';
import { Deadline, setDeadlineClock, type Clock } from '../../src/core/result.js';
import type { SolveResult } from '../../src/core/types.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { CHEAP_N, fits, predictCholMs, predictiveStop } from '../../src/linalg/cost.js';
import { pruneBoundSolver, pruneExactSolver, rootPerspectiveBound, verifyPerspectiveCertificate } from '../../solvers/pruning/index.js';
import { errorOf } from '../../src/core/objective.js';

/** A clock that advances by `step` per read. */
function steppingClock(step: number): { clock: Clock; reads: () => number } {
  let t = 0;
  let r = 0;
  return {
    clock: () => {
      r++;
      return (t += step);
    },
    reads: () => r,
  };
}

afterEach(() => setDeadlineClock(null));

describe('pruning budget predictions', () => {
  it('calibrates a Cholesky on the leading block and scales it by (n / 256)^3 with a factor 2', () => {
    const n = 512;
    const G = new Float64Array(n * n);
    for (let i = 0; i < n; i++) G[i * n + i] = 1 + i;
    // each timing reads the clock twice: one step of 5 per timing
    const dl = new Deadline(1e9, { clock: steppingClock(5).clock });
    expect(predictCholMs(G, n, dl)).toBe(2 * 5 * 8);
    // small n and unlimited deadlines are never predicted (no clock read)
    const c = steppingClock(5);
    expect(predictCholMs(G, CHEAP_N, new Deadline(1e9, { clock: c.clock }))).toBe(0);
    expect(predictCholMs(G, n, new Deadline(undefined, { clock: c.clock }))).toBe(0);
    expect(c.reads()).toBe(2); // only the two constructors
  });

  it('fits / predictiveStop fire as soon as the next steps would not fit', () => {
    let now = 0;
    const dl = new Deadline(100, { clock: () => now });
    expect(fits(dl, 30, 3)).toBe(true); // 100 > 90
    now = 15;
    expect(fits(dl, 30, 3)).toBe(false); // 85 < 90
    expect(fits(dl, 0, 3)).toBe(true);
    const stop = predictiveStop(dl, 30, 2);
    expect(stop.expired()).toBe(false); // 85 > 60
    now = 50;
    expect(stop.expired()).toBe(true); // 50 < 60
    expect(fits(Deadline.none(), 1e12, 10)).toBe(true);
  });

  it('prune-exact and prune-bound skip a factorisation predicted not to fit and return an honest result', () => {
    const n = 300;
    const lp = syntheticProblem({ n, m: 450, rho: 0, seed: 3, bits: 4 });
    const p = pruningProblemOf(lp);
    for (const solver of [pruneExactSolver, pruneBoundSolver]) {
      // every read costs 1000 "ms": the calibration predicts 2 * 1000 * (300/256)^3 = 3218 ms per Cholesky
      const c = steppingClock(1000);
      setDeadlineClock(c.clock);
      const r = solver.solve(p, { timeLimitMs: 6000 }) as SolveResult;
      setDeadlineClock(null);
      expect(r.status).not.toBe('optimal');
      expect(r.solution).not.toBeNull();
      expect(r.upperBound).toBeCloseTo(errorOf(p.objective, r.solution as Float64Array), 12);
      expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound);
      // nothing O(n^3) ran, so the bound is the trivial one, and the solve read the clock only a few dozen times
      expect(r.lowerBound).toBe(0);
      expect(c.reads()).toBeLessThan(200);
    }
  });

  it('the root perspective bound starts only when four predicted factorisations fit', () => {
    const n = 300;
    const p = pruningProblemOf(syntheticProblem({ n, m: 450, rho: 0, seed: 3, bits: 4 }));
    // 1000 per read: 3218 per predicted Cholesky, 4 of them do not fit into 6000 -> skipped after the calibration
    const c = steppingClock(1000);
    const skipped = rootPerspectiveBound(p, { deadline: new Deadline(6000, { clock: c.clock }) });
    expect(skipped.bound).toBe(0);
    expect(skipped.certificate).toBeNull();
    expect(c.reads()).toBeLessThanOrEqual(6);
    // the same with room for them: a positive certified bound
    const c2 = steppingClock(1);
    const ran = rootPerspectiveBound(p, { iterations: 5, diags: ['scalar'], deadline: new Deadline(1e7, { clock: c2.clock }) });
    expect(ran.bound).toBeGreaterThan(0);
    expect(verifyPerspectiveCertificate(p, ran.certificate!).ok).toBe(true);
  });
});
