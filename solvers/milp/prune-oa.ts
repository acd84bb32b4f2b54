/**
 * prune-oa: outer approximation for min (w - v)^T G (w - v) s.t. ||v||_0 <= k (and lo <= v_i <= hi on kept weights).
 *
 * Two formulations, both with a diagonal split G = (G - D) + D, D = diag(d) >= 0, G - D PSD (checked by Cholesky):
 *
 * - 'perspective' (no box, G positive definite on its live coordinates): binary mask z only, no big-M. The cut
 *   function is the perspective relaxation
 *     phi(z) = min_v (w-v)^T (G-D) (w-v) + sum_i d_i (w_i^2 - 2 w_i v_i + v_i^2 / z_i),
 *   convex on [0,1]^n and equal to the best error on the support of z at binary z; its gradient is
 *   d phi / d z_i = -d_i t_i^2 with t = w + (G - D)(w - v) / d. Master: min t s.t. t >= tangents of phi, sum z <= k.
 *
 * - 'bigm' (box given, or G singular): mask z and weights v with lo_i z_i <= v_i <= hi_i z_i, sum z <= k,
 *   objective eta + sum_i d_i (w_i^2 - 2 w_i v_i + s_i), eta >= tangents of (w-v)^T (G-D) (w-v) and
 *   s_i >= 2 a v_i - a^2 z_i (tangents of the perspective v_i^2 / z_i), at the exact refit of each visited support
 *   (Duran-Grossmann OA, finite). Without a box, M_i is derived: some optimal solution is a basic least-squares fit
 *   v_S' = G_S'S'^-1 (Gw)_S' on a support S' with G_S'S' nonsingular, so |v_i| <= sqrt(r [G_S'S'^-1]_ii) (Cauchy-Schwarz,
 *   r = w^T G w), and [G_S'S'^-1]_ii only grows when S' grows; M_i is the max over the independent supports of size
 *   min(k, rank), enumerated (refused above `maxMSupports` supports: give the problem a box then).
 */
