/**
 * Found by `npm run test:explore` (family milp-oa, time limit 100 ms): in one process, quant-oa with the jsl back end
 * on the n = 1 case of seed 1844760659, then quant-oa with the glpk back end on the n = 2 case of seed 1844760660,
 * never returns (the second run reports one progress line at ~35 ms, then runs on past any limit; the second case
 * alone returns in ~0.1 s). Fixed when the OA solvers' one Deadline came to cover the back end's set-up and every LP
 * solve got the time left (solvers/milp: budget.ts, the LP duals' time limit): before, a back-end LP ran without a
 * limit. A hang is caught by the test timeout, not by a wall-clock assertion.
 */
import { describe, expect, it } from 'vitest';
import { solveOn } from '../../solvers/classes.js';
import { getSolver } from '../../solvers/index.js';
import { exploreCase } from '../../study/testing/explore.js';

describe('quant-oa after a jsl run', () => {
  it('returns under its limits on the glpk case that follows a jsl case (explore milp-oa seeds 1844760659, 1844760660)', async () => {
    for (const seed of [1844760659, 1844760660]) {
      const c = exploreCase('milp-oa', seed);
      const r = await solveOn(getSolver('quant-oa')!, c.layer, { useBox: c.useBox }, { timeLimitMs: 100, nodeLimit: 2000, iterationLimit: 200, extra: c.extra });
      expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound);
    }
  }, 30_000);
});
