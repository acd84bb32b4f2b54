/**
 * fast-check arbitraries for layer, quantization and pruning problems (and the level-set, structured and joint classes).
 *
 * Structural parameters (n, bits, rank, conditioning, dead inputs, weight law, box, scale rule, k) are
 * drawn by fast-check, so failing cases shrink towards small n, few bits and full rank; the numbers
 * themselves (eigenvectors, weights) come from a seeded `Rng` driven by a drawn seed, so every generated
 * problem is reproducible from its printed parameters (`meta.arb`).
 */
import fc from 'fast-check';
import { jointProblemOf, makeObjective, pruningProblemOf, quantizationProblemOf, structuredProblemOf } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';
import type { JointLevelProblem, JointProblem, JointSparsity, LayerProblem, LevelQuantizationProblem, PruningProblem, QuantizationProblem, StructuredPattern, StructuredPruningProblem } from '../../src/core/types.js';
import { checkLevels, intLevels, levelsOfFormat } from '../../src/formats/levels.js';
import { intGrid, paperRangeSearch } from '../../src/formats/range.js';
import { mseExactScale } from '../../src/formats/scale.js';

export type Range = number | { min: number; max: number };

export interface PsdSpec {
  n: number;
  /** Number of nonzero eigenvalues (<= n). */
  rank: number;
  /** Ratio of the largest to the smallest nonzero eigenvalue (>= 1). */
  cond: number;
  /** Largest eigenvalue (default 1). */
  scale?: number;
  /** Indices of dead inputs (zero rows and columns); the rank is capped at n - dead. */
  dead?: readonly number[];
  seed: number;
}

/** A random orthogonal n x n matrix (row-major). */
function householderQ(n: number, rng: Rng): Float64Array {
  // QR of a Gaussian matrix by Householder reflections: Q is orthogonal (Haar up to signs) for any draw.
  const A = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) A[i] = rng.normal();
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += A[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = A[k * n + k] > 0 ? -norm : norm;
    for (let i = 0; i < n; i++) v[i] = i < k ? 0 : A[i * n + k];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    // A <- H A and Q <- Q H with H = I - 2 v v^T / (v^T v)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += v[i] * A[i * n + j];
      s = (2 * s) / vv;
      for (let i = k; i < n; i++) A[i * n + j] -= s * v[i];
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k; j < n; j++) s += Q[i * n + j] * v[j];
      s = (2 * s) / vv;
      for (let j = k; j < n; j++) Q[i * n + j] -= s * v[j];
    }
  }
  return Q;
}

/**
 * G = sum_i lambda_i q_i q_i^T over `rank` random orthonormal directions of the live coordinates, with
 * eigenvalues log-spaced from `scale` down to `scale/cond`; dead coordinates get zero rows/columns.
 * Exactly symmetric (upper triangle mirrored).
 */
