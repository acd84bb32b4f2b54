import { describe, expect, it } from 'vitest';
import { pruningProblemOf, quantizationProblemOf } from '../../src/core/objective.js';
import { problemFromParams, type ProblemParams } from '../../study/testing/arbitraries.js';
import { checkSandwich } from '../../study/testing/invariants.js';
import { quantDiagBoundSolver, verifyDiagShiftCertificate } from '../../solvers/quantization/diag-bound.js';
import { pruneDiagBoundSolver, verifyPruneDiagShiftCertificate } from '../../solvers/pruning/diag-bound.js';
import { quantExactSolver } from '../../solvers/quantization/index.js';
import { pruneExactSolver } from '../../solvers/pruning/index.js';
import { verifyCertificate } from '../../solvers/verify.js';
import { certifyDiagShift } from '../../src/linalg/shift.js';
import { bruteForce } from '../quantization/helpers.js';
import { bruteForcePrune } from './brute.js';
import type { Certificate, LayerProblem } from '../../src/core/types.js';

/** A fixed, deterministic spread of small problems (conditioning, rank, dead inputs, box, bits). */
function cases(count: number, nMax: number): LayerProblem[] {
  const out: LayerProblem[] = [];
  for (let s = 0; s < count; s++) {
    const p: ProblemParams = {
      n: 1 + (s % nMax),
      bits: 1 + (s % nMax) >= 5 ? 2 + (s % 2) : 2 + (s % 3),
      rankDeficit: s % 7 === 3 ? 1 : 0,
      logCond: (s % 5) * 1.2,
      heavy: s % 4 === 1,
      deadCount: s % 6 === 2 ? 1 : 0,
      pruneBox: s % 2 === 0,
      scaleRule: (['mse', 'paper', 'perturbed'] as const)[s % 3],
      scaleFactor: 0.7 + 0.1 * (s % 7),
      kFraction: s % 3 === 0 ? -1 : ((s * 37) % 100) / 100,
      logWeightScale: -1 + (s % 3) * 0.5,
      seed: 1000 + 17 * s,
    };
    out.push(problemFromParams(p));
  }
  return out;
}

