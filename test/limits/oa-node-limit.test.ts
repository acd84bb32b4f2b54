/**
 * The OA solvers honour the common node limit (found by `npm run test:explore`, family milp-oa, seed 5000107, run
 * with nodeLimit 2000 and iterationLimit 200 and no time limit): quant-oa spent 16 910 nodes (~25 s) in the safe
 * branch and bound that proves its master bound, ignoring the node limit. Deterministic: no time limit, no clock.
 */
import { describe, expect, it } from 'vitest';
import { solveOn } from '../../solvers/classes.js';
import { getSolver } from '../../solvers/index.js';
import { exploreCase } from '../../study/testing/explore.js';
import { checkResult, errorScale } from '../../study/testing/invariants.js';
import { problemOf } from '../../solvers/classes.js';

describe('OA solvers under a node limit', () => {
  it('quant-oa stops its safe bound at nodeLimit with an honest status (explore milp-oa seed 5000107)', async () => {
    const c = exploreCase('milp-oa', 5000107);
    expect(c.cls).toBe('quantization');
    const solver = getSolver('quant-oa')!;
    const r = await solveOn(solver, c.layer, { useBox: c.useBox }, { nodeLimit: 50, iterationLimit: 200, extra: c.extra });
    expect(r.stats.nodes).toBeLessThanOrEqual(50);
    expect(r.status).not.toBe('optimal');
    const p = problemOf('quantization', c.layer, { useBox: c.useBox });
    expect(checkResult(r, p, { relTol: 1e-9 })).toEqual([]);
    expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound + 1e-12 * errorScale(p));
  }, 60_000);

  it('prune-oa counts its safe-bound nodes against nodeLimit too', async () => {
    const c = exploreCase('milp-oa', 5000107);
    const r = await solveOn(getSolver('prune-oa')!, c.layer, { useBox: c.layer.pruneBox !== null }, { nodeLimit: 1, iterationLimit: 200, extra: c.extra });
    expect(r.stats.nodes).toBeLessThanOrEqual(1);
  }, 60_000);
});