import { PvqInputError } from '../../src/core/errors.js';
import { errorOf } from '../../src/core/objective.js';
import { Deadline, makeResult, safeLowerBound } from '../../src/core/result.js';
import { resolveExtras } from '../../src/core/options.js';
import type { PruningProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { cholesky, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { loadMilpBackend } from './backends.js';
import type { SideConstraint } from './common.js';
import { PRUNE_OA_OPTIONS, backendOption, checkObjective, diagonalSplit, parseSideConstraints, satisfiesSide, sideRows } from './common.js';
import { boxRefitOnSupport, gramTimes, refitOnSupport } from './ls.js';
import type { MilpModel, MilpRow, MilpVar } from './model.js';
import type { EpiCut, OaCandidate, OaIterationInfo, OaSpec } from './oa.js';
import { finishOa, quadForm, runOaSolver, timeLimitResult } from './oa-solver.js';
import { relGapTolOf } from './oa.js';
import { fits, splitCostMs } from './budget.js';

export interface PruneOaExtra {
  backend?: 'glpk' | 'jsl';
  sideConstraints?: SideConstraint[];
  onIteration?: (info: OaIterationInfo) => void;
  /** Force a formulation ('perspective' needs no box and G positive definite on its live coordinates). */
  formulation?: 'perspective' | 'bigm';
  absGapTol?: number;
  lpWarmupRounds?: number;
  /** Largest number of supports enumerated to derive big-M values for singular G without a box (default 50000). */
  maxMSupports?: number;
}

const EPS = 2 ** -53;

function checkPrune(p: PruningProblem): number {
  checkObjective(p.objective);
  if (!Number.isInteger(p.k) || p.k < 0) throw new PvqInputError('k', `expected an integer >= 0, got ${p.k}`);
  if (p.box !== null && p.box !== undefined) {
    const b = p.box;
    if (!Array.isArray(b) || b.length !== 2 || !Number.isFinite(b[0]) || !Number.isFinite(b[1]))
      throw new PvqInputError('box', 'expected [lo, hi] with finite numbers, or null');
    // Known limitation: with lo > 0 or hi < 0 the OA bounds stay valid but the iteration was seen to stall short of
    // the optimum, so such boxes are refused here; prune-exact and prune-bound handle them.
    if (b[0] > 0 || b[1] < 0)
      throw new PvqInputError('box', `prune-oa does not support a box that excludes 0 ([${b[0]}, ${b[1]}]); use prune-exact or prune-bound`);
  }
  return Math.min(p.k, p.objective.n);
}

function binom(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}

/** Derived per-coordinate |v_i| bounds for the no-box problem with singular G (see the file comment). */
export function derivedBigM(G: Float64Array, n: number, r: number, k: number, maxSupports: number): Float64Array {
  const live: number[] = [];
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    if (G[i * n + i] > 0) live.push(i);
    maxDiag = Math.max(maxDiag, G[i * n + i]);
  }
  const M = new Float64Array(n);
  const nl = live.length;
  // rank of G_live: size of the largest independent set found greedily by pivoted Cholesky is enough as q's cap
  const q0 = Math.min(k, nl);
  let q = q0;
  // shrink q until some independent subset of size q exists (q = min(k, rank))
  const minPivot = 1e-13 * maxDiag;
  const count = binom(nl, q);
  if (count > maxSupports)
    throw new PvqInputError(
      'box',
      `prune-oa: G is singular and there is no box; deriving big-M values would enumerate ${count} supports (> maxMSupports = ${maxSupports}); give the problem a box`,
    );
  for (;;) {
    let found = false;
    const idx = new Int32Array(q);
    for (let i = 0; i < q; i++) idx[i] = i;
    const A = new Float64Array(q * q);
    for (;;) {
      for (let a = 0; a < q; a++) for (let c = 0; c < q; c++) A[a * q + c] = G[live[idx[a]] * n + live[idx[c]]];
      const L = cholesky(A, q, minPivot);
      if (L) {
        found = true;
        const inv = cholInverse(L, q);
        for (let a = 0; a < q; a++) {
          const m = Math.sqrt(r * inv[a * q + a]);
          if (m > M[live[idx[a]]]) M[live[idx[a]]] = m;
        }
      }
      // next combination
      let p = q - 1;
      while (p >= 0 && idx[p] === nl - q + p) p--;
      if (p < 0) break;
      idx[p]++;
      for (let j = p + 1; j < q; j++) idx[j] = idx[j - 1] + 1;
    }
    if (found || q <= 1) break;
    q--; // rank(G_live) < q: every support of size q is singular
  }
  for (let i = 0; i < n; i++) M[i] = M[i] * (1 + 1e-6) + 1e-300;
  return M;
}

const NAME = 'prune-oa';

export async function solvePruneOa(problem: PruningProblem, options: SolveOptions = {}): Promise<SolveResult> {
  const t0 = performance.now();
  const deadline = new Deadline(options.timeLimitMs);
  const k = checkPrune(problem);
  const ex = resolveExtras(PRUNE_OA_OPTIONS, options.extra, NAME);
  const hasSide = ex.sideConstraints !== undefined && ex.sideConstraints.length > 0;
  // The proven (safe) master bound does not model side constraints on the mask yet: with them the search
  // did not terminate within its limits. Refuse rather than hang or report an unproven bound.
  if (hasSide)
    throw new PvqInputError('extra.sideConstraints', 'prune-oa does not support side constraints in this version (its proven master bound does not model them yet)');
  if (k === 0 && !hasSide) return keepNothing(problem, t0);
  const backendName = backendOption(options);
  const obj = problem.objective;
  const side = parseSideConstraints(ex.sideConstraints, obj.n);
  const backend = await loadMilpBackend(backendName);
  const rep = { solver: NAME, problemName: problem.name, problemClass: 'pruning' as const, backend: backendName, t0, nSide: side.length, errorOfSolution: (v: Float64Array) => errorOf(obj, v) };
  const pf = pruneFormulation(problem, k, side, ex.formulation, ex.maxMSupports, backendName, deadline);
  if (typeof pf === 'string') return timeLimitResult({ ...rep, d: new Float64Array(obj.n) }, [clampedStart(problem, k, side)], pf, relGapTolOf(options));
  const out = await runOaSolver(NAME, pruneSpec(pf, options.incumbent), options, backend, obj.r, obj.n, deadline);
  const note = [`formulation ${pf.mode}`, pf.mNote].filter(Boolean).join('; ');
  const res = finishOa({ ...rep, d: pf.d, extraMessage: note }, out);
  (res.certificate as Record<string, unknown> | undefined) && Object.assign(res.certificate as object, { formulation: pf.mode });
  return res;
}

/** k = 0: the only feasible point is v = 0, and its error r is the optimum (rounded down by its evaluation error). */
function keepNothing(problem: PruningProblem, t0: number): SolveResult {
  const v = new Float64Array(problem.objective.n);
  const e = errorOf(problem.objective, v);
  return makeResult({
    solver: NAME,
    problem: problem.name,
    problemClass: 'pruning',
    lowerBound: safeLowerBound(e, 4 * (problem.objective.n + 2) * 2 ** -53),
    upperBound: e,
    solution: v,
    status: 'optimal',
    stats: { timeMs: performance.now() - t0, iterations: 0 },
    message: 'k = 0: nothing can be kept',
  });
}

/** The pruning problem as the OA sees it: data, split, formulation and the per-coordinate bounds of v. */
interface PruneForm {
  problem: PruningProblem;
  n: number;
  k: number;
  w: Float64Array;
  G: Float64Array;
  r: number;
  /** b = G w. */
  b: Float64Array;
  live: boolean[];
  liveIdx: number[];
  side: SideConstraint[];
  /** The split d and Hm = G - diag(d). */
  d: Float64Array;
  Hm: Float64Array;
  mode: 'perspective' | 'bigm';
  /** Bounds of v_i on kept coordinates: the box, derived big-M values, or +-Infinity (perspective). */
  lo: Float64Array;
  hi: Float64Array;
  boxed: boolean;
  mNote?: string;
}

/** Phase 1: the data, the split, the formulation and the bounds of v; under a time limit, why the split does not fit. */
function pruneFormulation(
  problem: PruningProblem,
  k: number,
  side: SideConstraint[],
  forced: 'perspective' | 'bigm' | undefined,
  maxMSupports: number,
  backendName: string,
  deadline: Deadline,
): PruneForm | string {
  const { n, G, w, r } = problem.objective;
  const b = gramTimes(G, n, w);
  const live: boolean[] = [];
  for (let i = 0; i < n; i++) live.push(G[i * n + i] > 0);
  const liveIdx = live.flatMap((l, i) => (l ? [i] : []));
  const predicted = splitCostMs(liveIdx.length);
  if (!fits(deadline, predicted)) return `the diagonal split (about ${(predicted / 1000).toFixed(1)} s here) does not fit`;
  const d = diagonalSplit(G, n);
  const pd = liveIdx.every((i) => d[i] > 0);
  if (forced === 'perspective' && (problem.box || !pd))
    throw new PvqInputError('formulation', "'perspective' needs no box and G positive definite on its live coordinates");
  // javascript-lp-solver's simplex stalls on the dense perspective masters; it does well on the big-M form.
  const mode: 'perspective' | 'bigm' = forced ?? (problem.box === null && pd && backendName === 'glpk' ? 'perspective' : 'bigm');
  const Hm = Float64Array.from(G);
  for (let i = 0; i < n; i++) Hm[i * n + i] -= d[i];
  const bounds = vBounds(problem, k, mode, pd, d, maxMSupports);
  return { problem, n, k, w: w as Float64Array, G, r, b, live, liveIdx, side, d, Hm, mode, ...bounds };
}

/** Bounds of v_i on kept coordinates: the box; big-M values (see the file comment); none for the perspective form. */
function vBounds(
  problem: PruningProblem,
  k: number,
  mode: 'perspective' | 'bigm',
  pd: boolean,
  d: Float64Array,
  maxMSupports: number,
): { lo: Float64Array; hi: Float64Array; boxed: boolean; mNote?: string } {
  const { n, G, r } = problem.objective;
  if (problem.box) return { lo: new Float64Array(n).fill(problem.box[0]), hi: new Float64Array(n).fill(problem.box[1]), boxed: true };
  if (mode === 'bigm' && pd) {
    // G - D PSD (Cholesky-checked) gives G_SS >= D_SS, so [G_SS^-1]_ii <= 1/d_i for every support S
    const M = new Float64Array(n);
    for (let i = 0; i < n; i++) M[i] = d[i] > 0 ? Math.sqrt(r / d[i]) * (1 + 1e-9) : 0;
    return { lo: M.map((m) => -m), hi: M, boxed: false, mNote: 'big-M M_i = sqrt(r / d_i) from the Cholesky-checked split G - D >= 0' };
  }
  if (mode === 'bigm') {
    const M = derivedBigM(G, n, r, k, maxMSupports);
    return { lo: M.map((m) => -m), hi: M, boxed: false, mNote: 'big-M derived from |v_i| <= sqrt(r [G_SS^-1]_ii) over independent supports' };
  }
  return { lo: new Float64Array(n).fill(-Infinity), hi: new Float64Array(n).fill(Infinity), boxed: false };
}

/** The exact refit on support S (live coordinates only; box-constrained when there is a box). */
function refit(pf: PruneForm, S: number[]): Float64Array {
  const Sl = S.filter((i) => pf.live[i]);
  if (pf.boxed) return boxRefitOnSupport(pf.G, pf.n, pf.b, Sl, pf.lo, pf.hi).v;
  return refitOnSupport(pf.G, pf.n, pf.b, Sl);
}

function candidateOf(pf: PruneForm, S: number[]): OaCandidate & { v: Float64Array } {
  const v = refit(pf, S);
  return { value: errorOf(pf.problem.objective, v), solution: v, v };
}

function supportOfMask(n: number, x: ArrayLike<number>): number[] {
  const S: number[] = [];
  for (let i = 0; i < n; i++) if (x[i] > 0.5) S.push(i);
  return S;
}

function maskOf(n: number, S: number[]): Float64Array {
  const z = new Float64Array(n);
  for (const i of S) z[i] = 1;
  return z;
}

/** The k largest |w_i| sqrt(G_ii) among the live coordinates (sorted). */
function topSupport(w: ArrayLike<number>, G: Float64Array, n: number, liveIdx: number[], k: number): number[] {
  const order = liveIdx.slice().sort((a, c) => Math.abs(w[c]) * Math.sqrt(G[c * n + c]) - Math.abs(w[a]) * Math.sqrt(G[a * n + a]));
  return order.slice(0, k).sort((a, c) => a - c);
}

/** A feasible point without any setup (the limit leaves no time for more): w clamped to the box on topSupport. */
function clampedStart(problem: PruningProblem, k: number, side: SideConstraint[]): OaCandidate {
  const { n, G, w } = problem.objective;
  const liveIdx: number[] = [];
  for (let i = 0; i < n; i++) if (G[i * n + i] > 0) liveIdx.push(i);
  const S = topSupport(w, G, n, liveIdx, k);
  const v = new Float64Array(n);
  for (const i of S) v[i] = problem.box ? Math.min(problem.box[1], Math.max(problem.box[0], w[i])) : w[i];
  return satisfiesSide(side, maskOf(n, S)) ? { value: errorOf(problem.objective, v), solution: v } : { value: Infinity, solution: null };
}

/** Heuristic start: the k largest |w_i| sqrt(G_ii) among live coordinates; and the incumbent's support. */
function startSupports(pf: PruneForm, incumbent: ArrayLike<number> | undefined): number[][] {
  const { n, k, w, G } = pf;
  const out: number[][] = [topSupport(w, G, n, pf.liveIdx, k)];
  if (incumbent && incumbent.length === n) {
    const S = supportOfMask(n, Float64Array.from(incumbent, (x) => (x !== 0 ? 1 : 0)));
    if (S.length <= k) out.push(S);
  }
  return out;
}

/** Phase 2: the OA spec of the chosen formulation (mask z, cardinality and side rows first). */
function pruneSpec(pf: PruneForm, incumbent: ArrayLike<number> | undefined): OaSpec {
  const { n, k } = pf;
  const vars: MilpVar[] = [];
  for (let i = 0; i < n; i++) vars.push({ name: `z${i}`, lb: 0, ub: 1, integer: true });
  const rows: MilpRow[] = [];
  rows.push({ name: 'card', idx: Array.from({ length: n }, (_, i) => i), coef: new Array(n).fill(1), lb: -Infinity, ub: k });
  rows.push(...sideRows(pf.side, 0));
  const starts = startSupports(pf, incumbent);
  return pf.mode === 'perspective' ? perspectiveSpec(pf, vars, rows, starts) : bigmSpec(pf, vars, rows, starts);
}

/** The perspective formulation: min t, t >= tangents of phi (file comment). */
function perspectiveSpec(pf: PruneForm, vars: MilpVar[], rows: MilpRow[], starts: number[][]): OaSpec {
  const { n, r, side } = pf;
  const tIdx = vars.push({ name: 't', lb: 0, ub: Infinity, integer: false }) - 1;
  const objective = new Array<number>(vars.length).fill(0);
  objective[tIdx] = 1;
  const model: MilpModel = { vars, rows, objective };
  const initial: OaCandidate[] = [];
  const cuts: EpiCut[] = [];
  for (const S of starts) {
    const c = candidateOf(pf, S);
    cuts.push(phiCut(pf, tIdx, maskOf(n, S), c.v));
    if (satisfiesSide(side, maskOf(n, S))) initial.push(c);
  }
  return {
    model,
    aux: [tIdx],
    cuts,
    initial,
    scale: r > 0 ? r : 1,
    oracle(x) {
      const S = supportOfMask(n, x);
      const c = candidateOf(pf, S);
      return { candidates: [c], cuts: [phiCut(pf, tIdx, maskOf(n, S), c.v)] };
    },
    relaxedOracle(x) {
      const z = new Float64Array(n);
      for (let i = 0; i < n; i++) z[i] = Math.min(1, Math.max(0, x[i]));
      return [phiCut(pf, tIdx, z)];
    },
  };
}

/** The minimiser v of the perspective relaxation at a fractional z (v = 0 where z = 0). */
function perspectiveV(pf: PruneForm, z: ArrayLike<number>): Float64Array {
  const { n, b, Hm, d } = pf;
  const S = pf.liveIdx.filter((i) => z[i] > 0);
  const m = S.length;
  const v = new Float64Array(n);
  if (m === 0) return v;
  const K = new Float64Array(m * m);
  const c = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    c[a] = b[S[a]];
    for (let q = 0; q < m; q++) K[a * m + q] = Hm[S[a] * n + S[q]];
    K[a * m + a] += d[S[a]] / z[S[a]];
  }
  const L = cholesky(K, m);
  if (L) {
    const u = cholSolve(L, m, c);
    for (let a = 0; a < m; a++) v[S[a]] = u[a];
  }
  return v;
}

