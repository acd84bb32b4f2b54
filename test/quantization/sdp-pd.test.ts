import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveSdpDual, verifySdpCertificate } from '../../solvers/quantization/index.js';
import { synthQuant } from '../../problems/gen-quant.js';

describe('SDP dual: primal-dual method and barrier stall fallback', () => {
  it('the instance where the barrier centring stalls (n = 64, rho 0, seed 1) gets a better, verified bound', () => {
    const p = synthQuant({ n: 64, bits: 4, rho: 0, seed: 1 });
    const barrier = solveSdpDual(p, { box: false, method: 'barrier' });
    const auto = solveSdpDual(p, { box: false });
    expect(auto.bound).toBeGreaterThan(barrier.bound * 1.1); // the stalled barrier is about 30% lower here
    const v = verifySdpCertificate(p, auto.certificate);
    expect(v.valid).toBe(true);
    expect(auto.bound).toBe(v.bound);
  });

  it("method 'pd', when it converges, matches the barrier bound and its certificate verifies", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.constantFrom(2, 4, 8),
        fc.constantFrom(0, 0.5, 0.9),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        (n, bits, rho, box, seed) => {
          const p = synthQuant({ n, bits, rho, seed });
          const pd = solveSdpDual(p, { box, method: 'pd' });
          const b = solveSdpDual(p, { box, method: 'barrier' });
          const v = verifySdpCertificate(p, pd.certificate);
          expect(v.valid).toBe(true);
          expect(pd.bound).toBe(v.bound);
          if (pd.status === 'converged' && b.status === 'converged') expect(Math.abs(pd.bound - b.bound)).toBeLessThanOrEqual(1e-6 * Math.max(b.bound, 1e-12 * p.objective.r));
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
