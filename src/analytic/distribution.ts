/**
 * Weight distributions for the analytic comparison (paper Sec. 2). Every distribution exposes its pdf, cdf,
 * upper tail, quantile, and the two primitives the expected errors are written with:
 * - `cell(a, b, c, out)`: out = [∫_a^b p, ∫_a^b (w - c) p, ∫_a^b (w - c)^2 p] for finite a < b (clipped to the
 *   support; adaptive Gauss–Kronrod, split at the density's kinks), computed directly around c so no
 *   cancellation occurs however far the cell is from 0;
 * - `rightTail(x, out)` / `leftTail(x, out)`: the same three moments of the clipped tail beyond x about x
 *   (∫_x^hi (w - x)^k p, ∫_lo^x (x - w)^k p), from closed-form tail moments (never 1 - F).
 */
import { PvqInputError } from '../core/errors.js';
import { cellMoments, integrate, integrateToInfinity } from './quadrature.js';
import { betainc, betaincinv, erf, erfc, erfinv, gammaln, INV_SQRT_2PI, normSf, phi, SQRT2 } from './special.js';

export interface Distribution {
  readonly name: string;
  readonly params: Readonly<Record<string, number | string>>;
  /** Support [lo, hi] (possibly infinite). */
  readonly lo: number;
  readonly hi: number;
  /** Symmetric about 0. */
  readonly symmetric: boolean;
  pdf(x: number): number;
  cdf(x: number): number;
  /** Upper tail P(W > x), accurate where it is small. */
  sf(x: number): number;
  quantile(p: number): number;
  /** P(|W| <= t). */
  absCdf(t: number): number;
  /** The t with P(|W| <= t) = c (the magnitude-pruning threshold at sparsity c). */
  absQuantile(c: number): number;
  mean(): number;
  /** E[W^2] (the SNR reference energy; not mean-centred, as in the paper). */
  secondMoment(): number;
  variance(): number;
  /** Excess kurtosis (0 for a Gaussian); Infinity when the 4th moment diverges. */
  excessKurtosis(): number;
  /** Raw partial moments [∫_a^b p, ∫_a^b w p, ∫_a^b w^2 p] (closed form where one exists). */
  partialMoments(a: number, b: number): [number, number, number];
  cell(a: number, b: number, c: number, out: Float64Array): void;
  rightTail(x: number, out: Float64Array): void;
  leftTail(x: number, out: Float64Array): void;
}

/** Shared machinery: quadrature cells, tails from raw tail moments, generic moments. */
export abstract class ContinuousDistribution implements Distribution {
  abstract readonly name: string;
  abstract readonly params: Readonly<Record<string, number | string>>;
  abstract readonly lo: number;
  abstract readonly hi: number;
  abstract readonly symmetric: boolean;
  /** Points inside the support where the pdf is not smooth. */
  readonly kinks: readonly number[] = [];
  abstract pdf(x: number): number;
  abstract cdf(x: number): number;
  abstract sf(x: number): number;
  abstract quantile(p: number): number;
  abstract absCdf(t: number): number;
  abstract absQuantile(c: number): number;
  /** Raw upper tail moments [T0, T1, T2](X) = ∫_X^∞ w^k p, X >= tailStart (unbounded hi only). */
  rawTail?(X: number): [number, number, number];
  /** Where the closed-form remainder takes over in `rightTail` for an unbounded support. */
  protected tailSplit(x: number): number {
    return Math.max(2 * Math.abs(x), x + 16 * this.scaleHint());
  }
  /** A length scale of the density (for tail splits and scans). */
  abstract scaleHint(): number;

  private readonly pdfFn = (x: number): number => this.pdf(x);
  /** Absolute tolerance of the cell quadrature (pieces below it are negligible for any MSE). */
  protected absTol(): number {
    const h = this.scaleHint();
    return 1e-24 * h * h;
  }
  private cache: { m1: number; m2: number; m4: number } | null = null;

  cell(a: number, b: number, c: number, out: Float64Array): void {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    this.addCell(a, b, c, out);
  }

  /** Accumulate the cell moments (clipped to the support, split at kinks). */
  protected addCell(a: number, b: number, c: number, out: Float64Array): void {
    let lo = Math.max(a, this.lo);
    const hi = Math.min(b, this.hi);
    if (!(hi > lo)) return;
    for (const k of this.kinks) {
      if (k > lo && k < hi) {
        cellMoments(this.pdfFn, lo, k, c, out, this.absTol());
        lo = k;
      }
    }
    cellMoments(this.pdfFn, lo, hi, c, out, this.absTol());
  }

