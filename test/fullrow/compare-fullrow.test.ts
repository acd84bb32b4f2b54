import { describe, expect, it } from 'vitest';
import { compareProblems, DEFAULT_PLANS } from '../../study/compare/compare.js';
import { getSolver } from '../../solvers/index.js';
import { syntheticProblem } from '../../problems/synthetic.js';

describe('compare on a full row past the exact solvers (n = 300)', () => {
  it('skips the solvers capped by maxN and proves each lower bound by a diag-shift certificate', async () => {
    const p = syntheticProblem({ n: 300, rho: 0.5, bits: 4, seed: 3 });
    const res = await compareProblems([p], 'fullrow', {
      resolve: getSolver,
      timeLimitMs: 60_000,
      // quantization: only the scalable bound and the cheap points (keeps the test deterministic and quick)
      plans: { quantization: { exact: [], bounds: ['quant-diag-bound'], fallbackHeuristics: [] } },
    });
    const c = res.channels[0];
    const ran = [...c.quant.results, ...c.prune.results].map((r) => r.solver);
    for (const skipped of ['swap', 'prune-exact', 'prune-bound']) {
      expect(DEFAULT_PLANS.pruning.maxN?.[skipped]).toBeLessThan(300);
      expect(ran).not.toContain(skipped);
    }
    expect(ran).toContain('obs');
    for (const m of [c.quant, c.prune]) {
      expect(m.lowerProof).toBe('certificate');
      expect(m.lowerBound).toBeGreaterThan(0);
      expect(m.lowerBound).toBeLessThanOrEqual(m.upperBound);
    }
    expect(c.quant.lowerBy).toBe('quant-diag-bound');
    expect(c.prune.lowerBy).toBe('prune-diag-bound');
    // 4-bit rounding beats keeping a quarter of the weights by far: the intervals separate, a proven verdict
    expect(c.quant.upperBound).toBeLessThan(c.prune.lowerBound);
    expect(c.winner).toBe('quantization');
    expect(c.proven).toBe(true);
  });
});
