import { PvqConsistencyError } from '../../src/core/errors.js';
import { sqnrDb } from '../../src/core/objective.js';
import type { Solver } from '../../src/core/solver.js';
import type { AnyProblemClass, LayerProblem, ProblemClass, SolveOptions, SolveResult, SolveStatus } from '../../src/core/types.js';
import { verifyCertificate } from '../../solvers/verify.js';
import { solveOn } from '../../solvers/classes.js';

/**
 * The equal-compression comparison (paper Sec. 4): for each channel/chunk, b-bit quantization on the problem's
 * integer box against pruning that keeps k = round(n*b/16) weights. Each method gets an error interval
 * [lower bound, upper bound] from the strongest solvers available; a verdict is "proven" only when the
 * intervals do not overlap.
 *
 * A lower bound enters an interval only when it is a proof (`provenLowerBound`): from a solver whose role is
 * `exact` or `bound` (solver metadata), and either carried by a certificate that its family's verifier accepts
 * (then at most what the certificate proves) or from a finished search (status `optimal`). Heuristics, stopped
 * searches without a certificate and search records (outer approximation) contribute 0.
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
  /**
   * Largest problem size n at which a solver of this plan is run (absent: every n). Full layer rows reach
   * n = 4608: the O(n^3)-per-iteration SDP bounds, the exact searches' preprocessing and the swap search do not fit
   * there, while the diagonal-shift bounds (two Cholesky factorisations) and rtn / gptq / magnitude do; OBS takes
   * about a minute at n = 2304 (docs/fullrow.md has the measured times behind these caps).
   */
  maxN?: Readonly<Record<string, number>>;
}

export const DEFAULT_PLANS: Record<ProblemClass, MethodPlan> = {
  quantization: {
    exact: ['quant-exact'],
    bounds: ['quant-bound', 'sdp-lll', 'sdp-box', 'sdp', 'quant-diag-bound'],
    heuristics: ['rtn', 'gptq'],
    fallbackHeuristics: ['sdp-rounding'],
    maxN: { 'quant-exact': 1024, 'quant-bound': 256, 'sdp-lll': 256, 'sdp-box': 1024, sdp: 1024, 'sdp-rounding': 1024 },
  },
  pruning: {
    exact: ['prune-exact'],
    bounds: ['prune-bound', 'prune-diag-bound'],
    heuristics: ['magnitude', 'magnitude-refit', 'obs', 'swap'],
    fallbackHeuristics: [],
    maxN: { 'prune-exact': 256, 'prune-bound': 256, swap: 256, obs: 2304 },
  },
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
  /** How lowerBound is proven: a verified certificate, a finished search, or the trivial 0. */
  lowerProof: LowerBoundProof;
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
  settings: { timeLimitMs: number; pruneBox: boolean; plans: Record<ProblemClass, MethodPlan>; budgetMs?: number };
  timeMs: number;
}

export interface CompareOptions {
  /** Time limit per method and sub-problem for each timed solver (ms): a cap when `budgetMs` is set. Default 5000. */
  timeLimitMs?: number;
  /**
   * One overall budget for the whole comparison (ms). The remaining budget is divided among the remaining timed
   * phases (per channel and method: the exact search, then, if it did not close, the bound solvers); heuristics run
   * first and cheaply. Default: no budget (every phase gets `timeLimitMs`).
   */
  budgetMs?: number;
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
  /** Clock in ms for the budget (default performance.now; tests inject a deterministic one). */
  now?: () => number;
}

const DEFAULT_TIME_LIMIT_MS = 5000;
/** Slack when comparing intervals and certifying consistency (relative). */
const CONSISTENCY_TOL = 1e-9;
/** Below this many ms of budget a timed phase is skipped. */
const MIN_PHASE_MS = 1;

function interval(r: number, lb: number, ub: number): [number, number] {
  return [sqnrDb(r, ub), sqnrDb(r, lb)];
}

/**
 * The part of a result's lower bound that is a proof, by solver metadata: 0 for heuristics (and unknown
 * solvers); for `exact`/`bound` solvers the full bound of a finished search (status `optimal`), otherwise what
 * a certificate re-checked by its family's verifier proves (capped at the reported bound), else 0.
 */
