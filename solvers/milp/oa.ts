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
import type { LpDualResult, MilpBackend, MilpModel, MilpRow } from './model.js';
import { objectiveAt } from './model.js';
import { safeMilpBound } from './safe-bound.js';

/** `x[aux] >= rhs + sum coef_t x[idx_t]` (in the problem's own units). */
/**
 * Default relative gap of the OA solvers: the MILP back ends only guarantee a master value to about 1e-7
 * relative (GLPK's tol_obj, javascript-lp-solver's precision grid), so 1e-9 is not attainable; 1e-6 is.
 */
export const OA_DEFAULT_REL_GAP_TOL = 1e-6;

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
  verifier?: (m: MilpModel) => LpDualResult;
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
export async function loadVerifier(backend: MilpBackend): Promise<((m: MilpModel) => LpDualResult) | undefined> {
  if (backend.solveLpDuals) return (m) => (backend.solveLpDuals as (m: MilpModel) => LpDualResult)(m);
  try {
    const { loadMilpBackend } = await import('./backends.js');
    const g = await loadMilpBackend('glpk');
    return g.solveLpDuals ? (m) => (g.solveLpDuals as (m: MilpModel) => LpDualResult)(m) : undefined;
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
  verifier?: (m: MilpModel) => LpDualResult,
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
    relGapTol: options.relGapTol ?? OA_DEFAULT_REL_GAP_TOL,
    absGapTol: ex.absGapTol ?? ABS_GAP_REL * r,
    lpWarmupRounds: ex.lpWarmupRounds ?? 2 * n,
    onIteration: typeof extraOnIter === 'function' ? (extraOnIter as (i: OaIterationInfo) => void) : undefined,
    onProgress: options.onProgress
      ? (lb, ub, it, ms) => options.onProgress?.({ solver, lowerBound: lb, upperBound: ub, nodes: 0, iterations: it, timeMs: ms })
      : undefined,
  };
}

