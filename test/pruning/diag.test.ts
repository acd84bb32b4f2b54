import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDiagFeasible, scaledDiag, sdpDiag } from '../../solvers/pruning/diag.js';
import { rootPerspectiveBound, verifyPerspectiveCertificate } from '../../solvers/pruning/index.js';
import { bruteForcePrune, randomProblem } from './helpers.js';
import { fcParams } from '../helpers/fc-seed.js';

describe('SDP-optimised diagonal (barrier Newton)', () => {
  it('is feasible (G - diag(d) passes Cholesky, d >= 0) and beats the scaled diagonal on its objective', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), (n, seed, trace) => {
        const p = randomProblem({ n, k: 1, seed, m: 3 * n });
        const { G, w } = p.objective;
        const c = trace ? new Float64Array(n).fill(1) : Float64Array.from(w, (x) => x * x);
        const d = sdpDiag(G, n, c);
        expect(d.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
        expect(isDiagFeasible(G, n, d, 0)).toBe(true);
        const s = scaledDiag(G, n);
        let cd = 0;
        let cs = 0;
        for (let i = 0; i < n; i++) {
          cd += c[i] * d[i];
          cs += c[i] * s[i];
        }
        expect(cd).toBeGreaterThanOrEqual(cs * (1 - 1e-3));
      }),
      fcParams({ numRuns: 30 }),
    );
  });

  it('returns zeros on a singular G; the root perspective bound with every diagonal stays below the optimum', () => {
    const q = randomProblem({ n: 6, k: 2, seed: 5, m: 3 });
    expect(sdpDiag(q.objective.G, 6, new Float64Array(6).fill(1)).every((x) => x === 0)).toBe(true);
    for (const seed of [1, 2, 3]) {
      const p = randomProblem({ n: 8, k: 3, seed });
      const opt = bruteForcePrune(p).err;
      for (const diags of [['sdp'], ['sdp-trace'], ['scalar', 'scaled', 'ascend', 'sdp-trace']]) {
        const r = rootPerspectiveBound(p, { iterations: 40, diags });
        expect(r.bound).toBeGreaterThan(0);
        expect(r.bound).toBeLessThanOrEqual(opt * (1 + 1e-9));
        expect(verifyPerspectiveCertificate(p, r.certificate!).ok).toBe(true);
      }
    }
  });
});
