/**
 * sdp-lll: the SDP bound with cuts on integer linear forms in an LLL-reduced basis.
 * - brute force at small n (ill-conditioned and generic G, dead inputs): bound <= optimum, certificate re-verifies;
 * - sandwich with sdp-box (same z cuts, more cuts on u: never weaker, up to solver accuracy) and quant-exact;
 * - the first-layer problems (n = 27, cond ~ 1e5): median bound / optimum >= 0.5 (sdp-box: ~0.06);
 * - tampered certificates fail, and `pvq verify` (auditResult) re-checks the result through the registry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizationProblemOf } from '../../src/core/objective.js';
import type { LayerProblem, QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { readProblemSet } from '../../src/io/problem-file.js';
import { quantExactSolver, sdpBoxSolver, sdpLllSolver, verifySdpLllCertificate, type SdpLllCertificate } from '../../solvers/quantization/index.js';
import { auditResult, verifyCertificate } from '../../solvers/verify.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { checkSandwich, quantizationProblemArb } from '../../study/testing/index.js';
import { bruteForce } from './helpers.js';

const solve = (s: { solve: (p: QuantizationProblem, o?: object) => SolveResult | Promise<SolveResult> }, p: QuantizationProblem, o: object = {}) => s.solve(p, o) as SolveResult;

/** Numerical slack of the reference (the brute-force sum is itself rounded). */
const slack = (p: QuantizationProblem, opt: number) => 1e-12 * opt + 1e-15 * (p.objective.r + 1e-300);

describe('sdp-lll: valid bound', () => {
  it('bound <= brute-force optimum on ill-conditioned small problems, and the certificate re-verifies to the same bound', () => {
    const ill = fc
      .record({ n: fc.integer({ min: 2, max: 5 }), bits: fc.constantFrom(2, 3), rho: fc.constantFrom(0, 0.9, 0.99, 0.999), seed: fc.integer({ min: 1, max: 1e6 }), wStd: fc.constantFrom(0.05, 0.3) })
      .map((o) => synthQuant(o));
    let tight = 0;
    let runs = 0;
    fc.assert(
      fc.property(ill, (p) => {
        const r = solve(sdpLllSolver, p);
        const opt = bruteForce(p).value;
        expect(r.lowerBound).toBeLessThanOrEqual(opt + slack(p, opt));
        runs++;
        if (r.lowerBound >= 0.5 * opt) tight++;
        const v = verifySdpLllCertificate(p, r.certificate!);
        expect(v.valid).toBe(true);
        expect(v.bound).toBe(r.lowerBound);
      }),
      { numRuns: 60, seed: 1322 },
    );
    // not a vacuous bound: most of these small problems get at least half of the optimum
    expect(tight).toBeGreaterThan(0.8 * runs);
  });

  it('bound <= brute-force optimum on the testing kit problems (dead inputs, rank-deficient G, any scale)', () => {
    fc.assert(
      fc.property(quantizationProblemArb({ n: { min: 1, max: 5 }, bits: { min: 2, max: 3 }, logCond: { min: 0, max: 7 } }), (p) => {
        const r = solve(sdpLllSolver, p);
        const opt = bruteForce(p).value;
        expect(r.lowerBound).toBeLessThanOrEqual(opt + slack(p, opt));
        expect(r.status).not.toBe('optimal');
        if (r.certificate) expect(verifySdpLllCertificate(p, r.certificate).valid).toBe(true);
      }),
      { numRuns: 60, seed: 913 },
    );
  });
});

describe('sdp-lll: sandwich', () => {
  it('sdp-box <= sdp-lll (its cut set contains sdp-box\'s) <= quant-exact optimum', () => {
    for (const [n, rho, seed] of [
      [6, 0.9, 1],
      [8, 0.99, 2],
      [10, 0.5, 3],
      [12, 0.999, 4],
    ] as const) {
      const p = synthQuant({ n, bits: 3, rho, seed, wStd: 0.1 });
      const box = solve(sdpBoxSolver, p);
      const lll = solve(sdpLllSolver, p);
      const ex = solve(quantExactSolver, p);
      expect(ex.status).toBe('optimal');
      expect(checkSandwich([box, lll, ex], { optimum: ex.upperBound })).toEqual([]);
      expect(lll.lowerBound).toBeGreaterThanOrEqual(box.lowerBound * (1 - 1e-5));
    }
  });
});

