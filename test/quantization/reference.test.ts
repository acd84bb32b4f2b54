import { describe, expect, it } from 'vitest';
import { isQuantFeasible, quantErrorOf, quantizationProblemOf } from '../../src/core/objective.js';
import {
  gptqSolver,
  quantExactSolver,
  rtnSolver,
  sdpBoxSolver,
  sdpRoundingSolver,
  sdpSolver,
  verifySdpCertificate,
} from '../../solvers/quantization/index.js';
import { referenceCases } from '../../problems/reference-set.js';

const cases = referenceCases();

describe('quantization solvers on the reference problems', () => {
  it('has reference problems', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const c of cases) {
    const p = quantizationProblemOf(c.problem);
    const e = c.expected;
    describe(c.name, () => {
      it('rtn reproduces rtn_quant', async () => {
        const r = await rtnSolver.solve(p);
        expect(r.status).toBe('feasible');
        expect(Math.abs(r.upperBound - e.rtn_quant)).toBeLessThanOrEqual(1e-9 * e.rtn_quant + 1e-300);
        expect(Array.from(r.solution!)).toEqual(e.rtn_z);
      });

      it('sdp matches lb_sdp and its certificate verifies', async () => {
        const r = await sdpSolver.solve(p);
        const tol = Math.max(1e-6 * e.lb_sdp, 1e-10 * e.r);
        expect(Math.abs(r.lowerBound - e.lb_sdp)).toBeLessThanOrEqual(tol);
        expect(r.lowerBound).toBeLessThanOrEqual(e.opt_quant);
        const v = verifySdpCertificate(p, r.certificate!);
        expect(v.valid).toBe(true);
        expect(r.lowerBound).toBeLessThanOrEqual(v.bound);
      });

      it('sdp-box reaches lb_sdp_box and its certificate verifies', async () => {
        const r = await sdpBoxSolver.solve(p);
        const tol = Math.max(1e-6 * e.lb_sdp_box, 1e-10 * e.r);
        expect(r.lowerBound).toBeGreaterThanOrEqual(e.lb_sdp_box - tol);
        expect(r.lowerBound).toBeLessThanOrEqual(e.opt_quant * (1 + 1e-12));
        expect(r.certificate?.type).toBe('sdp-box-dual');
        const v = verifySdpCertificate(p, r.certificate!);
        expect(v.valid).toBe(true);
        expect(r.lowerBound).toBeLessThanOrEqual(v.bound);
      });

      it('quant-exact returns opt_quant with status optimal', async () => {
        const r = await quantExactSolver.solve(p);
        expect(r.status).toBe('optimal');
        expect(isQuantFeasible(p, r.solution!)).toBe(true);
        expect(Math.abs(r.upperBound - e.opt_quant)).toBeLessThanOrEqual(1e-9 * e.opt_quant);
        expect(r.upperBound).toBe(quantErrorOf(p, r.solution!));
        expect(r.lowerBound).toBeLessThanOrEqual(r.upperBound);
        expect(r.lowerBound).toBeGreaterThanOrEqual(e.opt_quant * (1 - 1e-8));
      });

      it('heuristics are feasible and never below the optimum', async () => {
        for (const s of [gptqSolver, sdpRoundingSolver]) {
          const r = await s.solve(p, { seed: 3 });
          expect(isQuantFeasible(p, r.solution!)).toBe(true);
          expect(r.upperBound).toBeGreaterThanOrEqual(e.opt_quant * (1 - 1e-9));
          expect(r.lowerBound).toBeLessThanOrEqual(e.opt_quant);
        }
      });
    });
  }
});
