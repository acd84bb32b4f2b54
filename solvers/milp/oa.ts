/**
 * Generic outer-approximation (Kelley) driver over a MILP back end.
 *
 * The master is `min objConst + c^T x` over a base model (structural rows, integer variables) plus epigraph cuts
 * `x_aux >= rhs + sum coef_j x_j` on auxiliary variables. Each master optimum is a valid lower bound on the
 * problem as long as every cut under-estimates the true error on the feasible set; the oracle evaluates the true
 * error at the master's point (an upper bound) and returns new cuts.
 *
 * Numerical safety of the bound from one master solve (values in units of the current scale sigma, so the master
 * objective is O(1)):
 *   LB = min(reported objective, objective re-evaluated in double at the rounded point) - slack,
 *   slack = backend.tolerance * (1 + |value|) + 16 eps * (magnitude of the terms) .
 * The re-evaluation sets every auxiliary to the largest of its cuts at the rounded point, so output rounding of the
 * back end cannot raise the bound; the tolerance covers the back end's own optimality tolerance (GLPK prunes nodes
 * within a relative 1e-7 of the incumbent). A master stopped by a time limit gives no bound (GLPK does not return
 * its best bound) and is discarded; cuts never leave the model, so earlier bounds remain valid.
 */
import { Deadline, gapClosed, relativeGap } from '../../src/core/result.js';
import { resolveExtras } from '../../src/core/options.js';
import { PRUNE_OA_OPTIONS, QUANT_OA_OPTIONS } from './common.js';
import type { SolveOptions } from '../../src/core/types.js';
import type { LpDualResult, MilpBackend, MilpModel, MilpResult, MilpRow } from './model.js';
import { objectiveAt } from './model.js';
import { safeMilpBound } from './safe-bound.js';
import { setupMsPerCell, solveCells } from './budget.js';

/** `x[aux] >= rhs + sum coef_t x[idx_t]` (in the problem's own units). */
/**
 * Default relative gap of the OA solvers: the MILP back ends only guarantee a master value to about 1e-7
 * relative (GLPK's tol_obj, javascript-lp-solver's precision grid), so 1e-9 is not attainable; 1e-6 is.
 */
export const OA_DEFAULT_REL_GAP_TOL = 1e-6;

/** The relative gap tolerance of an OA solve. */
export function relGapTolOf(options: SolveOptions): number {
  return options.relGapTol ?? OA_DEFAULT_REL_GAP_TOL;
}

/** An LP solver with row duals (for the safe bound); `timeLimitMs` caps one solve. */
export type LpVerifier = (m: MilpModel, options?: { timeLimitMs?: number }) => LpDualResult;

export interface EpiCut {
  aux: number;
  idx: number[];
  coef: number[];
  rhs: number;
}

export interface OaCandidate {
  /** True error of the candidate (problem units), or Infinity if the point is not usable. */
  value: number;
  /** The feasible point (z or v), or null. */
  solution: Float64Array | null;
}

export interface OaOracleOutput {
  candidates: OaCandidate[];
  cuts: EpiCut[];
}

export interface OaSpec {
  /** Base model in problem units; aux variables appear only in the objective and in cuts. */
  model: MilpModel;
  /** Indices of the auxiliary (epigraph) variables. */
  aux: number[];
  cuts: EpiCut[];
  /** Evaluate a master point (integer variables already rounded). */
  oracle(x: Float64Array): OaOracleOutput;
  /**
   * Optional: overwrite, in place, continuous variables that are defined by equality rows from the integer ones
   * (recomputed in double before a master's value is re-evaluated).
   */
  recompute?(x: Float64Array): void;
  /** Optional evaluation at a point of the LP relaxation (warm-up cuts); integers not rounded. */
  relaxedOracle?(x: Float64Array): EpiCut[];
  /** Initial feasible points. */
  initial: OaCandidate[];
  /** Scale of the error values (e.g. r = w^T G w), > 0. */
  scale: number;
  /**
   * Optional: continuous non-auxiliary variables whose values are square roots of error values (e.g. y = L^T (z - t)
   * with error terms y_k^2); the master expresses them in units of sqrt(sigma) so that their coefficients are O(1).
   */
  sqrtScaled?: number[];
}