export function provenLowerBound(result: SolveResult, solver: Solver | undefined, problem: LayerProblem, useBox: boolean): { bound: number; proof: LowerBoundProof } {
  if (!solver || solver.role === 'heuristic' || !(result.lowerBound > 0)) return { bound: 0, proof: 'trivial' };
  if (result.status === 'optimal') return { bound: result.lowerBound, proof: 'search' };
  if (result.certificate) {
    const c = verifyCertificate(problem, result.certificate, { useBox, problemClass: result.problemClass });
    if (c.valid && c.bound > 0) return { bound: Math.min(result.lowerBound, c.bound), proof: 'certificate' };
  }
  return { bound: 0, proof: 'trivial' };
}

/** How a method's lower bound is proven. */
export type LowerBoundProof = 'certificate' | 'search' | 'trivial';

async function runSolver(solver: Solver, _cls: AnyProblemClass, p: LayerProblem, useBox: boolean, options: SolveOptions): Promise<SolveResult> {
  return solveOn(solver, p, { useBox }, options);
}

/**
 * Splits one overall budget: each timed phase gets min(cap, remaining budget * its share / shares left).
 * Shares: per channel and method, 1 for the exact search and 1 for the bound phase (split among its solvers);
 * a phase that is skipped (the exact search closed the gap) hands its share on.
 */
export class BudgetSplitter {
  private sharesLeft: number;
  private readonly end: number;
  constructor(
    readonly cap: number,
    private readonly totalMs: number | undefined,
    private readonly now: () => number,
    phases: number,
  ) {
    this.sharesLeft = phases;
    this.end = now() + (totalMs ?? Infinity);
  }
  get limited(): boolean {
    return this.totalMs !== undefined;
  }
  remaining(): number {
    return this.end - this.now();
  }
  /** Limit for a piece of work worth `share` phases (not consumed). */
  peek(share: number): number {
    if (!this.limited) return this.cap;
    return Math.min(this.cap, Math.max(0, (this.remaining() * share) / Math.max(share, this.sharesLeft)));
  }
  /** Consume `share` phases and return the limit for that work. */
  take(share: number): number {
    const t = this.peek(share);
    this.sharesLeft = Math.max(0, this.sharesLeft - share);
    return t;
  }
}

/**
 * One method (problem class) on one layer problem: heuristics, the exact search, then (if it did not close) the
 * certified bounds; the interval keeps only proven lower bounds (`provenLowerBound`). Used by the two-method
 * comparison and by `compare --formats` (study/compare/formats.ts) for any registered class.
 */
