/**
 * N:M magnitude pruning of iid weights W_1..W_M ~ p (keep the N largest |W_i| of each group of M): the expected
 * error per weight is (1/M) E[sum of the M - N smallest W_i^2]. A weight of magnitude t is pruned exactly when at
 * least N of the other M - 1 weights are larger in magnitude, so
 *
 *   E_nm = ∫ w^2 p(w) P(Bin(M - 1, S(|w|)) >= N) dw,   S(t) = P(|W| > t), F(t) = P(|W| <= t) = 1 - S(t),
 *
 * with the binomial tail written as a sum of positive terms Σ_{j>=N} C(M-1, j) S^j F^(M-1-j), S and F each from
 * the distribution's accurate tail / CDF functions (no 1 - F cancellation). The kept weights follow the density
 * (M/N) p(w) P(Bin(M - 1, S(|w|)) <= N - 1) (`KeptDistribution`), which N:M + a value format quantizes.
 */
import { PvqInputError } from '../core/errors.js';
import { ContinuousDistribution, type Distribution } from './distribution.js';
import { Empirical } from './empirical.js';
import { integrate, integrateToInfinity } from './quadrature.js';
import { snrDb } from './errors.js';

export interface NMPattern {
  N: number;
  M: number;
}

/** Parse 'N:M' (1 <= N < M <= 64). */
export function parseNM(text: string, field = 'format'): NMPattern {
  const m = /^(\d+):(\d+)$/.exec(text.trim());
  if (!m) throw new PvqInputError(field, `expected N:M, got '${text}'`);
  const N = Number(m[1]);
  const M = Number(m[2]);
  if (!(N >= 1 && N < M && M <= 64)) throw new PvqInputError(field, `'${text}': need 1 <= N < M <= 64`);
  return { N, M };
}

function binom(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** P(Bin(n, S) >= N) (upper = true) or P(Bin(n, S) <= N - 1), from S and F = 1 - S given separately. */
export function binomTail(n: number, N: number, S: number, F: number, upper: boolean): number {
  let s = 0;
  const from = upper ? N : 0;
  const to = upper ? n : N - 1;
  for (let j = from; j <= to; j++) s += binom(n, j) * Math.pow(S, j) * Math.pow(F, n - j);
  return s;
}

/** P(|W| > t) from the two tails (accurate where small). */
function absSf(d: Distribution, t: number): number {
  if (t <= 0) return 1 - (d.cdf(0) - d.cdf(-0)); // no atom at 0 for continuous laws
  return d.sf(t) + d.cdf(-t);
}

/** Breakpoints in |w| for the quadrature: 0, the kinks, a few quantiles of |W|, and the support end. */
function magnitudePieces(d: Distribution): number[] {
  const top = Math.max(Math.abs(d.lo), Math.abs(d.hi));
  const pts = new Set<number>([0]);
  for (const c of [0.25, 0.5, 0.75, 0.9, 0.97, 0.99, 0.999, 0.9999, 1 - 1e-6, 1 - 1e-8]) {
    const q = d.absQuantile(c);
    if (Number.isFinite(q) && q > 0 && q < top) pts.add(q);
  }
  const kinks = (d as { kinks?: readonly number[] }).kinks ?? [];
  for (const k of kinks) if (Math.abs(k) > 0 && Math.abs(k) < top) pts.add(Math.abs(k));
  if (Number.isFinite(top)) pts.add(top);
  return [...pts].sort((a, b) => a - b);
}

/** ∫ over |w| of g(|w|) (p(w) + p(-w)) on the support, piecewise, with the tail to ∞ when unbounded. */
function integrateMagnitude(d: Distribution, g: (t: number) => number): number {
  const f = (t: number): number => {
    const p = (t <= d.hi && t >= d.lo ? d.pdf(t) : 0) + (-t >= d.lo && -t <= d.hi ? d.pdf(-t) : 0);
    return p === 0 ? 0 : g(t) * p;
  };
  const pieces = magnitudePieces(d);
  let s = 0;
  for (let i = 0; i + 1 < pieces.length; i++) s += integrate(f, pieces[i], pieces[i + 1]);
  const last = pieces[pieces.length - 1];
  if (!Number.isFinite(Math.max(Math.abs(d.lo), Math.abs(d.hi)))) s += integrateToInfinity(f, last);
  return s;
}

export interface NMPruneResult {
  N: number;
  M: number;
  /** Fraction of weights zeroed, 1 - N/M. */
  sparsity: number;
  /** Expected squared error per weight. */
  mse: number;
  snrDb: number;
}

/** Expected MSE per weight of N:M magnitude pruning of iid weights. */
export function nmPruneError(d: Distribution, pattern: NMPattern): NMPruneResult {
  const { N, M } = pattern;
  if (!(Number.isInteger(N) && Number.isInteger(M) && N >= 1 && N < M)) throw new PvqInputError('N:M', `need integers 1 <= N < M, got ${N}:${M}`);
  const m2 = d.secondMoment();
  let mse: number;
  if (d instanceof Empirical) mse = empiricalNMPruneMse(d, N, M);
  else
    mse = integrateMagnitude(d, (t) => {
      const S = absSf(d, t);
      const F = d.absCdf(t);
      return t * t * binomTail(M - 1, N, S, F, true);
    });
  return { N, M, sparsity: 1 - N / M, mse, snrDb: snrDb(m2, mse) };
}

/**
 * The same for M iid draws from an empirical law (exact, ties included): with y_(1) <= ... <= y_(n) the sorted
 * squares, E[sum of the r smallest of M draws] = Σ_{k=1}^{r} Σ_i y_(i) (G_k(i/n) - G_k((i-1)/n)),
 * G_k(u) = P(Bin(M, u) >= k) (the k-th order statistic's CDF); groups of tied magnitudes share their mass.
 */
function empiricalNMPruneMse(d: Empirical, N: number, M: number): number {
  const a = d.sortedAbs();
  const n = a.length;
  const r = M - N;
  let total = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && a[j] === a[i]) j++;
    const u0 = i / n;
    const u1 = j / n;
    let w = 0;
    for (let k = 1; k <= r; k++) w += binomTail(M, k, u1, 1 - u1, true) - binomTail(M, k, u0, 1 - u0, true);
    total += a[i] * a[i] * w;
    i = j;
  }
  return total / M;
}

