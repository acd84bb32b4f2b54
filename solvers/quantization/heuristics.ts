/**
 * Quantization heuristics: GPTQ/OBQ-style sequential rounding with error feedback (= Babai in the processing
 * order), the paper's randomized rounding from the SDP primal reconstruction, and the box-aware 1-opt polish.
 */
import { quantErrorOf } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import { Deadline, makeResult } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { symEig } from '../../src/linalg/eigen.js';
import { boxOneOpt, checkQuantProblem, clampRound, factorisationAffordable, heuristicResult, expand, reduce, reducedValue, type Reduced } from './common.js';
import { babaiPoint, factorInOrderUntil, vblastOrderUntil, type OrderedFactor, type Stop } from './lattice.js';
import { cholesky } from '../../src/linalg/dense.js';
import { solveSdpDual } from './sdp.js';

function pivTolOf(red: Reduced): number {
  let maxDiag = 0;
  for (let i = 0; i < red.na; i++) maxDiag = Math.max(maxDiag, red.P[i * red.na + i]);
  return Math.max(1e-13 * maxDiag * red.na, 1e-300);
}

/**
 * GPTQ point (no dampening): process coordinates in `order` ('natural' = column order, 'act' = decreasing
 * diag(G)), quantize each to the nearest grid point and push its error onto the not-yet-quantized
 * coordinates through the inverse Hessian. This equals Babai's nearest plane in that order.
 */
export function gptqPoint(problem: QuantizationProblem, order: 'natural' | 'act' = 'natural', stop?: Stop): Float64Array {
  const red = reduce(problem);
  const na = red.na;
  const ord = new Int32Array(na);
  for (let i = 0; i < na; i++) ord[i] = i;
  if (order === 'act') {
    const idx = Array.from(ord).sort((a, b) => red.P[b * na + b] - red.P[a * na + a]);
    ord.set(idx);
  }
  const F = factorInOrderUntil(red.P, na, ord, red.t, pivTolOf(red), stop);
  // out of time during the factorisation: the RTN point (feasible) instead
  return expand(red, F ? babaiPoint(F, red.lo, red.hi) : rtnReduced(red));
}

function rtnReduced(red: Reduced): Float64Array {
  const z = new Float64Array(red.na);
  for (let i = 0; i < red.na; i++) z[i] = clampRound(red.t[i], red.lo, red.hi);
  return z;
}

export interface RoundingOutcome {
  zA: Float64Array;
  value: number;
  samples: number;
  moves: number;
  sdpBound: number;
}

/**
 * The paper's randomized rounding: sample K points from N(x, Sigma) given by the SDP primal reconstruction,
 * round and clamp each into the box, polish with box-aware 1-opt (every candidate stays feasible), keep the best.
 * Also tries the rounded mean, RTN and V-BLAST Babai (each polished).
 */
export function sdpRounding(problem: QuantizationProblem, red: Reduced, opts: { seed: number; samples?: number; box?: boolean; deadline?: Deadline }): RoundingOutcome {
  const na = red.na;
  const { P, t, lo, hi } = red;
  const deadline = opts.deadline ?? Deadline.none();
  let best = cheapCandidates(red, deadline.sub(0.2));
  let moves = 0;
  // under a limit, the SDP (many eigendecompositions, each about ten factorisations) is attempted only when
  // the time left covers fifty (estimated) factorisations; else the best candidate is the answer
  const noTimeForSdp = !factorisationAffordable(na, deadline, 0.02);
  if (na === 0 || deadline.expired() || noTimeForSdp) return { zA: best.zA, value: best.value, samples: 0, moves, sdpBound: 0 };
  // the SDP gets half of what is left (it may overrun its limit a little), the square root of Sigma and the
  // sampling the rest
  const sdpTime = deadline.sub(0.5).remaining();
  const sol = solveSdpDual(problem, { box: opts.box ?? true, timeLimitMs: Number.isFinite(sdpTime) ? Math.max(1, sdpTime) : undefined });
  const K = opts.samples ?? 3 * na;
  let samples = 0;
  const A = sol.mean && sol.cov && !deadline.expired() ? covarianceRoot(sol.cov, na) : null;
  if (sol.mean && A) {
    const mean = sol.mean;
    const rng = new Rng(opts.seed);
    const xi = new Float64Array(na);
    const z = new Float64Array(na);
    const work = new Float64Array(na);
    const tryPoint = (): void => {
      moves += boxOneOpt(P, t, z, na, lo, hi);
      const v = reducedValue(P, t, z, na, work);
      if (v < best.value) best = { zA: Float64Array.from(z), value: v };
    };
    for (let i = 0; i < na; i++) z[i] = clampRound(mean[i], lo, hi);
    tryPoint();
    for (let s = 0; s < K; s++) {
      if (deadline.expired()) break;
      for (let i = 0; i < na; i++) xi[i] = rng.normal();
      for (let i = 0; i < na; i++) {
        let v = mean[i];
        for (let j = 0; j < na; j++) v += A[i * na + j] * xi[j];
        z[i] = clampRound(v, lo, hi);
      }
      tryPoint();
      samples++;
    }
  }
  return { zA: best.zA, value: best.value, samples, moves, sdpBound: sol.bound };
}