/** The tangent of phi at z in [0,1]^n (value and gradient; `exactV`: the known minimiser at a binary z). */
function phiCut(pf: PruneForm, tIdx: number, z: ArrayLike<number>, exactV?: Float64Array): EpiCut {
  const { n, w, d } = pf;
  const v = exactV ?? perspectiveV(pf, z);
  // value: (w-v)^T (G-D) (w-v) + sum d_i (w_i - v_i)^2 + sum d_i v_i^2 (1/z_i - 1)
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = w[i] - v[i];
  const He = new Float64Array(n);
  const hq = quadForm(pf.Hm, n, e, He);
  let val = hq.value;
  const mag = hq.magnitude;
  for (let i = 0; i < n; i++) {
    if (d[i] === 0) continue;
    val += d[i] * e[i] * e[i];
    if (z[i] > 0 && z[i] < 1) val += d[i] * v[i] * v[i] * (1 / z[i] - 1);
  }
  val = Math.max(val, 0);
  const idx: number[] = [];
  const coef: number[] = [];
  let rhs = val;
  let m2 = mag + Math.abs(val);
  for (let i = 0; i < n; i++) {
    if (d[i] === 0) continue;
    const ti = z[i] > 0 ? v[i] / z[i] : w[i] + He[i] / d[i];
    const g = -d[i] * ti * ti;
    if (g === 0) continue;
    idx.push(i);
    coef.push(g);
    rhs -= g * z[i];
    m2 += Math.abs(g);
  }
  return { aux: tIdx, idx, coef, rhs: rhs - 16 * (n + 2) * EPS * m2 };
}

