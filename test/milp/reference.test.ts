/** The reference problems with n <= 10: both back ends against the independently computed optima. */
import { describe, expect, it } from 'vitest';
import { pruningProblemOf, quantizationProblemOf } from '../../src/core/objective.js';
import { MILP_BACKENDS } from '../../solvers/milp/backends.js';
import { solvePruneOa } from '../../solvers/milp/prune-oa.js';
import { solveQuantOa } from '../../solvers/milp/quant-oa.js';
import { crossCheck } from '../../solvers/milp/crosscheck.js';
import { makeResult } from '../../src/core/result.js';
import { referenceCases } from '../helpers/reference.js';

const REL = 1e-6;
/** Both back ends must close the default OA gap (1e-6 relative); the lower bound is then within it of the optimum. */
const GAP = 1e-6;
const cases = referenceCases().filter((c) => c.problem.n <= 10);

function referenceResult(name: string, cls: 'quantization' | 'pruning', value: number) {
  return makeResult({ solver: 'reference', problem: name, problemClass: cls, lowerBound: value, upperBound: value, solution: new Float64Array(1), status: 'optimal', stats: { timeMs: 0 } });
}

it('has reference cases with n <= 10', () => {
  expect(cases.length).toBeGreaterThanOrEqual(8);
});

describe.each(MILP_BACKENDS)('reference problems with %s', (backend) => {
  for (const c of cases) {
    it(`prune-oa ${c.name} (free and box) is optimal and matches`, async () => {
      for (const useBox of [false, true]) {
        const p = pruningProblemOf(c.problem, { useBox });
        const exp = useBox ? c.expected.opt_prune_box : c.expected.opt_prune_free;
        const res = await solvePruneOa(p, { relGapTol: GAP, timeLimitMs: 30000, extra: { backend } });
        expect(res.status, `${useBox ? 'box' : 'free'}: ${res.message}`).toBe('optimal');
        expect(Math.abs(res.upperBound - exp)).toBeLessThanOrEqual(REL * exp);
        expect(res.lowerBound).toBeLessThanOrEqual(exp * (1 + 1e-12));
        expect(res.lowerBound).toBeGreaterThanOrEqual(exp * (1 - GAP));
        crossCheck(res, referenceResult(p.name, 'pruning', exp), { relTol: 1e-12 });
      }
    }, 60_000);

    it(`quant-oa ${c.name} is optimal and matches`, async () => {
      const p = quantizationProblemOf(c.problem);
      const exp = c.expected.opt_quant;
      const res = await solveQuantOa(p, { relGapTol: GAP, timeLimitMs: 30000, extra: { backend } });
      expect(res.status, res.message).toBe('optimal');
      expect(res.lowerBound).toBeLessThanOrEqual(exp * (1 + 1e-12));
      expect(res.lowerBound).toBeGreaterThanOrEqual(exp * (1 - GAP));
      expect(Math.abs(res.upperBound - exp)).toBeLessThanOrEqual(REL * exp);
      crossCheck(res, referenceResult(p.name, 'quantization', exp), { relTol: 1e-12 });
    }, 60_000);
  }
});
