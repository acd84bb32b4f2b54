import { describe, expect, it } from 'vitest';
import { checkTails, expressionDensity } from '../../src/analytic/custom.js';
import { runCli } from '../helpers/cli.js';
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

describe('densities that are not normalisable or have an infinite variance are refused at once', () => {
  it('checkTails: power tails against the thresholds (|x|^-a: a > 1 normalisable, a > 3 finite variance)', () => {
    const pow = (a: number) => (x: number) => 1 / (1 + Math.abs(x) ** a);
    expect(() => checkTails('x^2', (x) => x * x, -Infinity, Infinity)).toThrow(/not normalisable/);
    expect(() => checkTails('1/(1+|x|)', pow(1), -Infinity, Infinity)).toThrow(/not normalisable/);
    expect(() => checkTails('cauchy', pow(2), -Infinity, Infinity)).toThrow(/infinite variance/);
    expect(() => checkTails('t2', pow(3), -Infinity, Infinity)).toThrow(/infinite variance/);
    expect(() => checkTails('t3', pow(3.5), -Infinity, Infinity)).not.toThrow();
    expect(() => checkTails('gauss', (x) => Math.exp(-x * x), -Infinity, Infinity)).not.toThrow();
    // only the infinite side is examined; a finite support is always accepted
    expect(() => checkTails('x^2', (x) => x * x, -1, 1)).not.toThrow();
    expect(() => checkTails('right', (x) => (x > 0 ? Math.exp(-x) : 1), -5, Infinity)).not.toThrow();
    expect(() => checkTails('left heavy', (x) => (x > 0 ? Math.exp(-x) : 1 / (1 + x * x)), -Infinity, Infinity)).toThrow(/infinite variance .* x -> -inf/);
    // far-out growth that overflows (Infinity) or turns into NaN
    expect(() => checkTails('exp', (x) => Math.exp(x), -Infinity, Infinity)).toThrow(/not normalisable/);
    expect(() => checkTails('x^4 e^-x^2', (x) => x ** 4 * Math.exp(-x * x), -Infinity, Infinity)).not.toThrow();
  });

  it('expressionDensity refuses x^2 and 1/(1+x^2) on the default infinite support', async () => {
    await expect(expressionDensity('x^2')).rejects.toThrow(/pdf: the density "x\^2" is not normalisable on \[-inf, inf\]/);
    await expect(expressionDensity('1/(1+x^2)')).rejects.toThrow(/pdf: the density "1\/\(1\+x\^2\)" has an infinite variance/);
    // on a finite support both are fine
    expect((await expressionDensity('1/(1+x^2)', -3, 3)).variance()).toBeGreaterThan(0);
  });

  it('pvq analytic --pdf x^2 / 1/(1+x^2): exit 2 with one clear line; --truncate makes the Cauchy density usable', async () => {
    for (const [expr, re] of [
      ['x^2', /pvq: error: pdf: the density "x\^2" is not normalisable .*give a finite --support/],
      ['1/(1+x^2)', /pvq: error: pdf: the density "1\/\(1\+x\^2\)" has an infinite variance .*--truncate R/],
    ] as const) {
      const r = await runCli(['analytic', '--pdf', expr, '--bits', '4', '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
    const t = await runCli(['analytic', '--pdf', '1/(1+x^2)', '--truncate', '3', '--bits', '4', '--json', '--no-progress']);
    expect(t.code).toBe(0);
    const j = JSON.parse(t.stdout);
    expect(j.params.support).toEqual([-3, 3]);
    // Cauchy on [-3, 3]: variance (3 - atan 3) / atan 3 in closed form
    expect(rel(j.variance, (3 - Math.atan(3)) / Math.atan(3))).toBeLessThan(1e-9);
  });
});