/** Indices of the big-M master's continuous variables. */
interface BigmIndex {
  vIdx: Int32Array;
  /** s_i (-1 when d_i = 0). */
  sIdx: Int32Array;
  eta: number;
}

/** The big-M formulation: mask z, weights v, eta >= tangents of the coupled part, s_i >= perspective tangents. */
function bigmSpec(pf: PruneForm, vars: MilpVar[], rows: MilpRow[], starts: number[][]): OaSpec {
  const { n, r, side, lo, hi } = pf;
  const { model, ix } = bigmModel(pf, vars, rows);
  const initial: OaCandidate[] = [];
  const cuts: EpiCut[] = [];
  for (let i = 0; i < n; i++) {
    for (const a of [lo[i], hi[i], Math.min(hi[i], Math.max(lo[i], pf.w[i]))]) {
      const c = persCut(pf, ix, i, a);
      if (c) cuts.push(c);
    }
  }
  for (const S of starts) {
    const c = candidateOf(pf, S);
    cuts.push(...bigmCutsAt(pf, ix, clampTo(c.v, lo, hi), maskOf(n, S)));
    if (satisfiesSide(side, maskOf(n, S))) initial.push(c);
  }
  return {
    model,
    aux: [ix.eta, ...Array.from(ix.sIdx).filter((j) => j >= 0)],
    cuts,
    initial,
    scale: r > 0 ? r : 1,
    oracle(x) {
      const S = supportOfMask(n, x);
      const c = candidateOf(pf, S);
      return { candidates: [c], cuts: bigmCutsAt(pf, ix, clampTo(c.v, lo, hi), maskOf(n, S)) };
    },
    relaxedOracle(x) {
      const z = new Float64Array(n);
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        z[i] = Math.min(1, Math.max(0, x[i]));
        v[i] = x[ix.vIdx[i]];
      }
      return bigmCutsAt(pf, ix, v, z);
    },
  };
}