/**
 * The law of a kept weight under N:M magnitude pruning of iid weights: density (M/N) p(w) P(Bin(M-1, S(|w|)) <= N-1)
 * (a weight is kept when fewer than N of the other M - 1 are larger). Cells by quadrature, tails by quadrature to ∞.
 */
export class KeptDistribution extends ContinuousDistribution {
  readonly name: string;
  readonly params: Record<string, number | string>;
  readonly lo: number;
  readonly hi: number;
  readonly symmetric = true;
  override readonly kinks: readonly number[];
  constructor(
    readonly base: ContinuousDistribution,
    readonly pattern: NMPattern,
  ) {
    super();
    if (!base.symmetric) throw new PvqInputError('dist', 'N:M + a value format: only symmetric distributions');
    this.name = `${base.name} kept by ${pattern.N}:${pattern.M}`;
    this.params = { ...base.params, N: pattern.N, M: pattern.M };
    this.lo = base.lo;
    this.hi = base.hi;
    this.kinks = [...new Set([0, ...base.kinks])].filter((k) => k > this.lo && k < this.hi).sort((a, b) => a - b);
  }
  scaleHint(): number {
    return this.base.scaleHint();
  }
  private keepProb(t: number): number {
    const S = absSf(this.base, Math.abs(t));
    const F = this.base.absCdf(Math.abs(t));
    return binomTail(this.pattern.M - 1, this.pattern.N, S, F, false);
  }
  pdf(x: number): number {
    const p = this.base.pdf(x);
    return p === 0 ? 0 : ((this.pattern.M / this.pattern.N) * p) * this.keepProb(x);
  }
  cdf(x: number): number {
    return x <= 0 ? this.sf(-x) : 1 - this.sf(x);
  }
  sf(x: number): number {
    if (x < 0) return 1 - this.sf(-x);
    return Number.isFinite(this.hi) ? integrate((w) => this.pdf(w), x, this.hi) : integrateToInfinity((w) => this.pdf(w), x);
  }
  absCdf(t: number): number {
    return t <= 0 ? 0 : 1 - 2 * this.sf(t);
  }
  absQuantile(c: number): number {
    // P_kept(|W| > t) <= (M/N) P(|W| > t): the base quantile at 1 - (1 - c) N/M bounds it; bisection on absCdf
    let lo = 0;
    let hi = this.base.absQuantile(1 - (1 - c) * (this.pattern.N / this.pattern.M));
    if (!Number.isFinite(hi)) hi = Math.max(Math.abs(this.lo), Math.abs(this.hi));
    for (let it = 0; it < 100 && hi - lo > 1e-13 * hi; it++) {
      const mid = 0.5 * (lo + hi);
      if (this.absCdf(mid) < c) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  }
  quantile(p: number): number {
    if (p === 0.5) return 0;
    return p > 0.5 ? this.absQuantile(2 * p - 1) : -this.absQuantile(1 - 2 * p);
  }
  override mean(): number {
    return this.symmetric ? 0 : super.mean();
  }
}
