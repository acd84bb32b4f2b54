import { describe, expect, it } from 'vitest';
import { syntheticProblem } from '../../problems/synthetic.js';
import { errorOf, isStructuredFeasible, patternGroups, structuredProblemOf } from '../../src/core/objective.js';
import type { StructuredPattern, StructuredPruningProblem } from '../../src/core/types.js';
import { nmBoundSolver, nmExactSolver, nmMagnitudeSolver, nmObsSolver, structuredRefit, verifyNmCertificate } from '../../solvers/structured/index.js';
import { getSolver } from '../../solvers/index.js';
import { getCertificateType } from '../../solvers/certificates.js';

/** Brute force: every support fitting the pattern, exact refit on each. */
function bruteForce(p: StructuredPruningProblem): number {
  const n = p.objective.n;
  let best = Infinity;
  for (let mask = 0; mask < 1 << n; mask++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) if (mask & (1 << i)) v[i] = 1;
    if (!isStructuredFeasible({ ...p, box: null }, v)) continue;
    const S: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) S.push(i);
    best = Math.min(best, structuredRefit(p, S).err);
  }
  return best;
}

const cases: { n: number; rho: number; pattern: StructuredPattern; m?: number; dead?: number }[] = [
  { n: 8, rho: 0.5, pattern: { kind: 'nm', n: 2, m: 4 } },
  { n: 8, rho: 0.9, pattern: { kind: 'nm', n: 2, m: 4 } },
  { n: 8, rho: 0, pattern: { kind: 'nm', n: 1, m: 4 } },
  { n: 10, rho: 0.5, pattern: { kind: 'nm', n: 2, m: 4 } }, // last group of 2 inputs: dense
  { n: 11, rho: 0.7, pattern: { kind: 'nm', n: 1, m: 4 } }, // last group of 3 keeps at most 1
  { n: 12, rho: 0.5, pattern: { kind: 'nm', n: 4, m: 8 } },
  { n: 8, rho: 0.5, pattern: { kind: 'nm', n: 2, m: 4 }, m: 5 }, // singular G: generic path
  { n: 9, rho: 0.5, pattern: { kind: 'nm', n: 2, m: 4 }, dead: 2 },
  { n: 10, rho: 0.6, pattern: { kind: 'block', size: 2, keep: 2 } },
  { n: 11, rho: 0.3, pattern: { kind: 'block', size: 3, keep: 2 } },
  { n: 8, rho: 0.5, pattern: { kind: 'block', size: 2, keep: 1 }, m: 4 },
];

describe('structured pruning (N:M, block) against brute force', () => {
  for (const [ci, c] of cases.entries()) {
    it(`case ${ci}: n = ${c.n}, ${JSON.stringify(c.pattern)}, rho = ${c.rho}${c.m ? `, m = ${c.m}` : ''}`, () => {
      const lp = syntheticProblem({ n: c.n, rho: c.rho, seed: 11 + ci, bits: 4, ...(c.m ? { m: c.m } : {}), ...(c.dead ? { dead: c.dead } : {}) });
      const p = structuredProblemOf(lp, { pattern: c.pattern, useBox: false });
      const opt = bruteForce(p);
      const ex = nmExactSolver.solve(p) as ReturnType<typeof nmExactSolver.solve> & { upperBound: number };
      const r = ex as import('../../src/core/types.js').SolveResult;
      expect(r.status).toBe('optimal');
      expect(isStructuredFeasible(p, r.solution!)).toBe(true);
      expect(Math.abs(r.upperBound - opt)).toBeLessThanOrEqual(1e-9 * opt + 1e-12 * lp.objective.r);
      expect(r.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-12) + 1e-14);
      expect(Math.abs(errorOf(p.objective, r.solution!) - r.upperBound)).toBeLessThanOrEqual(1e-12 * lp.objective.r);
      for (const h of [nmMagnitudeSolver, nmObsSolver]) {
        const hr = h.solve(p) as import('../../src/core/types.js').SolveResult;
        expect(isStructuredFeasible(p, hr.solution!)).toBe(true);
        expect(hr.upperBound).toBeGreaterThanOrEqual(opt * (1 - 1e-9));
      }
      const b = nmBoundSolver.solve(p, { extra: { bnbTimeMs: 0 }, nodeLimit: 0 }) as import('../../src/core/types.js').SolveResult;
      expect(b.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-9));
      const chk = verifyNmCertificate(p, b.certificate!);
      expect(chk.valid).toBe(true);
      expect(chk.bound).toBeLessThanOrEqual(opt * (1 + 1e-9));
    });
  }

  it('the nm-groups certificate proves something, and tampering is rejected', () => {
    const lp = syntheticProblem({ n: 16, rho: 0.5, seed: 3, bits: 4 });
    const p = structuredProblemOf(lp, { pattern: { kind: 'nm', n: 2, m: 4 }, useBox: false });
    const b = nmBoundSolver.solve(p, { nodeLimit: 0 }) as import('../../src/core/types.js').SolveResult;
    const cert = b.certificate!;
    const ok = verifyNmCertificate(p, cert);
    expect(ok.valid).toBe(true);
    expect(ok.bound).toBeGreaterThan(0);
    expect(getCertificateType('nm-groups', 'structured')?.verify).not.toBeNull();
    expect(verifyNmCertificate(p, { ...cert, bound: (cert.bound as number) * 1.01 + 1e-9 }).valid).toBe(false);
    expect(verifyNmCertificate(p, { ...cert, units: [[1, 5]] }).valid).toBe(false);
    const units = cert.units as [number, number][];
    expect(verifyNmCertificate(p, { ...cert, units: [...units, units[0]] }).valid).toBe(false);
    // a different problem (other weights) does not accept the claim
    const w2 = Float64Array.from(p.objective.w, (x) => x * 0.5);
    const p2 = { ...p, objective: { ...p.objective, w: w2, r: p.objective.r * 0.25 } };
    expect(verifyNmCertificate(p2, cert).valid).toBe(false);
  });

  it('node limit: honest status and a bound below the optimum', () => {
    const lp = syntheticProblem({ n: 24, rho: 0.9, seed: 5, bits: 4 });
    const p = structuredProblemOf(lp, { pattern: { kind: 'nm', n: 2, m: 4 }, useBox: false });
    const full = nmExactSolver.solve(p) as import('../../src/core/types.js').SolveResult;
    const lim = nmExactSolver.solve(p, { nodeLimit: 2 }) as import('../../src/core/types.js').SolveResult;
    expect(full.status).toBe('optimal');
    expect(lim.status).toBe('node_limit');
    expect(lim.lowerBound).toBeLessThanOrEqual(full.upperBound * (1 + 1e-12));
    expect(lim.upperBound).toBeGreaterThanOrEqual(full.upperBound * (1 - 1e-12));
  });

  it('groups: the last group may be shorter and keeps at most N', () => {
    expect(patternGroups({ kind: 'nm', n: 2, m: 4 }, 10)).toEqual([
      { start: 0, end: 4, cap: 2 },
      { start: 4, end: 8, cap: 2 },
      { start: 8, end: 10, cap: 2 },
    ]);
    expect(patternGroups({ kind: 'nm', n: 1, m: 4 }, 7).at(-1)).toEqual({ start: 4, end: 7, cap: 1 });
  });

  it('registry: the structured solvers are registered', () => {
    for (const s of ['nm-exact', 'nm-bound', 'nm-magnitude', 'nm-obs']) expect(getSolver(s)?.problemClass).toBe('structured');
  });
});
