import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { Gaussian, Laplace, namedDistribution, StudentT, Truncated, Uniform, type Distribution } from '../../src/analytic/distribution.js';
import { compareDistribution, crossoverSearch, equalCompressionSparsity, optimalStep, pruneError, quantMse, quantMseAndDerivative, signedGrid } from '../../src/analytic/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
interface RefRow { bits: number; step: number; mse: number; snrQ: number; threshold: number; pruneMse: number; snrP: number; stepOff: number; mseOff: number; derivOff: number }
const REF = JSON.parse(readFileSync(join(here, '../fixtures/analytic/reference.json'), 'utf8')) as { dist: string; params: Record<string, number>; secondMoment: number; rows: RefRow[] }[];

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('analytic errors against the mpmath reference (40 digits, closed forms)', () => {
  for (const c of REF) {
    it(`${c.dist} ${JSON.stringify(c.params)}: step 1e-8, MSE 1e-10, pruning 1e-10`, () => {
      const d = namedDistribution(c.dist, c.params);
      expect(rel(d.secondMoment(), c.secondMoment)).toBeLessThan(1e-12);
      for (const r of c.rows) {
        const g = signedGrid(r.bits);
        // MSE and derivative at an arbitrary (non-optimal) step
        const off = quantMseAndDerivative(d, r.stepOff, g);
        expect(rel(off.mse, r.mseOff)).toBeLessThan(1e-10);
        expect(Math.abs(off.deriv - r.derivOff)).toBeLessThan(1e-10 * Math.abs(r.derivOff) + 1e-13);
        const q = optimalStep(d, g);
        expect(rel(q.step, r.step)).toBeLessThan(1e-8);
        expect(rel(q.mse, r.mse)).toBeLessThan(1e-10);
        const p = pruneError(d, equalCompressionSparsity(r.bits));
        expect(rel(p.threshold, r.threshold)).toBeLessThan(1e-10);
        expect(rel(p.mse, r.pruneMse)).toBeLessThan(1e-10);
      }
    });
  }
});

/** Brute force: midpoint rule on a very fine grid over the (bounded) support. */
function bruteMse(d: Distribution, s: number, bits: number, lo: number, hi: number, n = 1_000_000): number {
  const { qmin, qmax } = signedGrid(bits);
  const h = (hi - lo) / n;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const w = lo + (i + 0.5) * h;
    let q = Math.round(w / s);
    if (q < qmin) q = qmin;
    if (q > qmax) q = qmax;
    const e = w - s * q;
    acc += e * e * d.pdf(w);
  }
  return acc * h;
}

describe('brute-force integration and Monte Carlo', () => {
  it('matches a fine midpoint rule (bounded supports; relative 1e-8)', () => {
    for (const d of [new Uniform(), new Truncated(new Gaussian(), 2.5), new Truncated(new StudentT(2), 8)]) {
      for (const b of [2, 3, 5]) {
        const s = optimalStep(d, signedGrid(b)).step * 1.1;
        expect(rel(quantMse(d, s, signedGrid(b)), bruteMse(d, s, b, d.lo, d.hi))).toBeLessThan(1e-8);
      }
    }
  });
  it('matches Monte Carlo on 10^6 samples within 5 standard errors', () => {
    const rng = new Rng(12345);
    const N = 1_000_000;
    const dists: [Distribution, () => number][] = [
      [new Gaussian(), () => rng.normal()],
      [new Laplace(), () => (rng.uniform() < 0.5 ? 1 : -1) * -Math.log(1 - rng.uniform())],
      [new StudentT(5), () => rng.studentT(5)],
    ];
    for (const [d, draw] of dists) {
      const b = 3;
      const g = signedGrid(b);
      const s = optimalStep(d, g).step;
      const tau = pruneError(d, equalCompressionSparsity(b)).threshold;
      let sq = 0, sq2 = 0, sp = 0, sp2 = 0;
      for (let i = 0; i < N; i++) {
        const w = draw();
        let q = Math.round(w / s);
        q = Math.min(g.qmax, Math.max(g.qmin, q));
        const e = (w - s * q) ** 2;
        sq += e; sq2 += e * e;
        const p = Math.abs(w) <= tau ? w * w : 0;
        sp += p; sp2 += p * p;
      }
      const mq = sq / N, mp = sp / N;
      const seq = Math.sqrt((sq2 / N - mq * mq) / N), sep = Math.sqrt((sp2 / N - mp * mp) / N);
      expect(Math.abs(quantMse(d, s, g) - mq)).toBeLessThan(5 * seq);
      expect(Math.abs(pruneError(d, equalCompressionSparsity(b)).mse - mp)).toBeLessThan(5 * sep);
    }
  });
  it('the optimal step beats every point of a fine scan', () => {
    for (const d of [new Gaussian(), new Laplace(), new Truncated(new StudentT(2), 30)]) {
      for (const b of [2, 4, 6]) {
        const g = signedGrid(b);
        const q = optimalStep(d, g);
        for (let i = 0; i <= 400; i++) {
          const s = q.step * (0.5 + i / 400);
          expect(quantMse(d, s, g)).toBeGreaterThanOrEqual(q.mse * (1 - 1e-13));
        }
      }
    }
  });
});

