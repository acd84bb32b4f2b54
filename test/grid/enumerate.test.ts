/**
 * The shared grid kernels (solvers/grid), which quant-exact (`seSearch`) and levels-exact both run on: on small
 * integer boxes the enumeration must find the brute-force optimum and never bound above it (also under a node
 * limit), the search in a lattice-reduced basis must reach the same optimum as in the original one, the level
 * grid {zmin..zmax} the same optimum as the integer grid, and the conditional order is a permutation that equals
 * `boxAwareOrder` (its integer-box use).
 */
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/result.js';
import { intLevels } from '../../src/formats/levels.js';
import { synthQuant } from '../../problems/gen-quant.js';
import { enumerateGrid } from '../../solvers/grid/enumerate.js';
import { conditionalOrder } from '../../solvers/grid/order.js';
import { gridOneOpt } from '../../solvers/grid/one-opt.js';
import { clampRound, reduce, reducedValue } from '../../solvers/quantization/common.js';
import { boxExpansionPoint, expansionTerms, leafEvalError, makeBasis, roundingMargin } from '../../solvers/quantization/exact.js';
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

/** Minimum of the reduced objective over every point of the integer box (small boxes only). */
function bruteMin(red: ReturnType<typeof reduce>): number {
  const na = red.na;
  const z = new Float64Array(na).fill(red.lo);
  let best = Infinity;
  for (;;) {
    best = Math.min(best, reducedValue(red.P, red.t, z, na));
    let i = 0;
    while (i < na && z[i] === red.hi) z[i++] = red.lo;
    if (i === na) return best;
    z[i]++;
  }
}

function integerSearch(red: ReturnType<typeof reduce>, F: ReturnType<typeof factorInOrder>, z0: Float64Array, basis: ReturnType<typeof makeBasis>, expansion: Float64Array, nodeLimit: number) {
  const na = red.na;
  const opts = { tol: 1e-9, nodeLimit, deadline: Deadline.none(), expansion };
  const work = new Float64Array(na);
  const best = reducedValue(red.P, red.t, z0, na, work);
  const ex = expansionTerms(red, F, basis, expansion);
  const mg = roundingMargin(red, F, basis, ex, Math.max(best * (1 - opts.tol), 0));
  const grid = basis ? { kind: 'integers' as const, lo: -(2 ** 40), hi: 2 ** 40 } : { kind: 'integers' as const, lo: red.lo, hi: red.hi };
  return enumerateGrid(red, grid, F, basis, ex, mg, z0, best, work, opts, (z) => leafEvalError(red, z, work));
}

describe('grid enumeration on the integer grid', () => {
  const small: { n: number; bits: number; rho: number; seed: number }[] = [];
  for (const [n, bits, rho] of [[6, 2, 0], [5, 3, 0.9], [4, 4, 0.99], [6, 2, 0.99]] as const)
    for (let seed = 1; seed <= 3; seed++) small.push({ n, bits, rho, seed });
  for (const c of small)
    it(`= brute force: n=${c.n} bits=${c.bits} rho=${c.rho} seed=${c.seed}`, () => {
      const { red, F, z0, expansion } = setup(c);
      const opt = bruteMin(red);
      for (const nodeLimit of [Infinity, 7]) {
        const got = integerSearch(red, F, z0, null, expansion, nodeLimit);
        expect(got.lower).toBeLessThanOrEqual(opt * (1 + 1e-12) + 1e-300);
        expect(got.value).toBeGreaterThanOrEqual(opt * (1 - 1e-12));
        expect(got.value).toBe(reducedValue(red.P, red.t, got.z, red.na));
        if (nodeLimit === Infinity) {
          expect(got.finished).toBe(true);
          expect(got.value).toBeLessThanOrEqual(opt * (1 + 1e-8) + 1e-12);
        } else expect(got.nodes).toBeLessThanOrEqual(nodeLimit);
      }
    });

  for (const c of cases)
    it(`integer grid and level set {zmin..zmax} agree: n=${c.n} bits=${c.bits} rho=${c.rho} seed=${c.seed}`, () => {
      const { red, F, z0, expansion } = setup(c);
      for (const nodeLimit of [Infinity, 7]) {
        const ref = integerSearch(red, F, z0, null, expansion, nodeLimit);
        const opts = { tol: 1e-9, nodeLimit, deadline: Deadline.none(), expansion };
        const lv = levelSearch(red, intLevels(red.lo, red.hi), F, z0, opts);
        if (nodeLimit === Infinity) {
          expect(ref.finished).toBe(true);
          expect(lv.finished).toBe(true);
          expect(lv.value).toBe(ref.value);
          expect(Array.from(lv.x, (v) => v + 0)).toEqual(Array.from(ref.z, (v) => v + 0));
        } else {
          expect(lv.nodes).toBeLessThanOrEqual(nodeLimit);
          expect(ref.nodes).toBeLessThanOrEqual(nodeLimit);
        }
      }
    });

  it('in a lattice-reduced basis (ill-conditioned G): the optimum of the original basis', () => {
    let tried = 0;
    for (const c of cases.filter((x) => x.rho >= 0.9)) {
      const { red, na, F: F0, z0, expansion } = setup(c);
      const basis = makeBasis(red);
      if (basis === null) continue;
      tried++;
      const ordB = new Int32Array(na);
      for (let k = 0; k < na; k++) ordB[k] = na - 1 - k;
      const F = factorInOrder(basis.Ps, na, ordB, basis.ts, 0);
      const got = integerSearch(red, F, z0, basis, expansion, 1e6);
      const ref = integerSearch(red, F0, z0, null, expansion, Infinity);
      expect(got.finished).toBe(true);
      for (let i = 0; i < na; i++) expect(got.z[i] >= red.lo && got.z[i] <= red.hi).toBe(true);
      expect(Math.abs(got.value - ref.value)).toBeLessThanOrEqual(1e-9 * ref.value + 1e-12);
      expect(got.lower).toBeLessThanOrEqual(ref.value * (1 + 1e-12));
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
      expect(Array.from(mine ?? []).sort((a, b) => a - b)).toEqual(Array.from({ length: na }, (_, i) => i));
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