export interface OaIterationInfo {
  iteration: number;
  /** Best certified lower bound so far (problem units). */
  lowerBound: number;
  upperBound: number;
  /** Certified bound from this master alone (problem units), or NaN when the master gave none. */
  masterBound: number;
  /** 'lp' for warm-up LP relaxations, 'milp' for master MILPs. */
  kind: 'lp' | 'milp';
  cuts: number;
  masterTimeMs: number;
}

export interface OaOptions {
  backend: MilpBackend;
  timeLimitMs?: number;
  /**
   * The solve's deadline (created when the solver started, so that its setup counts); default: a new one from
   * `timeLimitMs`. The masters stop at 90 % of the time left when the driver starts; the rest goes to the proof.
   */
  deadline?: Deadline;
  iterationLimit?: number;
  relGapTol: number;
  absGapTol: number;
  lpWarmupRounds: number;
  onIteration?: (info: OaIterationInfo) => void;
  onProgress?: (lb: number, ub: number, iterations: number, timeMs: number) => void;
  /**
   * LP solver with row duals for the safe bound (safe-bound.ts). The reported lower bound is ONLY what the safe
   * branch and bound proves on the last master; without a verifier no bound above 0 is reported.
   */
  verifier?: LpVerifier;
  /** Node limit of one safe-bound search (default 20000). */
  verifyNodeLimit?: number;
  /** Node limit over all safe-bound searches of the run (the common `nodeLimit`); status `node_limit` when it stops the proof. */
  nodeLimit?: number;
}

export interface OaOutcome {
  lowerBound: number;
  upperBound: number;
  solution: Float64Array | null;
  status: 'optimal' | 'time_limit' | 'iteration_limit' | 'node_limit' | 'numerical_failure' | 'infeasible';
  iterations: number;
  lpRounds: number;
  cuts: number;
  masterTimeMs: number;
  history: OaIterationInfo[];
  message?: string;
  /** Nodes of the safe-bound searches behind `lowerBound`. */
  verifyNodes?: number;
  /** The relative gap tolerance the run used (reported in stats so checks know what `optimal` means). */
  relGapTol: number;
}

const EPS = 2 ** -53;

/**
 * Default absolute gap tolerance, relative to r = w^T G w: errors below 1e-14 r (SQNR 140 dB) are at the rounding
 * level of the error computation itself, so a gap that small is closed (e.g. k = n, where the optimum is 0).
 */
export const ABS_GAP_REL = 1e-14;

function cutKey(c: EpiCut): string {
  let s = `${c.aux}|${c.rhs.toPrecision(15)}`;
  for (let t = 0; t < c.idx.length; t++) if (c.coef[t] !== 0) s += `|${c.idx[t]}:${c.coef[t].toPrecision(15)}`;
  return s;
}

/**
 * Column scales of the master: x_j = colScale_j * x'_j. An auxiliary with objective weight c_j > 0 is expressed
 * so that its weight is 1 (x_aux = (sigma / c_j) x'_aux: its value is its share of the objective in units of
 * sigma); `sqrtScaled` variables are in units of sqrt(sigma); everything else (integers) keeps scale 1. Scales are
 * powers of two (exact in floating point).
 */
function masterScales(spec: OaSpec, sigma: number): Float64Array {
  const base = spec.model;
  const pow2 = (v: number): number => (Number.isFinite(v) && v > 0 ? 2 ** Math.round(Math.log2(v)) : 1);
  const col = new Float64Array(base.vars.length).fill(1);
  for (const a of spec.aux) {
    const c = base.objective[a];
    col[a] = c > 0 ? pow2(sigma / c) : pow2(sigma);
  }
  for (const j of spec.sqrtScaled ?? []) if (!base.vars[j].integer) col[j] = pow2(Math.sqrt(sigma));
  return col;
}

