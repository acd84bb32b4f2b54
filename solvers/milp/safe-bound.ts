/**
 * A lower bound on a MILP's optimum that does not trust the MILP back end: a small depth-first branch and bound whose
 * every node bound is a Neumaier-Shcherbina "safe" LP bound. For ANY row multipliers y (here: the duals an LP solver
 * returns, used only as a hint),
 *
 *   c^T x + c0 >= c0 + sum_r (y_r > 0 ? y_r lb_r : y_r ub_r) + sum_j min(d_j L_j, d_j U_j),   d = c - A^T y,
 *
 * for every x with lb <= A x <= ub and L <= x <= U (y_r is set to 0 where the matching row side is infinite). The sum
 * is evaluated in double and then lowered by a bound on its rounding error, so a node bound is a proof whatever the
 * LP solver did. All variables need finite bounds: the auxiliary (epigraph) variables of the OA masters have lb 0, ub
 * +Infinity and a positive objective weight, so any point whose objective is at most `cap` has
 * x_aux <= (cap - min of the other terms) / c_aux; the search runs on the model with these caps, and its bound is
 * reported as min(bound, cap), which is valid for the uncapped model.
 *
 * Why: GLPK 5.0's MIP presolver (glpk.js always runs glp_intopt with it; without it glp_intopt needs an LP basis
 * and returns GLP_UNDEF) was seen to return a non-optimal point with status GLP_OPT on OA masters, which made
 * prune-oa report a lower bound above the true optimum. The OA solvers therefore take their reported bound from
 * here, with the back end's answer only as the incumbent that lets most nodes be pruned.
 */
import type { LpDualResult, MilpModel, MilpRow, MilpVar } from './model.js';
import { objectiveAt } from './model.js';

const EPS = 2 ** -53;

export interface SafeBoundOptions {
  /** Value of a known feasible point of the model (e.g. the back end's answer re-evaluated): prunes nodes. */
  incumbent: number;
  /** Absolute pruning tolerance: a node whose safe bound is >= incumbent - pruneTol is not explored. */
  pruneTol: number;
  nodeLimit: number;
  /**
   * Optional: a bound that is good enough (e.g. the value that closes the caller's gap). Nodes whose safe bound
   * reaches it are not explored either; the returned bound is then >= min(target, true optimum - tolerance).
   */
  target?: number;
  /** The search stops when it expires (its bound is then the min over the open nodes); also polled while tightening. */
  deadline: { expired(): boolean };
  lp: (m: MilpModel) => LpDualResult;
  /**
   * Optional separation at a node's LP point: rows valid for every point the bound has to cover (e.g. tangent cuts of
   * the convex error at a fractional point), violated at x. They are appended to the model (so they apply at every
   * later node) and the node is solved again; this is an LP/NLP-based branch and bound whose node bounds approach the
   * continuous relaxation's. A bound of the tighter model is a bound of the problem the cuts are valid for.
   */
  separate?: (x: Float64Array) => MilpRow[];
  /** Separation rounds per node (default 3). */
  separateRounds?: number;
}

export interface SafeBoundResult {
  /** Proven lower bound on the model's optimum (-Infinity when nothing could be proven). */
  bound: number;
  /** Best integer point met with a value below `incumbent - pruneTol`, or null. */
  better: Float64Array | null;
  betterValue: number;
  nodes: number;
  /** True when the search finished (no node left open by a limit). */
  complete: boolean;
  /** Rows added by `separate`. */
  separated?: number;
}

/**
 * Safe lower bound of min c^T x + c0 over {L <= x <= U, lb <= A x <= ub} for the multipliers y (rounding included).
 * Returns -Infinity when a bound needed by the formula is infinite.
 */
