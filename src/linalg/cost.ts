/**
 * Time predictions for uninterruptible O(n^3) steps, shared by every solver family (pruning, quantization,
 * MILP, diagonal shifts). Originally written for the pruning solvers (issue 9, item 4: limits include the
 * preprocessing). A dense Cholesky or inverse cannot be interrupted, so under a limit each one is started only
 * when its predicted cost fits into what is left; otherwise the phase is skipped and the solver returns the
 * valid bound it has (status `time_limit`).
 *
 * The prediction times a Cholesky of the leading m x m block of G (m = 256, ~1/60 of the full cost at
 * n = 1000; the shorter of two runs) on the deadline's own clock and scales it by (n / m)^3 with a safety factor 2 (the full matrix
 * leaves the cache). Below n = CHEAP_N a factorisation costs about a millisecond and nothing is predicted.
 */
import type { Deadline } from '../core/result.js';
import { choleskyInPlace } from './dense.js';

/** Up to this size an O(n^3) step is treated as free (no calibration, no clock read). */
export const CHEAP_N = 256;
/** A dense inverse from a Cholesky factor costs about this many Cholesky factorisations (measured 3.4 at n = 1000). */
export const INVERSE_CHOLS = 4;

/**
 * Predicted wall time (ms on the deadline's clock) of one Cholesky factorisation of an n x n matrix like G;
 * 0 when n <= CHEAP_N or the deadline has no limit.
 */
export function predictCholMs(G: Float64Array, n: number, deadline: Deadline): number {
  if (n <= CHEAP_N || !deadline.limited) return 0;
  const m = CHEAP_N;
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) A[i * m + j] = G[i * n + j];
  // a PD-looking block: the timing, not the result, matters (a failed pivot only makes it shorter, so shift)
  let maxDiag = 0;
  for (let i = 0; i < m; i++) maxDiag = Math.max(maxDiag, A[i * m + i]);
  for (let i = 0; i < m; i++) A[i * m + i] += maxDiag;
  // the shorter of two timings (a single short timing is easily inflated by a pre-empted time slice)
  let ms = Infinity;
  const B = new Float64Array(m * m);
  for (let rep = 0; rep < 2; rep++) {
    B.set(A);
    const t0 = deadline.now();
    choleskyInPlace(B, m, 0);
    ms = Math.min(ms, Math.max(0, deadline.now() - t0));
  }
  return 2 * ms * (n / m) ** 3;
}

/** True when `units` steps of `unitMs` each fit into what is left of the deadline (always without a limit). */
export function fits(deadline: Deadline, unitMs: number, units = 1): boolean {
  return !deadline.limited || unitMs === 0 || deadline.remaining() > units * unitMs;
}

/**
 * A stop signal for kernels that poll `expired()` between factorisations: it fires as soon as `units` more
 * steps of `unitMs` would not fit (so the kernel does not start an uninterruptible step it cannot finish).
 */
export function predictiveStop(deadline: Deadline, unitMs: number, units = 1): { expired(): boolean } {
  return { expired: () => deadline.expired() || !fits(deadline, unitMs, units) };
}

let cholMsPerN3: number | null = null;

/** Measured cost of a Cholesky factorisation in ms per n^3 (calibrated once per process on n = 160). */
export function choleskyCostPerN3(): number {
  if (cholMsPerN3 !== null) return cholMsPerN3;
  const n = 160;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = i === j ? n : 1 / (1 + Math.abs(i - j));
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const B = Float64Array.from(A);
    const t = performance.now();
    choleskyInPlace(B, n);
    best = Math.min(best, performance.now() - t);
  }
  // large factors run out of cache: count 1.5x
  cholMsPerN3 = (1.5 * Math.max(best, 0.01)) / n ** 3;
  return cholMsPerN3;
}