/** Build the scaled master (objective in units of sigma, columns scaled by `col`). */
function buildMaster(spec: OaSpec, cuts: EpiCut[], sigma: number, relax: boolean, col: Float64Array): MilpModel {
  const base = spec.model;
  const vars = base.vars.map((v, j) => {
    const out = { ...v, integer: relax ? false : v.integer };
    if (col[j] !== 1) {
      out.lb = v.lb / col[j];
      out.ub = v.ub / col[j];
    }
    return out;
  });
  const objective = base.objective.map((c, j) => (c * col[j]) / sigma);
  const rows: MilpRow[] = base.rows.map((r) => (r.idx.some((j) => col[j] !== 1) ? { ...r, coef: r.coef.map((c, t) => c * col[r.idx[t]]) } : r));
  for (const c of cuts) rows.push(cutRow(c, col));
  return { vars, rows, objective, objConst: (base.objConst ?? 0) / sigma };
}

/** An epigraph cut as a row of the scaled master. */
function cutRow(c: EpiCut, col: Float64Array): MilpRow {
  // x_aux >= rhs + sum coef x  <=>  x'_aux - sum (coef col_j / col_aux) x'_j >= rhs / col_aux
  const ca = col[c.aux];
  const idx = [c.aux];
  const coef = [1];
  for (let t = 0; t < c.idx.length; t++) {
    if (c.coef[t] === 0) continue;
    idx.push(c.idx[t]);
    coef.push((-c.coef[t] * col[c.idx[t]]) / ca);
  }
  return { idx, coef, lb: c.rhs / ca, ub: Infinity };
}

/** Master point back in problem units. */
function unscale(x: Float64Array, col: Float64Array): Float64Array {
  const y = Float64Array.from(x);
  for (let j = 0; j < y.length; j++) y[j] *= col[j];
  return y;
}

/**
 * Re-evaluate the master objective at x (integers rounded), with aux variables at the max of their cuts (problem
 * units), and the magnitude of the terms involved.
 */
function reevaluate(spec: OaSpec, cuts: EpiCut[], x: Float64Array): { value: number; magnitude: number } {
  const base = spec.model;
  const y = Float64Array.from(x);
  spec.recompute?.(y);
  const mag = new Float64Array(base.vars.length);
  for (const a of spec.aux) {
    y[a] = Number.isFinite(base.vars[a].lb) ? base.vars[a].lb : -Infinity;
    mag[a] = Math.abs(y[a]);
  }
  for (const c of cuts) {
    let s = c.rhs;
    let m = Math.abs(c.rhs);
    for (let t = 0; t < c.idx.length; t++) {
      const term = c.coef[t] * y[c.idx[t]];
      s += term;
      m += Math.abs(term);
    }
    if (s > y[c.aux]) {
      y[c.aux] = s;
      mag[c.aux] = m * (c.idx.length + 2);
    }
  }
  let magnitude = Math.abs(base.objConst ?? 0);
  for (let j = 0; j < base.vars.length; j++) {
    if (base.objective[j] === 0) continue;
    magnitude += Math.abs(base.objective[j]) * (mag[j] || Math.abs(y[j]));
  }
  return { value: objectiveAt(base, y), magnitude };
}

/**
 * The LP-with-duals solver behind the safe bound: the back end's own when it has one (glpk), else glpk's if it can
 * be loaded (the jsl back end gives no duals), else none.
 */
export async function loadVerifier(backend: MilpBackend): Promise<LpVerifier | undefined> {
  if (backend.solveLpDuals) return (m, o) => (backend.solveLpDuals as LpVerifier)(m, o);
  try {
    const { loadMilpBackend } = await import('./backends.js');
    const g = await loadMilpBackend('glpk');
    return g.solveLpDuals ? (m, o) => (g.solveLpDuals as LpVerifier)(m, o) : undefined;
  } catch {
    return undefined;
  }
}

