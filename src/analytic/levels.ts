/**
 * Expected error of quantizing W ~ p onto any finite level set scaled by s (nearest level): the cell of level
 * l_i is [s (l_{i-1} + l_i)/2, s (l_i + l_{i+1})/2], the two outer cells extend to ±∞ (clipping). The same
 * accurate machinery as the uniform grid (`errors.ts`): every cell integral about its own level, the clipping
 * terms from tail moments about the outer levels (never 1 - F), and the derivative without boundary terms,
 * dE/ds = -2 Σ_i l_i ∫_cell_i (w - s l_i) p(w) dw. With the INT-b levels this is `quantMse` of `errors.ts`.
 */
import { PvqInputError } from '../core/errors.js';
import type { Distribution } from './distribution.js';
import { brentRoot, snrDb } from './errors.js';
import type { LevelSet } from '../formats/levels.js';

const tmp = new Float64Array(3);

/** MSE of nearest-level quantization onto s * levels, and dE/ds. */
export function levelQuantMseAndDerivative(d: Distribution, s: number, levels: LevelSet): { mse: number; deriv: number } {
  if (!(s > 0) || !Number.isFinite(s)) throw new PvqInputError('scale', `expected a positive finite scale, got ${s}`);
  const L = levels.length;
  if (L === 0) throw new PvqInputError('levels', 'expected at least one level');
  let mse = 0;
  let deriv = 0;
  if (L === 1) {
    // one level c: the two tails about c
    const c = s * levels[0];
    d.leftTail(c, tmp);
    mse += tmp[2];
    let m1 = -tmp[1];
    d.rightTail(c, tmp);
    mse += tmp[2];
    m1 += tmp[1];
    return { mse, deriv: -2 * levels[0] * m1 };
  }
  // left clip level
  const xl = s * levels[0];
  d.leftTail(xl, tmp);
  mse += tmp[2];
  let m1 = -tmp[1];
  let lo = s * (0.5 * (levels[0] + levels[1]));
  d.cell(xl, lo, xl, tmp);
  mse += tmp[2];
  m1 += tmp[1];
  deriv += levels[0] * m1;
  // interior levels; cells outside the support are skipped
  for (let i = 1; i + 1 < L; i++) {
    const hi = s * (0.5 * (levels[i] + levels[i + 1]));
    if (hi > d.lo && lo < d.hi) {
      const c = s * levels[i];
      d.cell(lo, hi, c, tmp);
      mse += tmp[2];
      deriv += levels[i] * tmp[1];
    }
    lo = hi;
  }
  // right clip level
  const xr = s * levels[L - 1];
  d.cell(lo, xr, xr, tmp);
  mse += tmp[2];
  m1 = tmp[1];
  d.rightTail(xr, tmp);
  mse += tmp[2];
  m1 += tmp[1];
  deriv += levels[L - 1] * m1;
  return { mse, deriv: -2 * deriv };
}

export function levelQuantMse(d: Distribution, s: number, levels: LevelSet): number {
  return levelQuantMseAndDerivative(d, s, levels).mse;
}

export interface LevelOptimum {
  /** The MSE-optimal scale s* (a weight is quantized to s* times a level). */
  scale: number;
  mse: number;
  snrDb: number;
  /** Largest representable magnitude s* max|level|. */
  clip: number;
  /** Refined local minima (scale, mse), best first. */
  localMinima: { scale: number; mse: number }[];
}

export interface OptimalScaleOptions {
  /** Scan points per decade of s (default 60). */
  pointsPerDecade?: number;
  sMin?: number;
  sMax?: number;
  /** Refine at most this many scan minima (default 24: minifloat errors have a near-periodic ripple in log s). */
  maxCandidates?: number;
}

function extent(d: Distribution): number {
  const m = Math.max(Math.abs(d.lo), Math.abs(d.hi));
  if (Number.isFinite(m)) return m;
  return d.absQuantile(1 - 1e-12);
}

/**
 * Globally MSE-optimal scale for a level set, as `optimalStep` does for the integer grid: a log-spaced scan of
 * E(s) over [0.01 rms / Lmax, max(4 rms, 2 extent / Lpos)] (Lmax = max |level|, Lpos = the largest positive level,
 * 1 if none; for INT-b the uniform grid's range exactly), then every scan minimum is refined (Brent on dE/ds where it
 * changes sign in the bracket, golden section on E otherwise) and the best refined point wins.
 */
