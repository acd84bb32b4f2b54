/**
 * The empirical distribution of a sample (a custom density given as samples, and the exact-range mode of the
 * tensor statistics). Cells are exact sums over the sorted sample, from double-double prefix sums of w and w^2,
 * so a cell far from 0 loses no digits: O(log N) per cell.
 */
import { PvqInputError } from '../core/errors.js';
import type { Distribution } from './distribution.js';

const SPLIT = 134217729; // 2^27 + 1
/** The rounding error of the product a*b given p = fl(a*b) (Dekker): a*b = p + e exactly. */
function prodErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
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
    // compensated (double-double) running sums, inlined error-free transformations
    let h1 = 0, l1 = 0, h2 = 0, l2 = 0;
    const p1h = this.p1h, p1l = this.p1l, p2h = this.p2h, p2l = this.p2l;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      // (h1, l1) += v
      let sum = h1 + v;
      let bb = sum - h1;
      let err = h1 - (sum - bb) + (v - bb);
      l1 += err;
      h1 = sum + l1;
      l1 = l1 - (h1 - sum);
      // (h2, l2) += v*v exactly (Dekker product)
      const q = v * v;
      let t = SPLIT * v;
      const vh = t - (t - v);
      const vl = v - vh;
      const qe = vh * vh - q + 2 * vh * vl + vl * vl;
      sum = h2 + q;
      bb = sum - h2;
      err = h2 - (sum - bb) + (q - bb);
      l2 += err + qe;
      h2 = sum + l2;
      l2 = l2 - (h2 - sum);
      t = 0;
      p1h[i + 1] = h1;
      p1l[i + 1] = l1;
      p2h[i + 1] = h2;
      p2l[i + 1] = l2;
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
    // S1 = P1[j] - P1[i], S2 likewise, as double-double (error-free transformations inlined)
    let a = this.p1h[j], b = -this.p1h[i];
    let sm = a + b, bv = sm - a;
    let s1l = a - (sm - bv) + (b - bv) + (this.p1l[j] - this.p1l[i]);
    const s1h = sm + s1l;
    s1l -= s1h - sm;
    a = this.p2h[j]; b = -this.p2h[i];
    sm = a + b; bv = sm - a;
    let s2l = a - (sm - bv) + (b - bv) + (this.p2l[j] - this.p2l[i]);
    const s2h = sm + s2l;
    s2l -= s2h - sm;
    // m1 = S1 - c n
    const cn = c * n;
    const cne = prodErr(c, n, cn);
    sm = s1h - cn; bv = sm - s1h;
    const m1 = sm + (s1h - (sm - bv) + (-cn - bv) + s1l - cne);
    // m2 = S2 - 2 c S1 + c^2 n
    const c2 = 2 * c;
    const A = c2 * s1h;
    const Ae = prodErr(c2, s1h, A);
    const cc = c * c;
    const cce = prodErr(c, c, cc);
    const B = cc * n;
    const Be = prodErr(cc, n, B);
    sm = s2h - A; bv = sm - s2h;
    let lo = s2h - (sm - bv) + (-A - bv) + s2l - Ae - c2 * s1l;
    const t1 = sm;
    sm = t1 + B; bv = sm - t1;
    lo += t1 - (sm - bv) + (B - bv) + Be + cce * n;
    const m2 = Math.max(0, sm + lo);
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