export function runOa(spec: OaSpec, opts: OaOptions): OaOutcome {
  const deadline = new Deadline(opts.timeLimitMs);
  const base = spec.model;
  const cuts: EpiCut[] = [];
  const seen = new Set<string>();
  const addCut = (c: EpiCut): boolean => {
    const k = cutKey(c);
    if (seen.has(k)) return false;
    seen.add(k);
    cuts.push(c);
    return true;
  };
  spec.cuts.forEach(addCut);
  let lb = 0;
  let ub = Infinity;
  let solution: Float64Array | null = null;
  const consider = (c: OaCandidate): void => {
    if (c.solution && c.value < ub) {
      ub = c.value;
      solution = c.solution;
    }
  };
  spec.initial.forEach(consider);
  const history: OaIterationInfo[] = [];
  let iterations = 0;
  let lpRounds = 0;
  let masterTimeMs = 0;
  const sigmaOf = (): number => (Number.isFinite(ub) && ub > 0 ? ub : spec.scale);
  // `claimed`: the back end's (unverified) master values, which only steer the loop; `lb`: what is proven.
  let claimed = 0;
  const closed = (): boolean => gapClosed(Math.max(lb, claimed), ub, opts.relGapTol, opts.absGapTol);
  let lastMaster: { model: MilpModel; sigma: number; col: Float64Array; incumbent: number; tol: number } | null = null;
  let verifyNodes = 0;
  let verifyComplete = true;
  const certified = (reported: number, x: Float64Array, sigma: number, tol: number): number => {
    const re = reevaluate(spec, cuts, x);
    const v = Math.min(reported, re.value / sigma);
    const slack = tol * (1 + Math.abs(v)) + 16 * EPS * (re.magnitude / sigma);
    return (v - slack) * sigma;
  };
  const record = (info: Omit<OaIterationInfo, 'lowerBound' | 'upperBound' | 'cuts'>): void => {
    const full: OaIterationInfo = { ...info, lowerBound: lb, upperBound: ub, cuts: cuts.length };
    history.push(full);
    opts.onIteration?.(full);
    opts.onProgress?.(lb, ub, iterations, deadline.elapsed());
  };

  const hasInt = base.vars.some((v) => v.integer);
  // Phase 1: Kelley on the LP relaxation (cheap cuts); its bounds are valid too.
  if (spec.relaxedOracle && hasInt) {
    let prev = -Infinity;
    for (let round = 0; round < opts.lpWarmupRounds && !deadline.expired() && !closed(); round++) {
      const sigma = sigmaOf();
      const remaining = opts.timeLimitMs !== undefined ? Math.max(1, opts.timeLimitMs - deadline.elapsed()) : undefined;
      const col = masterScales(spec, sigma);
      const res = opts.backend.solve(buildMaster(spec, cuts, sigma, true, col), { timeLimitMs: remaining });
      masterTimeMs += res.timeMs;
      lpRounds++;
      if (res.status !== 'optimal' || !res.x) break;
      const xr = unscale(res.x, col);
      // the LP value is not proven here; it only steers the warm-up (the final safe bound covers these cuts)
      const mb = certified(res.objective, xr, sigma, res.tolerance ?? opts.backend.tolerance);
      record({ iteration: lpRounds, masterBound: mb, kind: 'lp', masterTimeMs: res.timeMs });
      const newCuts = spec.relaxedOracle(xr);
      let added = 0;
      for (const c of newCuts) if (addCut(c)) added++;
      if (added === 0 || (round > 2 && mb - prev <= 1e-4 * Math.abs(mb))) break;
      prev = mb;
    }
  }

  let status: OaOutcome['status'] = 'optimal';
  let message: string | undefined;
  let stalls = 0;
  let resolvedAtUb = false;
  for (let verifyRound = 0; ; verifyRound++) {
  for (;;) {
    if (closed()) {
      status = 'optimal';
      break;
    }
    if (deadline.expired()) {
      status = 'time_limit';
      break;
    }
    if (opts.iterationLimit !== undefined && iterations >= opts.iterationLimit) {
      status = 'iteration_limit';
      break;
    }
    const sigma = sigmaOf();
    const remaining = opts.timeLimitMs !== undefined ? Math.max(1, opts.timeLimitMs - deadline.elapsed()) : undefined;
    const col = masterScales(spec, sigma);
    const master = buildMaster(spec, cuts, sigma, false, col);
    const res0 = opts.backend.solve(master, { timeLimitMs: remaining });
    const res = res0.x ? { ...res0, x: unscale(res0.x, col) } : res0;
    masterTimeMs += res.timeMs;
    iterations++;
    if (res.status === 'time_limit') {
      status = 'time_limit';
      if (res.x) {
        const x = roundIntegers(base, res.x);
        spec.oracle(x).candidates.forEach(consider);
      }
      record({ iteration: iterations, masterBound: NaN, kind: 'milp', masterTimeMs: res.timeMs });
      break;
    }
    if (res.status === 'infeasible') {
      // Cuts only bound the (unbounded-above) auxiliaries, so they cannot make a feasible model infeasible:
      // accept the claim only if the model without cuts is infeasible too.
      const check = opts.backend.solve(buildMaster(spec, [], sigma, false, col), { timeLimitMs: remaining });
      if (check.status !== 'infeasible') {
        status = 'numerical_failure';
        if (Number.isFinite(ub)) lastMaster = { model: master, sigma, col, incumbent: (ub / sigma) * (1 + 1e-6) + 1e-12, tol: opts.backend.tolerance };
        message = `MILP back end ${opts.backend.name} reported an infeasible master although the model without cuts is '${check.status}'`;
        record({ iteration: iterations, masterBound: NaN, kind: 'milp', masterTimeMs: res.timeMs });
        break;
      }
      if (Number.isFinite(ub)) {
        // a feasible point is known: the back end's claim is wrong (the safe bound below then solves the master)
        status = 'numerical_failure';
        message = `MILP back end ${opts.backend.name} reported an infeasible master although a feasible point is known`;
        lastMaster = { model: master, sigma, col, incumbent: (ub / sigma) * (1 + 1e-6) + 1e-12, tol: opts.backend.tolerance };
        break;
      }
      status = 'infeasible';
      lb = Infinity;
      message = 'the master MILP is infeasible: no point satisfies the constraints';
      record({ iteration: iterations, masterBound: Infinity, kind: 'milp', masterTimeMs: res.timeMs });
      break;
    }
    if (res.status !== 'optimal' || !res.x) {
      status = 'numerical_failure';
      message = `MILP back end ${opts.backend.name} returned '${res.status}'${res.message ? `: ${res.message}` : ''}`;
      // the safe branch and bound below then solves this master itself (capped at the best known error)
      if (Number.isFinite(ub)) lastMaster = { model: master, sigma, col, incumbent: (ub / sigma) * (1 + 1e-6) + 1e-12, tol: opts.backend.tolerance };
      record({ iteration: iterations, masterBound: NaN, kind: 'milp', masterTimeMs: res.timeMs });
      break;
    }
    const x = roundIntegers(base, res.x);
    const mb = certified(res.objective, x, sigma, res.tolerance ?? opts.backend.tolerance);
    if (mb > claimed) claimed = mb;
    const tolM = res.tolerance ?? opts.backend.tolerance;
    lastMaster = { model: master, sigma, col, incumbent: reevaluate(spec, cuts, x).value / sigma, tol: tolM };
    const out = spec.oracle(x);
    out.candidates.forEach(consider);
    record({ iteration: iterations, masterBound: mb, kind: 'milp', masterTimeMs: res.timeMs });
    let added = 0;
    for (const c of out.cuts) if (addCut(c)) added++;
    if (added === 0 && !closed()) {
      // The master point was visited before: in exact arithmetic the gap would be closed now; what is left is the
      // master tolerance. One more solve cannot help, unless this master was solved in units of an older, larger
      // upper bound: its tolerance is relative to sigma, so solve it again in units of the current one.
      if (sigma > 1.01 * ub && !resolvedAtUb) {
        resolvedAtUb = true;
        continue;
      }
      stalls++;
      if (stalls >= 1) {
        status = 'numerical_failure';
        message =
          `outer approximation converged to the tolerance of the ${opts.backend.name} master ` +
          `(relative gap ${relativeGap(lb, ub).toExponential(2)} > relGapTol ${opts.relGapTol}); pass a larger relGapTol (e.g. 1e-6)`;
        break;
      }
    }
  }
  // ---- the proven bound: a safe branch and bound on the last master (safe-bound.ts)
  if (status === 'infeasible') break;
  if (!lastMaster) break;
  if (!opts.verifier) {
    message = [message, `no LP solver with duals to verify the ${opts.backend.name} master: only the trivial bound 0 is reported`].filter(Boolean).join('; ');
    if (status === 'optimal') status = 'numerical_failure';
    claimed = lb; // the back end's unverified master values must not close the gap below
    break;
  }
  const nodesLeft = opts.nodeLimit !== undefined ? Math.floor(opts.nodeLimit) - verifyNodes : Infinity;
  if (nodesLeft <= 0) {
    verifyComplete = false;
    break;
  }
  const lm: { model: MilpModel; sigma: number; col: Float64Array; incumbent: number; tol: number } = lastMaster;
  const budget = opts.timeLimitMs !== undefined ? Math.max(200, opts.timeLimitMs - deadline.elapsed()) : 600000;
  // a node whose bound already closes the gap to the best known error need not be explored
  const allow = Math.max(opts.relGapTol * Math.abs(ub), opts.absGapTol);
  const target = Number.isFinite(ub) ? (ub - 0.999 * allow) / lm.sigma : undefined;
  const sb = safeMilpBound(lm.model, {
    incumbent: lm.incumbent,
    target,
    pruneTol: lm.tol * (1 + Math.abs(lm.incumbent)),
    nodeLimit: Math.min(opts.verifyNodeLimit ?? 20000, nodesLeft),
    deadline: performance.now() + budget,
    lp: opts.verifier,
  });
  verifyNodes += sb.nodes;
  verifyComplete = sb.complete;
  if (Number.isFinite(sb.bound)) {
    const b = sb.bound * lm.sigma;
    const proven = b - Math.abs(b) * 8 * EPS;
    if (proven > lb) lb = proven;
  }
  claimed = lb;
  // iterate again only when a limit leaves room for a new master (else the same safe search would be repeated)
  const limitsLeft = !deadline.expired() && !(opts.iterationLimit !== undefined && iterations >= opts.iterationLimit) && !(opts.nodeLimit !== undefined && verifyNodes >= opts.nodeLimit);
  if (sb.better && sb.betterValue < lm.incumbent - lm.tol * (1 + Math.abs(lm.incumbent)) && verifyRound < 50 && limitsLeft) {
    // the back end's master answer was not the master optimum: evaluate the better point and go on iterating
    const xb = roundIntegers(base, unscale(sb.better, lm.col));
    const out = spec.oracle(xb);
    out.candidates.forEach(consider);
    let added = 0;
    for (const c of out.cuts) if (addCut(c)) added++;
    message = `the ${opts.backend.name} master answer was not optimal (found by the safe bound); iteration continued`;
    if (added > 0 || !closed()) {
      stalls = 0;
      resolvedAtUb = false;
      if (added > 0) continue;
    }
  }
  break;
  }
  if (status !== 'infeasible' && closed()) status = 'optimal';
  else if (status === 'optimal') {
    status = deadline.expired() ? 'time_limit' : opts.nodeLimit !== undefined && verifyNodes >= opts.nodeLimit ? 'node_limit' : 'numerical_failure';
    message = [message, `the master bound could not be proven to the gap (safe bound ${lb.toExponential(6)}, ${verifyNodes} nodes${verifyComplete ? '' : ', search stopped by its limit'})`].join('; ');
  }
  return { lowerBound: lb, upperBound: ub, solution, status, iterations, lpRounds, cuts: cuts.length, masterTimeMs, history, message, relGapTol: opts.relGapTol, verifyNodes };
}

export function roundIntegers(model: MilpModel, x: Float64Array): Float64Array {
  const y = Float64Array.from(x);
  model.vars.forEach((v, j) => {
    if (v.integer) y[j] = Math.min(v.ub, Math.max(v.lb, Math.round(y[j])));
  });
  return y;
}