export function psdMatrix(spec: PsdSpec): Float64Array {
  const { n } = spec;
  const dead = new Set(spec.dead ?? []);
  const live: number[] = [];
  for (let i = 0; i < n; i++) if (!dead.has(i)) live.push(i);
  const m = live.length;
  const rank = Math.max(0, Math.min(spec.rank, m));
  const G = new Float64Array(n * n);
  if (rank === 0) return G;
  const rng = new Rng(spec.seed);
  const Q = householderQ(m, rng);
  const top = spec.scale ?? 1;
  const cond = Math.max(1, spec.cond);
  for (let e = 0; e < rank; e++) {
    const lam = rank === 1 ? top : top * Math.pow(cond, -e / (rank - 1));
    for (let a = 0; a < m; a++) {
      const qa = lam * Q[a * m + e];
      if (qa === 0) continue;
      const ia = live[a] * n;
      for (let b = a; b < m; b++) G[ia + live[b]] += qa * Q[b * m + e];
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) G[j * n + i] = G[i * n + j];
  return G;
}

export interface ProblemArbOptions {
  /** Dimension (default 1..8). */
  n?: Range;
  /** Bits (default 2..8). */
  bits?: Range;
  /** 'full' (rank n - dead), 'deficient' (rank < live count when possible), 'any' (default). */
  rank?: 'full' | 'deficient' | 'any';
  /** log10 of the condition number of the nonzero spectrum (default 0..6). */
  logCond?: Range;
  /** 'gaussian', 'heavy' (Student-t, nu = 2.5) or 'any' (default). */
  weights?: 'gaussian' | 'heavy' | 'any';
  /** Dead inputs (zero rows/columns of G): true, false or 'any' (default). */
  dead?: boolean | 'any';
  /** Paper box [2 min(w, 0), 2 max(w, 0)] on layer problems / pruning problems: true, false or 'any' (default). */
  pruneBox?: boolean | 'any';
  /** Scale: 'mse' (exact MSE), 'paper' (100-point grid), 'perturbed' (mse times 0.3..3, clips or wastes levels), 'any' (default). */
  scale?: 'mse' | 'paper' | 'perturbed' | 'any';
  /** k: 'equal' (round(n*b/16), default) or 'any' (0..n). */
  k?: 'equal' | 'any';
  /** log10 of the weights' standard deviation (default -2..1). */
  logWeightScale?: Range;
}

function rangeArb(r: Range | undefined, dmin: number, dmax: number): fc.Arbitrary<number> {
  if (r === undefined) return fc.integer({ min: dmin, max: dmax });
  if (typeof r === 'number') return fc.constant(r);
  return fc.integer({ min: r.min, max: r.max });
}

function realRangeArb(r: Range | undefined, dmin: number, dmax: number): fc.Arbitrary<number> {
  const lo = r === undefined ? dmin : typeof r === 'number' ? r : r.min;
  const hi = r === undefined ? dmax : typeof r === 'number' ? r : r.max;
  if (lo === hi) return fc.constant(lo);
  return fc.integer({ min: 0, max: 1000 }).map((i) => lo + ((hi - lo) * i) / 1000);
}

function boolOpt(x: boolean | 'any' | undefined): fc.Arbitrary<boolean> {
  return x === undefined || x === 'any' ? fc.boolean() : fc.constant(x);
}

/** The drawn parameters of a problem (kept in meta.arb for reproduction). */
export interface ProblemParams {
  n: number;
  bits: number;
  rankDeficit: number;
  logCond: number;
  heavy: boolean;
  deadCount: number;
  pruneBox: boolean;
  scaleRule: 'mse' | 'paper' | 'perturbed';
  scaleFactor: number;
  kFraction: number;
  logWeightScale: number;
  seed: number;
}

export function problemParamsArb(o: ProblemArbOptions = {}): fc.Arbitrary<ProblemParams> {
  const kind = o.scale ?? 'any';
  return fc.record({
    n: rangeArb(o.n, 1, 8),
    bits: rangeArb(o.bits, 2, 8),
    rankDeficit: o.rank === 'full' ? fc.constant(0) : o.rank === 'deficient' ? fc.integer({ min: 1, max: 8 }) : fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8 })),
    logCond: realRangeArb(o.logCond, 0, 6),
    heavy: o.weights === 'gaussian' ? fc.constant(false) : o.weights === 'heavy' ? fc.constant(true) : fc.boolean(),
    deadCount: o.dead === false ? fc.constant(0) : o.dead === true ? fc.integer({ min: 1, max: 3 }) : fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
    pruneBox: boolOpt(o.pruneBox),
    scaleRule: kind === 'any' ? fc.constantFrom('mse' as const, 'paper' as const, 'perturbed' as const) : fc.constant(kind),
    scaleFactor: fc.integer({ min: -100, max: 100 }).map((i) => Math.pow(10, i / 200)), // 0.32 .. 3.2
    kFraction: o.k === 'any' ? fc.integer({ min: 0, max: 1000 }).map((i) => i / 1000) : fc.constant(-1),
    logWeightScale: realRangeArb(o.logWeightScale, -2, 1),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  });
}

/** Build the layer problem of a parameter set (deterministic). */
export function problemFromParams(p: ProblemParams): LayerProblem {
  const n = p.n;
  const rng = new Rng(p.seed ^ 0x5bd1e995);
  const deadCount = Math.min(p.deadCount, n);
  const dead = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, deadCount).sort((a, b) => a - b);
  const live = n - deadCount;
  const rank = p.rankDeficit === 0 ? live : Math.max(live > 1 ? 1 : 0, live - p.rankDeficit);
  const G = psdMatrix({ n, rank, cond: Math.pow(10, p.logCond), dead, seed: p.seed });
  const ws = Math.pow(10, p.logWeightScale);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = ws * (p.heavy ? rng.studentT(2.5) : rng.normal());
  const grid = intGrid(p.bits, true);
  let scale: number;
  if (p.scaleRule === 'paper') scale = paperRangeSearch(w, p.bits, { signed: true }).scale;
  else {
    scale = mseExactScale(w, p.bits).scale;
    if (p.scaleRule === 'perturbed') scale *= p.scaleFactor;
  }
  if (!(scale > 0 && Number.isFinite(scale))) scale = 1;
  const k = p.kFraction < 0 ? Math.min(n, Math.floor((n * p.bits) / 16 + 0.5)) : Math.round(p.kFraction * n);
  let box: [number, number] | null = null;
  if (p.pruneBox) {
    let mn = 0; // the box always contains 0 (pruned weights)
    let mx = 0;
    for (const x of w) {
      mn = Math.min(mn, x);
      mx = Math.max(mx, x);
    }
    box = [2 * mn, 2 * mx];
  }
  return {
    name: `arb-n${n}-b${p.bits}-r${rank}-s${p.seed}`,
    n,
    objective: makeObjective(G, w),
    scale,
    zmin: grid.qmin,
    zmax: grid.qmax,
    k,
    pruneBox: box,
    meta: { bits: p.bits, kind: 'standalone', rank, dead, arb: p },
  };
}

