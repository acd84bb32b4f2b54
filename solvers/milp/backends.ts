/**
 * MILP back ends behind the interface of `model.ts`, loaded lazily with dynamic `import()` so that nothing in
 * pvq's core depends on them:
 *
 * - `glpk`: GLPK 5.0 compiled to WebAssembly (npm `glpk.js`, GPL-3.0, an optional dependency). Branch-and-cut
 *   with `mipgap = 0`; after a time limit GLPK does not return its best bound, so such a solve carries no bound.
 * - `jsl`: javascript-lp-solver (pure JS, MIT). Its `precision` argument is both the integrality tolerance and the
 *   grid its results are rounded to; it only handles variables >= 0 (we shift by integers, turn fractional bounds
 *   into rows and split free variables) and it omits variables at 0 from its answer.
 */
import type { LpDualResult, MilpBackend, MilpModel, MilpResult, MilpSolveOptions, MilpStatus } from './model.js';
import { checkModel } from './model.js';

export type MilpBackendName = 'glpk' | 'jsl';
export const MILP_BACKENDS: readonly MilpBackendName[] = ['glpk', 'jsl'];

/** Raised when a back end cannot be loaded (e.g. the optional glpk.js is not installed). */
export class MilpBackendUnavailableError extends Error {
  constructor(name: string, cause: unknown) {
    super(
      `MILP back end '${name}' could not be loaded (${cause instanceof Error ? cause.message : String(cause)}); ` +
        (name === 'glpk' ? "glpk.js is an optional dependency: install it, or use options.extra.backend = 'jsl'" : 'check the installation'),
    );
    this.name = 'MilpBackendUnavailableError';
  }
}

const cache = new Map<MilpBackendName, Promise<MilpBackend>>();

/**
 * Is x (integers rounded) feasible within an absolute tolerance scaled by the row magnitudes? `xTol` is the
 * rounding of each output value (times `colScale[j]` when given: the back end solved in scaled columns).
 */
function pointOk(model: MilpModel, x: Float64Array, xTol: number, tol = 1e-6, colScale?: Float64Array): boolean {
  const xr = Float64Array.from(x);
  model.vars.forEach((v, j) => {
    if (v.integer) xr[j] = Math.round(xr[j]);
  });
  for (let j = 0; j < xr.length; j++) {
    const v = model.vars[j];
    if (xr[j] < v.lb - tol * (1 + Math.abs(v.lb)) || xr[j] > v.ub + tol * (1 + Math.abs(v.ub))) return false;
  }
  for (const r of model.rows) {
    let s = 0;
    let m = 0;
    let c1 = 0;
    for (let t = 0; t < r.idx.length; t++) {
      const term = r.coef[t] * xr[r.idx[t]];
      s += term;
      m += Math.abs(term);
      c1 += Math.abs(r.coef[t]) * (colScale ? colScale[r.idx[t]] : 1);
    }
    // values may be rounded by up to xTol each (javascript-lp-solver rounds its output)
    const slack = xTol * c1 + tol * (1 + m + Math.max(Number.isFinite(r.lb) ? Math.abs(r.lb) : 0, Number.isFinite(r.ub) ? Math.abs(r.ub) : 0));
    if (s < r.lb - slack || s > r.ub + slack) return false;
  }
  return true;
}

