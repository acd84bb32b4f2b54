/**
 * The empirical distribution of a sample (a custom density given as samples, and the exact-range mode of the
 * tensor statistics). Cells are exact sums over the sorted sample, from double-double prefix sums of w and w^2,
 * so a cell far from 0 loses no digits: O(log N) per cell.
 */
import { PvqInputError } from '../core/errors.js';
import type { Distribution } from './distribution.js';

/** Error-free a + b = s + e. */
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
const SPLIT = 134217729; // 2^27 + 1
/** Error-free a * b = p + e (Dekker). */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

export class Empirical implements Distribution {
  readonly name: string;
  readonly params: Record<string, number | string>;
  readonly lo: number;
  readonly hi: number;
  readonly symmetric = false;
  /** Sorted sample. */
  readonly x: Float64Array;
  readonly n: number;
  // double-double prefix sums: P1[i] = sum_{j<i} x_j, P2[i] = sum_{j<i} x_j^2
  private readonly p1h: Float64Array;
  private readonly p1l: Float64Array;
  private readonly p2h: Float64Array;
  private readonly p2l: Float64Array;

  constructor(samples: ArrayLike<number>, name = 'samples') {
    const n = samples.length;
    if (n === 0) throw new PvqInputError('samples', 'need at least one sample');
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = samples[i];
      if (!Number.isFinite(v)) throw new PvqInputError('samples', `entry ${i} is ${v} (NaN and Infinity are not accepted)`);
      x[i] = v;
    }
    x.sort();
    this.x = x;
    this.n = n;
    this.name = name;
    this.params = { n };
    this.lo = x[0];
    this.hi = x[n - 1];
    this.p1h = new Float64Array(n + 1);
    this.p1l = new Float64Array(n + 1);
    this.p2h = new Float64Array(n + 1);
    this.p2l = new Float64Array(n + 1);
    let h1 = 0, l1 = 0, h2 = 0, l2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      let [s, e] = twoSum(h1, v);
      l1 += e;
      [h1, l1] = twoSum(s, l1);
      const [q, qe] = twoProd(v, v);
      [s, e] = twoSum(h2, q);
      l2 += e + qe;
      [h2, l2] = twoSum(s, l2);
      this.p1h[i + 1] = h1;
      this.p1l[i + 1] = l1;
      this.p2h[i + 1] = h2;
      this.p2l[i + 1] = l2;
    }
  }

  /** First index with x[i] >= v. */
  lowerBound(v: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.x[m] < v) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  /** Moments over the index range [i, j) about c, into out (exact up to one rounding of each result). */
  rangeMoments(i: number, j: number, c: number, out: Float64Array): void {
    const n = j - i;
    if (n <= 0) {
      out[0] = 0;
      out[1] = 0;
      out[2] = 0;
      return;
    }
    // S1 = P1[j] - P1[i], S2 likewise, as double-double
    let [s1h, s1l] = twoSum(this.p1h[j], -this.p1h[i]);
    s1l += this.p1l[j] - this.p1l[i];
    [s1h, s1l] = twoSum(s1h, s1l);
    let [s2h, s2l] = twoSum(this.p2h[j], -this.p2h[i]);
    s2l += this.p2l[j] - this.p2l[i];
    [s2h, s2l] = twoSum(s2h, s2l);
    // m1 = S1 - c n
    const [cn, cne] = twoProd(c, n);
    const [d1, d1e] = twoSum(s1h, -cn);
    const m1 = d1 + (d1e + s1l - cne);
    // m2 = S2 - 2 c S1 + c^2 n
    const [a, ae] = twoProd(2 * c, s1h);
    const [cc, cce] = twoProd(c, c);
    const [b, be] = twoProd(cc, n);
    let [t, te] = twoSum(s2h, -a);
    let lo = te + s2l - ae - 2 * c * s1l;
    [t, te] = twoSum(t, b);
    lo += te + be + cce * n;
    const m2 = Math.max(0, t + lo);
    out[0] = n / this.n;
    out[1] = m1 / this.n;
    out[2] = m2 / this.n;
  }

  cell(a: number, b: number, c: number, out: Float64Array): void {
    this.rangeMoments(this.lowerBound(a), this.lowerBound(b), c, out);
  }
  rightTail(x: number, out: Float64Array): void {
    this.rangeMoments(this.lowerBound(x), this.n, x, out);
  }
  leftTail(x: number, out: Float64Array): void {
    this.rangeMoments(0, this.lowerBound(x), x, out);
    out[1] = -out[1];
  }
  pdf(_x: number): number {
    return NaN;
  }
  cdf(v: number): number {
    // fraction <= v
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.x[m] <= v) lo = m + 1;
      else hi = m;
    }
    return lo / this.n;
  }
  sf(v: number): number {
    return 1 - this.cdf(v);
  }
  quantile(p: number): number {
    const i = Math.min(this.n - 1, Math.max(0, Math.ceil(p * this.n) - 1));
    return this.x[i];
  }
  private absSorted: Float64Array | null = null;
  /** |x| sorted ascending. */
  sortedAbs(): Float64Array {
    if (!this.absSorted) {
      const a = new Float64Array(this.n);
      for (let i = 0; i < this.n; i++) a[i] = Math.abs(this.x[i]);
      a.sort();
      this.absSorted = a;
    }
    return this.absSorted;
  }
  absCdf(t: number): number {
    const a = this.sortedAbs();
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (a[m] <= t) lo = m + 1;
      else hi = m;
    }
    return lo / this.n;
  }
  /** The magnitude of the largest pruned entry when floor(c n) entries are pruned (0 if none). */
  absQuantile(c: number): number {
    const j = Math.floor(c * this.n);
    return j === 0 ? 0 : this.sortedAbs()[j - 1];
  }
  /** Magnitude pruning as in the paper's code: zero the floor(c n) smallest |w|; returns the mean squared error. */
  pruneMse(c: number): number {
    const a = this.sortedAbs();
    const j = Math.floor(c * this.n);
    let s = 0;
    for (let i = 0; i < j; i++) s += a[i] * a[i];
    return s / this.n;
  }
  partialMoments(a: number, b: number): [number, number, number] {
    const o = new Float64Array(3);
    this.cell(a, b, 0, o);
    return [o[0], o[1], o[2]];
  }
  mean(): number {
    return (this.p1h[this.n] + this.p1l[this.n]) / this.n;
  }
  secondMoment(): number {
    return (this.p2h[this.n] + this.p2l[this.n]) / this.n;
  }
  variance(): number {
    const o = new Float64Array(3);
    this.rangeMoments(0, this.n, this.mean(), o);
    return o[2];
  }
  /** Biased excess kurtosis (scipy.stats.kurtosis(fisher=True, bias=True)). */
  excessKurtosis(): number {
    return sampleExcessKurtosis(this.x);
  }
}

/** Biased sample excess kurtosis m4/m2^2 - 3 (two passes, float64); NaN for a constant sample. */
export function sampleExcessKurtosis(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= n;
  m4 /= n;
  if (m2 === 0) return NaN;
  return m4 / (m2 * m2) - 3;
}