/** Arbitrary layer problems (see ProblemArbOptions). */
export function layerProblemArb(o: ProblemArbOptions = {}): fc.Arbitrary<LayerProblem> {
  return problemParamsArb(o).map(problemFromParams);
}

/** Arbitrary quantization problems (objective, scale, grid box). */
export function quantizationProblemArb(o: ProblemArbOptions = {}): fc.Arbitrary<QuantizationProblem> {
  return layerProblemArb(o).map(quantizationProblemOf);
}

/** Arbitrary pruning problems (objective, k, and the paper box or none per `pruneBox`). */
export function pruningProblemArb(o: ProblemArbOptions = {}): fc.Arbitrary<PruningProblem> {
  return layerProblemArb(o).map((p) => pruningProblemOf(p, { useBox: p.pruneBox !== null }));
}

/** Arbitrary PSD matrices with the given rank/conditioning ranges: `{n, rank, G}`. */
export function psdMatrixArb(o: { n?: Range; rank?: 'full' | 'deficient' | 'any'; logCond?: Range } = {}): fc.Arbitrary<{ n: number; rank: number; G: Float64Array }> {
  return fc
    .record({
      n: rangeArb(o.n, 1, 8),
      deficit: o.rank === 'full' ? fc.constant(0) : o.rank === 'deficient' ? fc.integer({ min: 1, max: 8 }) : fc.integer({ min: 0, max: 8 }),
      logCond: realRangeArb(o.logCond, 0, 6),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
    })
    .map(({ n, deficit, logCond, seed }) => {
      const rank = deficit === 0 ? n : Math.max(n > 1 ? 1 : 0, n - deficit);
      return { n, rank, G: psdMatrix({ n, rank, cond: Math.pow(10, logCond), seed }) };
    });
}

/** Level sets drawn by `levelProblemArb`: a built-in format, the layer problem's own integer grid, or random user levels. */
export type LevelKind = 'fp4' | 'nf4' | 'int' | 'custom';

export interface LevelProblemArbOptions extends ProblemArbOptions {
  /** Which level sets to draw (default: all four kinds). */
  levels?: LevelKind | readonly LevelKind[];
  /** Number of user levels for 'custom' (default 2..10). */
  customCount?: Range;
}

/** Random sorted distinct levels (seeded): `count` values in [-4, 4] on a 1/8 grid, zero not necessarily included. */
export function randomLevels(count: number, seed: number): Float64Array {
  const rng = new Rng(seed ^ 0x2545f491);
  const set = new Set<number>();
  while (set.size < count) set.add((rng.int(65) - 32) / 8);
  return checkLevels([...set].sort((a, b) => a - b));
}

/**
 * Arbitrary level-quantization problems: a layer problem (ProblemArbOptions) with a level set. 'int' keeps the
 * problem's integer grid and scale (so results compare with the integer solvers); the others use absmax scaling
 * (max |w| maps to the largest |level|) times the drawn perturbation factor when `scale` is 'perturbed'.
 */