  rightTail(x: number, out: Float64Array): void {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    if (x >= this.hi) return;
    if (Number.isFinite(this.hi)) {
      this.addCell(x, this.hi, x, out);
      return;
    }
    const X = Math.max(this.tailSplit(x), this.lo);
    this.addCell(x, X, x, out);
    if (this.rawTail) {
      const [t0, t1, t2] = this.rawTail(X);
      // ∫_X^∞ (w - x)^k p with X >= 2|x|: no harmful cancellation
      out[0] += t0;
      out[1] += t1 - x * t0;
      out[2] += t2 - 2 * x * t1 + x * x * t0;
    } else {
      const p = this.pdfFn;
      out[0] += integrateToInfinity(p, X);
      out[1] += integrateToInfinity((w) => (w - x) * p(w), X);
      out[2] += integrateToInfinity((w) => (w - x) * (w - x) * p(w), X);
    }
  }

  leftTail(x: number, out: Float64Array): void {
    if (this.symmetric) {
      this.rightTail(-x, out);
      return;
    }
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    if (x <= this.lo) return;
    if (Number.isFinite(this.lo)) {
      this.addCell(this.lo, x, x, out);
      out[1] = -out[1];
      return;
    }
    const X = Math.min(-this.tailSplit(-x), this.hi);
    this.addCell(X, x, x, out);
    out[1] = -out[1];
    const p = this.pdfFn;
    out[0] += integrateToInfinity((w) => p(-w), -X);
    out[1] += integrateToInfinity((w) => (x + w) * p(-w), -X);
    out[2] += integrateToInfinity((w) => (x + w) * (x + w) * p(-w), -X);
  }

  partialMoments(a: number, b: number): [number, number, number] {
    const o = new Float64Array(3);
    if (!(b > a)) return [0, 0, 0];
    const lo = Math.max(a, this.lo);
    const hi = Math.min(b, this.hi);
    if (Number.isFinite(lo) && Number.isFinite(hi)) {
      this.addCell(lo, hi, 0, o);
      return [o[0], o[1], o[2]];
    }
    // infinite ends: split at 0 and use the tails about 0
    const t = new Float64Array(3);
    const l = Number.isFinite(lo) ? lo : Math.min(0, hi);
    const h = Number.isFinite(hi) ? hi : Math.max(0, lo);
    if (h > l) this.addCell(l, h, 0, o);
    if (!Number.isFinite(hi)) {
      this.rightTail(h, t);
      o[0] += t[0];
      o[1] += t[1] + h * t[0];
      o[2] += t[2] + 2 * h * t[1] + h * h * t[0];
    }
    if (!Number.isFinite(lo)) {
      this.leftTail(l, t);
      o[0] += t[0];
      o[1] += l * t[0] - t[1];
      o[2] += t[2] - 2 * l * t[1] + l * l * t[0];
    }
    return [o[0], o[1], o[2]];
  }

  /** Generic raw moments E[W], E[W^2], E[W^4] by quadrature (subclasses override with closed forms). */
  protected numericMoments(): { m1: number; m2: number; m4: number } {
    if (this.cache) return this.cache;
    const p = this.pdfFn;
    const f1 = (w: number): number => w * p(w);
    const f2 = (w: number): number => w * w * p(w);
    const f4 = (w: number): number => w * w * w * w * p(w);
    const pieces = [this.lo, ...this.kinks.filter((k) => k > this.lo && k < this.hi), this.hi];
    if (!pieces.includes(0) && this.lo < 0 && this.hi > 0) {
      pieces.push(0);
      pieces.sort((u, v) => u - v);
    }
    const integ = (f: (w: number) => number): number => {
      let s = 0;
      for (let i = 0; i + 1 < pieces.length; i++) {
        const a = pieces[i];
        const b = pieces[i + 1];
        if (Number.isFinite(a) && Number.isFinite(b)) s += integrate(f, a, b);
        else if (Number.isFinite(a)) s += integrateToInfinity(f, a);
        else if (Number.isFinite(b)) s += integrateToInfinity((w) => f(-w), -b);
        else s += integrateToInfinity(f, 0) + integrateToInfinity((w) => f(-w), 0);
      }
      return s;
    };
    this.cache = { m1: this.symmetric ? 0 : integ(f1), m2: integ(f2), m4: integ(f4) };
    return this.cache;
  }
  mean(): number {
    return this.numericMoments().m1;
  }
  secondMoment(): number {
    return this.numericMoments().m2;
  }
  variance(): number {
    const m = this.mean();
    return this.secondMoment() - m * m;
  }
  excessKurtosis(): number {
    const { m1, m2, m4 } = this.numericMoments();
    if (m1 !== 0) {
      // central 4th moment from raw moments (custom, non-symmetric densities)
      const m3 = this.thirdMoment();
      const c2 = m2 - m1 * m1;
      const c4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
      return c4 / (c2 * c2) - 3;
    }
    return m4 / (m2 * m2) - 3;
  }
  protected thirdMoment(): number {
    const p = this.pdfFn;
    const lo = Number.isFinite(this.lo) ? this.lo : -1e300;
    void lo;
    let s = 0;
    const f = (w: number): number => w * w * w * p(w);
    if (Number.isFinite(this.lo) && Number.isFinite(this.hi)) s = integrate(f, this.lo, this.hi);
    else s = integrateToInfinity(f, 0) - integrateToInfinity((w) => -f(-w), 0);
    return s;
  }
}

