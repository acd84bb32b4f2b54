/**
 * A small MILP interface shared by the back ends (glpk.js, javascript-lp-solver) and the outer-approximation
 * solvers. Variables are addressed by index; a row is `lb <= sum coef_j x_{idx_j} <= ub` (either side may be
 * infinite). The objective is always minimised.
 */

export interface MilpVar {
  /** Optional label (used in error messages and LP dumps). */
  name?: string;
  /** Lower bound (may be -Infinity). */
  lb: number;
  /** Upper bound (may be +Infinity). */
  ub: number;
  /** Integer variable (binaries are integers with bounds [0, 1]). */
  integer: boolean;
}

export interface MilpRow {
  name?: string;
  idx: number[];
  coef: number[];
  lb: number;
  ub: number;
}

export interface MilpModel {
  vars: MilpVar[];
  rows: MilpRow[];
  /** Dense objective coefficients (length vars.length); minimised. */
  objective: number[];
  /** Constant added to the objective. */
  objConst?: number;
}

export type MilpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time_limit' | 'error';

export interface MilpSolveOptions {
  /** Wall-clock limit for this one solve, in milliseconds. */
  timeLimitMs?: number;
  /** Relative MIP gap at which the back end may stop (default 0: solve to optimality). */
  mipGap?: number;
  /** jsl only: geometric-mean row/column equilibration before the solve (default off; measured mixed results). */
  equilibrate?: boolean;
}

export interface MilpResult {
  status: MilpStatus;
  /**
   * Objective value (including objConst) reported by the back end for `x`. Only `optimal` results with
   * mipGap = 0 make it (up to the back end's `tolerance`) the optimum of the model.
   */
  objective: number;
  /** Values of all variables (back-end output; integers are not rounded), or null. */
  x: Float64Array | null;
  timeMs: number;
  message?: string;
  /** Tolerance that applies to this result when it differs from the back end's default. */
  tolerance?: number;
}

export interface MilpBackend {
  readonly name: 'glpk' | 'jsl';
  /**
   * Absolute accuracy we assume for an `optimal` objective on a model whose coefficients and objective values
   * are O(1): the amount by which a reported optimum may exceed the true optimum. Callers that turn a master
   * value into a lower bound subtract it (times 1 + |objective|).
   */
  readonly tolerance: number;
  solve(model: MilpModel, options?: MilpSolveOptions): MilpResult;
  /**
   * Optional: solve the LP relaxation (integrality dropped) and return its row duals. Used only as a hint: the
   * safe bound of `safe-bound.ts` is valid for any dual vector, so nothing here needs to be trusted.
   */
  solveLpDuals?(model: MilpModel, options?: MilpSolveOptions): LpDualResult;
}

export interface LpDualResult {
  status: 'optimal' | 'infeasible' | 'other';
  /** Primal point (all variables), or null. */
  x: Float64Array | null;
  /** Row duals (one per model row; 0 for rows the back end dropped), or null. */
  duals: Float64Array | null;
}

/** Objective of `x` in the model, in double. */
export function objectiveAt(model: MilpModel, x: ArrayLike<number>): number {
  let s = model.objConst ?? 0;
  for (let j = 0; j < model.vars.length; j++) if (model.objective[j] !== 0) s += model.objective[j] * x[j];
  return s;
}

/** Largest violation of a variable bound, an integrality requirement or a row by `x`. */
export function maxViolation(model: MilpModel, x: ArrayLike<number>): number {
  let v = 0;
  model.vars.forEach((vr, j) => {
    const xj = x[j];
    v = Math.max(v, vr.lb - xj, xj - vr.ub);
    if (vr.integer) v = Math.max(v, Math.abs(xj - Math.round(xj)));
  });
  for (const r of model.rows) {
    let s = 0;
    for (let t = 0; t < r.idx.length; t++) s += r.coef[t] * x[r.idx[t]];
    v = Math.max(v, r.lb - s, s - r.ub);
  }
  return v;
}

/** Throws on malformed models (bad indices, NaN, lb > ub) before handing them to a back end. */
export function checkModel(model: MilpModel): void {
  const nv = model.vars.length;
  if (model.objective.length !== nv) throw new Error(`MILP model: objective has ${model.objective.length} entries, expected ${nv}`);
  model.vars.forEach((v, j) => {
    if (Number.isNaN(v.lb) || Number.isNaN(v.ub) || v.lb > v.ub) throw new Error(`MILP model: variable ${v.name ?? j} has bounds [${v.lb}, ${v.ub}]`);
    if (!Number.isFinite(model.objective[j])) throw new Error(`MILP model: objective coefficient of ${v.name ?? j} is ${model.objective[j]}`);
  });
  model.rows.forEach((r, i) => {
    if (r.idx.length !== r.coef.length) throw new Error(`MILP model: row ${r.name ?? i} has ${r.idx.length} indices and ${r.coef.length} coefficients`);
    if (Number.isNaN(r.lb) || Number.isNaN(r.ub) || r.lb > r.ub) throw new Error(`MILP model: row ${r.name ?? i} has bounds [${r.lb}, ${r.ub}]`);
    for (let t = 0; t < r.idx.length; t++) {
      const j = r.idx[t];
      if (!Number.isInteger(j) || j < 0 || j >= nv) throw new Error(`MILP model: row ${r.name ?? i} refers to variable ${j}`);
      if (!Number.isFinite(r.coef[t])) throw new Error(`MILP model: row ${r.name ?? i} has coefficient ${r.coef[t]}`);
    }
  });
}