/** OaOptions from a solver's SolveOptions (shared by quant-oa and prune-oa). */
export function oaOptionsFrom(
  solver: string,
  options: SolveOptions,
  backend: MilpBackend,
  r: number,
  n: number,
  verifier?: LpVerifier,
): OaOptions {
  const ex = resolveExtras(solver === 'prune-oa' ? PRUNE_OA_OPTIONS : QUANT_OA_OPTIONS, options.extra, solver);
  const extraOnIter = ex.onIteration;
  return {
    backend,
    verifier,
    verifyNodeLimit: ex.verifyNodeLimit,
    timeLimitMs: options.timeLimitMs,
    iterationLimit: options.iterationLimit,
    nodeLimit: options.nodeLimit,
    relGapTol: relGapTolOf(options),
    absGapTol: ex.absGapTol ?? ABS_GAP_REL * r,
    lpWarmupRounds: ex.lpWarmupRounds ?? 2 * n,
    onIteration: typeof extraOnIter === 'function' ? (extraOnIter as (i: OaIterationInfo) => void) : undefined,
    onProgress: options.onProgress
      ? (lb, ub, it, ms) => options.onProgress?.({ solver, lowerBound: lb, upperBound: ub, nodes: 0, iterations: it, timeMs: ms })
      : undefined,
  };
}

/** Share of the time left (when the driver starts) that the masters may use; the rest is for the proof. */
const MASTER_SHARE = 0.9;

/**
 * The proof's deadline: what is left of the solve's, but at least min(200 ms, 10 % of the limit) (the time limit
 * target is T + 10 % + 0.2 s), and 10 minutes without a limit.
 */
function proofDeadline(deadline: Deadline): Deadline {
  if (!deadline.limited) return new Deadline(600000);
  return new Deadline(Math.max(deadline.remaining(), Math.min(200, 0.1 * deadline.limitMs)));
}

/** The last master solved: what the safe bound re-solves (in its own scaled units). */
interface LastMaster {
  model: MilpModel;
  sigma: number;
  col: Float64Array;
  /** A known master value (scaled units) that caps the safe search. */
  incumbent: number;
  tol: number;
}

/** What one step of a phase tells its loop. */
type Step = 'continue' | 'stop';

/**
 * The state of one outer-approximation run: the cut pool, the bounds (`lb` proven, `claimed` the back end's
 * unverified master values, which only steer the loop), the counters, and the last master for the safe bound.
 */
class OaRun {
  /** The solve's deadline (the proof ends by it) and the masters' share of it. */
  readonly deadline: Deadline;
  readonly masters: Deadline;
  readonly base: MilpModel;
  readonly cuts: EpiCut[] = [];
  private readonly seen = new Set<string>();
  lb = 0;
  ub = Infinity;
  solution: Float64Array | null = null;
  claimed = 0;
  readonly history: OaIterationInfo[] = [];
  iterations = 0;
  lpRounds = 0;
  masterTimeMs = 0;
  lastMaster: LastMaster | null = null;
  verifyNodes = 0;
  verifyComplete = true;
  status: OaOutcome['status'] = 'optimal';
  message: string | undefined;
  stalls = 0;
  resolvedAtUb = false;
  /** Largest set-up cost per model cell (ms) seen on a solve that overran its limit. */
  msPerCell = 0;

  constructor(
    readonly spec: OaSpec,
    readonly opts: OaOptions,
  ) {
    this.deadline = opts.deadline ?? new Deadline(opts.timeLimitMs);
    this.masters = this.deadline.limited ? this.deadline.sub(MASTER_SHARE) : this.deadline;
    this.base = spec.model;
    spec.cuts.forEach((c) => this.addCut(c));
    spec.initial.forEach((c) => this.consider(c));
  }

