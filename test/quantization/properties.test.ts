import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import { isQuantFeasible, makeObjective, quantErrorOf } from '../../src/core/objective.js';
import type { QuantizationProblem, SolveResult } from '../../src/core/types.js';
import {
  boxOneOpt,
  eigenFloor,
  gptqSolver,
  quantBoundSolver,
  quantExactSolver,
  reduce,
  rtnSolver,
  sdpBoxSolver,
  sdpRoundingSolver,
  sdpSolver,
  verifySdpCertificate,
  type SdpCertificate,
} from '../../solvers/quantization/index.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { bruteForce, permuteProblem, relClose, scaleProblem } from './helpers.js';

const solve = (s: { solve: (p: QuantizationProblem, o?: object) => SolveResult | Promise<SolveResult> }, p: QuantizationProblem, o: object = {}) =>
  s.solve(p, o) as SolveResult;

/** Random small problems: rank-deficient (m < n), dead inputs, 8-bit grids, weights far outside the box. */
const problemArb = (maxN: number, bitsChoices: number[]) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: maxN }),
      bits: fc.constantFrom(...bitsChoices),
      rho: fc.constantFrom(0, 0.5, 0.9, 0.99),
      mMode: fc.constantFrom('full', 'full', 'deficient'),
      dead: fc.boolean(),
      far: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    })
    .map(({ n, bits, rho, mMode, dead, far, seed }) => {
      // rank-deficient G (nullity <= 2, and not on 8-bit grids: exact search enumerates the box along null
      // directions, which is exponential in the nullity)
      const m = mMode === 'deficient' && bits <= 4 ? Math.max(1, n - 2) : 4 * n;
      const p = synthQuant({ n, bits, rho, m, seed, dead: dead && n > 1 ? [n - 1] : [] });
      // far: a step 10x too small, so most weights lie far outside the box
      return far ? { ...p, scale: p.scale / 10 } : p;
    });

function checkCert(p: QuantizationProblem, r: SolveResult): void {
  const v = verifySdpCertificate(p, r.certificate!);
  expect(v.valid).toBe(true);
  expect(r.lowerBound).toBeLessThanOrEqual(v.bound);
}

describe('exact vs brute force', () => {
  it('4-bit, n <= 4 and 2-bit, n <= 7: quant-exact equals exhaustive enumeration', () => {
    fc.assert(
      fc.property(fc.oneof(problemArb(4, [4]), problemArb(7, [2])), (p) => {
        const bf = bruteForce(p);
        const r = solve(quantExactSolver, p);
        expect(r.status).toBe('optimal');
        expect(isQuantFeasible(p, r.solution!)).toBe(true);
        expect(relClose(r.upperBound, bf.value, 1e-9, 1e-15 * p.objective.r)).toBe(true);
        expect(r.lowerBound).toBeLessThanOrEqual(bf.value * (1 + 1e-12) + 1e-300);
      }),
      { numRuns: 40, seed: 11 },
    );
  });
});

describe('ordering of bounds and heuristics', () => {
  it('sdp <= sdp-box <= quant-exact <= every heuristic; certificates verify', () => {
    fc.assert(
      fc.property(problemArb(9, [2, 3, 4, 8]), (p) => {
        const lb1 = solve(sdpSolver, p);
        const lb2 = solve(sdpBoxSolver, p);
        const ex = solve(quantExactSolver, p);
        expect(ex.status).toBe('optimal');
        checkCert(p, lb1);
        checkCert(p, lb2);
        const opt = ex.upperBound;
        const slack = 1e-9 * opt + 1e-14 * p.objective.r;
        expect(lb1.lowerBound).toBeLessThanOrEqual(opt + slack);
        expect(lb2.lowerBound).toBeLessThanOrEqual(opt + slack);
        expect(lb2.lowerBound).toBeGreaterThanOrEqual(lb1.lowerBound - 1e-6 * lb1.lowerBound - 1e-12 * p.objective.r);
        for (const h of [rtnSolver, gptqSolver, sdpRoundingSolver]) {
          const r = solve(h, p, { seed: 5 });
          expect(isQuantFeasible(p, r.solution!)).toBe(true);
          expect(r.upperBound).toBeGreaterThanOrEqual(opt - slack);
          expect(r.upperBound).toBe(quantErrorOf(p, r.solution!));
        }
      }),
      { numRuns: 30, seed: 7 },
    );
  });
});