function checkPositive(v: number, field: string): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new PvqInputError(field, `expected a positive finite number, got ${v}`);
  return v;
}

/** N(0, sigma^2). */
export class Gaussian extends ContinuousDistribution {
  readonly name = 'gaussian';
  readonly params: Record<string, number>;
  readonly lo = -Infinity;
  readonly hi = Infinity;
  readonly symmetric = true;
  constructor(readonly sigma = 1) {
    super();
    checkPositive(sigma, 'sigma');
    this.params = { sigma };
  }
  scaleHint(): number {
    return this.sigma;
  }
  protected override tailSplit(x: number): number {
    return Math.max(2 * Math.abs(x), x + 12 * this.sigma);
  }
  pdf(x: number): number {
    return phi(x / this.sigma) / this.sigma;
  }
  cdf(x: number): number {
    return 0.5 * erfc(-x / (this.sigma * SQRT2));
  }
  sf(x: number): number {
    return normSf(x / this.sigma);
  }
  quantile(p: number): number {
    return this.sigma * SQRT2 * erfinv(2 * p - 1);
  }
  absCdf(t: number): number {
    return t <= 0 ? 0 : erf(t / (this.sigma * SQRT2));
  }
  absQuantile(c: number): number {
    return this.sigma * SQRT2 * erfinv(c);
  }
  override rawTail(X: number): [number, number, number] {
    const s = this.sigma;
    const z = X / s;
    const q = normSf(z);
    const f = phi(z);
    return [q, s * f, s * s * (q + z * f)];
  }
  override partialMoments(a: number, b: number): [number, number, number] {
    // M0 = Φ(b)-Φ(a), M1 = σ(φ(a)-φ(b)), M2 = σ^2 (M0 + aφ(a) - bφ(b)) (standardised a, b)
    const s = this.sigma;
    const za = a / s;
    const zb = b / s;
    const m0 = za >= 0 ? normSf(za) - normSf(zb) : zb <= 0 ? normSf(-zb) - normSf(-za) : 1 - normSf(-za) - normSf(zb);
    const pa = Number.isFinite(za) ? phi(za) : 0;
    const pb = Number.isFinite(zb) ? phi(zb) : 0;
    const apa = Number.isFinite(za) ? za * pa : 0;
    const bpb = Number.isFinite(zb) ? zb * pb : 0;
    return [m0, s * (pa - pb), s * s * (m0 + apa - bpb)];
  }
  override mean(): number {
    return 0;
  }
  override secondMoment(): number {
    return this.sigma ** 2;
  }
  override variance(): number {
    return this.sigma ** 2;
  }
  override excessKurtosis(): number {
    return 0;
  }
}