  /** Add a cut unless an identical one is in the pool; true when added. */
  addCut(c: EpiCut): boolean {
    const k = cutKey(c);
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    this.cuts.push(c);
    return true;
  }

  /** Add cuts; the number of new ones. */
  addCuts(cs: EpiCut[]): number {
    let added = 0;
    for (const c of cs) if (this.addCut(c)) added++;
    return added;
  }

  consider(c: OaCandidate): void {
    if (c.solution && c.value < this.ub) {
      this.ub = c.value;
      this.solution = c.solution;
    }
  }

  /** Units of the next master: the best known error, else the problem's scale. */
  sigma(): number {
    return Number.isFinite(this.ub) && this.ub > 0 ? this.ub : this.spec.scale;
  }

  closed(): boolean {
    return gapClosed(Math.max(this.lb, this.claimed), this.ub, this.opts.relGapTol, this.opts.absGapTol);
  }

  /** Time left for one master solve (ms, at least 1), or undefined without a limit. */
  remainingMs(): number | undefined {
    return this.masters.limited ? Math.max(1, this.masters.remaining()) : undefined;
  }

  /**
   * Under a time limit: is the next back-end solve of `model` predicted to end before `deadline`? A solve's time
   * limit does not cover its set-up (building the model, GLPK's scaling and first factorisation): that part is
   * predicted from the model's size (rows x columns) at the largest cost per cell seen so far on this run, and at
   * least the back end's measured set-up cost (budget.ts).
   */
  solveFits(model: MilpModel, deadline: Deadline): boolean {
    if (!deadline.limited) return true;
    return solveCells(model) * Math.max(this.msPerCell, setupMsPerCell(this.opts.backend)) < deadline.remaining();
  }

  /** A back-end solve; learns the set-up cost per cell from a solve that overran its time limit. */
  timedSolve(model: MilpModel, timeLimitMs: number | undefined): MilpResult {
    const res = this.opts.backend.solve(model, { timeLimitMs });
    if (timeLimitMs !== undefined && res.timeMs > timeLimitMs) this.msPerCell = Math.max(this.msPerCell, (res.timeMs - timeLimitMs) / solveCells(model));
    return res;
  }

  /** A master value made safe against the back end's rounding and tolerance (problem units; steers the loop). */
  certified(reported: number, x: Float64Array, sigma: number, tol: number): number {
    const re = reevaluate(this.spec, this.cuts, x);
    const v = Math.min(reported, re.value / sigma);
    const slack = tol * (1 + Math.abs(v)) + 16 * EPS * (re.magnitude / sigma);
    return (v - slack) * sigma;
  }

  record(info: Omit<OaIterationInfo, 'lowerBound' | 'upperBound' | 'cuts'>): void {
    const full: OaIterationInfo = { ...info, lowerBound: this.lb, upperBound: this.ub, cuts: this.cuts.length };
    this.history.push(full);
    this.opts.onIteration?.(full);
    this.opts.onProgress?.(this.lb, this.ub, this.iterations, this.deadline.elapsed());
  }

  /** Remember a master the back end failed on: the safe bound solves it itself, capped at the best known error. */
  keepFailedMaster(master: MilpModel, sigma: number, col: Float64Array): void {
    this.lastMaster = { model: master, sigma, col, incumbent: (this.ub / sigma) * (1 + 1e-6) + 1e-12, tol: this.opts.backend.tolerance };
  }

  outcome(): OaOutcome {
    return {
      lowerBound: this.lb,
      upperBound: this.ub,
      solution: this.solution,
      status: this.status,
      iterations: this.iterations,
      lpRounds: this.lpRounds,
      cuts: this.cuts.length,
      masterTimeMs: this.masterTimeMs,
      history: this.history,
      message: this.message,
      relGapTol: this.opts.relGapTol,
      verifyNodes: this.verifyNodes,
    };
  }
}

