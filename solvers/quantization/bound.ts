/**
 * quant-bound: the best lower bound certifiable within a time budget: max of the eigenvalue floor, the
 * sdp-box dual bound and a (possibly partial) exact search; `optimal` when the search finishes.
 */
import { Deadline, makeResult, safeLowerBound } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { CHOLESKY_STOPPED, choleskyInPlaceUntil, cholSolve } from '../../src/linalg/dense.js';
import { minEigenvalue } from '../../src/linalg/eigen.js';
import { boxRoundingDistance2, checkQuantProblem, reduce, U } from './common.js';
import { QUANT_EXACT_OPTIONS, solveExact } from './exact.js';

/**
 * Eigenvalue floor `lambda_min(P) * sum_i dist(t_i, Z ∩ [zmin, zmax])^2` (in error units). lambda_min is
 * estimated by an eigen-decomposition and then certified (shrunk until a Cholesky of P - lambda I with a
 * floating-point margin succeeds). Above n = 256 the estimate comes from inverse iteration (one Cholesky instead
 * of a 10x dearer eigendecomposition); the certification is the same. `stop` (a deadline) makes it give up
 * (floor 0, still valid), also in the middle of a factorisation (polled every 16 columns).
 */
export function eigenFloor(problem: QuantizationProblem, stop?: { expired(): boolean }): number {
  const red = reduce(problem);
  const na = red.na;
  if (na === 0) return 0;
  let lam = na <= 256 ? minEigenvalue(red.P, na) : inverseIterationMin(red.P, na, stop);
  if (!(lam > 0)) return 0;
  let maxDiag = 0;
  for (let i = 0; i < na; i++) maxDiag = Math.max(maxDiag, red.P[i * na + i]);
  const delta = 1.01 * (((na + 2) * U) / (1 - (na + 2) * U)) * na * maxDiag + 4 * U * maxDiag;
  for (let k = 0; k < 30; k++) {
    if (stop?.expired()) return 0;
    lam *= 0.99;
    const A = Float64Array.from(red.P);
    for (let i = 0; i < na; i++) A[i * na + i] -= lam + delta;
    const info = choleskyInPlaceUntil(A, na, stop);
    if (info === CHOLESKY_STOPPED) return 0;
    if (info === -1) {
      const dist2 = boxRoundingDistance2(red.t, na, red.lo, red.hi);
      return safeLowerBound(lam * dist2 * red.unit, 64 * U);
    }
    lam *= 0.5;
  }
  return 0;
}

const { rootSdp: _rootSdp, ...exactOptions } = QUANT_EXACT_OPTIONS;
const QUANT_BOUND_OPTIONS = defineOptions({
  budgetMs: { type: 'number', min: 0, exclusiveMin: true, default: 2000, help: 'time budget in ms when timeLimitMs is not set' },
  ...exactOptions,
});
/** An estimate (from above) of lambda_min(P) by inverse iteration; 0 when P is not numerically PD. */
function inverseIterationMin(P: Float64Array, n: number, stop?: { expired(): boolean }): number {
  const L = Float64Array.from(P);
  if (choleskyInPlaceUntil(L, n, stop) !== -1 || stop?.expired()) return 0;
  let x: Float64Array = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lam = Infinity;
  for (let it = 0; it < 60; it++) {
    if (stop?.expired()) return 0;
    const y = cholSolve(L, n, Float64Array.from(x));
    let xy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      xy += x[i] * y[i];
      yy += y[i] * y[i];
    }
    if (!(xy > 0)) return 0;
    const next = 1 / xy; // x^T P^-1 x <= 1 / lambda_min, so next >= lambda_min
    const ny = Math.sqrt(yy);
    for (let i = 0; i < n; i++) y[i] /= ny;
    x = y;
    if (Math.abs(lam - next) <= 1e-6 * next) return next;
    lam = next;
  }
  return lam;
}

export const quantBoundSolver: QuantizationSolver = {
  name: 'quant-bound',
  problemClass: 'quantization',
  role: 'bound',
  description: 'best certifiable lower bound within the time budget: max(eigenvalue floor, sdp-box, partial quant-exact)',
  options: QUANT_BOUND_OPTIONS,
  capabilities: ['timeLimit', 'nodeLimit', 'relGapTol', 'seed', 'incumbent'],
  solve(problem: QuantizationProblem, options: SolveOptions = {}): SolveResult {
    checkQuantProblem(problem);
    const { budgetMs, ...exactExtra } = resolveExtras(QUANT_BOUND_OPTIONS, options.extra, 'quant-bound');
    const budget = options.timeLimitMs ?? budgetMs;
    const deadline = new Deadline(budget);
    const floor = eigenFloor(problem, deadline.sub(0.15));
    const ex = solveExact(problem, { ...options, timeLimitMs: deadline.remaining(), extra: { ...exactExtra, rootSdp: true } }, 'quant-bound');
    const lb = Math.min(Math.max(ex.lowerBound, floor), ex.upperBound);
    return makeResult({
      solver: 'quant-bound',
      problem: problem.name,
      problemClass: 'quantization',
      lowerBound: lb,
      upperBound: ex.upperBound,
      solution: ex.solution,
      status: ex.status === 'optimal' ? 'optimal' : 'bound_only',
      stats: { ...ex.stats, timeMs: deadline.elapsed(), eigenFloor: floor },
      certificate: ex.certificate,
      message: ex.status === 'optimal' ? undefined : `exact search stopped (${ex.status}${ex.message ? `: ${ex.message}` : ''}); bound = max(eigenvalue floor, sdp-box, open-subtree minimum)`,
    });
  },
};
