import { defineOptions, resolveExtras } from '../../src/core/options.js';
/**
 * Heuristics for quantization onto a level set: nearest level (RTN), GPTQ over levels (sequential nearest-level
 * rounding with error feedback = Babai's nearest plane with a level-set quantizer), and randomized rounding from
 * the level SDP's primal moments, each sample polished by the level-aware 1-opt.
 */
import { Rng } from '../../src/core/random.js';
import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import type { Certificate, LevelQuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { nearestLevelIndex } from '../../src/formats/levels.js';
import { symEig } from '../../src/linalg/eigen.js';
import { Deadline, makeResult } from '../../src/core/result.js';
import { reducedValue, type Reduced } from '../quantization/common.js';
import { factorInOrder, vblastOrder, type OrderedFactor } from '../quantization/lattice.js';
import { checkLevelProblem, expandLevels, levelErrorOf, levelHeuristicResult, levelOneOpt, nearestLevels, reduceLevels } from './common.js';
import { solveLevelsSdp } from './sdp.js';
import { fits, predictCholMs } from '../../src/linalg/cost.js';

/** A symmetric eigen-decomposition costs about this many `predictCholMs` units. */
const EIG_CHOLS = 30;
/** The V-BLAST order and two ordered factors of the Babai candidates, in `predictCholMs` units. */
const BABAI_CHOLS = 22;

export function pivTolOf(red: Reduced): number {
  let maxDiag = 0;
  for (let i = 0; i < red.na; i++) maxDiag = Math.max(maxDiag, red.P[i * red.na + i]);
  return Math.max(1e-13 * maxDiag * red.na, 1e-300);
}

/** Nearest level to every w_i / s. */
export function nearestLevelPoint(p: LevelQuantizationProblem): Float64Array {
  const { n, w } = p.objective;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = w[i] / p.scale;
  return nearestLevels(p.levels, t, n);
}

/** Babai's nearest plane in the factor's order with a level-set quantizer (reduced coordinates). */
export function babaiLevels(F: OrderedFactor, levels: Float64Array): Float64Array {
  const { na, Lk, tOrd, ord } = F;
  const xl = new Float64Array(na);
  for (let k = 0; k < na; k++) {
    let c = tOrd[k];
    for (let j = 0; j < k; j++) c -= Lk[k * na + j] * (xl[j] - tOrd[j]);
    xl[k] = levels[nearestLevelIndex(levels, c)];
  }
  const x = new Float64Array(na);
  for (let k = 0; k < na; k++) x[ord[k]] = xl[k];
  return x;
}

/** GPTQ over levels (no dampening): column order ('natural') or decreasing diag(G) ('act'). */
export function gptqLevelsPoint(p: LevelQuantizationProblem, order: 'natural' | 'act' = 'natural'): Float64Array {
  const red = reduceLevels(p);
  const na = red.na;
  const ord = Int32Array.from({ length: na }, (_, i) => i);
  if (order === 'act') ord.set(Array.from(ord).sort((a, b) => red.P[b * na + b] - red.P[a * na + a]));
  return expandLevels(red, p.levels, babaiLevels(factorInOrder(red.P, na, ord, red.t, pivTolOf(red)), p.levels));
}

/** RTN, V-BLAST Babai and natural-order GPTQ over levels, each polished by level 1-opt; the best (reduced coordinates). */
export function cheapLevelCandidates(red: Reduced, levels: Float64Array, deadline?: Deadline): { xA: Float64Array; value: number } {
  const { na, P, t } = red;
  const cands: Float64Array[] = [nearestLevels(levels, t, na)];
  // the Babai points need a V-BLAST order (pivoted LDL^T) and two ordered factors: under a limit only when they fit
  const babaiFits = deadline === undefined || fits(deadline, predictCholMs(P, na, deadline), BABAI_CHOLS);
  if (na > 0 && babaiFits) {
    const tol = pivTolOf(red);
    cands.push(babaiLevels(factorInOrder(P, na, vblastOrder(P, na, tol), t, tol), levels));
    cands.push(babaiLevels(factorInOrder(P, na, Int32Array.from({ length: na }, (_, i) => i), t, tol), levels));
  }
  let best = { xA: cands[0], value: Infinity };
  for (const x of cands) {
    levelOneOpt(P, t, x, na, levels);
    const v = reducedValue(P, t, x, na);
    if (v < best.value) best = { xA: x, value: v };
  }
  return best;
}

/**
 * Randomized rounding over levels: sample from N(mean, cov) of the level SDP's primal reconstruction, map each
 * coordinate to its nearest level, polish with level 1-opt; also tries the cheap candidates. Seeded.
 */
export function levelRounding(p: LevelQuantizationProblem, opts: { seed: number; samples?: number; deadline?: number }): { xA: Float64Array; value: number; samples: number; sdpBound: number; certificate?: Certificate; red: Reduced } {
  const red = reduceLevels(p);
  const { na, P, t } = red;
  let best = cheapLevelCandidates(red, p.levels, opts.deadline !== undefined ? new Deadline(Math.max(0, opts.deadline - performance.now())) : undefined);
  if (na === 0) return { ...best, samples: 0, sdpBound: 0, red };
  const sol = solveLevelsSdp(p, { timeLimitMs: opts.deadline !== undefined ? Math.max(1, opts.deadline - performance.now()) : undefined });
  let samples = 0;
  // the eigen-decomposition of the moment matrix (~10 predicted Cholesky units) starts only when it fits the limit
  const left = opts.deadline !== undefined ? new Deadline(Math.max(0, opts.deadline - performance.now())) : null;
  const eigFits = left === null || fits(left, predictCholMs(P, na, left), EIG_CHOLS);
  if (sol.mean && sol.cov && eigFits) {
    const { values, vectors } = symEig(sol.cov, na);
    const A = new Float64Array(na * na);
    for (let j = 0; j < na; j++) {
      const sq = Math.sqrt(Math.max(values[j], 0));
      for (let i = 0; i < na; i++) A[i * na + j] = vectors[i * na + j] * sq;
    }
    const rng = new Rng(opts.seed);
    const xi = new Float64Array(na);
    const x = new Float64Array(na);
    const work = new Float64Array(na);
    const tryPoint = (): void => {
      levelOneOpt(P, t, x, na, p.levels);
      const v = reducedValue(P, t, x, na, work);
      if (v < best.value) best = { xA: Float64Array.from(x), value: v };
    };
    for (let i = 0; i < na; i++) x[i] = p.levels[nearestLevelIndex(p.levels, sol.mean[i])];
    tryPoint();
    const K = opts.samples ?? 3 * na;
    for (let s = 0; s < K; s++) {
      if (opts.deadline !== undefined && performance.now() > opts.deadline) break;
      for (let i = 0; i < na; i++) xi[i] = rng.normal();
      for (let i = 0; i < na; i++) {
        let v = sol.mean[i];
        for (let j = 0; j < na; j++) v += A[i * na + j] * xi[j];
        x[i] = p.levels[nearestLevelIndex(p.levels, v)];
      }
      tryPoint();
      samples++;
    }
  }
  return { ...best, samples, sdpBound: sol.bound, certificate: sol.certificate, red };
}

const levelsGptqOptions = defineOptions({ order: { type: 'enum', values: ['natural', 'act'], default: 'natural', help: "'natural' (column order) or 'act' (decreasing diag(G))" } });
const levelsRoundingOptions = defineOptions({ samples: { type: 'integer', min: 0, help: 'number of Gaussian samples (default 3n)' } });

export const levelsRtnSolver: LevelQuantizationSolver = {
  name: 'levels-rtn',
  problemClass: 'levels',
  role: 'heuristic',
  description: 'nearest level to every w/s (round-to-nearest over the level set)',
  capabilities: [],
  solve(problem: LevelQuantizationProblem): SolveResult {
    const t0 = performance.now();
    checkLevelProblem(problem);
    return levelHeuristicResult('levels-rtn', problem, nearestLevelPoint(problem), t0);
  },
};

export const levelsGptqSolver: LevelQuantizationSolver = {
  name: 'levels-gptq',
  problemClass: 'levels',
  role: 'heuristic',
  description: 'GPTQ over a level set: sequential nearest-level rounding with error feedback through the inverse Hessian',
  options: levelsGptqOptions,
  capabilities: [],
  solve(problem: LevelQuantizationProblem, options: SolveOptions = {}): SolveResult {
    const t0 = performance.now();
    checkLevelProblem(problem);
    return levelHeuristicResult('levels-gptq', problem, gptqLevelsPoint(problem, resolveExtras(levelsGptqOptions, options.extra, 'levels-gptq').order === 'act' ? 'act' : 'natural'), t0);
  },
};

export const levelsRoundingSolver: LevelQuantizationSolver = {
  name: 'levels-rounding',
  problemClass: 'levels',
  role: 'heuristic',
  description: 'randomized rounding from the level SDP (K = 3n samples, seeded) + level 1-opt; also RTN/Babai/GPTQ + 1-opt',
  options: levelsRoundingOptions,
  capabilities: ['timeLimit', 'seed'],
  solve(problem: LevelQuantizationProblem, options: SolveOptions = {}): SolveResult {
    const t0 = performance.now();
    checkLevelProblem(problem);
    const ex = resolveExtras(levelsRoundingOptions, options.extra, 'levels-rounding');
    const samples = typeof ex.samples === 'number' ? Math.max(0, Math.floor(ex.samples)) : undefined;
    const deadline = options.timeLimitMs !== undefined ? t0 + options.timeLimitMs : undefined;
    const r = levelRounding(problem, { seed: options.seed ?? 1, samples, deadline });
    const x = expandLevels(r.red, problem.levels, r.xA);
    const ub = levelErrorOf(problem, x);
    return makeResult({
      solver: 'levels-rounding',
      problem: problem.name,
      problemClass: 'levels',
      // the levels-sdp bound it sampled from, with that bound's certificate (a bound without one proves nothing)
      lowerBound: Math.min(r.sdpBound, ub),
      upperBound: ub,
      solution: x,
      status: 'feasible',
      stats: { timeMs: performance.now() - t0, samples: r.samples },
      ...(r.certificate ? { certificate: r.certificate } : {}),
    });
  },
};