/** Load (once) and return a back end. Rejects with MilpBackendUnavailableError when its package is missing. */
export function loadMilpBackend(name: MilpBackendName): Promise<MilpBackend> {
  let p = cache.get(name);
  if (!p) {
    if (name === 'glpk') p = loadGlpk();
    else if (name === 'jsl') p = loadJsl();
    else return Promise.reject(new Error(`unknown MILP back end '${String(name)}' (expected one of ${MILP_BACKENDS.join(', ')})`));
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// glpk.js

interface GlpkApi {
  GLP_MIN: number;
  GLP_FR: number;
  GLP_LO: number;
  GLP_UP: number;
  GLP_DB: number;
  GLP_FX: number;
  GLP_MSG_OFF: number;
  GLP_OPT: number;
  GLP_FEAS: number;
  GLP_NOFEAS: number;
  GLP_INFEAS: number;
  GLP_UNBND: number;
  GLP_UNDEF: number;
  solve(lp: unknown, options?: unknown): { result: { status: number; z: number; vars: Record<string, number>; dual?: Record<string, number> } };
}

type GlpkOut = { status: number; z: number; vars: Record<string, number>; dual?: Record<string, number> };

async function loadGlpk(): Promise<MilpBackend> {
  let glpk: GlpkApi;
  try {
    const mod = (await import('glpk.js/node')) as unknown as { default: () => Promise<GlpkApi> };
    glpk = await mod.default();
  } catch (e) {
    throw new MilpBackendUnavailableError('glpk', e);
  }
  return {
    name: 'glpk',
    solveLpDuals: (model: MilpModel, options: MilpSolveOptions = {}): LpDualResult => glpkLpDuals(glpk, model, options),
    // GLPK prunes a node when its LP bound is within tol_obj = 1e-7 (relative to 1 + |incumbent|) of the incumbent.
    tolerance: 1e-7,
    solve: (model: MilpModel, options: MilpSolveOptions = {}): MilpResult => glpkSolve(glpk, model, options),
  };
}

/** GLPK's bound type of [lb, ub]. */
function glpkBounds(glpk: GlpkApi, lb: number, ub: number): { type: number; lb: number; ub: number } {
  const fl = Number.isFinite(lb);
  const fu = Number.isFinite(ub);
  if (fl && fu) return lb === ub ? { type: glpk.GLP_FX, lb, ub } : { type: glpk.GLP_DB, lb, ub };
  if (fl) return { type: glpk.GLP_LO, lb, ub: 0 };
  if (fu) return { type: glpk.GLP_UP, lb: 0, ub };
  return { type: glpk.GLP_FR, lb: 0, ub: 0 };
}

const glpkName = (j: number): string => `x${j}`;

/** The model in glpk.js's format (variables x<j>, rows r<i>; rows without nonzeros are dropped, or flag infeasibility). */
function glpkLp(glpk: GlpkApi, model: MilpModel, integers: boolean) {
  const nv = model.vars.length;
  const objVars = [];
  for (let j = 0; j < nv; j++) if (model.objective[j] !== 0) objVars.push({ name: glpkName(j), coef: model.objective[j] });
  if (objVars.length === 0 && nv > 0) objVars.push({ name: glpkName(0), coef: 0 });
  const subjectTo = [];
  let emptyInfeasible = false;
  for (let i = 0; i < model.rows.length; i++) {
    const r = model.rows[i];
    if (!Number.isFinite(r.lb) && !Number.isFinite(r.ub)) continue;
    const vars = [];
    for (let t = 0; t < r.idx.length; t++) if (r.coef[t] !== 0) vars.push({ name: glpkName(r.idx[t]), coef: r.coef[t] });
    if (vars.length === 0) {
      if (r.lb > 1e-12 || r.ub < -1e-12) emptyInfeasible = true;
      continue;
    }
    subjectTo.push({ name: `r${i}`, vars, bnds: glpkBounds(glpk, r.lb, r.ub) });
  }
  const bounds = model.vars.map((v, j) => ({ name: glpkName(j), ...glpkBounds(glpk, v.lb, v.ub) }));
  const generals: string[] = [];
  if (integers) for (let j = 0; j < nv; j++) if (model.vars[j].integer) generals.push(glpkName(j));
  const lp = { name: 'pvq', objective: { direction: glpk.GLP_MIN, name: 'obj', vars: objVars }, subjectTo, bounds, generals };
  return { lp, emptyInfeasible, generals };
}

/** glpk.js's `tmlim` (seconds) for what is left of `timeLimitMs` after `t0`, or undefined. */
function glpkTmlim(timeLimitMs: number | undefined, t0: number): number | undefined {
  if (timeLimitMs === undefined || !Number.isFinite(timeLimitMs)) return undefined;
  return Math.max(0.001, (timeLimitMs - (performance.now() - t0)) / 1000);
}

/** The LP relaxation with its row duals (a hint for the safe bound); under a time limit, whatever the simplex reached. */
function glpkLpDuals(glpk: GlpkApi, model: MilpModel, options: MilpSolveOptions): LpDualResult {
  checkModel(model);
  const t0 = performance.now();
  const { lp, emptyInfeasible } = glpkLp(glpk, model, false);
  if (emptyInfeasible) return { status: 'infeasible', x: null, duals: null };
  let out: GlpkOut;
  try {
    // no presolver: its infeasibility answer carries no multipliers (the simplex's phase-1 duals are a Farkas hint)
    const opts: Record<string, unknown> = { msglev: glpk.GLP_MSG_OFF, presol: false };
    const tmlim = glpkTmlim(options.timeLimitMs, t0);
    if (tmlim !== undefined) opts.tmlim = tmlim;
    out = glpk.solve(lp, opts).result;
  } catch {
    return { status: 'other', x: null, duals: null };
  }
  const x = new Float64Array(model.vars.length);
  for (let j = 0; j < x.length; j++) x[j] = out.vars[glpkName(j)] ?? 0;
  const duals = new Float64Array(model.rows.length);
  for (let i = 0; i < duals.length; i++) {
    const y = out.dual?.[`r${i}`];
    duals[i] = typeof y === 'number' && Number.isFinite(y) ? y : 0;
  }
  const status = out.status === glpk.GLP_OPT ? 'optimal' : out.status === glpk.GLP_NOFEAS || out.status === glpk.GLP_INFEAS ? 'infeasible' : 'other';
  return { status, x: status === 'optimal' ? x : null, duals };
}

/** Branch-and-cut with mipgap 0 (see the file comment); every returned point is checked. */
function glpkSolve(glpk: GlpkApi, model: MilpModel, options: MilpSolveOptions): MilpResult {
  checkModel(model);
  const t0 = performance.now();
  const nv = model.vars.length;
  const { lp, emptyInfeasible, generals } = glpkLp(glpk, model, true);
  if (emptyInfeasible) return { status: 'infeasible', objective: Infinity, x: null, timeMs: performance.now() - t0 };
  let out: GlpkOut | undefined;
  const x = new Float64Array(nv);
  // GLPK's MIP presolver can return an infeasible point as optimal (seen on single-variable rows whose
  // integer rounding empties the domain); every answer is checked and the solve repeated without presolve.
  for (const presol of [true, false]) {
    const opts: Record<string, unknown> = { msglev: glpk.GLP_MSG_OFF, mipgap: options.mipGap ?? 0, presol };
    const tmlim = glpkTmlim(options.timeLimitMs, t0);
    if (tmlim !== undefined) opts.tmlim = tmlim;
    try {
      out = glpk.solve(lp, opts).result;
    } catch (e) {
      return { status: 'error', objective: NaN, x: null, timeMs: performance.now() - t0, message: `glpk: ${String(e)}` };
    }
    for (let j = 0; j < nv; j++) x[j] = out.vars[glpkName(j)] ?? 0;
    const hasPoint = out.status === glpk.GLP_OPT || out.status === glpk.GLP_FEAS;
    if (!hasPoint || pointOk(model, x, 1e-9)) break;
    if (!presol) return { status: 'error', objective: NaN, x: null, timeMs: performance.now() - t0, message: 'glpk returned an infeasible point' };
  }
  if (!out) return { status: 'error', objective: NaN, x: null, timeMs: performance.now() - t0 };
  const timeMs = performance.now() - t0;
  const status = glpkStatus(glpk, out.status, options, timeMs, generals.length > 0);
  const feasible = status === 'optimal' || (status === 'time_limit' && out.status === glpk.GLP_FEAS);
  return {
    status,
    objective: feasible ? out.z + (model.objConst ?? 0) : status === 'infeasible' ? Infinity : NaN,
    x: feasible ? x : null,
    timeMs,
    message: status === 'error' ? `glpk status ${out.status}` : undefined,
  };
}

function glpkStatus(glpk: GlpkApi, s: number, options: MilpSolveOptions, timeMs: number, hasIntegers: boolean): MilpStatus {
  if (s === glpk.GLP_OPT) return 'optimal';
  if (s === glpk.GLP_NOFEAS || s === glpk.GLP_INFEAS) return 'infeasible';
  if (s === glpk.GLP_UNBND) return 'unbounded';
  if (options.timeLimitMs !== undefined && timeMs >= 0.9 * options.timeLimitMs) return 'time_limit';
  if (s === glpk.GLP_UNDEF && hasIntegers) return 'infeasible';
  return 'error';
}

// ---------------------------------------------------------------------------------------------------------
// javascript-lp-solver
//
// javascript-lp-solver's simplex can cycle forever on degenerate masters (its Bland fallback in phase 1 has no
// iteration limit; its own `timeout` is only checked between branch-and-bound nodes). We therefore run it in a
// worker thread and wait synchronously (Atomics.wait) with a hard deadline; a solve that overruns is abandoned
// (worker terminated) and retried once with a coarser precision.

/** Precisions tried in turn (integrality tolerance and rounding grid of javascript-lp-solver). */
export const JSL_PRECISIONS: readonly number[] = [1e-7, 1e-6];
/** Default cap on one attempt when the caller gives no time limit (ms). */
export const JSL_ATTEMPT_CAP_MS = 30000;

const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const solver = require(workerData.path);
const flag = new Int32Array(workerData.sab);
workerData.port.on('message', (msg) => {
  let out;
  try { out = { ok: true, res: solver.Solve(msg.model, msg.precision) }; } catch (e) { out = { ok: false, err: String(e && e.message || e) }; }
  workerData.port.postMessage(out);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

interface JslWorker {
  worker: import('node:worker_threads').Worker;
  port: import('node:worker_threads').MessagePort;
  flag: Int32Array;
}

/**
 * Geometric-mean equilibration of a model for javascript-lp-solver, whose simplex ignores tableau entries below
 * its `precision` (1e-7) in pivoting and ratio tests: badly scaled masters (cut slopes 1e4 next to objective
 * weights 1e-5) made it cycle, stall or report 'unbounded'. Continuous columns and all rows get power-of-two
 * factors (exact in floating point), so that every nonzero is O(1); integer columns keep scale 1, and the objective
 * row is not scaled (its value, and so the back end's absolute tolerance, stay in the caller's units).
 * x_j = colScale_j * x'_j, row_i' = rowScale_i * row_i.
 */
export function equilibrate(model: MilpModel, passes = 6): { colScale: Float64Array; rowScale: Float64Array } {
  const nv = model.vars.length;
  const nr = model.rows.length;
  const col = new Float64Array(nv).fill(1);
  const row = new Float64Array(nr).fill(1);
  const pow2 = (v: number): number => (Number.isFinite(v) && v > 0 ? 2 ** Math.round(Math.log2(v)) : 1);
  const cmax = new Float64Array(nv);
  const cmin = new Float64Array(nv);
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < nr; i++) {
      const r = model.rows[i];
      let mx = 0;
      let mn = Infinity;
      for (let t = 0; t < r.idx.length; t++) {
        const a = Math.abs(r.coef[t] * col[r.idx[t]]);
        if (a === 0) continue;
        if (a > mx) mx = a;
        if (a < mn) mn = a;
      }
      row[i] = mx > 0 ? pow2(1 / Math.sqrt(mx * mn)) : 1;
    }
    cmax.fill(0);
    cmin.fill(Infinity);
    for (let i = 0; i < nr; i++) {
      const r = model.rows[i];
      for (let t = 0; t < r.idx.length; t++) {
        const j = r.idx[t];
        const a = Math.abs(r.coef[t] * row[i]);
        if (a === 0) continue;
        if (a > cmax[j]) cmax[j] = a;
        if (a < cmin[j]) cmin[j] = a;
      }
    }
    for (let j = 0; j < nv; j++) {
      const c = Math.abs(model.objective[j]);
      if (c > 0) {
        if (c > cmax[j]) cmax[j] = c;
        if (c < cmin[j]) cmin[j] = c;
      }
      if (model.vars[j].integer || !(cmax[j] > 0)) continue;
      col[j] = pow2(1 / Math.sqrt(cmax[j] * cmin[j]));
    }
  }
  return { colScale: col, rowScale: row };
}

async function loadJsl(): Promise<MilpBackend> {
  let jslPath: string;
  let wt: typeof import('node:worker_threads');
  try {
    const { createRequire } = await import('node:module');
    jslPath = createRequire(import.meta.url).resolve('javascript-lp-solver');
    wt = await import('node:worker_threads');
  } catch (e) {
    throw new MilpBackendUnavailableError('jsl', e);
  }
  const runner = new JslRunner(jslPath, wt);
  return {
    name: 'jsl',
    // results are rounded to the precision grid; pivots below it are ignored
    tolerance: 2 * JSL_PRECISIONS[0],
    solve: (model: MilpModel, options: MilpSolveOptions = {}): MilpResult => jslSolve(runner, model, options),
  };
}

type JslAnswer = { ok: boolean; res?: unknown; err?: string };

/** The worker that runs javascript-lp-solver, waited for synchronously with a hard deadline. */
class JslRunner {
  private current: JslWorker | null = null;
  constructor(
    private readonly path: string,
    private readonly wt: typeof import('node:worker_threads'),
  ) {}

  private spawn(): JslWorker {
    const sab = new SharedArrayBuffer(4);
    const { port1, port2 } = new this.wt.MessageChannel();
    const worker = new this.wt.Worker(WORKER_SRC, { eval: true, workerData: { path: this.path, sab, port: port2 }, transferList: [port2] });
    worker.unref();
    port1.unref();
    return { worker, port: port1, flag: new Int32Array(sab) };
  }

  /** Solve in the worker; null when the deadline passed (the worker is then terminated). */
  run(model: unknown, precision: number, capMs: number): JslAnswer | null {
    if (!this.current) this.current = this.spawn();
    const w = this.current;
    Atomics.store(w.flag, 0, 0);
    w.port.postMessage({ model, precision });
    const r = Atomics.wait(w.flag, 0, 0, Math.max(1, capMs));
    if (r === 'timed-out') {
      void w.worker.terminate();
      this.current = null;
      return null;
    }
    const msg = this.wt.receiveMessageOnPort(w.port);
    return (msg?.message as JslAnswer) ?? { ok: false, err: 'no answer from the worker' };
  }
}

/** A model in javascript-lp-solver's format, with the map back to our variables. */
interface JslModel {
  shift: Float64Array;
  colsOf: Array<Array<[string, number]>>;
  variables: Record<string, Record<string, number>>;
  constraints: Record<string, { min?: number; max?: number }>;
  ints: Record<string, 1>;
  constShift: number;
}

/**
 * Every variable becomes x_j = shift_j + colScale_j * sum_c sign_c * y_c with y_c >= 0 (javascript-lp-solver's own
 * `unrestricted` variables gave wrong answers in our tests, so free variables are split in two):
 * lb finite: x = floor(lb) + y; only ub finite: x = ceil(ub) - y; free: x = p - q. Returns a MilpResult when the
 * model cannot be translated (fractional integer bounds) or an empty row is infeasible.
 */
function jslTranslate(model: MilpModel, colScale: Float64Array, rowScale: Float64Array, t0: number): JslModel | MilpResult {
  const nv = model.vars.length;
  const shift = new Float64Array(nv);
  const colsOf: Array<Array<[string, number]>> = [];
  const variables: Record<string, Record<string, number>> = {};
  const constraints: Record<string, { min?: number; max?: number }> = {};
  const ints: Record<string, 1> = {};
  for (let j = 0; j < nv; j++) {
    const v = model.vars[j];
    if (v.integer && ((Number.isFinite(v.lb) && v.lb !== Math.round(v.lb)) || (!Number.isFinite(v.lb) && Number.isFinite(v.ub) && v.ub !== Math.round(v.ub))))
      return { status: 'error', objective: NaN, x: null, timeMs: 0, message: `jsl: integer variable ${j} needs integer bounds` };
    const cols = jslColumns(v, j, colScale[j], shift, constraints);
    for (const [cn, sg] of cols) {
      const col: Record<string, number> = {};
      if (model.objective[j] !== 0) col.obj = sg * model.objective[j] * colScale[j];
      if (constraints[`ub${j}`]) col[`ub${j}`] = 1;
      variables[cn] = col;
      if (v.integer) ints[cn] = 1;
    }
    colsOf.push(cols);
  }
  let constShift = model.objConst ?? 0;
  for (let j = 0; j < nv; j++) constShift += model.objective[j] * shift[j];
  for (let i = 0; i < model.rows.length; i++) {
    const r = model.rows[i];
    if (!Number.isFinite(r.lb) && !Number.isFinite(r.ub)) continue;
    let off = 0;
    let nz = 0;
    for (let t = 0; t < r.idx.length; t++) {
      const c = r.coef[t];
      if (c === 0) continue;
      nz++;
      const j = r.idx[t];
      off += c * shift[j];
      for (const [cn, sg] of colsOf[j]) variables[cn][`r${i}`] = (variables[cn][`r${i}`] ?? 0) + sg * c * colScale[j] * rowScale[i];
    }
    if (nz === 0) {
      if (r.lb > 1e-12 || r.ub < -1e-12) return { status: 'infeasible', objective: Infinity, x: null, timeMs: performance.now() - t0 };
      continue;
    }
    const b: { min?: number; max?: number } = {};
    if (Number.isFinite(r.lb)) b.min = (r.lb - off) * rowScale[i];
    if (Number.isFinite(r.ub)) b.max = (r.ub - off) * rowScale[i];
    constraints[`r${i}`] = b;
  }
  return { shift, colsOf, variables, constraints, ints, constShift };
}

/**
 * The non-negative columns of variable j (sets shift[j] and its bound row). Shifts are integers: javascript-lp-solver
 * rounds its output to the precision grid, and a fractional shift moved values that should be exactly 0 (a pruned
 * weight v_i = 0 with lb_i = -0.2127) off by up to precision / 2, which violates v_i <= hi_i z_i at z_i = 0 and
 * lowered the re-evaluated master value. A fractional bound becomes a row on y instead.
 */
function jslColumns(v: MilpModel['vars'][number], j: number, scale: number, shift: Float64Array, constraints: JslModel['constraints']): Array<[string, number]> {
  if (Number.isFinite(v.lb)) {
    shift[j] = Math.floor(v.lb);
    const b: { min?: number; max?: number } = {};
    if (v.lb > shift[j]) b.min = (v.lb - shift[j]) / scale;
    if (Number.isFinite(v.ub)) b.max = (v.ub - shift[j]) / scale;
    if (b.min !== undefined || b.max !== undefined) constraints[`ub${j}`] = b;
    return [[`y${j}`, 1]];
  }
  if (Number.isFinite(v.ub)) {
    shift[j] = Math.ceil(v.ub);
    if (v.ub < shift[j]) constraints[`ub${j}`] = { min: (shift[j] - v.ub) / scale };
    return [[`y${j}`, -1]];
  }
  return [
    [`p${j}`, 1],
    [`q${j}`, -1],
  ];
}

function jslSolve(runner: JslRunner, model: MilpModel, options: MilpSolveOptions): MilpResult {
  checkModel(model);
  const t0 = performance.now();
  const nv = model.vars.length;
  const limit = options.timeLimitMs !== undefined && Number.isFinite(options.timeLimitMs) ? Math.max(1, options.timeLimitMs) : undefined;
  const ones = { colScale: new Float64Array(nv).fill(1), rowScale: new Float64Array(model.rows.length).fill(1) };
  // Attempts in turn (coarser precision, then the equilibrated model): after a hang, or an 'unbounded' answer
  // (our masters are bounded; it came from pivots below the precision being skipped in the ratio test). A point
  // that fails the feasibility check is an error at once (retrying such LPs cost more time than it saved in our
  // measurements). A 4-variable Kelley master that cycled at both precisions was solved in 40 ms equilibrated.
  const eqAll = options.equilibrate === true;
  const attempts: Array<{ prec: number; eq: boolean }> = JSL_PRECISIONS.map((prec) => ({ prec, eq: eqAll }));
  if (!eqAll) attempts.push({ prec: JSL_PRECISIONS[0], eq: true });
  let last: MilpResult | null = null;
  let failures = 0;
  for (let a = 0; a < attempts.length; a++) {
    const { prec, eq } = attempts[a];
    const remaining = (limit ?? Infinity) - (performance.now() - t0);
    if (remaining <= 0) break;
    // each attempt but the last gets 3/4 of the time left (a long final master, whose branch-and-bound needs
    // ~9 s on pub05, must not be cut at half the limit), so that a retry after a hang still has a chance
    const cap = Math.min(a === attempts.length - 1 ? remaining : 0.75 * remaining, JSL_ATTEMPT_CAP_MS);
    const { colScale, rowScale } = eq ? equilibrate(model) : ones;
    const tr = jslTranslate(model, colScale, rowScale, t0);
    if ('status' in tr) return tr;
    const jm: Record<string, unknown> = { optimize: 'obj', opType: 'min', constraints: tr.constraints, variables: tr.variables, ints: tr.ints, timeout: cap };
    if (options.mipGap !== undefined && options.mipGap > 0) jm.tolerance = options.mipGap;
    const ta = performance.now();
    const ans = runner.run(jm, prec, cap + 50);
    if (ans === null) {
      failures++;
      last = null;
      continue;
    }
    if (!ans.ok) return { status: 'error', objective: NaN, x: null, timeMs: performance.now() - t0, message: `jsl: ${ans.err}` };
    // its own timeout only applies between nodes: treat an answer that used the whole cap as a time limit
    const timedOut = performance.now() - ta >= cap;
    last = jslDecode(model, tr, colScale, ans.res as Record<string, number | boolean | undefined>, prec, timedOut);
    if (last.status === 'error') return { ...last, timeMs: performance.now() - t0 };
    if (last.status === 'unbounded') continue;
    break;
  }
  const timeMs = performance.now() - t0;
  if (!last) return { status: 'time_limit', objective: NaN, x: null, timeMs, message: `jsl did not finish (abandoned after ${failures} attempt(s))` };
  return { ...last, timeMs };
}

/** javascript-lp-solver's answer back in our variables, checked for feasibility (timeMs filled in by the caller). */
function jslDecode(model: MilpModel, tr: JslModel, colScale: Float64Array, out: Record<string, number | boolean | undefined>, prec: number, timedOut: boolean): MilpResult {
  const nv = model.vars.length;
  const x = new Float64Array(nv);
  for (let j = 0; j < nv; j++) {
    let sum = 0;
    for (const [cn, sg] of tr.colsOf[j]) {
      const val = out[cn];
      if (typeof val === 'number') sum += sg * val;
    }
    x[j] = tr.shift[j] + colScale[j] * sum;
  }
  let status: MilpStatus;
  if (out.feasible !== true) status = timedOut ? 'time_limit' : 'infeasible';
  else if (out.bounded === false) status = 'unbounded';
  else if (timedOut) status = 'time_limit';
  else status = 'optimal';
  const feasible = out.feasible === true && out.bounded !== false;
  if (feasible && !pointOk(model, x, 2 * prec, 1e-6, colScale)) return { status: 'error', objective: NaN, x: null, timeMs: 0, message: 'jsl returned an infeasible point' };
  return {
    status,
    objective: feasible ? (out.result as number) + tr.constShift : status === 'infeasible' ? Infinity : NaN,
    x: feasible ? x : null,
    timeMs: 0,
    tolerance: 2 * prec,
  };
}