export function levelProblemArb(o: LevelProblemArbOptions = {}): fc.Arbitrary<LevelQuantizationProblem> {
  const kinds: readonly LevelKind[] = o.levels === undefined ? ['fp4', 'nf4', 'int', 'custom'] : typeof o.levels === 'string' ? [o.levels] : o.levels;
  return fc
    .record({ params: problemParamsArb(o), kind: fc.constantFrom(...kinds), count: rangeArb(o.customCount, 2, 10), levelSeed: fc.integer({ min: 0, max: 0x7fffffff }) })
    .map(({ params, kind, count, levelSeed }) => {
      const p = problemFromParams(params);
      if (kind === 'int') return { name: `${p.name}-int`, objective: p.objective, scale: p.scale, levels: intLevels(p.zmin, p.zmax) };
      const levels = kind === 'custom' ? randomLevels(count, levelSeed) : levelsOfFormat(kind);
      let absmax = 0;
      for (const x of p.objective.w) absmax = Math.max(absmax, Math.abs(x));
      const top = Math.max(Math.abs(levels[0]), Math.abs(levels[levels.length - 1]));
      let scale = absmax > 0 && top > 0 ? absmax / top : 1;
      if (params.scaleRule === 'perturbed') scale *= params.scaleFactor;
      if (!(scale > 0 && Number.isFinite(scale))) scale = 1;
      return { name: `${p.name}-${kind}${kind === 'custom' ? levels.length : ''}`, objective: p.objective, scale, levels };
    });
}

// ---- structured sparsity and joint sparse + quantized (docs/structured.md) ----

/** Arbitrary structured patterns: N:M with 1 <= M <= maxM, 0 <= N <= M, or blocks of 1..maxM inputs keeping 0..maxKeep. */
export function structuredPatternArb(o: { maxM?: number; maxKeep?: number; kinds?: readonly ('nm' | 'block')[] } = {}): fc.Arbitrary<StructuredPattern> {
  const maxM = o.maxM ?? 4;
  const kinds = o.kinds ?? ['nm', 'block'];
  const nm = fc.integer({ min: 1, max: maxM }).chain((m) => fc.integer({ min: 0, max: m }).map((n): StructuredPattern => ({ kind: 'nm', n, m })));
  const block = fc.record({ size: fc.integer({ min: 1, max: maxM }), keep: fc.integer({ min: 0, max: o.maxKeep ?? 3 }) }).map((b): StructuredPattern => ({ kind: 'block', ...b }));
  const arbs: fc.Arbitrary<StructuredPattern>[] = [];
  if (kinds.includes('nm')) arbs.push(nm);
  if (kinds.includes('block')) arbs.push(block);
  return fc.oneof(...arbs);
}

/** Arbitrary structured pruning problems (objective and box as `layerProblemArb`, pattern from `structuredPatternArb`). */
export function structuredProblemArb(o: ProblemArbOptions & { maxM?: number; maxKeep?: number; kinds?: readonly ('nm' | 'block')[] } = {}): fc.Arbitrary<StructuredPruningProblem> {
  return fc.tuple(layerProblemArb(o), structuredPatternArb(o)).map(([p, pattern]) => structuredProblemOf(p, { pattern, useBox: p.pruneBox !== null }));
}

/** Arbitrary sparsity of a joint problem on n inputs: at most k nonzeros (0 <= k <= n), or N:M with 1 <= M <= maxM, 0 <= N <= M. */
export function jointSparsityArb(n: number, o: { maxM?: number } = {}): fc.Arbitrary<JointSparsity> {
  return fc.oneof(
    fc.integer({ min: 0, max: n }).map((k): JointSparsity => ({ kind: 'k', k })),
    fc.integer({ min: 1, max: o.maxM ?? 4 }).chain((m) => fc.integer({ min: 0, max: m }).map((nn): JointSparsity => ({ kind: 'nm', n: nn, m }))),
  );
}

/** Arbitrary joint problems: the layer problem's grid with at most k nonzeros or an N:M pattern (M <= maxM). */
export function jointProblemArb(o: ProblemArbOptions & { maxM?: number } = {}): fc.Arbitrary<JointProblem> {
  return layerProblemArb(o).chain((p) => jointSparsityArb(p.n, o).map((sp) => jointProblemOf(p, { sparsity: sp })));
}

/**
 * Arbitrary joint sparse + level-set problems (class 'joint-levels'): a `levelProblemArb` problem (FP4, NF4, the
 * integer grid or random user levels, with its scale) and a sparsity from `jointSparsityArb`; a pruned weight is 0
 * whether or not 0 is a level.
 */
export function jointLevelProblemArb(o: LevelProblemArbOptions & { maxM?: number } = {}): fc.Arbitrary<JointLevelProblem> {
  return levelProblemArb(o).chain((p) => jointSparsityArb(p.objective.n, o).map((sparsity): JointLevelProblem => ({ ...p, name: `${p.name}-${sparsity.kind === 'k' ? `k${sparsity.k}` : `${sparsity.n}:${sparsity.m}`}`, sparsity })));
}
// ---- end structured / joint ----
