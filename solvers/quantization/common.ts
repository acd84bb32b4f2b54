/**
 * Shared pieces of the quantization solvers: input checks, the reduced problem
 * `f(z) = s^2 (z - t)^T G (z - t)` on the coordinates whose row of G is not zero, and the
 * box-aware 1-opt polish.
 */
import { cholesky } from '../../src/linalg/dense.js';
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, quantErrorOf } from '../../src/core/objective.js';
import { makeResult } from '../../src/core/result.js';
import type { QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { roundHalfEven } from '../../src/formats/range.js';
import { gridOneOpt } from '../grid/one-opt.js';

/** Unit roundoff. */
export const U = 2 ** -53;

/** Validate the fields a quantization solver relies on; throws PvqInputError. */
export function checkQuantProblem(p: QuantizationProblem): void {
  checkObjective(p.objective);
  if (!(Number.isFinite(p.scale) && p.scale > 0)) throw new PvqInputError('scale', 'must be a finite number > 0');
  if (!Number.isInteger(p.zmin) || !Number.isInteger(p.zmax)) throw new PvqInputError('zmin/zmax', 'must be integers');
  if (p.zmin > p.zmax) throw new PvqInputError('zmin/zmax', `zmin (${p.zmin}) must be <= zmax (${p.zmax})`);
  if (Math.abs(p.zmin) > 2 ** 30 || Math.abs(p.zmax) > 2 ** 30) throw new PvqInputError('zmin/zmax', 'must lie within +-2^30');
}

/** clamp(roundHalfEven(x), lo, hi). */
export function clampRound(x: number, lo: number, hi: number): number {
  const r = roundHalfEven(x);
  return (r < lo ? lo : r > hi ? hi : r) + 0; // + 0 turns -0 into 0
}

/**
 * The problem restricted to the active coordinates (rows of G that are not identically zero),
 * normalised by an exact power of two: `f(z) = s^2 * kappa * (z_A - t_A)^T Pn (z_A - t_A)` with
 * `Pn = G_AA / kappa`, `t = w / s`. Inactive coordinates do not change f.
 */
export interface Reduced {
  n: number;
  /** Active coordinate indices (into the original problem). */
  active: Int32Array;
  na: number;
  /** Normalised Gram block, row-major na*na (exact: G_AA divided by a power of two). */
  P: Float64Array;
  /** Targets w/s on the active coordinates. */
  t: Float64Array;
  /** Full target vector w/s (length n). */
  tFull: Float64Array;
  /** Power of two with G_AA = kappa * P. */
  kappa: number;
  /** Multiply a value of the normalised objective by this to get error units (s^2 * kappa, rounded up). */
  unit: number;
  lo: number;
  hi: number;
}

export function activeCoordinates(G: Float64Array, n: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let nz = false;
    for (let j = 0; j < n; j++) if (G[i * n + j] !== 0 || G[j * n + i] !== 0) { nz = true; break; }
    if (nz) out.push(i);
  }
  return Int32Array.from(out);
}

export function reduce(p: QuantizationProblem): Reduced {
  const { n, G, w } = p.objective;
  const active = activeCoordinates(G, n);
  const na = active.length;
  let maxDiag = 0;
  for (let a = 0; a < na; a++) maxDiag = Math.max(maxDiag, Math.abs(G[active[a] * n + active[a]]));
  const kappa = maxDiag > 0 ? 2 ** Math.round(Math.log2(maxDiag)) : 1;
  const P = new Float64Array(na * na);
  for (let a = 0; a < na; a++) for (let b = 0; b < na; b++) P[a * na + b] = G[active[a] * n + active[b]] / kappa;
  // symmetrise (G should already be symmetric; averaging keeps exactness when it is)
  for (let a = 0; a < na; a++) for (let b = a + 1; b < na; b++) {
    const v = 0.5 * (P[a * na + b] + P[b * na + a]);
    P[a * na + b] = v;
    P[b * na + a] = v;
  }
  const tFull = new Float64Array(n);
  for (let i = 0; i < n; i++) tFull[i] = w[i] / p.scale;
  const t = new Float64Array(na);
  for (let a = 0; a < na; a++) t[a] = tFull[active[a]];
  const unit = p.scale * p.scale * kappa;
  return { n, active, na, P, t, tFull, kappa, unit, lo: p.zmin, hi: p.zmax };
}