export async function solveMethod(p: LayerProblem, cls: AnyProblemClass, plan: MethodPlan, opts: Pick<CompareOptions, 'resolve' | 'seed' | 'baselines'>, useBox: boolean, budget: BudgetSplitter): Promise<MethodOutcome> {
  const results: SolveResult[] = [];
  const pick = (names: string[]): Solver[] =>
    names
      .filter((n) => !(p.n > (plan.maxN?.[n] ?? Infinity)))
      .map((n) => opts.resolve(n))
      .filter((s): s is Solver => s !== undefined && s.problemClass === cls);
  let status: SolveStatus | 'not_run' = 'not_run';
  let incumbent: Float64Array | undefined;

  // Heuristics first: cheap, and their best point warm-starts the exact search.
  if (opts.baselines !== false) {
    for (const h of pick(plan.heuristics)) results.push(await runSolver(h, cls, p, useBox, { seed: opts.seed, timeLimitMs: Math.max(MIN_PHASE_MS, budget.peek(1)) }));
  }
  const bestUb = (): SolveResult | undefined =>
    results.filter((r) => r.solution !== null).sort((a, b) => a.upperBound - b.upperBound)[0];
  incumbent = bestUb()?.solution ?? undefined;

  const exact = pick(plan.exact)[0];
  let closed = false;
  const exactLimit = budget.take(1);
  // out of budget, the exact solver still runs (on a token limit) when nothing else gave a feasible point
  if (exact && (exactLimit >= MIN_PHASE_MS || incumbent === undefined)) {
    const r = await runSolver(exact, cls, p, useBox, { timeLimitMs: Math.max(MIN_PHASE_MS, exactLimit), seed: opts.seed, incumbent });
    results.push(r);
    status = r.status;
    closed = r.status === 'optimal';
  }
  const boundPhase = closed ? [] : [...pick(plan.fallbackHeuristics).map((s) => ({ s, heuristic: true })), ...pick(plan.bounds).map((s) => ({ s, heuristic: false }))];
  if (boundPhase.length === 0) budget.take(1);
  for (let i = 0; i < boundPhase.length; i++) {
    const { s, heuristic } = boundPhase[i];
    const limit = budget.take(1 / boundPhase.length);
    if (limit < MIN_PHASE_MS && !(heuristic && bestUb() === undefined)) continue;
    const r = await runSolver(s, cls, p, useBox, { timeLimitMs: Math.max(MIN_PHASE_MS, limit), seed: opts.seed, incumbent: heuristic ? undefined : bestUb()?.solution ?? undefined });
    results.push(r);
    if (!heuristic) {
      if (status === 'not_run') status = r.status;
      if (r.status === 'optimal') {
        // the rest of the phase is not needed: hand its share on
        budget.take((boundPhase.length - 1 - i) / boundPhase.length);
        break;
      }
    }
  }
  let lowerBound = 0;
  let lowerBy: string | null = null;
  let lowerProof: LowerBoundProof = 'trivial';
  let upperBound = Infinity;
  let upperBy: string | null = null;
  let claimedLower = 0;
  let claimedBy: string | null = null;
  for (const r of results) {
    const solver = opts.resolve(r.solver);
    const pr = provenLowerBound(r, solver, p, useBox);
    if (pr.bound > lowerBound) {
      lowerBound = pr.bound;
      lowerBy = r.solver;
      lowerProof = pr.proof;
    }
    if (solver && solver.role !== 'heuristic' && r.lowerBound > claimedLower) {
      claimedLower = r.lowerBound;
      claimedBy = r.solver;
    }
    if (r.solution !== null && r.upperBound < upperBound) {
      upperBound = r.upperBound;
      upperBy = r.solver;
    }
  }
  // every reported bound (proof or not) must sit below every feasible value: a broken solver is an error
  if (claimedLower > upperBound * (1 + CONSISTENCY_TOL) + 1e-300) {
    throw new PvqConsistencyError(
      `${p.name} (${cls}): lower bound ${claimedLower} from ${claimedBy} exceeds feasible error ${upperBound} from ${upperBy}`,
    );
  }
  const exactKnown = results.some((r) => r.status === 'optimal' && (opts.resolve(r.solver)?.role ?? 'heuristic') !== 'heuristic');
  if (exactKnown) lowerBound = Math.min(lowerBound, upperBound);
  return {
    lowerBound,
    upperBound,
    lowerBy,
    upperBy,
    lowerProof,
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
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  // 2 methods x (exact search + bound phase) per channel
  const budget = new BudgetSplitter(timeLimitMs, opts.budgetMs, opts.now ?? (() => performance.now()), 4 * problems.length);
  const channels: ChannelComparison[] = [];
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i];
    const quant = await solveMethod(p, 'quantization', plans.quantization, opts, useBox, budget);
    const prune = await solveMethod(p, 'pruning', plans.pruning, opts, useBox, budget);
    const v = verdict(quant.lowerBound, quant.upperBound, prune.lowerBound, prune.upperBound, quant.exact, prune.exact);
    const baselines: Record<string, number> = {};
    for (const r of [...quant.results, ...prune.results]) {
      if (opts.resolve(r.solver)?.role === 'heuristic' && r.solution !== null) baselines[r.solver] = sqnrDb(p.objective.r, r.upperBound);
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
  return {
    channels,
    aggregates: aggregate(channels, setName),
    settings: { timeLimitMs, pruneBox: useBox, plans, ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}) },
    timeMs: performance.now() - t0,
  };
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