export function safeLpBound(model: MilpModel, L: ArrayLike<number>, U: ArrayLike<number>, yIn: ArrayLike<number>, dOut?: Float64Array): number {
  const nv = model.vars.length;
  const d = dOut ?? new Float64Array(nv);
  const mag = new Float64Array(nv);
  const cnt = new Float64Array(nv);
  for (let j = 0; j < nv; j++) {
    d[j] = model.objective[j];
    mag[j] = Math.abs(model.objective[j]);
    cnt[j] = 0;
  }
  let rowPart = 0;
  let rowMag = 0;
  for (let i = 0; i < model.rows.length; i++) {
    const r = model.rows[i];
    let y = yIn[i] ?? 0;
    if (!Number.isFinite(y) || (y > 0 && !Number.isFinite(r.lb)) || (y < 0 && !Number.isFinite(r.ub))) y = 0;
    if (y === 0) continue;
    const b = y > 0 ? r.lb : r.ub;
    rowPart += y * b;
    rowMag += Math.abs(y * b);
    for (let t = 0; t < r.idx.length; t++) {
      const j = r.idx[t];
      const p = y * r.coef[t];
      d[j] -= p;
      mag[j] += Math.abs(p);
      cnt[j]++;
    }
  }
  let nr = 0;
  for (const r of model.rows) if (r.idx.length) nr++;
  let varPart = 0;
  let varMag = 0;
  let slack = 0;
  for (let j = 0; j < nv; j++) {
    const dj = d[j];
    // error of d_j: (cnt_j + 2) rounding steps on terms of total magnitude mag_j
    const ej = (cnt[j] + 2) * EPS * mag[j] * 1.01;
    const lo = L[j];
    const hi = U[j];
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      if (dj === 0 && ej === 0) continue;
      return -Infinity;
    }
    const term = Math.min(dj * lo, dj * hi);
    varPart += term;
    varMag += Math.abs(term);
    slack += ej * Math.max(Math.abs(lo), Math.abs(hi));
  }
  const c0 = model.objConst ?? 0;
  const total = c0 + rowPart + varPart;
  slack += 4 * (nv + nr + 4) * EPS * (Math.abs(c0) + rowMag + varMag);
  return total - slack * 1.01;
}

/** Caps on the unbounded-above variables (see the file comment), or null when some variable cannot be capped. */
function capBounds(model: MilpModel, cap: number): { L: Float64Array; U: Float64Array } | null {
  const nv = model.vars.length;
  const L = Float64Array.from(model.vars, (v) => v.lb);
  const U = Float64Array.from(model.vars, (v) => v.ub);
  let minOther = model.objConst ?? 0;
  let minMag = Math.abs(minOther);
  const unb: number[] = [];
  for (let j = 0; j < nv; j++) {
    const c = model.objective[j];
    if (!Number.isFinite(L[j])) return null;
    if (!Number.isFinite(U[j])) {
      if (!(c > 0)) return null;
      unb.push(j);
    }
    if (c === 0) continue;
    const m = c > 0 ? c * L[j] : c * U[j];
    minOther += m;
    minMag += Math.abs(m);
  }
  for (const j of unb) {
    const c = model.objective[j];
    // x_j <= (cap - (minOther - c L_j)) / c, rounded up generously
    const rest = minOther - c * L[j];
    const u = (cap - rest) / c;
    U[j] = Math.max(L[j], u + (4 * (nv + 2) * EPS * (minMag + Math.abs(cap)) + 1e-12 * Math.abs(u)) / c + 1e-300);
  }
  return { L, U };
}

/** Does some row's activity range over the box [L, U] miss its bounds (with a rounding margin)? Proves infeasibility. */
function activityInfeasible(model: MilpModel, L: ArrayLike<number>, U: ArrayLike<number>): boolean {
  for (const r of model.rows) {
    let lo = 0;
    let hi = 0;
    let m = 0;
    for (let t = 0; t < r.idx.length; t++) {
      const a = r.coef[t];
      if (a === 0) continue;
      const p = a * L[r.idx[t]];
      const q = a * U[r.idx[t]];
      lo += Math.min(p, q);
      hi += Math.max(p, q);
      m += Math.max(Math.abs(p), Math.abs(q));
    }
    if (!Number.isFinite(m)) continue;
    const tol = 4 * (r.idx.length + 2) * EPS * (m + Math.abs(Number.isFinite(r.lb) ? r.lb : 0) + Math.abs(Number.isFinite(r.ub) ? r.ub : 0));
    if (lo > r.ub + tol || hi < r.lb - tol) return true;
  }
  return false;
}

