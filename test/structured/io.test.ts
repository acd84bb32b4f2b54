import { describe, expect, it } from 'vitest';
import { syntheticProblem } from '../../problems/synthetic.js';
import { PvqInputError } from '../../src/core/errors.js';
import { jointProblemOf, structuredProblemOf } from '../../src/core/objective.js';
import type { SolveResult } from '../../src/core/types.js';
import { layerProblemToJSON, parseLayerProblem } from '../../src/io/layer-problem.js';
import { nmBoundSolver, nmExactSolver } from '../../solvers/structured/index.js';
import { jointBoundSolver, jointExactSolver } from '../../solvers/joint/index.js';
import { auditResult, verifyCertificate } from '../../solvers/verify.js';

const base = () => layerProblemToJSON(syntheticProblem({ n: 8, rho: 0.5, seed: 2, bits: 3 }));

describe('layer problems with nm / block', () => {
  it('parses nm and block, round trips, and builds the structured / joint problems', () => {
    const p = parseLayerProblem({ ...base(), nm: [2, 4], block: [2, 3] });
    expect(p.nm).toEqual([2, 4]);
    expect(p.block).toEqual([2, 3]);
    expect(parseLayerProblem(layerProblemToJSON(p)).nm).toEqual([2, 4]);
    expect(structuredProblemOf(p).pattern).toEqual({ kind: 'nm', n: 2, m: 4 });
    expect(jointProblemOf(p).sparsity).toEqual({ kind: 'nm', n: 2, m: 4 });
    const q = parseLayerProblem({ ...base(), block: [2, 3] });
    expect(structuredProblemOf(q).pattern).toEqual({ kind: 'block', size: 2, keep: 3 });
    expect(jointProblemOf(q).sparsity).toEqual({ kind: 'k', k: q.k });
    expect(() => structuredProblemOf(parseLayerProblem(base()))).toThrow(PvqInputError);
  });

  it('bad fields: one error naming the field', () => {
    const bad = (x: Record<string, unknown>, field: string) => {
      try {
        parseLayerProblem({ ...base(), ...x });
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(PvqInputError);
        expect((e as PvqInputError).field).toBe(field);
      }
    };
    bad({ nm: [5, 4] }, 'nm[0]');
    bad({ nm: [2, 0] }, 'nm[1]');
    bad({ nm: 3 }, 'nm');
    bad({ nm: [1.5, 4] }, 'nm[0]');
    bad({ block: [0, 1] }, 'block[0]');
    bad({ block: [2, -1] }, 'block[1]');
  });

  it('pvq verify path: structured and joint results are audited with their class; certificates found by class', () => {
    const p = parseLayerProblem({ ...base(), nm: [2, 4] });
    const ex = nmExactSolver.solve(structuredProblemOf(p, { useBox: false })) as SolveResult;
    const a = auditResult(p, ex, { useBox: false });
    expect(a.failures).toEqual([]);
    expect(a.recomputedUpperBound).toBeCloseTo(ex.upperBound, 12);
    const b = nmBoundSolver.solve(structuredProblemOf(p, { useBox: false }), { nodeLimit: 0, extra: { bnbTimeMs: 0 } }) as SolveResult;
    const c = verifyCertificate(p, b.certificate!, { useBox: false, problemClass: 'structured' });
    expect(c.valid).toBe(true);
    const jb = jointBoundSolver.solve(jointProblemOf(p)) as SolveResult;
    expect(verifyCertificate(p, jb.certificate!, { problemClass: 'joint' }).valid).toBe(true);
    const je = jointExactSolver.solve(jointProblemOf(p)) as SolveResult;
    expect(auditResult(p, je).failures).toEqual([]);
    // a structured result whose solution breaks the pattern fails the audit
    const dense = { ...ex, solution: Float64Array.from(p.objective.w) };
    expect(auditResult(p, dense, { useBox: false }).status).toBe('failed');
  });
});