describe('paper checks', () => {
  it('N(0,1) at 4 bits: step 0.33861, 19.258 dB vs 5.585 dB', () => {
    const [r] = compareDistribution(new Gaussian(), [4]);
    expect(r.quant.step).toBeCloseTo(0.33861, 5);
    expect(r.quant.snrDb).toBeCloseTo(19.258, 3);
    expect(r.prune.snrDb).toBeCloseTo(5.585, 3);
  });
  it('quantization wins at b = 2..8 for the Gaussian and untruncated Student-t with finite kurtosis', () => {
    const bits = [2, 3, 4, 5, 6, 7, 8];
    for (const d of [new Gaussian(), new StudentT(4.5), new StudentT(6), new StudentT(30)])
      for (const r of compareDistribution(d, bits)) expect(r.quant.snrDb).toBeGreaterThan(r.prune.snrDb);
  });
  it('t(2) truncated at R = 20 favours pruning at 2 and 3 bits, quantization from 4 bits on', () => {
    const rows = compareDistribution(new Truncated(new StudentT(2), 20), [2, 3, 4, 5, 6, 7, 8]);
    expect(rows.map((r) => (r.prune.snrDb > r.quant.snrDb ? 'P' : 'Q')).join('')).toBe('PPQQQQQ');
  });
  it('crossover along the truncation R of t(2) at 2 bits lies between R = 5 and R = 20, where pruning starts to win', () => {
    const [c] = crossoverSearch((R) => new Truncated(new StudentT(2), R), 5, 20, [2], { points: 4, relTol: 1e-4 });
    expect(c.crossings.length).toBe(1);
    expect(c.crossings[0].pruneWinsAbove).toBe(true);
    const R = c.crossings[0].param;
    expect(R).toBeGreaterThan(5);
    expect(R).toBeLessThan(20);
    // on both sides of the crossing the winner flips
    const at = (x: number) => compareDistribution(new Truncated(new StudentT(2), x), [2])[0];
    expect(at(R * 0.98).quant.snrDb).toBeGreaterThan(at(R * 0.98).prune.snrDb);
    expect(at(R * 1.02).quant.snrDb).toBeLessThan(at(R * 1.02).prune.snrDb);
  });
});

describe('closed-form partial moments and distribution functions', () => {
  it('closed forms agree with quadrature, and cdf/quantile invert', () => {
    const dists: Distribution[] = [new Gaussian(1.3), new Laplace(0.7), new Uniform(2), new StudentT(3.5), new Truncated(new StudentT(2), 10), new Truncated(new Laplace(), 3)];
    for (const d of dists) {
      for (const [a, b] of [[-0.3, 0.9], [1.1, 2.4], [-5, -1]]) {
        const pm = d.partialMoments(a, b);
        const o = new Float64Array(3);
        d.cell(a, b, 0, o);
        for (let k = 0; k < 3; k++) expect(Math.abs(pm[k] - o[k])).toBeLessThan(1e-13 + 1e-11 * Math.abs(o[k]));
        expect(Math.abs(d.cdf(b) - d.cdf(a) - o[0])).toBeLessThan(1e-13);
      }
      for (const p of [0.01, 0.3, 0.5, 0.77, 0.99]) expect(d.cdf(d.quantile(p))).toBeCloseTo(p, 12);
      for (const c of [0.5, 0.75, 0.875]) expect(d.absCdf(d.absQuantile(c))).toBeCloseTo(c, 12);
      const all = d.partialMoments(-Infinity, Infinity);
      expect(all[0]).toBeCloseTo(1, 12);
      expect(rel(all[2], d.secondMoment())).toBeLessThan(1e-10);
    }
  });
  it('Student-t by kurtosis: nu = 4 + 6/K and excess kurtosis K', () => {
    const d = namedDistribution('student-t', { kurtosis: 3 });
    expect((d as StudentT).nu).toBe(6);
    expect(d.excessKurtosis()).toBeCloseTo(3, 12);
    expect(new Truncated(new StudentT(2), 20).excessKurtosis()).toBeCloseTo(14.44068, 4);
  });
  it('rejects bad parameters', () => {
    expect(() => namedDistribution('cauchy')).toThrow(/unknown distribution/);
    expect(() => namedDistribution('student-t')).toThrow(/nu/);
    expect(() => namedDistribution('gaussian', { nu: 3 })).toThrow(/student-t/);
    expect(() => optimalStep(new StudentT(2), signedGrid(4))).toThrow(/infinite/);
    expect(() => namedDistribution('gaussian', { truncate: -1 })).toThrow(/positive/);
  });
});

describe('truncated Student-t by target kurtosis', () => {
  it('solves nu so that the truncated law has the requested excess kurtosis', async () => {
    const { truncatedStudentTForKurtosis } = await import('../../src/analytic/distribution.js');
    const d = truncatedStudentTForKurtosis(12, 20);
    expect(d.excessKurtosis()).toBeCloseTo(12, 9);
    // lighter-tailed branch: nu above the kurtosis peak (near 2.2 at R = 20), and t(2) at R = 20 has kurtosis 14.44 > 12
    expect((d.base as StudentT).nu).toBeGreaterThan(2.2);
    expect(truncatedStudentTForKurtosis(5, 10).excessKurtosis()).toBeCloseTo(5, 9);
    expect(() => truncatedStudentTForKurtosis(1e6, 5)).toThrow(/reaches excess kurtosis in/);
  });
});