/** Laplace(0, b): p = exp(-|w|/b) / (2b). */
export class Laplace extends ContinuousDistribution {
  readonly name = 'laplace';
  readonly params: Record<string, number>;
  readonly lo = -Infinity;
  readonly hi = Infinity;
  readonly symmetric = true;
  override readonly kinks = [0];
  constructor(readonly b = 1) {
    super();
    checkPositive(b, 'scale');
    this.params = { scale: b };
  }
  scaleHint(): number {
    return this.b;
  }
  protected override tailSplit(x: number): number {
    return Math.max(2 * Math.abs(x), x + 40 * this.b);
  }
  pdf(x: number): number {
    return Math.exp(-Math.abs(x) / this.b) / (2 * this.b);
  }
  cdf(x: number): number {
    return x < 0 ? 0.5 * Math.exp(x / this.b) : 1 - 0.5 * Math.exp(-x / this.b);
  }
  sf(x: number): number {
    return x > 0 ? 0.5 * Math.exp(-x / this.b) : 1 - 0.5 * Math.exp(x / this.b);
  }
  quantile(p: number): number {
    return p < 0.5 ? this.b * Math.log(2 * p) : -this.b * Math.log(2 * (1 - p));
  }
  absCdf(t: number): number {
    return t <= 0 ? 0 : -Math.expm1(-t / this.b);
  }
  absQuantile(c: number): number {
    return -this.b * Math.log1p(-c);
  }
  override rawTail(X: number): [number, number, number] {
    const b = this.b;
    const e = 0.5 * Math.exp(-X / b);
    return [e, e * (X + b), e * (X * X + 2 * b * X + 2 * b * b)];
  }
  override mean(): number {
    return 0;
  }
  override secondMoment(): number {
    return 2 * this.b ** 2;
  }
  override variance(): number {
    return 2 * this.b ** 2;
  }
  override excessKurtosis(): number {
    return 3;
  }
}

/** Uniform on [-a, a]. */
export class Uniform extends ContinuousDistribution {
  readonly name = 'uniform';
  readonly params: Record<string, number>;
  readonly lo: number;
  readonly hi: number;
  readonly symmetric = true;
  constructor(readonly a = Math.sqrt(3)) {
    super();
    checkPositive(a, 'halfWidth');
    this.lo = -a;
    this.hi = a;
    this.params = { halfWidth: a };
  }
  scaleHint(): number {
    return this.a;
  }
  pdf(x: number): number {
    return x >= -this.a && x <= this.a ? 0.5 / this.a : 0;
  }
  cdf(x: number): number {
    return x <= -this.a ? 0 : x >= this.a ? 1 : (x + this.a) / (2 * this.a);
  }
  sf(x: number): number {
    return x <= -this.a ? 1 : x >= this.a ? 0 : (this.a - x) / (2 * this.a);
  }
  quantile(p: number): number {
    return -this.a + 2 * this.a * p;
  }
  absCdf(t: number): number {
    return t <= 0 ? 0 : Math.min(1, t / this.a);
  }
  absQuantile(c: number): number {
    return c * this.a;
  }
  override cell(a: number, b: number, c: number, out: Float64Array): void {
    // exact polynomial integrals
    const lo = Math.max(a, -this.a);
    const hi = Math.min(b, this.a);
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    if (!(hi > lo)) return;
    const k = 0.5 / this.a;
    const u = lo - c;
    const v = hi - c;
    out[0] = k * (hi - lo);
    out[1] = k * 0.5 * (v - u) * (v + u);
    out[2] = (k * (v - u) * (v * v + u * v + u * u)) / 3;
  }
  override rightTail(x: number, out: Float64Array): void {
    this.cell(x, this.a, x, out);
  }
  override mean(): number {
    return 0;
  }
  override secondMoment(): number {
    return this.a ** 2 / 3;
  }
  override variance(): number {
    return this.a ** 2 / 3;
  }
  override excessKurtosis(): number {
    return -1.2;
  }
}