export function runOa(spec: OaSpec, opts: OaOptions): OaOutcome {
  const run = new OaRun(spec, opts);
  // Phase 1: Kelley on the LP relaxation (cheap cuts).
  if (spec.relaxedOracle && run.base.vars.some((v) => v.integer)) lpWarmup(run, spec.relaxedOracle);
  // Phase 2: MILP masters until the gap closes or a limit stops them; phase 3: the proven bound on the last master.
  for (let verifyRound = 0; ; verifyRound++) {
    while (masterStep(run) === 'continue');
    if (proveLastMaster(run, verifyRound) === 'stop') break;
  }
  finalStatus(run);
  return run.outcome();
}

/** Phase 1: Kelley rounds on the LP relaxation; its values only steer (the final safe bound covers these cuts). */
function lpWarmup(run: OaRun, relaxedOracle: (x: Float64Array) => EpiCut[]): void {
  const { spec, opts } = run;
  let prev = -Infinity;
  for (let round = 0; round < opts.lpWarmupRounds && !run.masters.expired() && !run.closed(); round++) {
    const sigma = run.sigma();
    const remaining = run.remainingMs();
    const col = masterScales(spec, sigma);
    const lpModel = buildMaster(spec, run.cuts, sigma, true, col);
    if (!run.solveFits(lpModel, run.masters)) break;
    const res = run.timedSolve(lpModel, remaining);
    run.masterTimeMs += res.timeMs;
    run.lpRounds++;
    if (res.status !== 'optimal' || !res.x) break;
    const xr = unscale(res.x, col);
    const mb = run.certified(res.objective, xr, sigma, res.tolerance ?? opts.backend.tolerance);
    run.record({ iteration: run.lpRounds, masterBound: mb, kind: 'lp', masterTimeMs: res.timeMs });
    const added = run.addCuts(relaxedOracle(xr));
    if (added === 0 || (round > 2 && mb - prev <= 1e-4 * Math.abs(mb))) break;
    prev = mb;
  }
}

/** Why the master loop must stop before the next master, or null. */
function masterStop(run: OaRun): OaOutcome['status'] | null {
  if (run.closed()) return 'optimal';
  if (run.masters.expired()) return 'time_limit';
  if (run.opts.iterationLimit !== undefined && run.iterations >= run.opts.iterationLimit) return 'iteration_limit';
  return null;
}

/** Phase 2, one master: solve it, evaluate its point, add the oracle's cuts. */
function masterStep(run: OaRun): Step {
  const { spec, opts, base } = run;
  const stop = masterStop(run);
  if (stop) {
    run.status = stop;
    return 'stop';
  }
  const sigma = run.sigma();
  const remaining = run.remainingMs();
  const col = masterScales(spec, sigma);
  const master = buildMaster(spec, run.cuts, sigma, false, col);
  if (!run.solveFits(master, run.masters)) {
    run.status = 'time_limit';
    return 'stop';
  }
  const res0 = run.timedSolve(master, remaining);
  const res = res0.x ? { ...res0, x: unscale(res0.x, col) } : res0;
  run.masterTimeMs += res.timeMs;
  run.iterations++;
  if (res.status !== 'optimal' || !res.x) {
    masterFailure(run, res, master, sigma, col, remaining);
    return 'stop';
  }
  const x = roundIntegers(base, res.x);
  const tol = res.tolerance ?? opts.backend.tolerance;
  const mb = run.certified(res.objective, x, sigma, tol);
  if (mb > run.claimed) run.claimed = mb;
  run.lastMaster = { model: master, sigma, col, incumbent: reevaluate(spec, run.cuts, x).value / sigma, tol };
  const out = spec.oracle(x);
  out.candidates.forEach((c) => run.consider(c));
  run.record({ iteration: run.iterations, masterBound: mb, kind: 'milp', masterTimeMs: res.timeMs });
  const added = run.addCuts(out.cuts);
  if (added > 0 || run.closed()) return 'continue';
  // The master point was visited before: in exact arithmetic the gap would be closed now; what is left is the
  // master tolerance. One more solve cannot help, unless this master was solved in units of an older, larger
  // upper bound: its tolerance is relative to sigma, so solve it again in units of the current one.
  if (sigma > 1.01 * run.ub && !run.resolvedAtUb) {
    run.resolvedAtUb = true;
    return 'continue';
  }
  run.stalls++;
  if (run.stalls < 1) return 'continue';
  run.status = 'numerical_failure';
  run.message =
    `outer approximation converged to the tolerance of the ${opts.backend.name} master ` +
    `(relative gap ${relativeGap(run.lb, run.ub).toExponential(2)} > relGapTol ${opts.relGapTol}); pass a larger relGapTol (e.g. 1e-6)`;
  return 'stop';
}