describe('sdp-lll on the first-layer problems (problems/first-conv.json: n = 27, cond(G) ~ 1e5)', () => {
  const set = readProblemSet(new URL('../../problems/first-conv.json', import.meta.url).pathname);
  it('median bound / optimum >= 0.5 over the 8 channels (sdp-box: about 0.06), every bound <= the proven optimum', { timeout: 120_000 }, () => {
    const ratios: number[] = [];
    for (const lp of set.problems) {
      const q = quantizationProblemOf(lp);
      const ex = solve(quantExactSolver, q);
      expect(ex.status).toBe('optimal');
      const r = solve(sdpLllSolver, q);
      expect(r.lowerBound).toBeLessThanOrEqual(ex.upperBound * (1 + 1e-12));
      expect(auditResult(lp, r).ok).toBe(true);
      ratios.push(r.lowerBound / ex.upperBound);
    }
    ratios.sort((a, b) => a - b);
    const median = 0.5 * (ratios[3] + ratios[4]);
    expect(median).toBeGreaterThanOrEqual(0.5);
  });
});

describe('sdp-lll: verification', () => {
  const lp: LayerProblem = readProblemSet(new URL('../../problems/first-conv.json', import.meta.url).pathname).problems[4];
  const q = quantizationProblemOf(lp);
  const r = solve(sdpLllSolver, q);
  const cert = r.certificate as SdpLllCertificate;
  type Editable = { -readonly [K in keyof SdpLllCertificate]: SdpLllCertificate[K] };
  const tamper = (f: (c: Editable) => void): SdpLllCertificate => {
    const c = JSON.parse(JSON.stringify(cert)) as Editable;
    f(c);
    return c;
  };

  it('the registry re-checks the certificate (pvq verify path) and a raised lowerBound fails the audit', () => {
    expect(r.lowerBound).toBeGreaterThan(0);
    const v = verifyCertificate(lp, cert);
    expect(v.valid).toBe(true);
    expect(v.bound).toBe(r.lowerBound);
    expect(auditResult(lp, r).status).toBe('verified');
    expect(auditResult(lp, { ...r, lowerBound: r.lowerBound * 1.01 }).status).toBe('failed');
    const noCert = { ...r };
    delete noCert.certificate;
    expect(auditResult(lp, noCert).status).toBe('failed');
  });

  it('tampered certificates are rejected or prove no more than the optimum', () => {
    const opt = solve(quantExactSolver, q).upperBound;
    const rejected = [
      tamper((c) => c.theta.forEach((_, k) => (c.theta[k] *= c.cutKind[k] > 0 ? 3 : 1))), // integrality multipliers too large: M indefinite
      tamper((c) => (c.forms[c.forms.length - 1][c.forms[0].indexOf(1)] += 0.5)), // a non-integer form
      tamper((c) => (c.cutAnchor[0] += 0.5)), // a non-integer anchor
      tamper((c) => (c.theta[0] = -1)),
      tamper((c) => (c.eps *= 1e6)), // a margin M does not have
      tamper((c) => (c.shift[0] += 0.25)),
      tamper((c) => (c.cutKind[1] = 2)),
      tamper((c) => c.cutForm.pop()),
    ];
    for (const c of rejected) expect(verifySdpLllCertificate(q, c).valid).toBe(false);
    // valid-looking edits (a different basis, an interval cut turned into an integrality cut): whatever they prove is still a bound
    const edited = [
      tamper((c) => {
        if (c.basis) c.basis[0][0] += 1;
      }),
      tamper((c) => {
        const k = c.cutKind.indexOf(-1);
        c.cutKind[k] = 1;
        c.cutAnchor[k] = 0;
      }),
      tamper((c) => delete (c as { basis?: number[][] }).basis),
    ];
    for (const c of edited) {
      const v = verifySdpLllCertificate(q, c);
      expect(v.bound).toBeLessThanOrEqual(opt);
    }
  });
});