/** The big-M master model: v with lo_i z_i <= v_i <= hi_i z_i, s_i, eta; objective eta + sum d_i (w_i^2 - 2 w_i v_i + s_i). */
function bigmModel(pf: PruneForm, vars: MilpVar[], rows: MilpRow[]): { model: MilpModel; ix: BigmIndex } {
  const { n, lo, hi, d, w } = pf;
  const vIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) vIdx[i] = vars.push({ name: `v${i}`, lb: Math.min(lo[i], 0), ub: Math.max(hi[i], 0), integer: false }) - 1;
  for (let i = 0; i < n; i++) {
    rows.push({ name: `hi${i}`, idx: [vIdx[i], i], coef: [1, -hi[i]], lb: -Infinity, ub: 0 });
    rows.push({ name: `lo${i}`, idx: [vIdx[i], i], coef: [1, -lo[i]], lb: 0, ub: Infinity });
  }
  const sIdx = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (d[i] > 0) sIdx[i] = vars.push({ name: `s${i}`, lb: 0, ub: Infinity, integer: false }) - 1;
  const eta = vars.push({ name: 'eta', lb: 0, ub: Infinity, integer: false }) - 1;
  const objective = new Array<number>(vars.length).fill(0);
  let objConst = 0;
  objective[eta] = 1;
  for (let i = 0; i < n; i++) {
    if (sIdx[i] < 0) continue;
    objective[sIdx[i]] = d[i];
    objective[vIdx[i]] = -2 * d[i] * w[i];
    objConst += d[i] * w[i] * w[i];
  }
  return { model: { vars, rows, objective, objConst }, ix: { vIdx, sIdx, eta } };
}