describe('symmetries of the exact optimum', () => {
  it('invariant under coordinate permutation and scaling G -> alpha G', () => {
    fc.assert(
      fc.property(
        problemArb(8, [2, 3, 4]),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(1 / 1024, 0.37, 3, 1e6),
        (p, pseed, alpha) => {
          const n = p.objective.n;
          const perm = Array.from({ length: n }, (_, i) => i);
          let s = pseed;
          for (let i = n - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2147483648;
            const j = s % (i + 1);
            [perm[i], perm[j]] = [perm[j], perm[i]];
          }
          const base = solve(quantExactSolver, p).upperBound;
          const permuted = solve(quantExactSolver, permuteProblem(p, perm)).upperBound;
          const scaled = solve(quantExactSolver, scaleProblem(p, alpha)).upperBound;
          const abs = 1e-14 * p.objective.r;
          expect(relClose(base, permuted, 1e-9, abs)).toBe(true);
          expect(relClose(base * alpha, scaled, 1e-9, abs * alpha)).toBe(true);
        },
      ),
      { numRuns: 25, seed: 3 },
    );
  });
});

describe('certificate checks', () => {
  const p = synthQuant({ n: 8, bits: 4, rho: 0.5, seed: 42 });
  it('a tampered certificate (multipliers too large) is rejected', () => {
    for (const s of [sdpSolver, sdpBoxSolver]) {
      const r = solve(s, p);
      const cert = r.certificate as SdpCertificate;
      expect(cert.theta.length).toBeGreaterThan(0);
      const tampered = { ...cert, theta: cert.theta.map((v, k) => (cert.cutKind[k] > 0 ? v * 10 + 5 : v)) };
      const v = verifySdpCertificate(p, tampered);
      expect(v.valid).toBe(false);
      expect(v.bound).toBe(0);
    }
  });
  it('rejects negative multipliers, wrong lengths and box cuts in a plain certificate', () => {
    const r = solve(sdpBoxSolver, p);
    const cert = r.certificate as SdpCertificate;
    expect(verifySdpCertificate(p, { ...cert, theta: cert.theta.map((v, k) => (k === 0 ? -1 : v)) }).valid).toBe(false);
    expect(verifySdpCertificate(p, { ...cert, shift: cert.shift.slice(1) }).valid).toBe(false);
    expect(verifySdpCertificate(p, { ...cert, type: 'sdp-dual' }).valid).toBe(false);
    expect(verifySdpCertificate(p, { ...cert, eps: cert.eps * 1e6 }).valid).toBe(false);
  });
  it('weak duality: any shrunken multipliers still give a bound below the optimum', () => {
    const opt = solve(quantExactSolver, p).upperBound;
    const cert = solve(sdpBoxSolver, p).certificate as SdpCertificate;
    for (const f of [0, 0.3, 0.9]) {
      const v = verifySdpCertificate(p, { ...cert, theta: cert.theta.map((x) => x * f), eps: 1e-9 });
      expect(v.valid).toBe(true);
      expect(v.bound).toBeLessThanOrEqual(opt);
    }
  });
});