/** Normalised objective (z - t)^T P (z - t) on the reduced coordinates (shared with the level sets: solvers/grid). */
export { reducedValue } from '../grid/reduced.js';

/** Expand a reduced z (active coordinates) into a full z, filling inactive ones with clamp(round(t)). */
export function expand(red: Reduced, zA: ArrayLike<number>): Float64Array {
  const z = new Float64Array(red.n);
  for (let i = 0; i < red.n; i++) z[i] = clampRound(red.tFull[i], red.lo, red.hi);
  for (let a = 0; a < red.na; a++) z[red.active[a]] = zA[a] + 0;
  return z;
}

/** Restrict a full z to the active coordinates. */
export function restrict(red: Reduced, z: ArrayLike<number>): Float64Array {
  const zA = new Float64Array(red.na);
  for (let a = 0; a < red.na; a++) zA[a] = z[red.active[a]];
  return zA;
}

/**
 * Box-aware greedy 1-opt on `(z - t)^T P (z - t)`, in place: repeatedly apply the single-coordinate
 * integer move (clamped into [lo, hi]) with the largest decrease, until none decreases the value.
 * Every iterate stays feasible. Returns the number of moves. O(n) per move after an O(n^2) start.
 */
export function boxOneOpt(
  P: Float64Array,
  t: ArrayLike<number>,
  z: Float64Array,
  n: number,
  lo: number,
  hi: number,
  maxMoves = 100 * n + 1000,
  stop?: { expired(): boolean },
): number {
  // every iterate is feasible: a deadline just ends the polish
  return gridOneOpt(P, t, z, n, { kind: 'integers', lo, hi }, maxMoves, stop);
}

/** Eigenvalue floor helper: sum over coordinates of the squared distance from t_i to the nearest box integer. */
export function boxRoundingDistance2(t: ArrayLike<number>, n: number, lo: number, hi: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = t[i] - clampRound(t[i], lo, hi);
    s += d * d;
  }
  return s;
}

/** The result of a heuristic point z: upper bound recomputed from z, trivial lower bound 0, status `feasible`. */
export function heuristicResult(solver: string, problem: QuantizationProblem, z: Float64Array, clock: { elapsed(): number }): SolveResult {
  return makeResult({
    solver,
    problem: problem.name,
    problemClass: 'quantization',
    lowerBound: 0,
    upperBound: quantErrorOf(problem, z),
    solution: z,
    status: 'feasible',
    stats: { timeMs: clock.elapsed() },
  });
}

let flopsPerMs = 0;

/**
 * This machine's speed on a dense factorisation (flops per ms), measured once per process on a 128 x 128
 * Cholesky after two warm-up runs (about a millisecond in all).
 */
export function factorisationSpeed(): number {
  if (flopsPerMs > 0) return flopsPerMs;
  const m = 128;
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) A[i * m + j] = i === j ? m : 1 / (1 + Math.abs(i - j));
  let ms = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    cholesky(A, m);
    ms = performance.now() - t0;
  }
  flopsPerMs = (m * m * m) / 3 / Math.max(ms, 1e-3);
  return flopsPerMs;
}

/**
 * Under a time limit: is an O(n^3) factorisation of an na x na matrix likely to finish within `share` of the
 * time left? Estimated from `factorisationSpeed` with a safety factor 4 (pivoted factorisations cannot be
 * interrupted and run slower than a plain Cholesky: about 3 s at n = 1000 on a loaded machine). Always true
 * without a limit.
 */
export function factorisationAffordable(na: number, deadline: { limited: boolean; remaining(): number }, share = 1): boolean {
  if (!deadline.limited || na === 0) return true;
  const factorMs = (4 * (na * na * na)) / 3 / factorisationSpeed();
  return share * deadline.remaining() > factorMs;
}