/**
 * Proven reduced-cost tightening of the box [L, U] (in place; stopped early, it drops less). For an integer variable with d_j > 0 the part of the
 * box with x_j >= L_j + t + 1 is dropped when the safe bound with the same multipliers over that part reaches `thr`
 * (and symmetrically for d_j < 0); each such bound is computed in full by `safeLpBound`, so nothing rests on the
 * estimate of t. Returns the smallest bound of the dropped parts (Infinity when none was dropped): the caller folds
 * it into its overall bound.
 */
function tighten(
  model: MilpModel,
  L: Float64Array,
  U: Float64Array,
  y: ArrayLike<number>,
  d: Float64Array,
  own: number,
  thr: number,
  stop: { expired(): boolean },
): number {
  let dropped = Infinity;
  const room = thr - own;
  if (!(room > 0) || !Number.isFinite(room)) return dropped;
  for (let j = 0; j < model.vars.length; j++) {
    // optional work (each test is a full safe bound): stop when the search's time is up
    if ((j & 31) === 31 && stop.expired()) break;
    if (!model.vars[j].integer || !(L[j] < U[j])) continue;
    const dj = d[j];
    if (dj > 0) {
      const t = Math.floor(room / dj);
      if (!(L[j] + t < U[j])) continue;
      const keepU = L[j] + t;
      const oldL = L[j];
      L[j] = keepU + 1;
      const vb = safeLpBound(model, L, U, y);
      L[j] = oldL;
      if (vb >= thr) {
        U[j] = keepU;
        dropped = Math.min(dropped, vb);
      }
    } else if (dj < 0) {
      const t = Math.floor(room / -dj);
      if (!(U[j] - t > L[j])) continue;
      const keepL = U[j] - t;
      const oldU = U[j];
      U[j] = keepL - 1;
      const vb = safeLpBound(model, L, U, y);
      U[j] = oldU;
      if (vb >= thr) {
        L[j] = keepL;
        dropped = Math.min(dropped, vb);
      }
    }
  }
  return dropped;
}

function integral(vars: MilpVar[], x: ArrayLike<number>): number {
  // index of the most fractional integer variable, or -1
  let best = -1;
  let bf = 1e-9;
  for (let j = 0; j < vars.length; j++) {
    if (!vars[j].integer) continue;
    const f = Math.abs(x[j] - Math.round(x[j]));
    if (f > bf) {
      bf = f;
      best = j;
    }
  }
  return best;
}