/**
 * A square root A (A A^T = Sigma) for sampling N(x, Sigma): V diag(sqrt(max(lambda, 0))) from the
 * eigendecomposition up to n = 256 (as in the paper); beyond, the eigendecomposition costs seconds (13 s at
 * n = 1000) and a Cholesky factor of Sigma + 1e-12 max(diag) I gives the same distribution (up to the jitter)
 * twenty times faster. Null when Sigma is not usable.
 */
function covarianceRoot(cov: Float64Array, na: number): Float64Array | null {
  const A = new Float64Array(na * na);
  if (na <= 256) {
    const { values, vectors } = symEig(cov, na);
    for (let j = 0; j < na; j++) {
      const s = Math.sqrt(Math.max(values[j], 0));
      for (let i = 0; i < na; i++) A[i * na + j] = vectors[i * na + j] * s;
    }
    return A;
  }
  let maxDiag = 0;
  for (let i = 0; i < na; i++) maxDiag = Math.max(maxDiag, cov[i * na + i]);
  const C = Float64Array.from(cov);
  for (let i = 0; i < na; i++) C[i * na + i] += 1e-12 * maxDiag + 1e-300;
  return cholesky(C, na);
}

/**
 * RTN, V-BLAST Babai and natural-order GPTQ, each polished by box-aware 1-opt; the best one. With `stop`,
 * the O(n^3) candidates are skipped once it expires (RTN is always there).
 */
function cheapCandidates(red: Reduced, stop?: Deadline, vblast?: OrderedFactor | null): { zA: Float64Array; value: number } {
  const na = red.na;
  const { P, t, lo, hi } = red;
  const cands: Float64Array[] = [rtnReduced(red)];
  // Under a limit, the O(n^3) candidates are tried only when the time of one n^2 product (measured on the RTN
  // point), times n/3 for a factorisation and a safety factor 4, fits into what is left: a pivoted
  // factorisation cannot be interrupted (about 3 s at n = 1000 on a loaded machine).
  const affordable = vblast || !stop || factorisationAffordable(na, stop);
  if (na > 0 && affordable) {
    const tol = pivTolOf(red);
    const ordV = vblast ? null : vblastOrderUntil(P, na, tol, stop);
    const FV = vblast ?? (ordV && factorInOrderUntil(P, na, ordV, t, tol, stop));
    if (FV) cands.push(babaiPoint(FV, lo, hi));
    const ordN = Int32Array.from({ length: na }, (_, i) => i);
    const FN = FV && factorInOrderUntil(P, na, ordN, t, tol, stop);
    if (FN) cands.push(babaiPoint(FN, lo, hi));
  }
  let best = { zA: cands[0], value: Infinity };
  for (const z of cands) {
    boxOneOpt(P, t, z, na, lo, hi, undefined, stop);
    const v = reducedValue(P, t, z, na);
    if (v < best.value) best = { zA: z, value: v };
  }
  return best;
}

