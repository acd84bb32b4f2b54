/**
 * `nm-exact`: branch-and-bound over the per-group choices of a structured (N:M or block) pattern.
 *
 * A node has decided some units (groups / blocks) and excluded the set E; its value err(E) (all undecided inputs
 * kept and re-fitted freely) is exact and monotone, so it bounds every completion. With G positive definite
 * (after dropping dead inputs) the Schur complement of G^-1 and the compensated weights are carried down the
 * tree (`SchurState`: one rank-one update per excluded input), and every option's increment
 * rho_T^T [Hc_TT]^-1 rho_T is exact. Look-ahead for the undecided units (T = what they will exclude):
 *   (mono) monotonicity: err(E ∪ T) >= err(E ∪ T_u) for any unit u => + max_u min_option increment(u)
 *          (block: the R-th smallest block increment, R = drops still needed);
 *   (scaled) Hc_TT <= lam diag(Hc_TT), lam >= lambda_max of the unit-diagonal scaling of Hc on the undecided
 *          inputs (Gershgorin) => + (1/lam) * sum over units of the smallest sum of rho_j^2 / Hc_jj an option takes.
 * Singular G: the same tree with each value recomputed by a refit (slow, exact). Leaves are re-fitted exactly
 * (box-aware: tree values are free values, a valid bound for any box). Limits: the reported bound is the
 * minimum over pruned and open nodes, reduced by a numerical margin and rounded down.
 */
import { errorOf } from '../../src/core/objective.js';
import { Deadline, safeLowerBound } from '../../src/core/result.js';
import type { StructuredSolver } from '../../src/core/solver.js';
import type { SolveStatus, StructuredPruningProblem } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';
import { refitFree } from '../pruning/common.js';
import { isStructuredFeasible } from '../../src/core/objective.js';
import { structuredRefit, structuredResult, treeSearchSolver, validateStructuredProblem } from './common.js';
import { magnitudeStructuredSupport, obsStructuredSupport } from './heuristics.js';
import { buildModel, keptSupport, type StructuredModel } from './model.js';
import { SchurState } from './schur.js';

export const NM_BOUND_SLACK = 1e-10;

export interface NmTreeReport {
  v: Float64Array;
  lowerBound: number;
  status: SolveStatus;
  nodes: number;
  rootBound: number;
  heuristicError: number;
  path: 'trivial' | 'fast' | 'generic';
}

/** Value oracle of the tree: the fast Schur state, or refits (singular G). */
interface Evaluator {
  cur(): number;
  inc(T: number[]): number;
  /** (1/lam) factor for the scaled look-ahead over the undecided inputs (0 = unavailable). */
  invLambda(idx: number[]): number;
  single(j: number): number;
  push(T: number[]): void;
  pop(): void;
}

function fastEvaluator(H: Float64Array, w: Float64Array, m: number, depth: number): Evaluator {
  const stack: SchurState[] = [new SchurState(H, w, m)];
  for (let d = 1; d <= depth; d++) stack.push(stack[0].clone());
  let top = 0;
  return {
    cur: () => stack[top].cur,
    inc: (T) => stack[top].inc(T),
    single: (j) => stack[top].single(j),
    invLambda: (idx) => {
      const lam = stack[top].lambdaBound(idx);
      return Number.isFinite(lam) && lam > 0 ? 1 / lam : 0;
    },
    push: (T) => {
      stack[top + 1].copyFrom(stack[top]);
      top++;
      stack[top].excludeAll(T);
    },
    pop: () => {
      top--;
    },
  };
}

