import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LevelQuantizationProblem, SolveResult } from '../../src/core/types.js';
import { intLevels, levelsOfFormat } from '../../src/formats/levels.js';
import { assertResult, checkScaleInvariance, errorScale, levelProblemArb, quantizationProblemArb, scaleProblem } from '../../study/testing/index.js';
import {
  levelErrorOf, levelsExactSolver, levelsGptqSolver, levelsRoundingSolver, levelsRtnSolver, levelsSdpSolver, solveLevelsExact, verifyLevelsCertificate,
  type LevelsCertificate,
} from '../../solvers/levels/index.js';
import { solveExact } from '../../solvers/quantization/exact.js';
import { sdpBoxSolver } from '../../solvers/quantization/sdp.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { getSolver, listSolvers } from '../../solvers/index.js';

/** Minimum over all level combinations (L^n points). */
function bruteForce(p: LevelQuantizationProblem): number {
  const n = p.objective.n;
  const L = p.levels.length;
  const x = new Float64Array(n);
  let best = Infinity;
  const rec = (i: number): void => {
    if (i === n) {
      const e = levelErrorOf(p, x);
      if (e < best) best = e;
      return;
    }
    for (let j = 0; j < L; j++) {
      x[i] = p.levels[j];
      rec(i + 1);
    }
  };
  rec(0);
  return best;
}