/** Proven lower bound on the optimum of `model` (a minimisation MILP), see the file comment. */
export function safeMilpBound(model: MilpModel, opts: SafeBoundOptions): SafeBoundResult {
  const cap = opts.incumbent;
  const caps = Number.isFinite(cap) ? capBounds(model, cap) : null;
  if (!caps) return { bound: -Infinity, better: null, betterValue: Infinity, nodes: 0, complete: false };
  const { L: L0, U: U0 } = caps;
  const feas: MilpModel = { ...model, objective: model.objective.map(() => 0), objConst: 0 };
  let incumbent = cap;
  let better: Float64Array | null = null;
  let betterValue = Infinity;
  type Node = { L: Float64Array; U: Float64Array; parent: number; rounds?: number };
  const stack: Node[] = [{ L: L0, U: U0, parent: -Infinity }];
  const maxRounds = opts.separateRounds ?? 3;
  let separated = 0;
  let bound = Infinity;
  let nodes = 0;
  let complete = true;
  const dBuf = new Float64Array(model.vars.length);
  while (stack.length > 0) {
    if (nodes >= opts.nodeLimit || opts.deadline.expired()) {
      complete = false;
      for (const nd of stack) bound = Math.min(bound, nd.parent);
      break;
    }
    const nd = stack.pop() as Node;
    nodes++;
    // the LP runs without the caps (a capped node can be infeasible only because its optimum exceeds the cap);
    // the safe formula below uses them
    const sub: MilpModel = { ...model, rows: model.rows, vars: model.vars.map((v, j) => ({ ...v, lb: nd.L[j], ub: Number.isFinite(v.ub) ? nd.U[j] : v.ub })) };
    if (activityInfeasible(model, nd.L, nd.U)) continue; // the node holds no point: no bound needed
    const lp = opts.lp(sub);
    let own = lp.duals ? safeLpBound(model, nd.L, nd.U, lp.duals, dBuf) : -Infinity;
    if (lp.status !== 'optimal' && lp.duals && safeLpBound(feas, nd.L, nd.U, lp.duals) > 0) {
      // Farkas: the multipliers prove 0 >= (positive number) on the node, so it holds no point
      own = Infinity;
    }
    const nb = Math.max(nd.parent, own);
    const thr = Math.min(incumbent - opts.pruneTol, opts.target ?? Infinity);
    if (nb >= thr) {
      bound = Math.min(bound, nb);
      continue;
    }
    let j = -1;
    if (lp.status === 'optimal' && lp.x && opts.separate && (nd.rounds ?? 0) < maxRounds) {
      const rows = opts.separate(lp.x);
      if (rows.length > 0) {
        for (const r of rows) model.rows.push(r);
        separated += rows.length;
        stack.push({ L: nd.L, U: nd.U, parent: nb, rounds: (nd.rounds ?? 0) + 1 });
        continue;
      }
    }
    if (lp.status === 'optimal' && lp.x) {
      j = integral(model.vars, lp.x);
      if (j < 0) {
        // integral LP optimum: the node is solved; its point is feasible for the master
        bound = Math.min(bound, nb);
        const x = Float64Array.from(lp.x);
        model.vars.forEach((v, k) => {
          if (v.integer) x[k] = Math.round(x[k]);
        });
        const val = objectiveAt(model, x);
        if (val < betterValue) {
          betterValue = val;
          better = x;
        }
        if (val < incumbent) incumbent = val;
        continue;
      }
    } else {
      // no LP answer to branch on: branch on the first integer variable that is not fixed
      j = model.vars.findIndex((v, k) => v.integer && nd.L[k] < nd.U[k]);
      if (j < 0) {
        bound = Math.min(bound, nb);
        complete = complete && Number.isFinite(nb);
        continue;
      }
    }
    if (lp.duals && Number.isFinite(own)) {
      bound = Math.min(bound, tighten(model, nd.L, nd.U, lp.duals, dBuf, own, thr, opts.deadline));
      if (!(nd.L[j] < nd.U[j])) {
        // the branching variable got fixed: solve the node again on the smaller box
        stack.push({ L: nd.L, U: nd.U, parent: nb });
        continue;
      }
    }
    const xj = lp.x ? lp.x[j] : (nd.L[j] + nd.U[j]) / 2;
    const fl = Math.max(nd.L[j], Math.min(nd.U[j] - 1, Math.floor(xj)));
    const down: Node = { L: Float64Array.from(nd.L), U: Float64Array.from(nd.U), parent: nb };
    down.U[j] = fl;
    const up: Node = { L: Float64Array.from(nd.L), U: Float64Array.from(nd.U), parent: nb };
    up.L[j] = fl + 1;
    // explore the nearer side first (pushed last)
    if (xj - fl > 0.5) stack.push(down, up);
    else stack.push(up, down);
  }
  return { bound: Math.min(bound, cap), better, betterValue, nodes, complete, separated };
}