describe('quant-diag-bound', () => {
  it('is below the brute-force optimum, and its certificate re-checks to the reported bound', async () => {
    let positive = 0;
    for (const lp of cases(40, 6)) {
      const qp = quantizationProblemOf(lp);
      const opt = bruteForce(qp).value;
      const r = await quantDiagBoundSolver.solve(qp);
      expect(r.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-12) + 1e-300);
      // a rank-deficient G admits no certifiable shift: then 0 with numerical_failure, never a claim
      const deficient = (lp.meta.rank as number) < lp.n - (lp.meta.dead as number[]).length;
      expect(r.status).toBe(deficient && r.lowerBound === 0 ? r.status : 'bound_only');
      if (r.status !== 'bound_only') expect(r.status).toBe('numerical_failure');
      if (r.lowerBound > 0) {
        positive++;
        expect(r.certificate?.type).toBe('diag-shift');
        const c = verifyCertificate(lp, r.certificate as Certificate, { problemClass: 'quantization' });
        expect(c.valid).toBe(true);
        expect(c.bound).toBe(r.lowerBound);
        const ex = await quantExactSolver.solve(qp);
        expect(checkSandwich([r, ex], { optimum: opt, r: qp.objective.r })).toEqual([]);
      }
    }
    expect(positive).toBeGreaterThan(20);
  });

  it('rejects tampered certificates', async () => {
    const lp = cases(12, 6)[5];
    const qp = quantizationProblemOf(lp);
    const r = await quantDiagBoundSolver.solve(qp);
    expect(r.lowerBound).toBeGreaterThan(0);
    const d = (r.certificate as unknown as { d: number[] }).d;
    const big = d.map((x) => x * 3 + 1e-3 * qp.objective.G[0]);
    expect(verifyDiagShiftCertificate(qp, { type: 'diag-shift', d: big }).valid).toBe(false);
    expect(verifyDiagShiftCertificate(qp, { type: 'diag-shift', d: d.slice(1) }).valid).toBe(false);
    expect(verifyDiagShiftCertificate(qp, { type: 'diag-shift', d: d.map((x, i) => (i === 0 ? -1 : x)) }).valid).toBe(false);
    expect(verifyDiagShiftCertificate(qp, { type: 'diag-shift', d: d.map(() => NaN) }).valid).toBe(false);
  });

  it('beats the scalar eigenvalue shift on an ill-scaled diagonal (Jacobi / gradient shape)', async () => {
    // G = S C S with S spreading the scales over 1e3: lambda_min(G) is tiny, the scaled shift is not
    const n = 6;
    const G = new Float64Array(n * n);
    const s = [1, 3, 10, 30, 100, 1000];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] = s[i] * s[j] * (i === j ? 1 : 0.3);
    const w = Float64Array.from([0.37, -0.81, 1.23, 0.55, -0.12, 0.94]);
    let r = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r += w[i] * G[i * n + j] * w[j];
    const qp = { name: 'scaled', objective: { n, G, w, r }, scale: 0.5, zmin: -2, zmax: 1 };
    const shaped = await quantDiagBoundSolver.solve(qp);
    const scalar = await quantDiagBoundSolver.solve(qp, { extra: { iterations: 0 } });
    const opt = bruteForce(qp).value;
    expect(shaped.lowerBound).toBeLessThanOrEqual(opt);
    // a pure lambda_min shift (d = mu I) bound, certified the same way
    let mu = 1e9;
    for (let i = 0; i < 60; i++) if (!certifyDiagShift(G, n, new Float64Array(n).fill(mu))) mu /= 1.3;
    const eig = verifyDiagShiftCertificate(qp, { type: 'diag-shift', d: new Array(n).fill(mu) }).bound;
    expect(scalar.lowerBound).toBeGreaterThan(10 * eig);
    expect(shaped.lowerBound).toBeGreaterThanOrEqual(scalar.lowerBound * (1 - 1e-9));
  });

  it('returns 0 with status time_limit when the factorisations cannot fit the limit', async () => {
    const lp = cases(6, 6)[5];
    const r = await quantDiagBoundSolver.solve(quantizationProblemOf(lp), { timeLimitMs: 0 });
    expect(r.lowerBound).toBe(0);
    expect(r.status).toBe('time_limit');
    expect(r.certificate).toBeUndefined();
  });
});

describe('prune-diag-bound', () => {
  it('is below the brute-force optimum (with and without the box), certificate re-checked', async () => {
    let positive = 0;
    for (const lp of cases(40, 6)) {
      for (const useBox of [true, false]) {
        const pp = pruningProblemOf(lp, { useBox });
        const opt = bruteForcePrune(pp);
        const r = await pruneDiagBoundSolver.solve(pp);
        expect(r.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-9) + 1e-12 * lp.objective.r);
        if (r.lowerBound > 0) {
          positive++;
          const c = verifyCertificate(lp, r.certificate as Certificate, { problemClass: 'pruning', useBox });
          expect(c.valid).toBe(true);
          expect(c.bound).toBe(r.lowerBound);
          const ex = await pruneExactSolver.solve(pp);
          expect(checkSandwich([r, ex], { optimum: opt, r: pp.objective.r, relTol: 1e-9 })).toEqual([]);
        }
      }
    }
    expect(positive).toBeGreaterThan(20);
  });

  it('rejects tampered certificates', async () => {
    const lp = cases(12, 6)[5];
    const pp = pruningProblemOf(lp, { useBox: true });
    const r = await pruneDiagBoundSolver.solve(pp);
    expect(r.lowerBound).toBeGreaterThan(0);
    const d = (r.certificate as unknown as { d: number[] }).d;
    expect(verifyPruneDiagShiftCertificate(pp, { type: 'diag-shift', d: d.map((x) => x * 3 + 1) }).valid).toBe(false);
    expect(verifyPruneDiagShiftCertificate(pp, { type: 'diag-shift', d: [...d, 1] }).valid).toBe(false);
    expect(verifyPruneDiagShiftCertificate(pp, { type: 'sdp-dual', d }).valid).toBe(false);
  });
});
