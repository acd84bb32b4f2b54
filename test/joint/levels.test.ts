/** Joint sparse + level-set quantized (class 'joint-levels'): brute force, sandwich, certificates, registry, adapter. */
import { describe, expect, it } from 'vitest';
import { syntheticProblem } from '../../problems/synthetic.js';
import { errorOf, jointProblemOf } from '../../src/core/objective.js';
import type { JointLevelProblem, JointSparsity, SolveResult } from '../../src/core/types.js';
import { intLevels, levelsOfFormat } from '../../src/formats/levels.js';
import {
  isJointLevelFeasible,
  jointExactSolver,
  jointLevelProblemOf,
  jointLevelsBoundSolver,
  jointLevelsExactSolver,
  jointLevelsPruneQuantSolver,
  jointLevelsQuantPruneSolver,
  jointLevelValues,
  verifyJointLevelsCertificate,
} from '../../solvers/joint/index.js';
import { getSolver } from '../../solvers/index.js';
import { getCertificateType } from '../../solvers/certificates.js';
import { evaluateSolution, getProblemClass } from '../../solvers/classes.js';
import { assertResult, assertSandwich } from '../../study/testing/index.js';

/** Every x in (levels ∪ {0})^n with the support fitting the sparsity (counted independently of the solvers). */
function bruteForce(p: JointLevelProblem): { best: number; count: number } {
  const n = p.objective.n;
  const vals = [...new Set([0, ...p.levels])].sort((a, b) => a - b);
  const groups: [number, number, number][] = [];
  if (p.sparsity.kind === 'k') groups.push([0, n, p.sparsity.k]);
  else for (let s = 0; s < n; s += p.sparsity.m) groups.push([s, Math.min(n, s + p.sparsity.m), p.sparsity.n]);
  const idx = new Array<number>(n).fill(0);
  let best = Infinity;
  let count = 0;
  for (;;) {
    const x = idx.map((i) => vals[i]);
    if (groups.every(([a, b, cap]) => x.slice(a, b).filter((v) => v !== 0).length <= cap)) {
      count++;
      best = Math.min(best, errorOf(p.objective, x.map((v) => v * p.scale)));
    }
    let i = 0;
    while (i < n && idx[i] === vals.length - 1) idx[i++] = 0;
    if (i === n) break;
    idx[i]++;
  }
  return { best, count };
}

/** A joint level problem: the synthetic layer's objective, a scale putting max |w| near the top level. */
function instance(n: number, rho: number, seed: number, levels: Float64Array, sparsity: JointSparsity, m?: number): JointLevelProblem {
  const lp = syntheticProblem({ n, rho, seed, bits: 4, ...(m ? { m } : {}) });
  let wmax = 0;
  for (const x of lp.objective.w) wmax = Math.max(wmax, Math.abs(x));
  const top = Math.max(Math.abs(levels[0]), Math.abs(levels[levels.length - 1]));
  return { ...jointLevelProblemOf(lp, { levels, sparsity }), scale: top > 0 ? (wmax / top) * 0.9 : lp.scale };
}

const USER = Float64Array.from([-2, -0.7, 0.4, 1.1, 3]); // no 0: a pruned weight is still 0

const cases: { name: string; n: number; rho: number; levels: Float64Array; sparsity: JointSparsity; m?: number }[] = [
  { name: 'FP4 E2M1, k = 2', n: 4, rho: 0.5, levels: levelsOfFormat('fp4'), sparsity: { kind: 'k', k: 2 } },
  { name: 'FP4 E2M1, 2:4', n: 4, rho: 0.9, levels: levelsOfFormat('fp4'), sparsity: { kind: 'nm', n: 2, m: 4 } },
  { name: 'NF4, k = 1', n: 4, rho: 0.3, levels: levelsOfFormat('nf4'), sparsity: { kind: 'k', k: 1 } },
  { name: 'NF4, 1:2', n: 4, rho: 0.7, levels: levelsOfFormat('nf4'), sparsity: { kind: 'nm', n: 1, m: 2 } },
  { name: 'user levels without 0, k = 3', n: 5, rho: 0.6, levels: USER, sparsity: { kind: 'k', k: 3 } },
  { name: 'user levels without 0, 1:2 (short last group)', n: 5, rho: 0, levels: USER, sparsity: { kind: 'nm', n: 1, m: 2 } },
  { name: 'FP4, k = 2, singular G', n: 4, rho: 0.5, levels: levelsOfFormat('fp4'), sparsity: { kind: 'k', k: 2 }, m: 2 },
];