/** Student-t with nu degrees of freedom, location 0, scale `scale`. */
export class StudentT extends ContinuousDistribution {
  readonly name = 'student-t';
  readonly params: Record<string, number>;
  readonly lo = -Infinity;
  readonly hi = Infinity;
  readonly symmetric = true;
  private readonly logC: number;
  constructor(
    readonly nu: number,
    readonly scale = 1,
  ) {
    super();
    checkPositive(nu, 'nu');
    checkPositive(scale, 'scale');
    this.params = { nu, scale };
    this.logC = logTConst(nu);
  }
  scaleHint(): number {
    return this.scale;
  }
  protected override tailSplit(x: number): number {
    return Math.max(2 * Math.abs(x), x + 4 * this.scale * (1 + Math.sqrt(this.nu)));
  }
  pdf(x: number): number {
    const z = x / this.scale;
    return Math.exp(this.logC - 0.5 * (this.nu + 1) * Math.log1p((z * z) / this.nu)) / this.scale;
  }
  /** Upper tail of the standard t_nu at z >= 0. */
  private sfStd(z: number): number {
    const nu = this.nu;
    if (z < 0) return 1 - this.sfStd(-z);
    const z2 = z * z;
    if (z2 > nu) return 0.5 * betainc(nu / (nu + z2), nu / 2, 0.5);
    return 0.5 * betainc(z2 / (nu + z2), 0.5, nu / 2, true, true);
  }
  cdf(x: number): number {
    const z = x / this.scale;
    return z <= 0 ? this.sfStd(-z) : 1 - this.sfStd(z);
  }
  sf(x: number): number {
    return this.sfStd(x / this.scale);
  }
  absCdf(t: number): number {
    if (t <= 0) return 0;
    const z = t / this.scale;
    const z2 = z * z;
    const nu = this.nu;
    if (z2 > nu) return betainc(nu / (nu + z2), nu / 2, 0.5, true, true);
    return betainc(z2 / (nu + z2), 0.5, nu / 2);
  }
  absQuantile(c: number): number {
    if (c <= 0) return 0;
    if (c >= 1) return Infinity;
    const nu = this.nu;
    const y = betaincinv(c, 0.5, nu / 2); // y = z^2/(nu+z^2)
    if (y < 0.5) return this.scale * Math.sqrt((nu * y) / (1 - y));
    const z = betaincinv(1 - c, nu / 2, 0.5); // z = nu/(nu+t^2)
    return this.scale * Math.sqrt((nu * (1 - z)) / z);
  }
  quantile(p: number): number {
    if (p === 0.5) return 0;
    return p > 0.5 ? this.absQuantile(2 * p - 1) : -this.absQuantile(1 - 2 * p);
  }
  override rawTail(X: number): [number, number, number] {
    const nu = this.nu;
    const s = this.scale;
    const x = X / s;
    const t0 = this.sfStd(x);
    const t1 = nu > 1 ? s * Math.exp(this.logC + Math.log(nu / (nu - 1)) - 0.5 * (nu - 1) * Math.log1p((x * x) / nu)) : Infinity;
    let t2 = Infinity;
    if (nu > 2) {
      const nup = nu - 2;
      const xp = x * Math.sqrt(nup / nu);
      const inner = new StudentT(nup).sfStd(xp);
      t2 = s * s * nu * (Math.exp(this.logC - logTConst(nup)) * Math.sqrt(nu / nup) * inner - t0);
    }
    return [t0, t1, t2];
  }
  override mean(): number {
    return 0;
  }
  override secondMoment(): number {
    return this.nu > 2 ? (this.scale ** 2 * this.nu) / (this.nu - 2) : Infinity;
  }
  override variance(): number {
    return this.secondMoment();
  }
  override excessKurtosis(): number {
    return this.nu > 4 ? 6 / (this.nu - 4) : Infinity;
  }
}

function logTConst(nu: number): number {
  return gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * Math.log(nu * Math.PI);
}

/** Degrees of freedom of the (untruncated) Student-t with excess kurtosis k: nu = 4 + 6/k. */
export function nuForKurtosis(k: number): number {
  if (!(Number.isFinite(k) && k > 0)) throw new PvqInputError('kurtosis', `a Student-t has excess kurtosis > 0; got ${k}`);
  return 4 + 6 / k;
}

/** A symmetric base distribution truncated to [-R, R] and renormalised. */
export class Truncated extends ContinuousDistribution {
  readonly name: string;
  readonly params: Record<string, number | string>;
  readonly lo: number;
  readonly hi: number;
  readonly symmetric = true;
  override readonly kinks: readonly number[];
  private readonly Z: number;
  private readonly sR: number;
  constructor(
    readonly base: ContinuousDistribution,
    readonly R: number,
  ) {
    super();
    checkPositive(R, 'truncate');
    if (!base.symmetric) throw new PvqInputError('truncate', 'only symmetric distributions can be truncated to [-R, R]');
    this.name = base.name;
    this.params = { ...base.params, truncate: R };
    this.lo = Math.max(-R, base.lo);
    this.hi = Math.min(R, base.hi);
    this.kinks = base.kinks;
    this.Z = base.absCdf(R);
    this.sR = base.sf(R);
    if (!(this.Z > 0)) throw new PvqInputError('truncate', `the distribution has no mass in [-${R}, ${R}]`);
  }
  scaleHint(): number {
    return Math.min(this.base.scaleHint(), this.R);
  }
  pdf(x: number): number {
    return x >= -this.R && x <= this.R ? this.base.pdf(x) / this.Z : 0;
  }
  sf(x: number): number {
    if (x >= this.R) return 0;
    if (x <= -this.R) return 1;
    if (x >= 0) return (this.base.sf(x) - this.sR) / this.Z;
    return 1 - this.sf(-x);
  }
  cdf(x: number): number {
    if (x <= -this.R) return 0;
    if (x >= this.R) return 1;
    if (x <= 0) return this.sf(-x);
    return 1 - this.sf(x);
  }
  absCdf(t: number): number {
    if (t >= this.R) return 1;
    return this.base.absCdf(t) / this.Z;
  }
  absQuantile(c: number): number {
    if (c >= 1) return this.R;
    return this.base.absQuantile(c * this.Z);
  }
  quantile(p: number): number {
    if (p === 0.5) return 0;
    return p > 0.5 ? this.absQuantile(2 * p - 1) : -this.absQuantile(1 - 2 * p);
  }
  override mean(): number {
    return 0;
  }
}

