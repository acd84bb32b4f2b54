import { PvqConsistencyError } from '../core/errors.js';
import { pruningProblemOf, quantizationProblemOf, sqnrDb } from '../core/objective.js';
import type { PruningSolver, QuantizationSolver, Solver } from '../core/solver.js';
import type { LayerProblem, ProblemClass, SolveOptions, SolveResult, SolveStatus } from '../core/types.js';

/**
 * The equal-compression comparison (paper Sec. 4): for each channel/chunk, b-bit quantization on the problem's
 * integer box against pruning that keeps k = round(n*b/16) weights. Each method gets an error interval
 * [lower bound, upper bound] from the strongest solvers available; a verdict is "proven" only when the
 * intervals do not overlap.
 */

/** Which registered solvers a method uses. Names not registered are skipped. */
export interface MethodPlan {
  /** Tried first; if it proves optimality, nothing else is needed for the bound. */
  exact: string[];
  /** Certified lower bounds used when the exact solver stops on a limit. */
  bounds: string[];
  /** Feasible points (upper bounds) reported as baselines in the table. */
  heuristics: string[];
  /** Costlier heuristics run only when the exact solver stops on a limit (better upper bounds). */
  fallbackHeuristics: string[];
}

export const DEFAULT_PLANS: Record<ProblemClass, MethodPlan> = {
  quantization: { exact: ['quant-exact'], bounds: ['quant-bound', 'sdp-box', 'sdp'], heuristics: ['rtn', 'gptq'], fallbackHeuristics: ['sdp-rounding'] },
  pruning: { exact: ['prune-exact'], bounds: ['prune-bound'], heuristics: ['magnitude', 'magnitude-refit', 'obs', 'swap'], fallbackHeuristics: [] },
};

export type Winner = 'quantization' | 'pruning' | 'tie' | 'undecided';

export interface MethodOutcome {
  /** Best proven lower bound on the error. */
  lowerBound: number;
  /** Best feasible error found. */
  upperBound: number;
  /** Solver that produced the lower bound / the upper bound. */
  lowerBy: string | null;
  upperBy: string | null;
  /** True when lower and upper bound meet (the exact optimum is known). */
  exact: boolean;
  /** Status of the exact solver run (or of the best bound solver when no exact solver is registered). */
  status: SolveStatus | 'not_run';
  /** SQNR interval in dB: [from upperBound, from lowerBound]. */
  sqnrDb: [number, number];
  /** Every solver result (exact, bounds, heuristics). */
  results: SolveResult[];
}

export interface ChannelComparison {
  problem: string;
  kind: string;
  layer: string | null;
  channel: number | null;
  chunk: number | null;
  n: number;
  bits: number | null;
  k: number;
  r: number;
  quant: MethodOutcome;
  prune: MethodOutcome;
  winner: Winner;
  /** True when the error intervals do not overlap (or both are exact). */
  proven: boolean;
  /** SQNR of each heuristic baseline, by solver name. */
  baselines: Record<string, number>;
}

export interface AggregateComparison {
  /** Group label: layer name and kind (full-row / chunk). */
  group: string;
  kind: string;
  count: number;
  r: number;
  quantError: [number, number];
  pruneError: [number, number];
  quantSqnrDb: [number, number];
  pruneSqnrDb: [number, number];
  winner: Winner;
  proven: boolean;
  /** Every channel's quantization / pruning optimum is proven (the aggregate interval is a point up to rounding). */
  quantExact: boolean;
  pruneExact: boolean;
  /** Channels whose own verdict is proven, by winner. */
  provenChannels: { quantization: number; pruning: number; tie: number };
}

export interface CompareResult {
  channels: ChannelComparison[];
  aggregates: AggregateComparison[];
  settings: { timeLimitMs: number; pruneBox: boolean; plans: Record<ProblemClass, MethodPlan> };
  timeMs: number;
}

export interface CompareOptions {
  /** Time limit per method and sub-problem for the exact solver (ms); bound solvers get the same again. Default 5000. */
  timeLimitMs?: number;
  /** Use each problem's pruneBox (default true). */
  pruneBox?: boolean;
  /** Override the solver plans. */
  plans?: Partial<Record<ProblemClass, Partial<MethodPlan>>>;
  /** Run the heuristic baselines for the table (default true). */
  baselines?: boolean;
  seed?: number;
  /** Resolve a solver by name (the registry's getSolver). */
  resolve: (name: string) => Solver | undefined;
  /** Called after each sub-problem. */
  onProgress?: (done: number, total: number, problem: string) => void;
}

