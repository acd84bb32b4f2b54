/** When the optional glpk.js cannot be loaded, the glpk back end fails clearly and jsl still works (unproven bound). */
import { expect, it, vi } from 'vitest';

vi.mock('glpk.js/node', () => {
  throw new Error('Cannot find package glpk.js');
});

it('reports a clear error for glpk and keeps jsl usable', async () => {
  const { loadMilpBackend } = await import('../../solvers/milp/backends.js');
  await expect(loadMilpBackend('glpk')).rejects.toThrow(/optional dependency.*'jsl'/);
  const { solvePruneOa } = await import('../../solvers/milp/prune-oa.js');
  const { randomObjective, brutePrune } = await import('./brute.js');
  const objective = randomObjective(1, { n: 4, rows: 4 });
  const p = { name: 'x', objective, k: 2, box: null };
  await expect(solvePruneOa(p)).rejects.toThrow(/glpk/);
  const r = await solvePruneOa(p, { relGapTol: 1e-6, extra: { backend: 'jsl' } });
  // without glpk there is no LP with duals to prove the jsl master's value: the upper bound is still found, the
  // reported bound is the trivial one and the status is never 'optimal'
  expect(r.status).not.toBe('optimal');
  expect(r.lowerBound).toBeLessThanOrEqual(brutePrune(p));
  expect(r.upperBound).toBeCloseTo(brutePrune(p), 12);
});
