import { describe, expect, it } from 'vitest';
import { syntheticProblem } from '../../problems/synthetic.js';
import { isJointFeasible, jointProblemOf, quantErrorOf } from '../../src/core/objective.js';
import type { JointProblem, JointSparsity, SolveResult } from '../../src/core/types.js';
import { jointBoundSolver, jointExactSolver, jointPruneQuantSolver, jointQuantPruneSolver, verifyJointCertificate } from '../../solvers/joint/index.js';
import { getSolver } from '../../solvers/index.js';

/** Brute force over every z in [zmin, zmax]^n fitting the sparsity. */
function bruteForce(p: JointProblem): number {
  const n = p.objective.n;
  const z = new Float64Array(n).fill(p.zmin);
  let best = Infinity;
  for (;;) {
    if (isJointFeasible(p, z)) best = Math.min(best, quantErrorOf(p, z));
    let i = 0;
    while (i < n && z[i] === p.zmax) z[i++] = p.zmin;
    if (i === n) break;
    z[i]++;
  }
  return best;
}

const cases: { n: number; bits: number; rho: number; sparsity: JointSparsity; m?: number }[] = [
  { n: 5, bits: 2, rho: 0.5, sparsity: { kind: 'k', k: 2 } },
  { n: 5, bits: 3, rho: 0.9, sparsity: { kind: 'k', k: 3 } },
  { n: 5, bits: 3, rho: 0, sparsity: { kind: 'k', k: 1 } },
  { n: 4, bits: 3, rho: 0.7, sparsity: { kind: 'nm', n: 2, m: 4 } },
  { n: 5, bits: 2, rho: 0.5, sparsity: { kind: 'nm', n: 1, m: 2 } },
  { n: 5, bits: 3, rho: 0.5, sparsity: { kind: 'k', k: 2 }, m: 3 }, // singular G
];

describe('joint sparse + quantized against brute force', () => {
  for (const [ci, c] of cases.entries()) {
    it(`case ${ci}: n = ${c.n}, INT${c.bits}, ${JSON.stringify(c.sparsity)}, rho = ${c.rho}`, () => {
      const lp = syntheticProblem({ n: c.n, rho: c.rho, seed: 21 + ci, bits: c.bits, ...(c.m ? { m: c.m } : {}) });
      const p = jointProblemOf(lp, { sparsity: c.sparsity });
      const opt = bruteForce(p);
      const r = jointExactSolver.solve(p) as SolveResult;
      expect(r.status).toBe('optimal');
      expect(isJointFeasible(p, r.solution!)).toBe(true);
      expect(Math.abs(r.upperBound - opt)).toBeLessThanOrEqual(1e-9 * opt + 1e-12 * lp.objective.r);
      expect(r.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-12) + 1e-14);
      for (const h of [jointPruneQuantSolver, jointQuantPruneSolver]) {
        const hr = h.solve(p) as SolveResult;
        expect(isJointFeasible(p, hr.solution!)).toBe(true);
        expect(hr.upperBound).toBeGreaterThanOrEqual(opt * (1 - 1e-9));
      }
      const b = jointBoundSolver.solve(p) as SolveResult;
      expect(b.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-9));
      const chk = verifyJointCertificate(p, b.certificate!);
      expect(chk.valid).toBe(true);
      expect(chk.bound).toBeCloseTo(b.lowerBound, 12);
    });
  }

  it('joint-max certificate: proves something; tampering is rejected', () => {
    const lp = syntheticProblem({ n: 8, rho: 0.5, seed: 4, bits: 3 });
    const p = jointProblemOf(lp, { sparsity: { kind: 'k', k: 3 } });
    const b = jointBoundSolver.solve(p) as SolveResult;
    const cert = b.certificate!;
    expect(b.lowerBound).toBeGreaterThan(0);
    expect(verifyJointCertificate(p, cert).valid).toBe(true);
    expect(verifyJointCertificate(p, { ...cert, bound: b.lowerBound * 1.01 + 1e-9 }).valid).toBe(false);
    expect(verifyJointCertificate(p, { ...cert, quantization: null, pruning: null }).valid).toBe(false);
    const q = cert.quantization as Record<string, unknown> | null;
    if (q) expect(verifyJointCertificate(p, { ...cert, quantization: { ...q, type: 'nonsense' } }).valid).toBe(false);
    // the same certificate on a looser problem (more nonzeros, wider grid) is not accepted for a larger claim
    expect(verifyJointCertificate({ ...p, zmin: p.zmin * 2, zmax: p.zmax * 2, sparsity: { kind: 'k', k: 8 } }, cert).valid).toBe(false);
  });

  it('node limit: honest status, certified bound below the optimum', () => {
    const lp = syntheticProblem({ n: 12, rho: 0.9, seed: 9, bits: 3 });
    const p = jointProblemOf(lp, { sparsity: { kind: 'k', k: 6 } });
    const full = jointExactSolver.solve(p) as SolveResult;
    const lim = jointExactSolver.solve(p, { nodeLimit: 3 }) as SolveResult;
    expect(full.status).toBe('optimal');
    expect(lim.status).toBe('node_limit');
    expect(lim.lowerBound).toBeLessThanOrEqual(full.upperBound * (1 + 1e-12));
    expect(verifyJointCertificate(p, lim.certificate!).valid).toBe(true);
  });

  it('registry', () => {
    for (const s of ['joint-exact', 'joint-bound', 'joint-prune-quant', 'joint-quant-prune']) expect(getSolver(s)?.problemClass).toBe('joint');
  });
});

describe('joint search over a given value set (level-set ready)', () => {
  it('values other than an integer range: exact = brute force', async () => {
    const { jointBranchAndBound } = await import('../../solvers/joint/index.js');
    const { errorOf } = await import('../../src/core/objective.js');
    const vals = Float64Array.from([-3, -1.5, -0.5, 0, 0.5, 1, 2, 6]);
    for (const [ci, k] of [2, 3, 4].entries()) {
      const lp = syntheticProblem({ n: 5, rho: 0.6, seed: 40 + ci, bits: 3 });
      const p = jointProblemOf(lp, { sparsity: { kind: 'k', k } });
      // brute force over vals^5 with at most k nonzeros
      const n = 5;
      const idx = new Array(n).fill(0);
      let best = Infinity;
      for (;;) {
        const z = idx.map((i) => vals[i]);
        if (z.filter((x) => x !== 0).length <= k) best = Math.min(best, errorOf(p.objective, z.map((x) => x * p.scale)));
        let i = 0;
        while (i < n && idx[i] === vals.length - 1) idx[i++] = 0;
        if (i === n) break;
        idx[i]++;
      }
      const r = jointBranchAndBound(p, { values: vals });
      expect(r.status).toBe('optimal');
      const e = errorOf(p.objective, Array.from(r.z, (x) => x * p.scale));
      expect(Math.abs(e - best)).toBeLessThanOrEqual(1e-9 * best + 1e-12 * lp.objective.r);
      expect(r.lowerBound).toBeLessThanOrEqual(best * (1 + 1e-12));
      for (const x of r.z) expect(vals.includes(x)).toBe(true);
    }
    const p = jointProblemOf(syntheticProblem({ n: 3, seed: 1, bits: 3 }), { sparsity: { kind: 'k', k: 1 } });
    expect(() => jointBranchAndBound(p, { values: Float64Array.from([1, 2]) })).toThrow(/contain 0/);
  });
});