const near = (a: number, b: number, scale: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * scale;

function checkAgainstBruteForce(p: LevelQuantizationProblem): void {
  const opt = bruteForce(p);
  const es = errorScale(p);
  const results: SolveResult[] = [
    solveLevelsExact(p),
    levelsSdpSolver.solve(p) as SolveResult,
    levelsRtnSolver.solve(p) as SolveResult,
    levelsGptqSolver.solve(p) as SolveResult,
    levelsRoundingSolver.solve(p, { seed: 3 }) as SolveResult,
    solveLevelsExact(p, { extra: { order: 'vblast', integerGrid: 'search' } }),
  ];
  for (const r of results) {
    assertResult(r, p);
    // bounds are proofs: no slack on the brute-force optimum beyond its own evaluation rounding
    expect(r.lowerBound, `${r.solver} lower bound on ${p.name}`).toBeLessThanOrEqual(opt + 1e-13 * es);
    if (r.solution) expect(r.upperBound, `${r.solver} upper bound on ${p.name}`).toBeGreaterThanOrEqual(opt - 1e-13 * es);
  }
  for (const ex of [results[0], results[5]]) {
    expect(ex.status).toBe('optimal');
    expect(near(ex.upperBound, opt, es), `exact ${ex.upperBound} vs brute force ${opt} on ${p.name}`).toBe(true);
  }
  // the SDP certificate re-checks to exactly the reported bound
  const sdp = results[1];
  const v = verifyLevelsCertificate(p, sdp.certificate!);
  expect(v.valid).toBe(true);
  expect(v.bound).toBe(sdp.lowerBound);
}

describe('level solvers against brute force', () => {
  it('16-level formats (FP4, NF4, INT grid, user levels) at n <= 4', () => {
    fc.assert(fc.property(levelProblemArb({ n: { min: 1, max: 4 }, bits: { min: 2, max: 4 } }), checkAgainstBruteForce), { seed: 11, numRuns: 40 });
  });
  it('few user levels at n <= 6 (singular G, dead inputs, perturbed scales included)', () => {
    fc.assert(fc.property(levelProblemArb({ n: { min: 4, max: 6 }, levels: 'custom', customCount: { min: 2, max: 5 } }), checkAgainstBruteForce), { seed: 12, numRuns: 25 });
  });
  it('NF4 at n = 4 (65536 combinations)', () => {
    fc.assert(fc.property(levelProblemArb({ n: 4, levels: 'nf4' }), checkAgainstBruteForce), { seed: 14, numRuns: 10 });
  });
  it('FP4 with weights far outside the range (clipping) at n = 4', () => {
    fc.assert(fc.property(levelProblemArb({ n: 4, levels: 'fp4', scale: 'perturbed' }), checkAgainstBruteForce), { seed: 13, numRuns: 15 });
  });
});

describe('FP8 level sets (253 / 247 levels)', () => {
  it('brute force at n = 2', () => {
    for (const fmt of ['fp8-e4m3', 'fp8-e5m2'])
      for (const seed of [1, 2]) {
        const q = synthQuant({ n: 2, bits: 4, rho: 0.5, seed });
        const levels = levelsOfFormat(fmt);
        let absmax = 0;
        for (const x of q.objective.w) absmax = Math.max(absmax, Math.abs(x));
        checkAgainstBruteForce({ name: `${fmt}-${seed}`, objective: q.objective, scale: absmax / levels[levels.length - 1], levels });
      }
  });
  it('levels-sdp gives a positive certified bound <= the optimum despite the 2^-16 .. 57344 range (n = 8, 16)', () => {
    for (const fmt of ['fp8-e4m3', 'fp8-e5m2'])
      for (const [n, rho] of [[8, 0], [16, 0.9]] as const) {
        const q = synthQuant({ n, bits: 4, rho, seed: 1 });
        const levels = levelsOfFormat(fmt);
        let absmax = 0;
        for (const x of q.objective.w) absmax = Math.max(absmax, Math.abs(x));
        const p: LevelQuantizationProblem = { name: `${fmt}-${n}`, objective: q.objective, scale: absmax / levels[levels.length - 1], levels };
        const ex = solveLevelsExact(p);
        const sdp = levelsSdpSolver.solve(p) as SolveResult;
        expect(ex.status).toBe('optimal');
        expect(sdp.lowerBound, p.name).toBeGreaterThan(0.3 * ex.upperBound);
        expect(sdp.lowerBound).toBeLessThanOrEqual(ex.upperBound);
        expect(verifyLevelsCertificate(p, sdp.certificate!).bound).toBe(sdp.lowerBound);
      }
  });
});

describe('levels-exact on the integer grid equals quant-exact', () => {
  it('same optimum for levels = zmin..zmax', () => {
    fc.assert(
      fc.property(quantizationProblemArb({ n: { min: 1, max: 8 }, bits: { min: 2, max: 4 } }), (q) => {
        const a = solveExact(q);
        // the level search itself (not the delegation to quant-exact)
        const b = solveLevelsExact({ name: q.name, objective: q.objective, scale: q.scale, levels: intLevels(q.zmin, q.zmax) }, { extra: { integerGrid: 'search' } });
        expect(a.status).toBe('optimal');
        expect(b.status).toBe('optimal');
        expect(near(a.upperBound, b.upperBound, errorScale(q)), `${q.name}: quant-exact ${a.upperBound}, levels-exact ${b.upperBound}`).toBe(true);
        expect(b.lowerBound).toBeLessThanOrEqual(a.upperBound + 1e-13 * errorScale(q));
      }),
      { seed: 21, numRuns: 25 },
    );
  });
});

describe('invariances and limits', () => {
  it('scale invariance of the exact optimum (G -> alpha G)', () => {
    fc.assert(
      fc.property(levelProblemArb({ n: { min: 2, max: 6 }, bits: { min: 2, max: 4 } }), fc.constantFrom(0.25, 3, 1024), (p, alpha) => {
        const a = solveLevelsExact(p);
        const b = solveLevelsExact(scaleProblem(p, alpha));
        expect(checkScaleInvariance(p, a, b, alpha)).toEqual([]);
      }),
      { seed: 31, numRuns: 25 },
    );
  });
  it('a node limit gives an honest status and a valid bound', () => {
    fc.assert(
      fc.property(levelProblemArb({ n: 4, levels: ['nf4', 'fp4'], rank: 'full', bits: 4 }), (p) => {
        const opt = bruteForce(p);
        const r = solveLevelsExact(p, { nodeLimit: 2, incumbent: new Float64Array(p.objective.n).fill(p.levels[0]) });
        assertResult(r, p);
        if (r.status !== 'optimal') expect(r.status).toBe('node_limit');
        expect(r.lowerBound).toBeLessThanOrEqual(opt + 1e-13 * errorScale(p));
      }),
      { seed: 41, numRuns: 15 },
    );
  });
});

describe('levels-sdp certificate verifier', () => {
  const p: LevelQuantizationProblem = (() => {
    let out: LevelQuantizationProblem | null = null;
    fc.assert(fc.property(levelProblemArb({ n: 5, levels: 'fp4', rank: 'full', dead: false }), (x) => void (out = x)), { seed: 51, numRuns: 1 });
    return out!;
  })();
  const r = levelsSdpSolver.solve(p) as SolveResult;
  const cert = r.certificate as LevelsCertificate;
  it('accepts the solver certificate with a positive bound', () => {
    const v = verifyLevelsCertificate(p, cert);
    expect(v.valid).toBe(true);
    expect(v.bound).toBeGreaterThan(0);
    expect(r.status).toBe('bound_only');
  });
  it('rejects a pair cut that skips a level, negative multipliers and a too large eps', () => {
    const k = cert.cutSign.indexOf(1);
    const cutB = cert.cutB.slice();
    cutB[k] = cert.cutB[k] + 10; // (x - a)(x - b') >= 0 is false for the levels between
    expect(verifyLevelsCertificate(p, { ...cert, cutB }).valid).toBe(false);
    const theta = cert.theta.slice();
    theta[k] = -1;
    expect(verifyLevelsCertificate(p, { ...cert, theta }).valid).toBe(false);
    expect(verifyLevelsCertificate(p, { ...cert, eps: 1e6 }).valid).toBe(false);
    const b = cert.cutB.slice();
    const kb = cert.cutSign.indexOf(-1);
    b[kb] = p.levels[p.levels.length - 2]; // box that leaves out the top level
    expect(verifyLevelsCertificate(p, { ...cert, cutB: b }).valid).toBe(false);
    expect(verifyLevelsCertificate(p, { ...cert, type: 'sdp-dual' }).valid).toBe(false);
  });
});

describe('levels-sdp on the integer grid vs sdp-box', () => {
  it('is at least as tight up to solver accuracy (its cuts contain sdp-box cuts), incl. an instance where the primal-dual method fails mid-way', () => {
    for (const [n, rho, seed] of [[16, 0, 1], [16, 0.9, 3], [32, 0.9, 2]] as const) {
      const q = synthQuant({ n, bits: 4, rho, seed });
      const box = sdpBoxSolver.solve(q) as SolveResult;
      const lv = levelsSdpSolver.solve({ name: q.name, objective: q.objective, scale: q.scale, levels: intLevels(q.zmin, q.zmax) }) as SolveResult;
      expect(lv.lowerBound, q.name).toBeGreaterThanOrEqual(box.lowerBound * (1 - 1e-5));
    }
  });
});

describe('registry', () => {
  it('registers the five level solvers with problemClass levels', () => {
    const names = listSolvers().filter((s) => s.problemClass === 'levels').map((s) => s.name).sort();
    expect(names).toEqual(['levels-exact', 'levels-gptq', 'levels-rounding', 'levels-rtn', 'levels-sdp']);
    expect(getSolver('levels-exact')).toBe(levelsExactSolver);
  });
});
