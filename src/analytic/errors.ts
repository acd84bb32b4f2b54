/**
 * Expected errors of the two compression methods for a weight distribution (paper Sec. 2):
 * - b-bit symmetric uniform quantization with step s on the integer grid [qmin, qmax]
 *   (signed: [-2^(b-1), 2^(b-1)-1]): E_q(s) = sum over levels k of ∫_cell_k (w - s k)^2 p(w) dw, where the
 *   outer cells extend to ±∞ (the clipping error, written with tail moments about the clip points);
 * - magnitude pruning at sparsity c: E_p = ∫_{-t}^{t} w^2 p(w) dw with P(|W| <= t) = c;
 * - SNR_dB = 10 log10(E[W^2] / E).
 */
import { PvqInputError } from '../core/errors.js';
import type { Distribution } from './distribution.js';
import { cellMoments, extent, goldenSection, scanMinima } from './cells.js';

export interface Grid {
  qmin: number;
  qmax: number;
}

/** Signed b-bit grid [-2^(b-1), 2^(b-1)-1]. */
export function signedGrid(bits: number): Grid {
  if (!Number.isInteger(bits) || bits < 1 || bits > 24) throw new PvqInputError('bits', `expected an integer in [1, 24], got ${bits}`);
  return { qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 };
}

/** Sparsity with the same compression as b-bit quantization against FP16: 1 - b/16. */
export function equalCompressionSparsity(bits: number): number {
  return 1 - bits / 16;
}

export function snrDb(secondMoment: number, mse: number): number {
  if (mse <= 0) return Infinity;
  return 10 * Math.log10(secondMoment / mse);
}

const tmp = new Float64Array(3);

/**
 * Quantization MSE at step s and its derivative dE/ds. The derivative has no boundary terms (the integrand is
 * continuous across cell boundaries): dE/ds = -2 sum_k k ∫_cell_k (w - s k) p(w) dw.
 */
export function quantMseAndDerivative(d: Distribution, s: number, grid: Grid): { mse: number; deriv: number } {
  if (!(s > 0) || !Number.isFinite(s)) throw new PvqInputError('step', `expected a positive finite step, got ${s}`);
  const { qmin, qmax } = grid;
  if (qmax === qmin) {
    // one level: the two tails about it
    const xl = s * qmin;
    d.leftTail(xl, tmp);
    let mse = tmp[2];
    const m1 = -tmp[1];
    d.rightTail(xl, tmp);
    mse += tmp[2];
    return { mse, deriv: -2 * (qmin * m1 + qmin * tmp[1]) };
  }
  const half = 0.5 * s;
  // interior cells entirely outside the support are not visited
  return cellMoments(d, {
    first: qmin,
    last: qmax,
    from: Math.ceil(d.lo / s - 0.5) - 1,
    to: Math.floor(d.hi / s + 0.5) + 1,
    skipOutside: false,
    level: (k) => k,
    point: (k) => s * k,
    lower: (k) => s * k - half,
    upper: (k) => s * k + half,
  });
}

export function quantMse(d: Distribution, s: number, grid: Grid): number {
  return quantMseAndDerivative(d, s, grid).mse;
}

export interface QuantOptimum {
  step: number;
  mse: number;
  snrDb: number;
  /** Positive clip s*qmax. */
  clip: number;
  /** Local minima found by the scan and refined (step, mse), best first. */
  localMinima: { step: number; mse: number }[];
}

export interface OptimalStepOptions {
  /** Scan points per decade of s (default 60). */
  pointsPerDecade?: number;
  /** Scan range for s (default: from the distribution's RMS and extent). */
  sMin?: number;
  sMax?: number;
  /** Refine at most this many scan minima (default 12). */
  maxCandidates?: number;
}

/**
 * The globally MSE-optimal step: a log-spaced scan of E(s) over [sMin, sMax], then every local minimum of the
 * scan is refined by a root search of dE/ds inside its bracket (golden section on E if the derivative has no
 * sign change there), and the best refined point wins.
 */