/** A master without an optimal point: time limit, an infeasibility claim, or a back-end failure. */
function masterFailure(run: OaRun, res: MilpResult, master: MilpModel, sigma: number, col: Float64Array, remaining: number | undefined): void {
  const { spec, opts, base } = run;
  const rec = (masterBound: number): void => run.record({ iteration: run.iterations, masterBound, kind: 'milp', masterTimeMs: res.timeMs });
  const backend = opts.backend.name;
  if (res.status === 'time_limit') {
    run.status = 'time_limit';
    if (res.x) spec.oracle(roundIntegers(base, res.x)).candidates.forEach((c) => run.consider(c));
    rec(NaN);
    return;
  }
  if (res.status === 'infeasible') {
    // Cuts only bound the (unbounded-above) auxiliaries, so they cannot make a feasible model infeasible:
    // accept the claim only if the model without cuts is infeasible too.
    const check = opts.backend.solve(buildMaster(spec, [], sigma, false, col), { timeLimitMs: remaining });
    if (check.status !== 'infeasible') {
      run.status = 'numerical_failure';
      if (Number.isFinite(run.ub)) run.keepFailedMaster(master, sigma, col);
      run.message = `MILP back end ${backend} reported an infeasible master although the model without cuts is '${check.status}'`;
      rec(NaN);
    } else if (Number.isFinite(run.ub)) {
      // a feasible point is known: the back end's claim is wrong (the safe bound then solves the master)
      run.status = 'numerical_failure';
      run.message = `MILP back end ${backend} reported an infeasible master although a feasible point is known`;
      run.keepFailedMaster(master, sigma, col);
    } else {
      run.status = 'infeasible';
      run.lb = Infinity;
      run.message = 'the master MILP is infeasible: no point satisfies the constraints';
      rec(Infinity);
    }
    return;
  }
  run.status = 'numerical_failure';
  run.message = `MILP back end ${backend} returned '${res.status}'${res.message ? `: ${res.message}` : ''}`;
  // the safe branch and bound then solves this master itself (capped at the best known error)
  if (Number.isFinite(run.ub)) run.keepFailedMaster(master, sigma, col);
  rec(NaN);
}

/**
 * Phase 3: the proven bound, a safe branch and bound on the last master (safe-bound.ts). 'continue' when it found
 * a better master point than the back end's (the back end's answer was not optimal): the masters then go on.
 */
