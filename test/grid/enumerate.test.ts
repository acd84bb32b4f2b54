/**
 * The shared grid kernels (solvers/grid) against the integer-grid code they generalise: on the integer grid the
 * enumeration must reproduce `seSearch` exactly (same point, value, bound, node and leaf counts, also in a
 * lattice-reduced basis and under a node limit), the level grid {zmin..zmax} must reach the same optimum, and
 * the conditional order must equal `boxAwareOrder`.
 */
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/result.js';
import { intLevels } from '../../src/formats/levels.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { enumerateGrid } from '../../solvers/grid/enumerate.js';
import { conditionalOrder } from '../../solvers/grid/order.js';
import { gridOneOpt } from '../../solvers/grid/one-opt.js';
import { clampRound, reduce, reducedValue } from '../../solvers/quantization/common.js';
import { boxExpansionPoint, expansionTerms, leafEvalError, makeBasis, roundingMargin, seSearch } from '../../solvers/quantization/exact.js';
import { boxAwareOrder, factorInOrder, vblastOrder } from '../../solvers/quantization/lattice.js';
import { levelSearch } from '../../solvers/levels/exact.js';

const cases: { n: number; bits: number; rho: number; seed: number }[] = [];
for (const [n, bits, rho] of [[6, 2, 0], [8, 3, 0.5], [10, 4, 0.9], [12, 3, 0.99]] as const)
  for (let seed = 1; seed <= 3; seed++) cases.push({ n, bits, rho, seed });

function setup(c: { n: number; bits: number; rho: number; seed: number }) {
  const q = synthQuant(c);
  const red = reduce(q);
  const na = red.na;
  let maxDiag = 0;
  for (let i = 0; i < na; i++) maxDiag = Math.max(maxDiag, red.P[i * na + i]);
  const F = factorInOrder(red.P, na, vblastOrder(red.P, na, 1e-13 * maxDiag * na), red.t, 1e-13 * maxDiag * na);
  const z0 = new Float64Array(na);
  for (let i = 0; i < na; i++) z0[i] = clampRound(red.t[i], red.lo, red.hi);
  return { q, red, na, F, z0, expansion: boxExpansionPoint(red) };
}

describe('grid enumeration = seSearch on the integer grid', () => {
  for (const c of cases)
    it(`n=${c.n} bits=${c.bits} rho=${c.rho} seed=${c.seed}`, () => {
      const { red, na, F, z0, expansion } = setup(c);
      for (const nodeLimit of [Infinity, 7]) {
        const opts = { tol: 1e-9, nodeLimit, deadline: Deadline.none(), expansion };
        const ref = seSearch(red, F, z0, opts);
        const work = new Float64Array(na);
        const best = reducedValue(red.P, red.t, z0, na, work);
        const ex = expansionTerms(red, F, null, expansion);
        const mg = roundingMargin(red, F, null, ex, Math.max(best * (1 - opts.tol), 0));
        const got = enumerateGrid(red, { kind: 'integers', lo: red.lo, hi: red.hi }, F, null, ex, mg, z0, best, work, opts, (z) => leafEvalError(red, z, work));
        expect(got).toEqual(ref);
        // the same search over the level set {zmin..zmax}: the same optimum when finished
        const lv = levelSearch(red, intLevels(red.lo, red.hi), F, z0, opts);
        if (nodeLimit === Infinity) {
          expect(lv.finished).toBe(true);
          expect(lv.value).toBe(ref.value);
          expect(Array.from(lv.x, (v) => v + 0)).toEqual(Array.from(ref.z, (v) => v + 0));
        } else expect(lv.nodes).toBeLessThanOrEqual(nodeLimit);
      }
    });

  it('in a lattice-reduced basis (ill-conditioned G)', () => {
    let tried = 0;
    for (const c of cases.filter((x) => x.rho >= 0.9)) {
      const { red, na, z0, expansion } = setup(c);
      const basis = makeBasis(red);
      if (basis === null) continue;
      tried++;
      const ordB = new Int32Array(na);
      for (let k = 0; k < na; k++) ordB[k] = na - 1 - k;
      const F = factorInOrder(basis.Ps, na, ordB, basis.ts, 0);
      const opts = { tol: 1e-9, nodeLimit: 1e6, deadline: Deadline.none(), expansion, basis };
      const ref = seSearch(red, F, z0, opts);
      const work = new Float64Array(na);
      const best = reducedValue(red.P, red.t, z0, na, work);
      const ex = expansionTerms(red, F, basis, expansion);
      const mg = roundingMargin(red, F, basis, ex, Math.max(best * (1 - opts.tol), 0));
      const got = enumerateGrid(red, { kind: 'integers', lo: -(2 ** 40), hi: 2 ** 40 }, F, basis, ex, mg, z0, best, work, opts, (z) => leafEvalError(red, z, work));
      expect(got).toEqual(ref);
    }
    expect(tried).toBeGreaterThan(0);
  });
});

describe('conditional order and 1-opt over a grid', () => {
  it('conditionalOrder with clamp(round(.)) = boxAwareOrder', () => {
    for (const c of cases) {
      const { red, na } = setup(c);
      const mine = conditionalOrder(red.P, na, red.t, (x) => Math.min(Math.max(Math.round(x), red.lo), red.hi));
      expect(mine).toEqual(boxAwareOrder(red.P, na, red.t, red.lo, red.hi));
    }
  });

  it('gridOneOpt on integers and on the level set {zmin..zmax} ends in the same 1-opt point from RTN', () => {
    for (const c of cases) {
      const { red, na, z0 } = setup(c);
      const a = Float64Array.from(z0);
      const b = Float64Array.from(z0);
      gridOneOpt(red.P, red.t, a, na, { kind: 'integers', lo: red.lo, hi: red.hi });
      gridOneOpt(red.P, red.t, b, na, { kind: 'levels', levels: intLevels(red.lo, red.hi) });
      // no single move improves either point (checked directly), and the values decreased from RTN
      for (const z of [a, b]) {
        const v = reducedValue(red.P, red.t, z, na);
        expect(v).toBeLessThanOrEqual(reducedValue(red.P, red.t, z0, na));
        for (let i = 0; i < na; i++)
          for (const s of [-1, 1]) {
            if (z[i] + s < red.lo || z[i] + s > red.hi) continue;
            const y = Float64Array.from(z);
            y[i] += s;
            expect(reducedValue(red.P, red.t, y, na)).toBeGreaterThanOrEqual(v * (1 - 1e-12) - 1e-12);
          }
      }
    }
  });
});