export function optimalStep(d: Distribution, grid: Grid, opts: OptimalStepOptions = {}): QuantOptimum {
  const m2 = d.secondMoment();
  if (!Number.isFinite(m2)) throw new PvqInputError('dist', `E[W^2] is infinite for ${d.name} ${JSON.stringify(d.params)}: the quantization error is unbounded (truncate it, or use nu > 2)`);
  const L = Math.max(grid.qmax, -grid.qmin, 1);
  if (m2 === 0) return { step: 1, mse: 0, snrDb: NaN, clip: grid.qmax, localMinima: [] };
  const rms = Math.sqrt(m2);
  const sMin = opts.sMin ?? (0.01 * rms) / L;
  const sMax = opts.sMax ?? Math.max(4 * rms, (2 * extent(d)) / Math.max(1, grid.qmax));
  const { ss, es, n, cands } = scanMinima((x) => quantMse(d, x, grid), sMin, sMax, opts.pointsPerDecade ?? 60);
  const maxC = opts.maxCandidates ?? 12;
  const refined: { step: number; mse: number }[] = [];
  for (const i of cands.slice(0, maxC)) {
    const a = ss[Math.max(0, i - 1)];
    const b = ss[Math.min(n, i + 1)];
    refined.push(refineMinimum(d, grid, a, b, ss[i], es[i]));
  }
  refined.sort((u, v) => u.mse - v.mse || u.step - v.step);
  const best = refined[0];
  return { step: best.step, mse: best.mse, snrDb: snrDb(m2, best.mse), clip: best.step * grid.qmax, localMinima: refined };
}

/** Refine a scan minimum inside [a, b]. */
export function refineMinimum(d: Distribution, grid: Grid, a: number, b: number, s0: number, e0: number): { step: number; mse: number } {
  const fa = quantMseAndDerivative(d, a, grid).deriv;
  const fb = quantMseAndDerivative(d, b, grid).deriv;
  let best = { step: s0, mse: e0 };
  if (fa < 0 && fb > 0) {
    const s = brentRoot((x) => quantMseAndDerivative(d, x, grid).deriv, a, b, fa, fb);
    const e = quantMse(d, s, grid);
    if (e <= best.mse) best = { step: s, mse: e };
  } else {
    // golden section on E
    const gs = goldenSection((x) => quantMse(d, x, grid), a, b);
    if (gs.f <= best.mse) best = { step: gs.x, mse: gs.f };
  }
  return best;
}

/** Brent's root finder (zeroin) on a bracket with f(a) f(b) < 0. */
export function brentRoot(f: (x: number) => number, a0: number, b0: number, fa0?: number, fb0?: number, tol = 0): number {
  let a = a0;
  let b = b0;
  let fa = fa0 ?? f(a);
  let fb = fb0 ?? f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  let c = a;
  let fc = fa;
  let dd = b - a;
  let e = dd;
  for (let it = 0; it < 200; it++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      dd = b - a;
      e = dd;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * xm * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * xm * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = dd;
        dd = p / q;
      } else {
        dd = xm;
        e = dd;
      }
    } else {
      dd = xm;
      e = dd;
    }
    a = b;
    fa = fb;
    b += Math.abs(dd) > tol1 ? dd : xm > 0 ? tol1 : -tol1;
    fb = f(b);
  }
  return b;
}

export interface PruneResult {
  sparsity: number;
  /** Magnitude threshold t with P(|W| <= t) = sparsity. */
  threshold: number;
  mse: number;
  snrDb: number;
}

/** Magnitude pruning at a sparsity in [0, 1]. */
export function pruneError(d: Distribution, sparsity: number): PruneResult {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new PvqInputError('sparsity', `expected a number in [0, 1], got ${sparsity}`);
  const m2 = d.secondMoment();
  if (sparsity === 0) return { sparsity, threshold: 0, mse: 0, snrDb: Infinity };
  if (sparsity === 1) return { sparsity, threshold: Infinity, mse: m2, snrDb: 0 };
  const t = d.absQuantile(sparsity);
  const custom = (d as { pruneMse?: (c: number) => number }).pruneMse;
  if (typeof custom === 'function') {
    const mse = custom.call(d, sparsity);
    return { sparsity, threshold: t, mse, snrDb: snrDb(m2, mse) };
  }
  const o = new Float64Array(3);
  let mse = 0;
  d.cell(-t, Math.min(0, t), 0, o);
  mse += o[2];
  d.cell(Math.max(0, -t), t, 0, o);
  mse += o[2];
  return { sparsity, threshold: t, mse, snrDb: snrDb(m2, mse) };
}

