/**
 * Scale (quantization step) choice for a set of weights on the signed grid [-2^(b-1), 2^(b-1)-1].
 *
 * - `paper-grid`: the paper's 100-candidate MSE line search (`paperRangeSearch`, signed grid, margin 0.5);
 * - `mse-exact`: the global minimiser over s > 0 of the rounding MSE `sum_i (w_i - s*clamp(round(w_i/s)))^2`.
 *   The loss is continuous and piecewise quadratic in s; its pieces are delimited by the breakpoints
 *   s = |w_i|/(j + 1/2) at which a rounding decision changes. We sweep every breakpoint from large to small s
 *   (a heap merge over the weights, O(N log m) for N = sum of grid levels over the m nonzero weights), keep
 *   the running sums A = sum q_i^2 and B = sum |w_i||q_i| of the current assignment, and minimise each
 *   quadratic C - 2sB + s^2 A on its interval in closed form. This is exact up to floating-point rounding
 *   (no proof is attached: scales are inputs to the problems, not bounds);
 * - `minmax`: s = max|w| / qmax.
 */
import { PvqInputError } from '../core/errors.js';
import { intGrid, paperRangeSearch, quantLoss, roundHalfEven, type IntGrid } from './range.js';

export type ScaleRule = 'paper-grid' | 'mse-exact' | 'minmax';
export const SCALE_RULES: readonly ScaleRule[] = ['paper-grid', 'mse-exact', 'minmax'];

export interface ScaleChoice {
  scale: number;
  /** Summed squared rounding error of the values at `scale` (float64, round half to even). */
  loss: number;
  /** Rule and details, recorded in problem meta. */
  rule: string;
  grid: IntGrid;
}

/** The smallest step the paper's quantizer allows. */
export const MIN_SCALE = 1e-8;

/** Choose a scale for `values` with `bits` bits on the signed grid. */
export function chooseScale(values: ArrayLike<number>, bits: number, rule: ScaleRule = 'paper-grid'): ScaleChoice {
  const grid = intGrid(bits, true);
  switch (rule) {
    case 'paper-grid': {
      const c = paperRangeSearch(values, bits, { signed: true });
      return { scale: c.scale, loss: c.loss, rule: c.rule, grid: c.grid };
    }
    case 'mse-exact':
      return mseExactScale(values, bits);
    case 'minmax': {
      let mx = 0;
      for (let i = 0; i < values.length; i++) mx = Math.max(mx, Math.abs(values[i]));
      const scale = Math.max(mx / grid.qmax, MIN_SCALE);
      return { scale, loss: quantLoss(values, scale, grid), rule: 'minmax(max|w|/qmax)', grid };
    }
    default:
      throw new PvqInputError('scaleRule', `unknown rule ${JSON.stringify(rule)}; expected one of ${SCALE_RULES.join(', ')}`);
  }
}

/**
 * Exact MSE-optimal step s >= MIN_SCALE (1e-8, the floor of the paper's quantizer) on the signed b-bit
 * grid (see the module comment). All-zero values: every s is optimal (loss 0); s = 1 is returned.
 *
 * With `bracket` (default), the sweep is restricted to [sLo, sHi] outside of which the loss provably exceeds
 * U, the loss of a good starting scale (max|w|/qmax refined by a few Lloyd steps): below sLo the clipping
 * error alone sum_i (|w_i| - L_i s)_+^2 exceeds U, above sHi the error of the weights rounded to 0,
 * sum_{|w_i| <= s/2} w_i^2, does. This skips most breakpoints at 8 bits; the result is the same.
 */
export function mseExactScale(values: ArrayLike<number>, bits: number, opts: { bracket?: boolean } = {}): ScaleChoice {
  const grid = intGrid(bits, true);
  const w = nonzeroMagnitudes(values, grid);
  if (w.m === 0) {
    const scale = 1;
    return { scale, loss: quantLoss(values, scale, grid), rule: 'mse-exact(all-zero: any scale)', grid };
  }
  const { sU, U } = lloydStart(values, grid, w);
  const bracket = (opts.bracket ?? true) ? sweepBracket(w, U, sU) : { sLo: 0, sHi: Infinity };
  const sHi = bracket.sHi;
  let sLo = bracket.sLo;
  // The domain is s >= MIN_SCALE (the paper's quantizer floors its step there).
  if (sLo < MIN_SCALE) sLo = MIN_SCALE;
  const bestS = breakpointSweep(w, sLo, sHi, sU, U);
  const { scale, loss } = polishScale(values, grid, bestS);
  return { scale, loss, rule: 'mse-exact(breakpoint sweep)', grid };
}