const DEFAULT_TIME_LIMIT_MS = 5000;
/** Slack when comparing intervals and certifying consistency (relative). */
const CONSISTENCY_TOL = 1e-9;

function interval(r: number, lb: number, ub: number): [number, number] {
  return [sqnrDb(r, ub), sqnrDb(r, lb)];
}

async function runSolver(solver: Solver, cls: ProblemClass, p: LayerProblem, useBox: boolean, options: SolveOptions): Promise<SolveResult> {
  if (cls === 'quantization') return (solver as QuantizationSolver).solve(quantizationProblemOf(p), options);
  return (solver as PruningSolver).solve(pruningProblemOf(p, { useBox }), options);
}

async function solveMethod(
  p: LayerProblem,
  cls: ProblemClass,
  plan: MethodPlan,
  opts: CompareOptions,
  useBox: boolean,
): Promise<MethodOutcome> {
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const results: SolveResult[] = [];
  const pick = (names: string[]): Solver[] =>
    names.map((n) => opts.resolve(n)).filter((s): s is Solver => s !== undefined && s.problemClass === cls);
  let status: SolveStatus | 'not_run' = 'not_run';
  let incumbent: Float64Array | undefined;

  // Heuristics first: cheap, and their best point warm-starts the exact search.
  if (opts.baselines !== false) {
    for (const h of pick(plan.heuristics)) results.push(await runSolver(h, cls, p, useBox, { seed: opts.seed, timeLimitMs }));
  }
  const bestUb = (): SolveResult | undefined =>
    results.filter((r) => r.solution !== null).sort((a, b) => a.upperBound - b.upperBound)[0];
  incumbent = bestUb()?.solution ?? undefined;

  const exact = pick(plan.exact)[0];
  let closed = false;
  if (exact) {
    const r = await runSolver(exact, cls, p, useBox, { timeLimitMs, seed: opts.seed, incumbent });
    results.push(r);
    status = r.status;
    closed = r.status === 'optimal';
  }
  if (!closed) {
    for (const h of pick(plan.fallbackHeuristics)) results.push(await runSolver(h, cls, p, useBox, { seed: opts.seed, timeLimitMs }));
    for (const b of pick(plan.bounds)) {
      const r = await runSolver(b, cls, p, useBox, { timeLimitMs, seed: opts.seed, incumbent: bestUb()?.solution ?? undefined });
      results.push(r);
      if (status === 'not_run') status = r.status;
      if (r.status === 'optimal') break;
    }
  }
  let lowerBound = 0;
  let lowerBy: string | null = null;
  let upperBound = Infinity;
  let upperBy: string | null = null;
  for (const r of results) {
    if (r.lowerBound > lowerBound) {
      lowerBound = r.lowerBound;
      lowerBy = r.solver;
    }
    if (r.solution !== null && r.upperBound < upperBound) {
      upperBound = r.upperBound;
      upperBy = r.solver;
    }
  }
  if (lowerBound > upperBound * (1 + CONSISTENCY_TOL) + 1e-300) {
    throw new PvqConsistencyError(
      `${p.name} (${cls}): lower bound ${lowerBound} from ${lowerBy} exceeds feasible error ${upperBound} from ${upperBy}`,
    );
  }
  const exactKnown = results.some((r) => r.status === 'optimal');
  if (exactKnown) lowerBound = Math.min(lowerBound, upperBound);
  return {
    lowerBound,
    upperBound,
    lowerBy,
    upperBy,
    exact: exactKnown,
    status,
    sqnrDb: interval(p.objective.r, lowerBound, upperBound),
    results,
  };
}

/** Decide from error intervals [qlb, qub] and [plb, pub] (smaller error wins). */
export function verdict(qlb: number, qub: number, plb: number, pub: number, qExact: boolean, pExact: boolean): { winner: Winner; proven: boolean } {
  if (qub < plb) return { winner: 'quantization', proven: true };
  if (pub < qlb) return { winner: 'pruning', proven: true };
  if (qExact && pExact && qub === pub) return { winner: 'tie', proven: true };
  return { winner: 'undecided', proven: false };
}

