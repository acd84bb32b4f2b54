/**
 * The OA solvers honour the common node limit. Found by `npm run test:explore` (family milp-oa, no time limit,
 * nodeLimit 2000, iterationLimit 200): quant-oa ignored the node limit in the safe branch and bound that proves its
 * master bound (one case: 16 910 nodes, ~25 s). Here a case whose proof needs 55 nodes, under nodeLimit 50.
 * Deterministic: no time limit, no clock.
 */
import { describe, expect, it } from 'vitest';
import { solveOn } from '../../solvers/classes.js';
import { getSolver } from '../../solvers/index.js';
import { exploreCase } from '../../study/testing/explore.js';
import { checkResult, errorScale } from '../../study/testing/invariants.js';
import { problemOf } from '../../solvers/classes.js';

describe('OA solvers under a node limit', () => {
  it('quant-oa stops its safe bound at nodeLimit with an honest status (explore milp-oa seed 5000073)', async () => {
    const c = exploreCase('milp-oa', 5000073);
    expect(c.cls).toBe('quantization');
    const solver = getSolver('quant-oa')!;
    const r = await solveOn(solver, c.layer, { useBox: c.useBox }, { nodeLimit: 50, iterationLimit: 200, extra: c.extra });
    expect(r.stats.nodes).toBeLessThanOrEqual(50);
    expect(r.status).not.toBe('optimal');
    const p = problemOf('quantization', c.layer, { useBox: c.useBox });
    expect(checkResult(r, p, { relTol: 1e-9 })).toEqual([]);
    expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound + 1e-12 * errorScale(p));
  }, 60_000);

  it('prune-oa counts its safe-bound nodes against nodeLimit too (explore milp-oa seed 5000024)', async () => {
    const c = exploreCase('milp-oa', 5000024);
    expect(c.cls).toBe('pruning');
    const r = await solveOn(getSolver('prune-oa')!, c.layer, { useBox: c.useBox }, { nodeLimit: 1, iterationLimit: 200, extra: c.extra });
    expect(r.stats.nodes).toBeLessThanOrEqual(1);
    expect(r.status).toBe('node_limit');
  }, 60_000);
});