describe('joint-levels against brute force (all supports x all level combinations)', () => {
  for (const [ci, c] of cases.entries()) {
    it(`${c.name}, n = ${c.n}, rho = ${c.rho}`, () => {
      const p = instance(c.n, c.rho, 60 + ci, c.levels, c.sparsity, c.m);
      const { best: opt, count } = bruteForce(p);
      expect(count).toBeGreaterThan(1);
      const r = jointLevelsExactSolver.solve(p) as SolveResult;
      expect(r.status).toBe('optimal');
      expect(r.problemClass).toBe('joint-levels');
      expect(isJointLevelFeasible(p, r.solution!)).toBe(true);
      expect(Math.abs(r.upperBound - opt)).toBeLessThanOrEqual(1e-9 * opt + 1e-12 * p.objective.r);
      const hs = [jointLevelsPruneQuantSolver, jointLevelsQuantPruneSolver].map((h) => h.solve(p) as SolveResult);
      const hr = jointLevelsPruneQuantSolver.solve(p, { extra: { prune: 'magnitude', quant: 'rtn' } }) as SolveResult;
      const b = jointLevelsBoundSolver.solve(p) as SolveResult;
      for (const x of [r, ...hs, hr, b]) assertResult(x, p);
      assertSandwich([r, ...hs, hr, b], { optimum: opt, r: p.objective.r, relTol: 1e-9 });
      const chk = verifyJointLevelsCertificate(p, b.certificate!);
      expect(chk.valid).toBe(true);
      expect(chk.bound).toBeCloseTo(b.lowerBound, 12);
    });
  }

  it('an integer level set gives the optimum of joint-exact on the same grid', () => {
    for (const [ci, sparsity] of ([{ kind: 'k', k: 3 }, { kind: 'nm', n: 2, m: 4 }] as JointSparsity[]).entries()) {
      const lp = syntheticProblem({ n: 10, rho: 0.7, seed: 80 + ci, bits: 3 });
      const jp = jointProblemOf(lp, { sparsity });
      const lvp = jointLevelProblemOf(lp, { sparsity }); // no levels in the file: its integer grid
      expect(Array.from(lvp.levels)).toEqual(Array.from(intLevels(lp.zmin, lp.zmax)));
      const a = jointExactSolver.solve(jp) as SolveResult;
      const l = jointLevelsExactSolver.solve(lvp) as SolveResult;
      expect(a.status).toBe('optimal');
      expect(l.status).toBe('optimal');
      expect(Math.abs(a.upperBound - l.upperBound)).toBeLessThanOrEqual(1e-9 * a.upperBound);
    }
  });
});