/** The nonzero magnitudes (mag[0..m)) with their number of grid levels, C = sum w^2 over all values and M = max|w|. */
interface Magnitudes {
  m: number;
  mag: Float64Array;
  levels: Int32Array;
  C: number;
  M: number;
}

function nonzeroMagnitudes(values: ArrayLike<number>, grid: IntGrid): Magnitudes {
  const m0 = values.length;
  // nonzero magnitudes and their number of levels (positive side: qmax, negative side: -qmin)
  const mag = new Float64Array(m0);
  const levels = new Int32Array(m0);
  let m = 0;
  let C = 0;
  let M = 0;
  for (let i = 0; i < m0; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new PvqInputError(`values[${i}]`, `expected a finite number, got ${v}`);
    C += v * v;
    if (v === 0) continue;
    const L = v > 0 ? grid.qmax : -grid.qmin;
    if (L === 0) continue; // 1-bit grid: positive values always round to 0
    mag[m] = Math.abs(v);
    levels[m] = L;
    if (mag[m] > M) M = mag[m];
    m++;
  }
  return { m, mag, levels, C, M };
}

/** Starting upper bound U: max|w|/qmax, refined by Lloyd steps (s <- sum |w| q / sum q^2); its scale sU. */
function lloydStart(values: ArrayLike<number>, grid: IntGrid, w: Magnitudes): { sU: number; U: number } {
  const { m, mag, levels, M } = w;
  let sU = Math.max(M / Math.max(1, grid.qmax), MIN_SCALE);
  let U = quantLoss(values, sU, grid);
  for (let it = 0; it < 4; it++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < m; i++) {
      const q = Math.min(levels[i], roundHalfEven(mag[i] / sU));
      a += q * q;
      b += mag[i] * q;
    }
    if (a === 0) break;
    const s2 = Math.max(b / a, MIN_SCALE);
    const l2 = quantLoss(values, s2, grid);
    if (!(l2 < U)) break;
    sU = s2;
    U = l2;
  }
  return { sU, U };
}

/** [sLo, sHi] outside of which the loss provably exceeds U (see mseExactScale). */
function sweepBracket(w: Magnitudes, U: number, sU: number): { sLo: number; sHi: number } {
  const { m, mag, levels, C } = w;
  let sLo = 0;
  let sHi = Infinity;
  // sLo: f(s) = sum (|w| - L s)_+^2 is nonincreasing; keep f(sLo) > U (bisection), so s < sLo is worse than U.
  const f = (s: number): number => {
    let t = 0;
    for (let i = 0; i < m; i++) {
      const d = mag[i] - levels[i] * s;
      if (d > 0) t += d * d;
    }
    return t;
  };
  if (f(0) > U) {
    let lo = 0;
    let hi = sU;
    for (let it = 0; it < 60 && hi - lo > 1e-15 * hi; it++) {
      const mid = 0.5 * (lo + hi);
      if (f(mid) > U) lo = mid;
      else hi = mid;
    }
    sLo = lo;
  }
  // sHi: the smallest 2|w_(t)| at which the weights rounded to 0 alone already cost more than U.
  const sorted = mag.slice(0, m).sort();
  let cum = C - (() => {
    let t = 0;
    for (let i = 0; i < m; i++) t += mag[i] * mag[i];
    return t;
  })(); // zero-level-only values (w = 0 or 1-bit positives) always cost their square
  for (let t = 0; t < m; t++) {
    cum += sorted[t] * sorted[t];
    if (cum > U) {
      sHi = 2 * sorted[t];
      break;
    }
  }
  return { sLo, sHi };
}

