/**
 * levels-sdp and levels-rounding predict their O(n^3) phases (the interior point's iterations, the certification,
 * the Babai candidates, the eigen-decomposition of the moment matrix) on the deadline's clock and skip a phase that
 * cannot fit (issue 9.4; measured before: levels-sdp 13-14 s, levels-rounding 5-6 s at n = 1000 with T = 1-2 s).
 * Injected counting clock (one "ms" per read): the decisions do not depend on the machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quantizationProblemOf } from '../../src/core/objective.js';
import { setDeadlineClock, type Clock } from '../../src/core/result.js';
import type { LevelQuantizationProblem, SolveResult } from '../../src/core/types.js';
import { levelsOfFormat } from '../../src/formats/levels.js';
import { levelsRoundingSolver, levelsSdpSolver } from '../../solvers/levels/index.js';
import { syntheticProblem } from '../../problems/synthetic.js';

function countingClock(): { clock: Clock; reads: () => number } {
  let t = 0;
  return { clock: () => t++, reads: () => t };
}

afterEach(() => setDeadlineClock(null));

const q = quantizationProblemOf(syntheticProblem({ n: 300, m: 450, rho: 0, wDist: 'student-t', bits: 4, seed: 3 }));
const p: LevelQuantizationProblem = { name: 'fp4-300', objective: q.objective, scale: q.scale, levels: levelsOfFormat('fp4') };

describe('level-set solvers under a limit (injected clock)', () => {
  it('levels-sdp: a set-up that cannot fit is skipped and named; bound 0, status time_limit', () => {
    const c = countingClock();
    setDeadlineClock(c.clock);
    const r = levelsSdpSolver.solve(p, { timeLimitMs: 5 }) as SolveResult;
    expect(r.status).toBe('time_limit');
    expect(r.lowerBound).toBe(0);
    expect(r.message).toMatch(/skipped the level-set SDP set-up and certification/);
    expect(c.reads()).toBeLessThan(50);
  });

  it('levels-rounding: still returns a feasible point (nearest levels) when nothing else fits', () => {
    setDeadlineClock(countingClock().clock);
    const r = levelsRoundingSolver.solve(p, { timeLimitMs: 5 }) as SolveResult;
    expect(r.status).toBe('feasible');
    expect(Number.isFinite(r.upperBound)).toBe(true);
    expect(r.lowerBound).toBe(0);
  });
});