export function optimalLevelScale(d: Distribution, levels: LevelSet, opts: OptimalScaleOptions = {}): LevelOptimum {
  const m2 = d.secondMoment();
  if (!Number.isFinite(m2)) throw new PvqInputError('dist', `E[W^2] is infinite for ${d.name} ${JSON.stringify(d.params)}: the quantization error is unbounded (truncate it, or use nu > 2)`);
  const L = levels.length;
  const Lmax = Math.max(Math.abs(levels[0]), Math.abs(levels[L - 1]));
  if (!(Lmax > 0)) {
    const mse = levelQuantMse(d, 1, levels);
    return { scale: 1, mse, snrDb: snrDb(m2, mse), clip: 0, localMinima: [{ scale: 1, mse }] };
  }
  if (m2 === 0) return { scale: 1, mse: 0, snrDb: NaN, clip: Lmax, localMinima: [] };
  const Lpos = levels[L - 1] > 0 ? levels[L - 1] : 1;
  const rms = Math.sqrt(m2);
  const sMin = opts.sMin ?? (0.01 * rms) / Math.max(Lmax, 1);
  const sMax = opts.sMax ?? Math.max(4 * rms, (2 * extent(d)) / Math.max(1, Lpos));
  const ppd = opts.pointsPerDecade ?? 60;
  const n = Math.max(8, Math.ceil(Math.log10(sMax / sMin) * ppd));
  const ss = new Float64Array(n + 1);
  const es = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    ss[i] = sMin * Math.pow(sMax / sMin, i / n);
    es[i] = levelQuantMse(d, ss[i], levels);
  }
  const cands: number[] = [];
  for (let i = 0; i <= n; i++) {
    const l = i > 0 ? es[i - 1] : Infinity;
    const r = i < n ? es[i + 1] : Infinity;
    if (es[i] <= l && es[i] <= r) cands.push(i);
  }
  cands.sort((a, b) => es[a] - es[b]);
  const refined: { scale: number; mse: number }[] = [];
  for (const i of cands.slice(0, opts.maxCandidates ?? 24)) {
    refined.push(refineLevelMinimum(d, levels, ss[Math.max(0, i - 1)], ss[Math.min(n, i + 1)], ss[i], es[i]));
  }
  refined.sort((u, v) => u.mse - v.mse || u.scale - v.scale);
  const best = refined[0];
  return { scale: best.scale, mse: best.mse, snrDb: snrDb(m2, best.mse), clip: best.scale * Lmax, localMinima: refined };
}

/** Refine a scan minimum of E(s) inside [a, b]. */
export function refineLevelMinimum(d: Distribution, levels: LevelSet, a: number, b: number, s0: number, e0: number): { scale: number; mse: number } {
  const fa = levelQuantMseAndDerivative(d, a, levels).deriv;
  const fb = levelQuantMseAndDerivative(d, b, levels).deriv;
  let best = { scale: s0, mse: e0 };
  if (fa < 0 && fb > 0) {
    const s = brentRoot((x) => levelQuantMseAndDerivative(d, x, levels).deriv, a, b, fa, fb);
    const e = levelQuantMse(d, s, levels);
    if (e <= best.mse) best = { scale: s, mse: e };
  }
  // golden section on E as well (E may have kinks where the derivative has no root, e.g. an empirical law)
  if (!(fa < 0 && fb > 0) || best.scale === s0) {
    const g = (Math.sqrt(5) - 1) / 2;
    let lo = a;
    let hi = b;
    let x1 = hi - g * (hi - lo);
    let x2 = lo + g * (hi - lo);
    let f1 = levelQuantMse(d, x1, levels);
    let f2 = levelQuantMse(d, x2, levels);
    for (let it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
      if (f1 <= f2) {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - g * (hi - lo);
        f1 = levelQuantMse(d, x1, levels);
      } else {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + g * (hi - lo);
        f2 = levelQuantMse(d, x2, levels);
      }
    }
    const s = f1 <= f2 ? x1 : x2;
    const e = Math.min(f1, f2);
    if (e <= best.mse) best = { scale: s, mse: e };
  }
  return best;
}