/** The assignment q at s = sHi (all zero when unbounded) with A = sum q^2, B = sum |w| q, and the heap of next breakpoints. */
function initialAssignment(w: Magnitudes, sHi: number): { q: Int32Array; heap: Int32Array; key: Float64Array; A: number; B: number; size: number } {
  const { m, mag, levels } = w;
  // Heap of (next breakpoint of weight i) = mag[i] / (q[i] + 0.5), max-heap on the breakpoint value.
  const q = new Int32Array(m);
  const heap = new Int32Array(m);
  const key = new Float64Array(m);
  let A = 0; // sum q^2 (integer-valued)
  let B = 0; // sum |w| q
  let size = 0;
  for (let i = 0; i < m; i++) {
    let qi = 0;
    if (sHi !== Infinity) {
      qi = Math.min(levels[i], Math.max(0, Math.floor(mag[i] / sHi + 0.5)));
      while (qi < levels[i] && mag[i] / (qi + 0.5) >= sHi) qi++;
    }
    q[i] = qi;
    A += qi * qi;
    B += mag[i] * qi;
    if (qi < levels[i]) {
      key[i] = mag[i] / (qi + 0.5);
      heap[size++] = i;
    }
  }
  return { q, heap, key, A, B, size };
}

/** Sweep the breakpoints from sHi down to sLo, minimising each piece's quadratic in closed form; the best scale. */
function breakpointSweep(w: Magnitudes, sLo: number, sHi: number, sU: number, U: number): number {
  const { mag, levels, C, M } = w;
  const init = initialAssignment(w, sHi);
  const { q, heap, key } = init;
  let { A, B, size } = init;
  const less = (a: number, b: number): boolean => key[heap[a]] > key[heap[b]];
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let c = l;
      if (l + 1 < size && less(l + 1, l)) c = l + 1;
      if (!less(c, i)) return;
      const t = heap[i];
      heap[i] = heap[c];
      heap[c] = t;
      i = c;
    }
  };
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);

  let bestS = sU;
  let bestL = U;
  if (C < bestL) {
    // s = 2 max|w|: every weight rounds to 0 (ties round to even 0), loss C
    bestS = Math.max(2 * M, MIN_SCALE);
    bestL = C;
  }
  // the current assignment holds on (next breakpoint, hi]
  let hi = sHi === Infinity ? (size > 0 ? key[heap[0]] : M / 0.5) : sHi;
  let first = sHi !== Infinity;
  while (hi > sLo) {
    if (!first) {
      if (size === 0) break;
      // process every breakpoint equal to `hi` (ties)
      while (size > 0 && key[heap[0]] === hi) {
        const i = heap[0];
        const j = q[i];
        A += 2 * j + 1;
        B += mag[i];
        q[i] = j + 1;
        if (q[i] < levels[i]) {
          key[i] = mag[i] / (q[i] + 0.5);
          siftDown(0);
        } else {
          size--;
          heap[0] = heap[size];
          siftDown(0);
        }
      }
    }
    first = false;
    const lo = size > 0 ? key[heap[0]] : 0;
    if (A > 0) {
      let s = B / A;
      if (s > hi) s = hi;
      if (s < lo) s = lo;
      if (s < MIN_SCALE) s = MIN_SCALE; // only in the last interval, which contains sLo >= MIN_SCALE
      {
        const L = C - 2 * s * B + s * s * A;
        if (L < bestL) {
          bestL = L;
          bestS = s;
        }
      }
    }
    hi = lo;
  }
  return bestS;
}

/** Re-evaluate exactly and apply the closed-form refit of the assignment while it helps. */
function polishScale(values: ArrayLike<number>, grid: IntGrid, bestS: number): { scale: number; loss: number } {
  const m0 = values.length;
  let scale = Math.max(bestS, MIN_SCALE);
  let loss = quantLoss(values, scale, grid);
  for (let it = 0; it < 5; it++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < m0; i++) {
      const v = values[i];
      let z = roundHalfEven(v / scale);
      if (z < grid.qmin) z = grid.qmin;
      else if (z > grid.qmax) z = grid.qmax;
      a += z * z;
      b += v * z;
    }
    if (a === 0) break;
    const s2 = Math.max(b / a, MIN_SCALE);
    const l2 = quantLoss(values, s2, grid);
    if (!(l2 < loss)) break;
    scale = s2;
    loss = l2;
  }
  return { scale, loss };
}