function genericEvaluator(model: StructuredModel): Evaluator {
  const { red } = model;
  const m = red.n;
  const excl = new Uint8Array(m);
  const hist: number[][] = [];
  const value = (extra: number[] = []): number => {
    for (const j of extra) excl[j]++;
    const S: number[] = [];
    for (let a = 0; a < m; a++) if (!excl[a]) S.push(a);
    for (const j of extra) excl[j]--;
    return errorOf(red.problem.objective, refitFree(red.G, m, red.b, S));
  };
  const vals: number[] = [value()];
  return {
    cur: () => vals[vals.length - 1],
    inc: (T) => Math.max(0, value(T) - vals[vals.length - 1]),
    single: () => 0,
    invLambda: () => 0,
    push: (T) => {
      for (const j of T) excl[j]++;
      hist.push(T);
      vals.push(value());
    },
    pop: () => {
      for (const j of hist.pop()!) excl[j]--;
      vals.pop();
    },
  };
}

/** Phase 1: the incumbent, best of the heuristics (magnitude, OBS) and the caller's point (refitted). */
function heuristicIncumbent(p: StructuredPruningProblem, model: StructuredModel, incumbent?: Float64Array): { v: Float64Array | null; err: number } {
  const N = p.objective.n;
  let bestV: Float64Array | null = null;
  let UB = Infinity;
  const consider = (S: number[]): void => {
    const r = structuredRefit(p, S);
    if (isStructuredFeasible(p, r.v) && r.err < UB) {
      UB = r.err;
      bestV = r.v;
    }
  };
  consider(magnitudeStructuredSupport(p));
  consider(obsStructuredSupport(p, model));
  if (incumbent && incumbent.length === N && isStructuredFeasible(p, incumbent)) {
    const S: number[] = [];
    for (let i = 0; i < N; i++) if (incumbent[i] !== 0) S.push(i);
    consider(S);
  }
  return { v: bestV, err: UB };
}

/** Phase 2: the value oracle (Schur state when G is positive definite, else refits) and the numerical margin delta. */
function valueOracle(model: StructuredModel): { ev: Evaluator; delta: number; pd: boolean } {
  const { red, units } = model;
  const m = red.n;
  let maxDiag = 0;
  for (let i = 0; i < m; i++) maxDiag = Math.max(maxDiag, red.G[i * m + i]);
  const Lg = Float64Array.from(red.G);
  const pd = choleskyInPlace(Lg, m, 1e-9 * maxDiag) < 0;
  let minPiv = Infinity;
  if (pd) for (let j = 0; j < m; j++) minPiv = Math.min(minPiv, Lg[j * m + j] * Lg[j * m + j]);
  const delta = pd ? Math.max(1e-10, Math.min(1e-6, 1e3 * (maxDiag / minPiv) * 2 ** -53)) : 1e-10;
  const ev = pd ? fastEvaluator(cholInverse(Lg, m), red.w, m, units.length + 1) : genericEvaluator(model);
  return { ev, delta, pd };
}

/** The tree's state: decided units, excluded inputs, incumbent, counters; phases `evaluate`, `leaf`, `descend`, `finish`. */
class NmSearch {
  readonly decided: Uint8Array;
  readonly excluded: Uint8Array;
  readonly relTol: number;
  readonly absTol: number;
  readonly nodeLimit: number;
  nodes = 0;
  minPruned = Infinity;
  openMin = Infinity;
  stopped: SolveStatus | null = null;
  rootBound = NaN;

  constructor(
    readonly p: StructuredPruningProblem,
    readonly model: StructuredModel,
    readonly ev: Evaluator,
    readonly delta: number,
    readonly deadline: Deadline,
    public bestV: Float64Array | null,
    public UB: number,
    opts: { nodeLimit?: number; relGapTol?: number },
  ) {
    this.relTol = opts.relGapTol ?? DEFAULT_REL_GAP_TOL;
    this.absTol = 1e-14 * p.objective.r;
    this.nodeLimit = opts.nodeLimit ?? Infinity;
    this.decided = new Uint8Array(model.units.length);
    this.excluded = new Uint8Array(model.red.n);
  }

  cut(): number {
    if (this.UB === Infinity) return Infinity;
    const t = this.UB - Math.max(this.relTol * this.UB, this.absTol);
    return t + this.delta * Math.abs(t);
  }