/**
 * Best heuristic point for warm starts (reduced coordinates). `vblast`: the V-BLAST-ordered factor of red.P
 * (pivot tolerance 1e-13 max(diag) na) when the caller already has it.
 */
export function bestHeuristicPoint(
  problem: QuantizationProblem,
  red: Reduced,
  opts: { sdp: boolean; seed: number; deadline?: Deadline; vblast?: OrderedFactor | null },
): { zA: Float64Array; value: number } {
  if (opts.sdp && red.na > 0) {
    const r = sdpRounding(problem, red, { seed: opts.seed, deadline: opts.deadline });
    return { zA: r.zA, value: r.value };
  }
  return cheapCandidates(red, opts.deadline, opts.vblast);
}

const GPTQ_OPTIONS = defineOptions({
  order: { type: 'enum', values: ['natural', 'act'], default: 'natural', help: "'natural' (column order) or 'act' (decreasing diag(G), GPTQ act-order)" },
});

const SDP_ROUNDING_OPTIONS = defineOptions({
  samples: { type: 'integer', min: 0, help: 'number of Gaussian samples (default 3n)' },
  relaxation: { type: 'enum', values: ['box', 'plain'], default: 'box', help: "'box' (moments of sdp-box) or 'plain' (the paper's SDP without box)" },
});

export const gptqSolver: QuantizationSolver = {
  name: 'gptq',
  problemClass: 'quantization',
  role: 'heuristic',
  description: 'GPTQ/OBQ-style sequential rounding with error feedback through the inverse Hessian (no dampening)',
  options: GPTQ_OPTIONS,
  capabilities: [],
  solve(problem: QuantizationProblem, options: SolveOptions = {}): SolveResult {
    const deadline = new Deadline(options.timeLimitMs);
    checkQuantProblem(problem);
    const order = resolveExtras(GPTQ_OPTIONS, options.extra, 'gptq').order;
    const z = gptqPoint(problem, order, deadline);
    return heuristicResult('gptq', problem, z, deadline);
  },
};

export const sdpRoundingSolver: QuantizationSolver = {
  name: 'sdp-rounding',
  problemClass: 'quantization',
  role: 'heuristic',
  description: "the paper's randomized rounding from the SDP solution (K = 3n samples) with box-aware 1-opt, seeded",
  options: SDP_ROUNDING_OPTIONS,
  capabilities: ['timeLimit', 'seed'],
  solve(problem: QuantizationProblem, options: SolveOptions = {}): SolveResult {
    const deadline = new Deadline(options.timeLimitMs);
    checkQuantProblem(problem);
    const red = reduce(problem);
    const ex = resolveExtras(SDP_ROUNDING_OPTIONS, options.extra, 'sdp-rounding');
    const samples = ex.samples;
    const r = sdpRounding(problem, red, { seed: options.seed ?? 1, samples, box: ex.relaxation !== 'plain', deadline });
    const z = expand(red, r.zA);
    return makeResult({
      solver: 'sdp-rounding',
      problem: problem.name,
      problemClass: 'quantization',
      // a heuristic proves nothing: the relaxation value it sampled from is reported in stats only
      lowerBound: 0,
      upperBound: quantErrorOf(problem, z),
      solution: z,
      status: 'feasible',
      stats: { timeMs: deadline.elapsed(), iterations: r.moves, samples: r.samples, sdpValue: r.sdpBound },
    });
  },
};

/** Box-aware 1-opt on a full problem: polishes a feasible z in place and returns it. */
export function polishOneOpt(problem: QuantizationProblem, z: Float64Array): Float64Array {
  const red = reduce(problem);
  const zA = new Float64Array(red.na);
  for (let a = 0; a < red.na; a++) zA[a] = z[red.active[a]];
  boxOneOpt(red.P, red.t, zA, red.na, red.lo, red.hi);
  for (let a = 0; a < red.na; a++) z[red.active[a]] = zA[a];
  return z;
}