export interface ComparisonRow {
  bits: number;
  quant: { step: number; mse: number; snrDb: number };
  prune: { sparsity: number; threshold: number; mse: number; snrDb: number };
}

/** One row per bit width: MSE-optimal quantization against pruning at 1 - b/16. */
export function compareDistribution(d: Distribution, bits: readonly number[], opts: OptimalStepOptions = {}): ComparisonRow[] {
  return bits.map((b) => {
    const q = optimalStep(d, signedGrid(b), opts);
    const p = pruneError(d, equalCompressionSparsity(b));
    return { bits: b, quant: { step: q.step, mse: q.mse, snrDb: q.snrDb }, prune: p };
  });
}

export interface Crossover {
  bits: number;
  /** Parameter values where snrQuant - snrPrune changes sign, with the side pruning wins on. */
  crossings: { param: number; pruneWinsAbove: boolean }[];
  /** The scanned curve: param, quant SNR, prune SNR. */
  curve: { param: number; quantSnrDb: number; pruneSnrDb: number; excessKurtosis: number }[];
}

/**
 * Along a one-parameter family (e.g. truncation R, or kurtosis), find for each bit width where pruning starts
 * (or stops) winning: scan `points` values of the parameter in [from, to] (log-spaced when `log`), then bisect
 * every sign change of the SNR difference to `relTol`.
 */
export function crossoverSearch(
  family: (param: number) => Distribution,
  from: number,
  to: number,
  bits: readonly number[],
  opts: { points?: number; log?: boolean; relTol?: number; onProgress?: (done: number, total: number) => void } = {},
): Crossover[] {
  const points = opts.points ?? 16;
  const log = opts.log ?? (from > 0 && to / from > 10);
  const params = Array.from({ length: points }, (_, i) => (log ? from * Math.pow(to / from, i / (points - 1)) : from + ((to - from) * i) / (points - 1)));
  const diff = (p: number, b: number): { q: number; pr: number } => {
    const d = family(p);
    return { q: optimalStep(d, signedGrid(b), { pointsPerDecade: 30 }).snrDb, pr: pruneError(d, equalCompressionSparsity(b)).snrDb };
  };
  const total = bits.length * points;
  let done = 0;
  return bits.map((b) => {
    const curve = params.map((p) => {
      const d = family(p);
      const r = diff(p, b);
      opts.onProgress?.(++done, total);
      return { param: p, quantSnrDb: r.q, pruneSnrDb: r.pr, excessKurtosis: d.excessKurtosis() };
    });
    const crossings: { param: number; pruneWinsAbove: boolean }[] = [];
    for (let i = 0; i + 1 < curve.length; i++) {
      const da = curve[i].quantSnrDb - curve[i].pruneSnrDb;
      const db = curve[i + 1].quantSnrDb - curve[i + 1].pruneSnrDb;
      if (Math.sign(da) !== Math.sign(db)) {
        let lo = curve[i].param;
        let hi = curve[i + 1].param;
        let dlo = da;
        for (let it = 0; it < 60 && hi - lo > (opts.relTol ?? 1e-6) * Math.abs(hi); it++) {
          const mid = log ? Math.sqrt(lo * hi) : 0.5 * (lo + hi);
          const r = diff(mid, b);
          const dm = r.q - r.pr;
          if (Math.sign(dm) === Math.sign(dlo)) {
            lo = mid;
            dlo = dm;
          } else hi = mid;
        }
        crossings.push({ param: 0.5 * (lo + hi), pruneWinsAbove: da > 0 });
      }
    }
    return { bits: b, crossings, curve };
  });
}