describe('degenerate and bad input', () => {
  it('G = 0: every solver returns error 0', () => {
    const n = 3;
    const p: QuantizationProblem = { name: 'zero', objective: makeObjective(new Float64Array(n * n), Float64Array.from([0.3, -2, 0.1])), scale: 0.1, zmin: -8, zmax: 7 };
    for (const s of [rtnSolver, gptqSolver, sdpRoundingSolver, sdpSolver, sdpBoxSolver, quantExactSolver]) {
      const r = solve(s, p);
      expect(r.lowerBound).toBe(0);
      if (r.solution) expect(r.upperBound).toBe(0);
    }
  });
  it('w = 0: optimum 0 at z = 0', () => {
    const p = { ...synthQuant({ n: 5, bits: 4, seed: 2 }), scale: 0.01 };
    const q = { ...p, objective: makeObjective(p.objective.G, new Float64Array(5)) };
    const r = solve(quantExactSolver, q);
    expect(r.status).toBe('optimal');
    expect(r.upperBound).toBe(0);
    expect(solve(sdpBoxSolver, q).lowerBound).toBe(0);
  });
  it('n = 1 is solved exactly (nearest clamped integer)', () => {
    const p: QuantizationProblem = { name: 'one', objective: makeObjective(Float64Array.from([2]), Float64Array.from([0.77])), scale: 0.1, zmin: -4, zmax: 3 };
    const r = solve(quantExactSolver, p);
    expect(Array.from(r.solution!)).toEqual([3]);
    const b = solve(sdpBoxSolver, p);
    expect(b.lowerBound).toBeGreaterThan(0.99 * r.upperBound); // box cuts are exact in 1-D
  });
  it('throws PvqInputError on bad input', () => {
    const p = synthQuant({ n: 3, bits: 4, seed: 1 });
    for (const bad of [
      { ...p, scale: 0 },
      { ...p, scale: NaN },
      { ...p, zmin: 3, zmax: 1 },
      { ...p, zmin: 0.5 },
      { ...p, objective: { ...p.objective, w: new Float64Array(2) } },
    ]) {
      for (const s of [rtnSolver, sdpSolver, quantExactSolver, gptqSolver]) expect(() => s.solve(bad)).toThrow(PvqInputError);
    }
  });
  it('box-aware 1-opt keeps points feasible and never increases the value', () => {
    const p = { ...synthQuant({ n: 10, bits: 3, rho: 0.9, seed: 9 }) };
    const red = reduce(p);
    const z = new Float64Array(10).fill(red.hi);
    const before = quantErrorOf(p, z);
    boxOneOpt(red.P, red.t, z, 10, red.lo, red.hi);
    expect(isQuantFeasible(p, z)).toBe(true);
    expect(quantErrorOf(p, z)).toBeLessThanOrEqual(before);
  });
});

describe('limits are reported honestly', () => {
  it('a node limit gives node_limit with a valid lower bound', () => {
    const p = synthQuant({ n: 16, bits: 3, rho: 0.99, seed: 4 });
    const full = solve(quantExactSolver, p);
    expect(full.status).toBe('optimal');
    const r = solve(quantExactSolver, p, { nodeLimit: 10, extra: { warm: 'simple' } });
    if (r.stats.nodes >= 10) expect(r.status).toBe('node_limit');
    expect(r.lowerBound).toBeLessThanOrEqual(full.upperBound);
    expect(r.upperBound).toBeGreaterThanOrEqual(full.upperBound * (1 - 1e-12));
  });
});

describe('quant-bound', () => {
  it('is optimal on small problems and never above the optimum; eigenvalue floor is valid', () => {
    fc.assert(
      fc.property(problemArb(7, [2, 3, 4]), (p) => {
        const opt = solve(quantExactSolver, p).upperBound;
        const r = solve(quantBoundSolver, p, { timeLimitMs: 5000 });
        expect(r.status).toBe('optimal');
        expect(r.lowerBound).toBeLessThanOrEqual(opt * (1 + 1e-12));
        expect(eigenFloor(p)).toBeLessThanOrEqual(opt * (1 + 1e-12) + 1e-300);
      }),
      { numRuns: 20, seed: 5 },
    );
  });
  it('with a tiny budget on a hard instance reports bound_only and a bound below the optimum', () => {
    const p = synthQuant({ n: 16, bits: 3, rho: 0.99, seed: 4 });
    const opt = solve(quantExactSolver, p).upperBound;
    const r = solve(quantBoundSolver, p, { nodeLimit: 50 });
    expect(['bound_only', 'optimal']).toContain(r.status);
    expect(r.lowerBound).toBeGreaterThan(0);
    expect(r.lowerBound).toBeLessThanOrEqual(opt);
  });
});