function metaNumber(p: LayerProblem, key: string): number | null {
  const v = p.meta[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function bitsOf(p: LayerProblem): number | null {
  const b = metaNumber(p, 'bits');
  if (b !== null) return b;
  const width = p.zmax - p.zmin + 1;
  const lg = Math.log2(width);
  return Number.isInteger(lg) && p.zmin === -(width / 2) ? lg : null;
}

export async function compareProblems(problems: LayerProblem[], setName: string, opts: CompareOptions): Promise<CompareResult> {
  const t0 = performance.now();
  const plans: Record<ProblemClass, MethodPlan> = {
    quantization: { ...DEFAULT_PLANS.quantization, ...opts.plans?.quantization },
    pruning: { ...DEFAULT_PLANS.pruning, ...opts.plans?.pruning },
  };
  const useBox = opts.pruneBox ?? true;
  const channels: ChannelComparison[] = [];
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i];
    const quant = await solveMethod(p, 'quantization', plans.quantization, opts, useBox);
    const prune = await solveMethod(p, 'pruning', plans.pruning, opts, useBox);
    const v = verdict(quant.lowerBound, quant.upperBound, prune.lowerBound, prune.upperBound, quant.exact, prune.exact);
    const baselines: Record<string, number> = {};
    for (const r of [...quant.results, ...prune.results]) {
      const plan = r.problemClass === 'quantization' ? plans.quantization : plans.pruning;
      if ((plan.heuristics.includes(r.solver) || plan.fallbackHeuristics.includes(r.solver)) && r.solution !== null)
        baselines[r.solver] = sqnrDb(p.objective.r, r.upperBound);
    }
    const chunkMeta = p.meta.chunk as { index?: unknown } | undefined;
    channels.push({
      problem: p.name,
      kind: typeof p.meta.kind === 'string' ? p.meta.kind : 'standalone',
      layer: typeof p.meta.layer === 'string' ? p.meta.layer : null,
      channel: metaNumber(p, 'channel'),
      chunk: chunkMeta && typeof chunkMeta.index === 'number' ? chunkMeta.index : null,
      n: p.n,
      bits: bitsOf(p),
      k: p.k,
      r: p.objective.r,
      quant,
      prune,
      winner: v.winner,
      proven: v.proven,
      baselines,
    });
    opts.onProgress?.(i + 1, problems.length, p.name);
  }
  return { channels, aggregates: aggregate(channels, setName), settings: { timeLimitMs: opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS, pruneBox: useBox, plans }, timeMs: performance.now() - t0 };
}

/**
 * Aggregate over channels as the paper's code does: errors and reference energies are summed first,
 * SQNR = 10 log10(sum r / sum error). Grouped by layer and kind; chunk aggregates sum sub-problem
 * errors and are not bounds on the full-row problem.
 */
export function aggregate(channels: ChannelComparison[], setName: string): AggregateComparison[] {
  const groups = new Map<string, ChannelComparison[]>();
  for (const c of channels) {
    const key = `${c.layer ?? setName}\u0000${c.kind}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const out: AggregateComparison[] = [];
  for (const [key, cs] of groups) {
    const [layer, kind] = key.split('\u0000');
    let r = 0;
    const q: [number, number] = [0, 0];
    const pr: [number, number] = [0, 0];
    const provenChannels = { quantization: 0, pruning: 0, tie: 0 };
    for (const c of cs) {
      r += c.r;
      q[0] += c.quant.lowerBound;
      q[1] += c.quant.upperBound;
      pr[0] += c.prune.lowerBound;
      pr[1] += c.prune.upperBound;
      if (c.proven && c.winner !== 'undecided') provenChannels[c.winner]++;
    }
    const quantExact = cs.every((c) => c.quant.exact);
    const pruneExact = cs.every((c) => c.prune.exact);
    const v = verdict(q[0], q[1], pr[0], pr[1], quantExact, pruneExact);
    out.push({
      group: layer,
      kind,
      count: cs.length,
      r,
      quantError: q,
      pruneError: pr,
      quantSqnrDb: interval(r, q[0], q[1]),
      pruneSqnrDb: interval(r, pr[0], pr[1]),
      winner: v.winner,
      proven: v.proven,
      quantExact,
      pruneExact,
      provenChannels,
    });
  }
  return out;
}