function vAbs(pf: PruneForm, i: number): number {
  return Math.max(Math.abs(pf.lo[i]), Math.abs(pf.hi[i]));
}

/** eta >= h(v0) + grad^T (v - v0), grad = -2 (G - D)(w - v0), rounded down by a bound on its error. */
function etaCut(pf: PruneForm, ix: BigmIndex, v: ArrayLike<number>): EpiCut {
  const { n, w } = pf;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = w[i] - v[i];
  const He = new Float64Array(n);
  const hq = quadForm(pf.Hm, n, e, He);
  const h0 = hq.value;
  let mag = hq.magnitude;
  const idx: number[] = [];
  const coef: number[] = [];
  let rhs = Math.max(h0, 0);
  for (let i = 0; i < n; i++) {
    const g = -2 * He[i];
    if (g === 0) continue;
    idx.push(ix.vIdx[i]);
    coef.push(g);
    rhs -= g * v[i];
    mag += Math.abs(g) * (vAbs(pf, i) + Math.abs(v[i]));
  }
  return { aux: ix.eta, idx, coef, rhs: rhs - 16 * (n + 2) * EPS * mag };
}

/** s_i >= 2 a v_i - a^2 z_i (tangent of the perspective v_i^2 / z_i), rounded down by the error of the two products. */
function persCut(pf: PruneForm, ix: BigmIndex, i: number, a: number): EpiCut | null {
  if (ix.sIdx[i] < 0 || a === 0 || !Number.isFinite(a)) return null;
  return { aux: ix.sIdx[i], idx: [ix.vIdx[i], i], coef: [2 * a, -a * a], rhs: -4 * EPS * (2 * Math.abs(a) * vAbs(pf, i) + a * a) };
}

/** The big-M cuts at (v, z). */
function bigmCutsAt(pf: PruneForm, ix: BigmIndex, v: ArrayLike<number>, z: ArrayLike<number>): EpiCut[] {
  const out: EpiCut[] = [etaCut(pf, ix, v)];
  for (let i = 0; i < pf.n; i++) {
    if (z[i] <= 0) continue;
    const c = persCut(pf, ix, i, v[i] / z[i]);
    if (c) out.push(c);
  }
  return out;
}

function clampTo(v: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.min(hi[i], Math.max(lo[i], v[i]));
  return out;
}