  /** Bound of the current node (exact value + look-ahead) and the unit to branch on (with its options' increments). */
  evaluate(needDrops: number): { bound: number; unit: number; incs: number[] } {
    const { ev, model, decided } = this;
    const units = model.units;
    const cur = ev.cur();
    let mono = 0;
    let sumE = 0;
    let unit = -1;
    let unitKey = -Infinity;
    let unitIncs: number[] = [];
    const undecidedIdx: number[] = [];
    const dropIncs: number[] = [];
    const dropE: number[] = [];
    for (let u = 0; u < units.length; u++) {
      if (decided[u]) continue;
      const U = units[u];
      for (const j of U.coords) undecidedIdx.push(j);
      const incs = U.options.map((T) => ev.inc(T));
      if (model.kind === 'nm') {
        let mi = Infinity;
        let me = Infinity;
        for (let o = 0; o < U.options.length; o++) {
          mi = Math.min(mi, incs[o]);
          let e = 0;
          for (const j of U.options[o]) e += ev.single(j);
          me = Math.min(me, e);
        }
        mono = Math.max(mono, mi);
        sumE += me;
        if (mi > unitKey) {
          unitKey = mi;
          unit = u;
          unitIncs = incs;
        }
      } else {
        dropIncs.push(incs[1]);
        let e = 0;
        for (const j of U.coords) e += ev.single(j);
        dropE.push(e);
        if (incs[1] > unitKey) {
          unitKey = incs[1];
          unit = u;
          unitIncs = incs;
        }
      }
    }
    if (model.kind === 'block' && needDrops > 0) {
      dropIncs.sort((a, b) => a - b);
      dropE.sort((a, b) => a - b);
      mono = dropIncs[needDrops - 1];
      for (let t = 0; t < needDrops; t++) sumE += dropE[t];
    }
    const il = ev.invLambda(undecidedIdx);
    return { bound: cur + Math.max(mono, il * sumE), unit, incs: unitIncs };
  }

  /** Every unit decided: the exact (box-aware) refit of the kept support. */
  leaf(): void {
    const cur = this.ev.cur();
    if (!(cur < this.cut())) {
      this.minPruned = Math.min(this.minPruned, cur);
      return;
    }
    const r = structuredRefit(this.p, keptSupport(this.model, this.excluded));
    if (r.err < this.UB && isStructuredFeasible(this.p, r.v)) {
      this.UB = r.err;
      this.bestV = r.v;
    }
    this.minPruned = Math.min(this.minPruned, r.lb);
  }

  /** A node: limits, bound, then the branched unit's options in increasing increment. */
  descend(needDrops: number, undecidedCount: number, parentBound: number): void {
    const { model, ev } = this;
    this.nodes++;
    if (this.nodes > this.nodeLimit) this.stopped = 'node_limit';
    else if ((this.nodes & 63) === 0 && this.deadline.expired()) this.stopped = 'time_limit';
    if (this.stopped) {
      this.openMin = Math.min(this.openMin, parentBound);
      return;
    }
    if (undecidedCount === 0 || (model.kind === 'block' && needDrops === 0)) return this.leaf();
    const { bound: b0, unit, incs } = this.evaluate(needDrops);
    const bound = Math.max(b0, parentBound);
    if (Number.isNaN(this.rootBound)) this.rootBound = bound;
    if (!(bound < this.cut())) {
      this.minPruned = Math.min(this.minPruned, bound);
      return;
    }
    const U = model.units[unit];
    const order = incs.map((v, o) => o).sort((a, b) => incs[a] - incs[b] || a - b);
    this.decided[unit] = 1;
    for (let t = 0; t < order.length; t++) {
      const o = order[t];
      const drops = model.kind === 'block' ? U.drop[o] : 0;
      if (model.kind === 'block') {
        if (drops === 1 && needDrops === 0) continue;
        if (drops === 0 && undecidedCount - 1 < needDrops) continue;
      }
      const childLB = Math.max(bound, ev.cur() + incs[o]);
      if (this.stopped) {
        this.openMin = Math.min(this.openMin, childLB);
        continue;
      }
      if (!(childLB < this.cut())) {
        this.minPruned = Math.min(this.minPruned, childLB);
        continue;
      }
      const T = U.options[o];
      for (const j of T) this.excluded[j] = 1;
      ev.push(T);
      this.descend(needDrops - drops, undecidedCount - 1, childLB);
      ev.pop();
      for (const j of T) this.excluded[j] = 0;
    }
    this.decided[unit] = 0;
  }

