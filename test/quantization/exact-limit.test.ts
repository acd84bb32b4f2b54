import { describe, expect, it } from 'vitest';
import { quantizationProblemOf } from '../../src/core/objective.js';
import type { SolveResult } from '../../src/core/types.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { quantExactSolver, sdpBoxSolver } from '../../solvers/quantization/index.js';
import { auditResult } from '../../solvers/verify.js';
import { bruteForce } from './helpers.js';

const run = (s: { solve: (...a: never[]) => unknown }, ...a: unknown[]): SolveResult => (s.solve as (...x: unknown[]) => SolveResult)(...a);

describe('quant-exact under a node limit: never weaker than sdp-box', () => {
  const cases = [
    { n: 24, rho: 0, seed: 1 },
    { n: 24, rho: 0.5, seed: 2 },
    { n: 24, rho: 0.9, seed: 3 },
    { n: 32, rho: 0.5, seed: 4 },
  ];
  for (const c of cases)
    it(`n=${c.n} rho=${c.rho} seed=${c.seed}: lowerBound >= sdp-box's, and pvq verify accepts it`, () => {
      const lp = syntheticProblem({ n: c.n, rho: c.rho, seed: c.seed, bits: 4 });
      const p = quantizationProblemOf(lp);
      const sdp = run(sdpBoxSolver, p, {});
      const ex = run(quantExactSolver, p, { nodeLimit: 50 });
      expect(ex.status).toBe('node_limit');
      expect(sdp.lowerBound).toBeGreaterThan(0);
      expect(ex.lowerBound).toBeGreaterThanOrEqual(sdp.lowerBound);
      expect(ex.lowerBound).toBeLessThanOrEqual(ex.upperBound);
      const a = auditResult(lp, ex);
      expect(a.failures).toEqual([]);
      // the sdp-box certificate proves at least its own bound without a re-run
      expect(a.verifiedLowerBound).toBeGreaterThanOrEqual(sdp.lowerBound * (1 - 1e-9));
      if (ex.certificate) expect(ex.certificate.type).toBe('sdp-box-dual');
      // when the reported bound is the sdp-box one, the audit verifies it outright
      if (ex.lowerBound === ex.stats.rootBound) expect(a.status).toBe('verified');
      // switched off: the search's own bound only
      const off = run(quantExactSolver, p, { nodeLimit: 50, extra: { limitSdp: false } });
      expect(off.lowerBound).toBeLessThanOrEqual(ex.lowerBound);
      expect(off.certificate).toBeUndefined();
    });

  it('small n: the bound under a node limit stays below the brute-force optimum', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const lp = syntheticProblem({ n: 6, rho: seed % 2 ? 0.9 : 0.3, seed, bits: 3 });
      const p = quantizationProblemOf(lp);
      const opt = bruteForce(p).value;
      for (const nodeLimit of [0, 1, 3, 10, 40]) {
        const ex = run(quantExactSolver, p, { nodeLimit });
        expect(ex.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-12));
        expect(ex.upperBound).toBeGreaterThanOrEqual(opt * (1 - 1e-12));
        expect(auditResult(lp, ex).failures).toEqual([]);
      }
    }
  });
});