function proveLastMaster(run: OaRun, verifyRound: number): Step {
  const { spec, opts } = run;
  if (run.status === 'infeasible' || !run.lastMaster) return 'stop';
  if (!opts.verifier) {
    run.message = [run.message, `no LP solver with duals to verify the ${opts.backend.name} master: only the trivial bound 0 is reported`]
      .filter(Boolean)
      .join('; ');
    if (run.status === 'optimal') run.status = 'numerical_failure';
    run.claimed = run.lb; // the back end's unverified master values must not close the gap below
    return 'stop';
  }
  const nodesLeft = opts.nodeLimit !== undefined ? Math.floor(opts.nodeLimit) - run.verifyNodes : Infinity;
  if (nodesLeft <= 0) {
    run.verifyComplete = false;
    return 'stop';
  }
  const lm = run.lastMaster;
  const verifier = opts.verifier;
  const proof = proofDeadline(run.deadline);
  if (run.deadline.limited && !run.solveFits(lm.model, proof)) {
    run.message = [run.message, 'time limit: the safe bound on the last master does not fit the time left'].filter(Boolean).join('; ');
    if (run.status === 'optimal') run.status = 'time_limit';
    run.claimed = run.lb;
    return 'stop';
  }
  // a node whose bound already closes the gap to the best known error need not be explored
  const allow = Math.max(opts.relGapTol * Math.abs(run.ub), opts.absGapTol);
  const target = Number.isFinite(run.ub) ? (run.ub - 0.999 * allow) / lm.sigma : undefined;
  const sb = safeMilpBound(lm.model, {
    incumbent: lm.incumbent,
    target,
    pruneTol: lm.tol * (1 + Math.abs(lm.incumbent)),
    nodeLimit: Math.min(opts.verifyNodeLimit ?? 20000, nodesLeft),
    deadline: proof,
    lp: (m) => verifier(m, { timeLimitMs: proof.limited ? Math.max(1, proof.remaining()) : undefined }),
  });
  run.verifyNodes += sb.nodes;
  run.verifyComplete = sb.complete;
  if (Number.isFinite(sb.bound)) {
    const b = sb.bound * lm.sigma;
    const proven = b - Math.abs(b) * 8 * EPS;
    if (proven > run.lb) run.lb = proven;
  }
  run.claimed = run.lb;
  const masterWasWrong = sb.better && sb.betterValue < lm.incumbent - lm.tol * (1 + Math.abs(lm.incumbent));
  // iterate again only when the limits leave room for a new master (else the same safe search would be repeated)
  const limitsLeft = !run.masters.expired() && !(opts.iterationLimit !== undefined && run.iterations >= opts.iterationLimit) && !nodeLimitReached(run);
  if (!sb.better || !masterWasWrong || verifyRound >= 50 || !limitsLeft) return 'stop';
  // the back end's master answer was not the master optimum: evaluate the better point and go on iterating
  const out = spec.oracle(roundIntegers(run.base, unscale(sb.better, lm.col)));
  out.candidates.forEach((c) => run.consider(c));
  const added = run.addCuts(out.cuts);
  run.message = `the ${opts.backend.name} master answer was not optimal (found by the safe bound); iteration continued`;
  if (added > 0 || !run.closed()) {
    run.stalls = 0;
    run.resolvedAtUb = false;
    if (added > 0) return 'continue';
  }
  return 'stop';
}

function nodeLimitReached(run: OaRun): boolean {
  return run.opts.nodeLimit !== undefined && run.verifyNodes >= run.opts.nodeLimit;
}

/** The final status: `optimal` only when the proven bound closes the gap. */
function finalStatus(run: OaRun): void {
  if (run.status !== 'infeasible' && run.closed()) run.status = 'optimal';
  else if (run.status === 'optimal') {
    run.status = run.deadline.expired() ? 'time_limit' : nodeLimitReached(run) ? 'node_limit' : 'numerical_failure';
    run.message = [
      run.message,
      `the master bound could not be proven to the gap (safe bound ${run.lb.toExponential(6)}, ${run.verifyNodes} nodes${run.verifyComplete ? '' : ', search stopped by its limit'})`,
    ].join('; ');
  }
}

export function roundIntegers(model: MilpModel, x: Float64Array): Float64Array {
  const y = Float64Array.from(x);
  model.vars.forEach((v, j) => {
    if (v.integer) y[j] = Math.min(v.ub, Math.max(v.lb, Math.round(y[j])));
  });
  return y;
}
