/**
 * Expected error of quantizing W ~ p onto any finite level set scaled by s (nearest level): the cell of level
 * l_i is [s (l_{i-1} + l_i)/2, s (l_i + l_{i+1})/2], the two outer cells extend to ±∞ (clipping). The same
 * accurate machinery as the uniform grid (`errors.ts`): every cell integral about its own level, the clipping
 * terms from tail moments about the outer levels (never 1 - F), and the derivative without boundary terms,
 * dE/ds = -2 Σ_i l_i ∫_cell_i (w - s l_i) p(w) dw. With the INT-b levels this is `quantMse` of `errors.ts`.
 */
import { PvqInputError } from '../core/errors.js';
import type { Distribution } from './distribution.js';
import { cellMoments, extent, goldenSection, scanMinima } from './cells.js';
import { brentRoot, snrDb } from './errors.js';
import type { LevelSet } from '../formats/levels.js';

const tmp = new Float64Array(3);

/** MSE of nearest-level quantization onto s * levels, and dE/ds. */
export function levelQuantMseAndDerivative(d: Distribution, s: number, levels: LevelSet): { mse: number; deriv: number } {
  if (!(s > 0) || !Number.isFinite(s)) throw new PvqInputError('scale', `expected a positive finite scale, got ${s}`);
  const L = levels.length;
  if (L === 0) throw new PvqInputError('levels', 'expected at least one level');
  if (L === 1) {
    // one level c: the two tails about c
    const c = s * levels[0];
    d.leftTail(c, tmp);
    let mse = tmp[2];
    let m1 = -tmp[1];
    d.rightTail(c, tmp);
    mse += tmp[2];
    m1 += tmp[1];
    return { mse, deriv: -2 * levels[0] * m1 };
  }
  // edge between levels i and i + 1
  const edge = (i: number): number => s * (0.5 * (levels[i] + levels[i + 1]));
  return cellMoments(d, {
    first: 0,
    last: L - 1,
    from: 1,
    to: L - 2,
    // cells outside the support are skipped
    skipOutside: true,
    level: (i) => levels[i],
    point: (i) => s * levels[i],
    lower: (i) => edge(i - 1),
    upper: edge,
  });
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
  const { ss, es, n, cands } = scanMinima((x) => levelQuantMse(d, x, levels), sMin, sMax, opts.pointsPerDecade ?? 60);
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
    const gs = goldenSection((x) => levelQuantMse(d, x, levels), a, b);
    if (gs.f <= best.mse) best = { scale: gs.x, mse: gs.f };
  }
  return best;
}