describe('joint-levels-max certificate', () => {
  const p = instance(10, 0.5, 7, levelsOfFormat('fp4'), { kind: 'k', k: 4 });

  it('proves something, and tampering is rejected', () => {
    const b = jointLevelsBoundSolver.solve(p) as SolveResult;
    const cert = b.certificate!;
    expect(cert.type).toBe('joint-levels-max');
    expect(b.lowerBound).toBeGreaterThan(0);
    expect(verifyJointLevelsCertificate(p, cert).valid).toBe(true);
    expect(verifyJointLevelsCertificate(p, { ...cert, bound: b.lowerBound * 1.01 + 1e-9 }).valid).toBe(false);
    expect(verifyJointLevelsCertificate(p, { ...cert, quantization: null, pruning: null }).valid).toBe(false);
    expect(verifyJointLevelsCertificate(p, { ...cert, type: 'joint-max' }).valid).toBe(false);
    const q = cert.quantization as Record<string, unknown> | null;
    expect(q).not.toBeNull();
    expect(verifyJointLevelsCertificate(p, { ...cert, quantization: { ...q, type: 'nonsense' } }).valid).toBe(false);
    // the same certificate on a looser problem (coarser levels, more nonzeros) does not carry the claim over
    expect(verifyJointLevelsCertificate({ ...p, levels: Float64Array.from([-8, 0, 8]), sparsity: { kind: 'k', k: 10 } }, cert).valid).toBe(false);
  });

  it('is registered with its class and verifier; the class adapter builds, checks and scores', () => {
    const entry = getCertificateType('joint-levels-max', 'joint-levels');
    expect(entry?.verify).not.toBeNull();
    for (const s of ['joint-levels-exact', 'joint-levels-bound', 'joint-levels-prune-quant', 'joint-levels-quant-prune']) expect(getSolver(s)?.problemClass).toBe('joint-levels');
    const a = getProblemClass('joint-levels')!;
    expect(a.exactSolver).toBe('joint-levels-exact');
    const lp = { ...syntheticProblem({ n: 8, rho: 0.5, seed: 3, bits: 4 }), levels: levelsOfFormat('fp4'), format: 'fp4', nm: [2, 4] as const };
    const jp = a.of(lp, { useBox: false }) as JointLevelProblem;
    expect(jp.sparsity).toEqual({ kind: 'nm', n: 2, m: 4 });
    const ok = Float64Array.from([6, 0, -0.5, 0, 0, 0, 1.5, 3]);
    const e = evaluateSolution('joint-levels', lp, ok, { useBox: false });
    expect(e.feasible).toBe(true);
    expect(e.error).toBeCloseTo(errorOf(lp.objective, Array.from(ok, (x) => x * lp.scale)), 12);
    expect(evaluateSolution('joint-levels', lp, Float64Array.from([6, 1, -0.5, 0, 0, 0, 1.5, 3]), { useBox: false }).feasible).toBe(false); // 3 nonzeros in a group
    expect(evaluateSolution('joint-levels', lp, Float64Array.from([5, 0, 0, 0, 0, 0, 0, 0]), { useBox: false }).feasible).toBe(false); // 5 is not an FP4 level
  });

  it('node limit: honest status, the certified bound below the optimum', () => {
    const full = jointLevelsExactSolver.solve(p) as SolveResult;
    const lim = jointLevelsExactSolver.solve(p, { nodeLimit: 3 }) as SolveResult;
    expect(full.status).toBe('optimal');
    expect(lim.status).toBe('node_limit');
    expect(lim.lowerBound).toBeLessThanOrEqual(full.upperBound * (1 + 1e-12));
    expect(verifyJointLevelsCertificate(p, lim.certificate!).valid).toBe(true);
  });

  it('values are the levels with 0 added; bad input names the field', () => {
    expect(Array.from(jointLevelValues({ ...p, levels: USER }))).toEqual([-2, -0.7, 0, 0.4, 1.1, 3]);
    expect(jointLevelValues(p)).toBe(p.levels);
    expect(() => jointLevelsExactSolver.solve({ ...p, levels: Float64Array.from([1, 0.5]) })).toThrow(/levels/);
    expect(() => jointLevelsExactSolver.solve({ ...p, sparsity: { kind: 'k', k: -1 } })).toThrow(/sparsity/);
  });
});

describe('joint-levels property: random level sets (with or without 0) and sparsities, fixed seed', () => {
  it('exact = brute force, bound <= optimum <= pipelines, certificate re-checked', async () => {
    const fc = (await import('fast-check')).default;
    const arb = fc.record({
      n: fc.integer({ min: 2, max: 4 }),
      seed: fc.integer({ min: 1, max: 1000 }),
      rho: fc.constantFrom(0, 0.5, 0.9),
      levels: fc.uniqueArray(fc.integer({ min: -12, max: 12 }), { minLength: 1, maxLength: 5 }).map((a) => Float64Array.from(a.map((x) => x / 4)).sort()),
      sp: fc.oneof(fc.integer({ min: 0, max: 4 }).map((k): JointSparsity => ({ kind: 'k', k })), fc.constantFrom<JointSparsity>({ kind: 'nm', n: 1, m: 2 }, { kind: 'nm', n: 1, m: 3 }, { kind: 'nm', n: 2, m: 4 })),
    });
    fc.assert(
      fc.property(arb, ({ n, seed, rho, levels, sp }) => {
        const p = instance(n, rho, seed, levels, sp);
        const { best: opt } = bruteForce(p);
        const r = jointLevelsExactSolver.solve(p) as SolveResult;
        const hs = [jointLevelsPruneQuantSolver, jointLevelsQuantPruneSolver].map((h) => h.solve(p) as SolveResult);
        const b = jointLevelsBoundSolver.solve(p) as SolveResult;
        for (const x of [r, ...hs, b]) assertResult(x, p);
        expect(r.status).toBe('optimal');
        assertSandwich([r, ...hs, b], { optimum: opt, r: p.objective.r, relTol: 1e-9 });
        expect(verifyJointLevelsCertificate(p, b.certificate!).valid).toBe(true);
      }),
      { seed: 20261206, numRuns: 40 },
    );
  });
});
