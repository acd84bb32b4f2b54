/**
 * Quantization heuristics: GPTQ/OBQ-style sequential rounding with error feedback (= Babai in the processing
 * order), the paper's randomized rounding from the SDP primal reconstruction, and the box-aware 1-opt polish.
 */
import { quantErrorOf } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import { makeResult } from '../../src/core/result.js';
import type { QuantizationSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { symEig } from '../../src/linalg/eigen.js';
import { boxOneOpt, checkQuantProblem, clampRound, heuristicResult, expand, reduce, reducedValue, type Reduced } from './common.js';
import { babaiPoint, factorInOrder, vblastOrder } from './lattice.js';
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
export function gptqPoint(problem: QuantizationProblem, order: 'natural' | 'act' = 'natural'): Float64Array {
  const red = reduce(problem);
  const na = red.na;
  const ord = new Int32Array(na);
  for (let i = 0; i < na; i++) ord[i] = i;
  if (order === 'act') {
    const idx = Array.from(ord).sort((a, b) => red.P[b * na + b] - red.P[a * na + a]);
    ord.set(idx);
  }
  const F = factorInOrder(red.P, na, ord, red.t, pivTolOf(red));
  return expand(red, babaiPoint(F, red.lo, red.hi));
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
export function sdpRounding(problem: QuantizationProblem, red: Reduced, opts: { seed: number; samples?: number; box?: boolean; deadline?: number }): RoundingOutcome {
  const na = red.na;
  const { P, t, lo, hi } = red;
  let best = cheapCandidates(red);
  let moves = 0;
  if (na === 0) return { zA: best.zA, value: best.value, samples: 0, moves, sdpBound: 0 };
  const sol = solveSdpDual(problem, { box: opts.box ?? true, timeLimitMs: opts.deadline !== undefined ? Math.max(1, opts.deadline - performance.now()) : undefined });
  const K = opts.samples ?? 3 * na;
  let samples = 0;
  if (sol.mean && sol.cov) {
    const mean = sol.mean;
    // Sigma^{1/2} = V diag(sqrt(max(lambda, 0)))
    const { values, vectors } = symEig(sol.cov, na);
    const A = new Float64Array(na * na);
    for (let j = 0; j < na; j++) {
      const s = Math.sqrt(Math.max(values[j], 0));
      for (let i = 0; i < na; i++) A[i * na + j] = vectors[i * na + j] * s;
    }
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
      if (opts.deadline !== undefined && performance.now() > opts.deadline) break;
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

/** RTN, V-BLAST Babai and natural-order GPTQ, each polished by box-aware 1-opt; the best one. */
function cheapCandidates(red: Reduced): { zA: Float64Array; value: number } {
  const na = red.na;
  const { P, t, lo, hi } = red;
  const cands: Float64Array[] = [rtnReduced(red)];
  if (na > 0) {
    const tol = pivTolOf(red);
    const ordV = vblastOrder(P, na, tol);
    cands.push(babaiPoint(factorInOrder(P, na, ordV, t, tol), lo, hi));
    const ordN = Int32Array.from({ length: na }, (_, i) => i);
    cands.push(babaiPoint(factorInOrder(P, na, ordN, t, tol), lo, hi));
  }
  let best = { zA: cands[0], value: Infinity };
  for (const z of cands) {
    boxOneOpt(P, t, z, na, lo, hi);
    const v = reducedValue(P, t, z, na);
    if (v < best.value) best = { zA: z, value: v };
  }
  return best;
}

/** Best heuristic point for warm starts (reduced coordinates). */
export function bestHeuristicPoint(problem: QuantizationProblem, red: Reduced, opts: { sdp: boolean; seed: number; deadline?: number }): { zA: Float64Array; value: number } {
  if (opts.sdp && red.na > 0) {
    const r = sdpRounding(problem, red, { seed: opts.seed, deadline: opts.deadline });
    return { zA: r.zA, value: r.value };
  }
  return cheapCandidates(red);
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
    const t0 = performance.now();
    checkQuantProblem(problem);
    const order = resolveExtras(GPTQ_OPTIONS, options.extra, 'gptq').order;
    const z = gptqPoint(problem, order);
    return heuristicResult('gptq', problem, z, t0);
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
    const t0 = performance.now();
    checkQuantProblem(problem);
    const red = reduce(problem);
    const ex = resolveExtras(SDP_ROUNDING_OPTIONS, options.extra, 'sdp-rounding');
    const samples = ex.samples;
    const deadline = options.timeLimitMs !== undefined ? t0 + options.timeLimitMs : undefined;
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
      stats: { timeMs: performance.now() - t0, iterations: r.moves, samples: r.samples, sdpValue: r.sdpBound },
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
