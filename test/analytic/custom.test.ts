import { describe, expect, it } from 'vitest';
import { expressionDensity } from '../../src/analytic/custom.js';
import { Empirical } from '../../src/analytic/empirical.js';
import { Gaussian, Laplace, Uniform } from '../../src/analytic/distribution.js';
import { compareDistribution, optimalStep, quantMse, signedGrid } from '../../src/analytic/errors.js';
import { Rng } from '../../src/core/random.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('custom densities', () => {
  it('unnormalised expressions on infinite supports reproduce the Gaussian and Laplace results', async () => {
    const pairs = [
      [await expressionDensity('exp(-x^2/2)'), new Gaussian()],
      [await expressionDensity('exp(-abs(x))'), new Laplace()],
      [await expressionDensity('3', -Math.sqrt(3), Math.sqrt(3)), new Uniform()],
    ] as const;
    for (const [c, d] of pairs) {
      expect(c.symmetric).toBe(true);
      expect(rel(c.secondMoment(), d.secondMoment())).toBeLessThan(1e-10);
      const a = compareDistribution(c, [2, 5]);
      const b = compareDistribution(d, [2, 5]);
      for (let i = 0; i < 2; i++) {
        expect(rel(a[i].quant.step, b[i].quant.step)).toBeLessThan(1e-8);
        expect(rel(a[i].quant.mse, b[i].quant.mse)).toBeLessThan(1e-9);
        expect(rel(a[i].prune.mse, b[i].prune.mse)).toBeLessThan(1e-9);
      }
    }
  });
  it('a non-symmetric expression and bad expressions', async () => {
    const c = await expressionDensity('x * exp(-x)', 0, Infinity); // Gamma(2): E[W^2] = 6
    expect(c.symmetric).toBe(false);
    expect(c.secondMoment()).toBeCloseTo(6, 9);
    expect(c.excessKurtosis()).toBeCloseTo(3, 8); // 6 / shape
    await expect(expressionDensity('x', -1, 1)).rejects.toThrow(/must be finite and >= 0/);
    await expect(expressionDensity('exp(', -1, 1)).rejects.toThrow(/cannot parse/);
  });
  it('samples: the empirical error equals the direct average, and the optimal step beats a fine scan', () => {
    const rng = new Rng(8);
    const w = Array.from({ length: 3000 }, () => rng.normal());
    const e = new Empirical(w);
    const g = signedGrid(3);
    for (const s of [0.2, 0.55, 1.3]) {
      let direct = 0;
      for (const v of w) {
        const q = Math.min(g.qmax, Math.max(g.qmin, Math.round(v / s)));
        direct += (v - s * q) ** 2;
      }
      expect(rel(quantMse(e, s, g), direct / w.length)).toBeLessThan(1e-12);
    }
    const o = optimalStep(e, g, { pointsPerDecade: 400 });
    for (let i = 0; i <= 500; i++) expect(quantMse(e, o.step * (0.5 + i / 500), g)).toBeGreaterThanOrEqual(o.mse * (1 - 1e-12));
  });
});
