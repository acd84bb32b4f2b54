/**
 * The machinery shared by the expected-error models of the integer grid (`errors.ts`) and of any level set
 * (`levels.ts`): the per-cell integration of nearest-point quantization (every cell integral about its own
 * point, the clipping terms from tail moments about the outer points), the log-spaced scan of E(s) for local
 * minima, golden-section refinement, and the extent of a law worth scanning to.
 */
import type { Distribution } from './distribution.js';

const tmp = new Float64Array(3);

/**
 * Points with indices first..last (at least two), in increasing order: `level(i)` in units of s (the weight of the
 * derivative), `point(i)` = s * level(i), and the cell edges `lower(i)` / `upper(i)` (each family computes them in
 * its own way). Interior cells are visited for i in [max(first + 1, from), min(last - 1, to)]; with
 * `skipOutside`, interior cells entirely outside the support are skipped as well.
 */
export interface CellGrid {
  first: number;
  last: number;
  from: number;
  to: number;
  skipOutside: boolean;
  level(i: number): number;
  point(i: number): number;
  lower(i: number): number;
  upper(i: number): number;
}

/**
 * MSE of nearest-point quantization onto the grid's points and dE/ds, without boundary terms (the integrand is
 * continuous across cell edges): dE/ds = -2 sum_i level_i ∫_cell_i (w - s level_i) p(w) dw.
 */
export function cellMoments(d: Distribution, g: CellGrid): { mse: number; deriv: number } {
  let mse = 0;
  let deriv = 0;
  // left clip point: the left tail and the first half-cell about it
  const xl = g.point(g.first);
  d.leftTail(xl, tmp);
  mse += tmp[2];
  let m1 = -tmp[1];
  d.cell(xl, g.upper(g.first), xl, tmp);
  mse += tmp[2];
  m1 += tmp[1];
  deriv += g.level(g.first) * m1;
  // interior points
  const from = Math.max(g.first + 1, g.from);
  const to = Math.min(g.last - 1, g.to);
  for (let i = from; i <= to; i++) {
    const hi = g.upper(i);
    const lo = g.lower(i);
    if (g.skipOutside && !(hi > d.lo && lo < d.hi)) continue;
    d.cell(lo, hi, g.point(i), tmp);
    mse += tmp[2];
    deriv += g.level(i) * tmp[1];
  }
  // right clip point: the last half-cell and the right tail about it
  const xr = g.point(g.last);
  d.cell(g.lower(g.last), xr, xr, tmp);
  mse += tmp[2];
  m1 = tmp[1];
  d.rightTail(xr, tmp);
  mse += tmp[2];
  m1 += tmp[1];
  deriv += g.level(g.last) * m1;
  return { mse, deriv: -2 * deriv };
}

/** Largest |w| worth scanning to: the support end, or a far quantile for unbounded supports. */
export function extent(d: Distribution): number {
  const m = Math.max(Math.abs(d.lo), Math.abs(d.hi));
  if (Number.isFinite(m)) return m;
  return d.absQuantile(1 - 1e-12);
}

/**
 * Log-spaced scan of E over [sMin, sMax] (`pointsPerDecade`, at least 9 points): the scan points, their values and
 * the indices of the scan's local minima, best first.
 */
export function scanMinima(E: (s: number) => number, sMin: number, sMax: number, pointsPerDecade: number): { ss: Float64Array; es: Float64Array; n: number; cands: number[] } {
  const n = Math.max(8, Math.ceil(Math.log10(sMax / sMin) * pointsPerDecade));
  const ss = new Float64Array(n + 1);
  const es = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    ss[i] = sMin * Math.pow(sMax / sMin, i / n);
    es[i] = E(ss[i]);
  }
  const cands: number[] = [];
  for (let i = 0; i <= n; i++) {
    const l = i > 0 ? es[i - 1] : Infinity;
    const r = i < n ? es[i + 1] : Infinity;
    if (es[i] <= l && es[i] <= r) cands.push(i);
  }
  cands.sort((a, b) => es[a] - es[b]);
  return { ss, es, n, cands };
}

/** Golden-section minimisation of E on [a, b] (200 steps at most, to 1e-15 relative): the best point and value. */
export function goldenSection(E: (s: number) => number, a: number, b: number): { x: number; f: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let lo = a;
  let hi = b;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = E(x1);
  let f2 = E(x2);
  for (let it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = E(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = E(x2);
    }
  }
  return { x: f1 <= f2 ? x1 : x2, f: Math.min(f1, f2) };
}