/** Build a distribution by CLI name: gaussian | laplace | uniform | student-t (unit parameters as documented). */
export function namedDistribution(name: string, opts: { nu?: number; kurtosis?: number; truncate?: number } = {}): ContinuousDistribution {
  let d: ContinuousDistribution;
  switch (name) {
    case 'gaussian':
    case 'normal':
      d = new Gaussian(1);
      break;
    case 'laplace':
      d = new Laplace(1);
      break;
    case 'uniform':
      d = new Uniform(Math.sqrt(3));
      break;
    case 'student-t':
    case 't': {
      if (opts.nu !== undefined && opts.kurtosis !== undefined) throw new PvqInputError('kurtosis', 'give either --nu or --kurtosis, not both');
      const nu = opts.nu ?? (opts.kurtosis !== undefined ? nuForKurtosis(opts.kurtosis) : undefined);
      if (nu === undefined) throw new PvqInputError('nu', 'student-t needs --nu V or --kurtosis K');
      d = new StudentT(nu, 1);
      break;
    }
    default:
      throw new PvqInputError('dist', `unknown distribution ${JSON.stringify(name)}; expected gaussian, laplace, uniform or student-t`);
  }
  if (name !== 'student-t' && name !== 't' && (opts.nu !== undefined || opts.kurtosis !== undefined))
    throw new PvqInputError(opts.nu !== undefined ? 'nu' : 'kurtosis', `only applies to --dist student-t`);
  if (opts.truncate !== undefined) d = new Truncated(d, opts.truncate);
  return d;
}

export { INV_SQRT_2PI };

/**
 * The Student-t truncated to [-R, R] whose *truncated* law has excess kurtosis k. The truncated kurtosis is not
 * monotone in nu (it peaks near nu = 2 for R = 20); the solution on the branch nu >= argmax is returned
 * (bisection on log nu up to 1e4). Throws if k is outside that branch's range.
 */
export function truncatedStudentTForKurtosis(k: number, R: number): Truncated {
  if (!Number.isFinite(k)) throw new PvqInputError('kurtosis', `expected a finite number, got ${k}`);
  const kurt = (lnu: number): number => new Truncated(new StudentT(Math.exp(lnu)), R).excessKurtosis();
  const a = Math.log(0.05);
  const b = Math.log(1e4);
  let best = a;
  let bestK = -Infinity;
  for (let i = 0; i <= 48; i++) {
    const x = a + ((b - a) * i) / 48;
    const v = kurt(x);
    if (v > bestK) {
      bestK = v;
      best = x;
    }
  }
  // refine the peak (golden section), then bisect on the decreasing branch
  let lo = Math.max(a, best - (b - a) / 48);
  let hi = Math.min(b, best + (b - a) / 48);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const x1 = hi - g * (hi - lo);
    const x2 = lo + g * (hi - lo);
    if (kurt(x1) >= kurt(x2)) hi = x2;
    else lo = x1;
  }
  const peak = 0.5 * (lo + hi);
  const kMax = kurt(peak);
  const kMin = kurt(b);
  if (!(k <= kMax && k >= kMin)) throw new PvqInputError('kurtosis', `a Student-t truncated at R = ${R} reaches excess kurtosis in [${kMin.toFixed(4)}, ${kMax.toFixed(4)}]; got ${k}`);
  lo = peak;
  hi = b;
  for (let it = 0; it < 100 && hi - lo > 1e-14; it++) {
    const mid = 0.5 * (lo + hi);
    if (kurt(mid) > k) lo = mid;
    else hi = mid;
  }
  return new Truncated(new StudentT(Math.exp(0.5 * (lo + hi))), R);
}