  /** Phase 4: the reported bound (min over pruned and open nodes, less the margin, rounded down) and the status. */
  finish(heuristicError: number, pd: boolean): NmTreeReport {
    const { p, delta } = this;
    const v = this.bestV ?? structuredRefit(p, magnitudeStructuredSupport(p)).v;
    const ub = errorOf(p.objective, v);
    const shrink = (x: number): number => (Number.isFinite(x) ? x - delta * Math.abs(x) : x);
    const lowerBound = safeLowerBound(Math.min(ub, shrink(this.minPruned), shrink(this.openMin)), NM_BOUND_SLACK);
    let status: SolveStatus = this.stopped ?? 'optimal';
    if (status === 'optimal' && !(ub - lowerBound <= Math.max(this.relTol * ub, this.absTol) + 2 * NM_BOUND_SLACK * ub + 1e-13 * p.objective.r)) status = 'numerical_failure';
    const rootBound = Number.isNaN(this.rootBound) ? 0 : this.rootBound;
    return { v, lowerBound, status, nodes: this.nodes, rootBound, heuristicError, path: pd ? 'fast' : 'generic' };
  }
}

/** Branch-and-bound over the units (see the file header): incumbent, value oracle, the tree, the report. */
export function nmBranchAndBound(
  p: StructuredPruningProblem,
  opts: { timeLimitMs?: number; nodeLimit?: number; relGapTol?: number; incumbent?: Float64Array; rootOnly?: boolean } = {},
): NmTreeReport {
  const deadline = new Deadline(opts.timeLimitMs);
  const model = buildModel(p);
  const inc = heuristicIncumbent(p, model, opts.incumbent);
  if (model.units.length === 0) {
    // the pattern leaves every live input free: the full refit (box-aware) is optimal
    const r = structuredRefit(p, keptSupport(model, new Uint8Array(model.red.n)));
    return { v: r.v, lowerBound: safeLowerBound(r.lb, NM_BOUND_SLACK), status: 'optimal', nodes: 0, rootBound: r.lb, heuristicError: r.err, path: 'trivial' };
  }
  const { ev, delta, pd } = valueOracle(model);
  const st = new NmSearch(p, model, ev, delta, deadline, inc.v, inc.err, opts);
  st.descend(model.needDrops, model.units.length, 0);
  return st.finish(inc.err, pd);
}

export const nmExactSolver: StructuredSolver = treeSearchSolver<StructuredPruningProblem, StructuredSolver>({
  name: 'nm-exact',
  problemClass: 'structured',
  description: 'Structured (N:M / block) pruning, exact: branch-and-bound over per-group patterns with incremental Schur complements and look-ahead bounds',
  validate: validateStructuredProblem,
  run(problem, limits, start) {
    const rep = nmBranchAndBound(problem, limits);
    return structuredResult({
      solver: 'nm-exact',
      problem,
      v: rep.v,
      lowerBound: rep.lowerBound,
      status: rep.status,
      start,
      nodes: rep.nodes,
      // `optimal` allows the rounding slack 2 NM_BOUND_SLACK on top of relGapTol (nmBranchAndBound): state that tolerance
      extraStats: { heuristicError: rep.heuristicError, rootBound: rep.rootBound, relGapTol: (limits.relGapTol ?? DEFAULT_REL_GAP_TOL) + 2 * NM_BOUND_SLACK },
      certificate: { type: 'nm-bnb', path: rep.path, nodes: rep.nodes },
      ...(rep.status === 'optimal' ? {} : { message: `stopped (${rep.status}); lower bound = min over open and pruned nodes` }),
    });
  },
});
