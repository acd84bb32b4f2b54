/**
 * quant-oa: outer approximation for the quantization problem min (z - t)^T P (z - t), z integer in [zmin, zmax]^n,
 * with P = s^2 G and t = w / s, over a MILP back end.
 *
 * Cuts (all valid under-estimators on the integer box):
 * - the diagonal split P = (P - D) + D with D = diag(d) >= 0 and P - D PSD (checked by Cholesky);
 * - eta >= tangent planes of the convex h(z) = (z - t)^T (P - D) (z - t) at visited integer points;
 * - s_i >= secants of (z_i - t_i)^2 between consecutive integers j, j+1 (exact on integers; added lazily).
 * Master: min eta + sum d_i s_i. With D = 0 this is plain Kelley on f; with diagonal P it is exact at once.
 *
 * The solve runs as phases: the data (P, t, split), the formulation (model and its index map), the start (cuts and
 * candidates at the rounded targets and the incumbent), the OA driver with the oracle below, the result.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { pivotedLDL } from '../../src/linalg/dense.js';
import { quantErrorOf } from '../../src/core/objective.js';
import { resolveExtras } from '../../src/core/options.js';
import { Deadline } from '../../src/core/result.js';
import type { QuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { loadMilpBackend } from './backends.js';
import type { SideConstraint } from './common.js';
import { QUANT_OA_OPTIONS, backendOption, checkObjective, diagonalSplit, optimizedSplit, parseSideConstraints, satisfiesSide, sideRows } from './common.js';
import type { MilpModel, MilpRow, MilpVar } from './model.js';
import type { EpiCut, OaCandidate, OaIterationInfo, OaSpec } from './oa.js';
import { finishOa, quadForm, runOaSolver, timeLimitResult } from './oa-solver.js';
import { relGapTolOf } from './oa.js';
import { factorCostMs, fits, splitCostMs } from './budget.js';

export interface QuantOaExtra {
  backend?: 'glpk' | 'jsl';
  sideConstraints?: SideConstraint[];
  onIteration?: (info: OaIterationInfo) => void;
  /** Cuts for the coupled part h: 'factor' (default; y = L^T (z - t), 1-D tangents of y_k^2) or 'tangent' (Kelley). */
  cuts?: 'factor' | 'tangent';
  /** Diagonal split: 'jacobi' (default), 'max' (barrier-maximised weighted trace; measured slower) or 'none' (plain Kelley cuts). */
  split?: 'max' | 'jacobi' | 'none';
  absGapTol?: number;
  lpWarmupRounds?: number;
}

const NAME = 'quant-oa';

function checkQuant(p: QuantizationProblem): void {
  checkObjective(p.objective);
  if (!(Number.isFinite(p.scale) && p.scale > 0)) throw new PvqInputError('scale', 'must be a finite number > 0');
  if (!Number.isInteger(p.zmin) || !Number.isInteger(p.zmax)) throw new PvqInputError('zmin/zmax', 'must be integers');
  if (p.zmin > p.zmax) throw new PvqInputError('zmin/zmax', `zmin (${p.zmin}) must be <= zmax (${p.zmax})`);
  if (Math.abs(p.zmin) > 2 ** 20 || Math.abs(p.zmax) > 2 ** 20) throw new PvqInputError('zmin/zmax', 'must lie within +-2^20 for the MILP formulation');
}

export async function solveQuantOa(problem: QuantizationProblem, options: SolveOptions = {}): Promise<SolveResult> {
  const t0 = performance.now();
  const deadline = new Deadline(options.timeLimitMs);
  checkQuant(problem);
  const ex = resolveExtras(QUANT_OA_OPTIONS, options.extra, NAME);
  const backendName = backendOption(options);
  const { n, r } = problem.objective;
  const side = parseSideConstraints(ex.sideConstraints, n);
  const backend = await loadMilpBackend(backendName);
  const rep = { solver: NAME, problemName: problem.name, problemClass: 'quantization' as const, backend: backendName, t0, nSide: side.length, errorOfSolution: (sol: Float64Array) => quantErrorOf(problem, sol) };
  const q = quantFormulation(problem, side, ex.split, ex.cuts, deadline);
  if (typeof q === 'string') return timeLimitResult({ ...rep, d: new Float64Array(n) }, roundedStarts(problem, side, options.incumbent), q, relGapTolOf(options));
  const out = await runOaSolver(NAME, quantSpec(q, options.incumbent), options, backend, r, n, deadline);
  return finishOa({ ...rep, d: q.d }, out);
}

/** Candidates without any setup (the limit leaves no time for more): the rounded targets and the incumbent. */
function roundedStarts(problem: QuantizationProblem, side: SideConstraint[], incumbent: ArrayLike<number> | undefined): OaCandidate[] {
  const { n, w } = problem.objective;
  const round = (x: number): number => Math.min(problem.zmax, Math.max(problem.zmin, Math.round(x)));
  const points = [Float64Array.from(w, (x) => round(x / problem.scale))];
  if (incumbent && incumbent.length === n) points.push(Float64Array.from(incumbent, round));
  return points.filter((z) => satisfiesSide(side, z)).map((z) => ({ value: quantErrorOf(problem, z), solution: z }));
}

/** Predicted ms of the split's O(n^3) setup (0 for 'none'). */
function splitCost(P: Float64Array, n: number, split: string): number {
  if (split === 'none') return 0;
  let m = 0;
  for (let i = 0; i < n; i++) if (P[i * n + i] > 0) m++;
  // 'max': Newton steps (each a factorisation and an inverse) after the Jacobi split
  return split === 'max' ? splitCostMs(m) + 100 * factorCostMs(m) : splitCostMs(m);
}

type Factor = NonNullable<ReturnType<typeof factorCuts>>;

/** The quantization master: data, variable indices and the cut state (secants already added). */
interface QuantForm {
  problem: QuantizationProblem;
  n: number;
  r: number;
  lo: number;
  hi: number;
  /** P = s^2 G, t = w / s, the split d and H = P - diag(d). */
  P: Float64Array;
  t: Float64Array;
  d: Float64Array;
  H: Float64Array;
  side: SideConstraint[];
  /** The factored cuts of h (null: plain Kelley tangents). */
  fac: Factor | null;
  model: MilpModel;
  aux: number[];
  /** Index of s_i (-1 when d_i = 0), of eta, of y_k and q_k. */
  sIdx: Int32Array;
  eta: number;
  yIdx: number[];
  qIdx: number[];
  /** max(|zmin|, |zmax|, 1): the magnitude bound of z in the cut rounding. */
  zAbs: number;
  secantsDone: Set<number>[];
  /** Scratch: the gradient of h. */
  hz: Float64Array;
}

/** Phases 1-2: the data, the split and the master model; under a time limit, why an O(n^3) step does not fit. */
function quantFormulation(problem: QuantizationProblem, side: SideConstraint[], split: string, cutsMode: string, deadline: Deadline): QuantForm | string {
  const { n, G, w, r } = problem.objective;
  const s = problem.scale;
  const lo = problem.zmin;
  const hi = problem.zmax;
  const P = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) P[i] = s * s * G[i];
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = w[i] / s;
  const predicted = splitCost(P, n, split);
  if (!fits(deadline, predicted)) return `the diagonal split (about ${(predicted / 1000).toFixed(1)} s here) does not fit`;
  const d = split === 'none' ? new Float64Array(n) : split === 'max' ? optimizedSplit(P, n) : diagonalSplit(P, n);
  if (cutsMode === 'factor' && !fits(deadline, factorCostMs(n))) return `the factored cuts (about ${(factorCostMs(n) / 1000).toFixed(1)} s here) do not fit`;
  const H = Float64Array.from(P);
  for (let i = 0; i < n; i++) H[i * n + i] -= d[i];
  // variables: z_0..z_{n-1}, s_i for d_i > 0, eta, and with the factored cuts y_k, q_k
  const vars: MilpVar[] = [];
  for (let i = 0; i < n; i++) vars.push({ name: `z${i}`, lb: lo, ub: hi, integer: true });
  const sIdx = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (d[i] > 0) sIdx[i] = vars.push({ name: `s${i}`, lb: 0, ub: Infinity, integer: false }) - 1;
  const eta = vars.push({ name: 'eta', lb: 0, ub: Infinity, integer: false }) - 1;
  const rows = sideRows(side, 0);
  // Factored cuts: H = L L^T (pivoted), h(z) = sum_k y_k^2 + (z-t)^T E (z-t) with y = L^T (z - t), E = H - L L^T.
  // (z-t)^T E (z-t) >= -||E||_F * max_box ||z - t||^2, so sum_k q_k - that constant is a valid lower bound with
  // q_k >= tangents of y_k^2 (one-dimensional, added on a grid and at every visited point).
  const fac = cutsMode === 'factor' ? factorCuts(H, n, t, lo, hi) : null;
  const { yIdx, qIdx } = fac ? addFactorRows(vars, rows, fac, n, t) : { yIdx: [], qIdx: [] };
  const objective = new Array<number>(vars.length).fill(0);
  objective[eta] = 1;
  for (let i = 0; i < n; i++) if (sIdx[i] >= 0) objective[sIdx[i]] = d[i];
  for (const q of qIdx) objective[q] = 1;
  const model: MilpModel = { vars, rows, objective, objConst: fac ? -fac.deficit : 0 };
  const aux = [eta, ...Array.from(sIdx).filter((j) => j >= 0), ...qIdx];
  const zAbs = Math.max(Math.abs(lo), Math.abs(hi), 1);
  const secantsDone = Array.from({ length: n }, () => new Set<number>());
  return { problem, n, r, lo, hi, P, t, d, H, side, fac, model, aux, sIdx, eta, yIdx, qIdx, zAbs, secantsDone, hz: new Float64Array(n) };
}

/** The variables y_k = (L^T (z - t))_k (equality rows) and q_k >= y_k^2 of the factored cuts. */
function addFactorRows(vars: MilpVar[], rows: MilpRow[], fac: Factor, n: number, t: Float64Array): { yIdx: number[]; qIdx: number[] } {
  const yIdx: number[] = [];
  const qIdx: number[] = [];
  for (let k = 0; k < fac.rank; k++) {
    yIdx.push(vars.push({ name: `y${k}`, lb: fac.ymin[k], ub: fac.ymax[k], integer: false }) - 1);
    qIdx.push(vars.push({ name: `q${k}`, lb: 0, ub: Infinity, integer: false }) - 1);
    // y_k - sum_i L_ik z_i = -sum_i L_ik t_i
    const idx = [yIdx[k]];
    const coef = [1];
    let rhs = 0;
    for (let i = 0; i < n; i++) {
      const l = fac.Lt[k * n + i];
      if (l === 0) continue;
      idx.push(i);
      coef.push(-l);
      rhs -= l * t[i];
    }
    rows.push({ name: `y${k}`, idx, coef, lb: rhs, ub: rhs });
  }
  return { yIdx, qIdx };
}

/** y_k(z) in double. */
function yOf(q: QuantForm, z: ArrayLike<number>, k: number): number {
  const { n, t } = q;
  const Lt = q.fac!.Lt;
  let s = 0;
  for (let i = 0; i < n; i++) s += Lt[k * n + i] * (z[i] - t[i]);
  return s;
}

/** q_k >= tangent of y_k^2 at a, rounded down by its floating-point error over the range of y_k. */
function qTangent(q: QuantForm, k: number, a: number): EpiCut {
  const fac = q.fac!;
  return {
    aux: q.qIdx[k],
    idx: [q.yIdx[k]],
    coef: [2 * a],
    rhs: -a * a - 4 * 2 ** -53 * (a * a + 2 * Math.abs(a) * Math.max(Math.abs(fac.ymin[k]), Math.abs(fac.ymax[k]))),
  };
}

/** Secant of (x - t_i)^2 through the integers j and j+1 (valid below it on all integers), once per (i, j). */
function secant(q: QuantForm, i: number, j: number): EpiCut | null {
  const { sIdx, lo, hi, secantsDone, t } = q;
  if (sIdx[i] < 0 || j < lo || j + 1 > hi || secantsDone[i].has(j)) return null;
  secantsDone[i].add(j);
  const a = j - t[i];
  const slope = 2 * a + 1;
  const rhs = a * a - slope * j;
  return { aux: sIdx[i], idx: [i], coef: [slope], rhs: rhs - 4e-16 * (Math.abs(a * a) + Math.abs(slope * j)) };
}

/** The secants around z (new ones only). */
function secantsAt(q: QuantForm, z: ArrayLike<number>): EpiCut[] {
  const { n, sIdx, lo, hi, secantsDone, t } = q;
  const out: EpiCut[] = [];
  for (let i = 0; i < n; i++) {
    if (sIdx[i] < 0) continue;
    if (lo === hi) {
      // single point: s_i >= (lo - t_i)^2
      if (!secantsDone[i].has(lo)) {
        secantsDone[i].add(lo);
        const a = lo - t[i];
        out.push({ aux: sIdx[i], idx: [], coef: [], rhs: a * a * (1 - 1e-15) });
      }
      continue;
    }
    const zi = Math.round(z[i]);
    for (const j of [zi - 1, zi]) {
      const c = secant(q, i, j);
      if (c) out.push(c);
    }
  }
  return out;
}

/** Kelley tangent of h at z: h(z0) + g^T (z - z0), g = 2 H (z0 - t), rounded down by a bound on its error. */
function tangent(q: QuantForm, z: ArrayLike<number>): EpiCut {
  const { n, t, hz, zAbs } = q;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = z[i] - t[i];
  const { value: h0, magnitude: mag } = quadForm(q.H, n, e, hz);
  let rhs = h0;
  let m2 = mag;
  const idx: number[] = [];
  const coef: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = 2 * hz[i];
    if (g === 0) continue;
    idx.push(i);
    coef.push(g);
    rhs -= g * z[i];
    m2 += Math.abs(g) * zAbs;
  }
  return { aux: q.eta, idx, coef, rhs: rhs - 8 * (n + 2) * 2 ** -53 * (m2 + Math.abs(h0)) };
}

/** Cuts of the coupled part h at z: the factored 1-D tangents, or the Kelley tangent. */
function hCuts(q: QuantForm, z: ArrayLike<number>): EpiCut[] {
  return q.fac ? q.qIdx.map((_, k) => qTangent(q, k, yOf(q, z, k))) : [tangent(q, z)];
}

function clampRound(q: QuantForm, x: number): number {
  return Math.min(q.hi, Math.max(q.lo, Math.round(x)));
}

function candidate(q: QuantForm, z: Float64Array): OaCandidate {
  return { value: quantErrorOf(q.problem, z), solution: Float64Array.from(z) };
}

/** Phase 3: cuts and candidates at the rounded targets (and the incumbent), the y grid and the secants at t. */
function quantStart(q: QuantForm, incumbent: ArrayLike<number> | undefined): { initial: OaCandidate[]; cuts: EpiCut[] } {
  const { n, t, fac, side } = q;
  const rtn = Float64Array.from(t, (x) => clampRound(q, x));
  const initial: OaCandidate[] = [];
  const cuts: EpiCut[] = [];
  const startPoints: Float64Array[] = [rtn];
  if (incumbent && incumbent.length === n) startPoints.push(Float64Array.from(incumbent, (x) => clampRound(q, x)));
  if (fac) for (let k = 0; k < fac.rank; k++) for (let g = 0; g <= 8; g++) cuts.push(qTangent(q, k, fac.ymin[k] + ((fac.ymax[k] - fac.ymin[k]) * g) / 8));
  for (const z of startPoints) {
    cuts.push(...hCuts(q, z), ...secantsAt(q, z));
    if (satisfiesSide(side, z)) initial.push(candidate(q, z));
  }
  // secants around the continuous targets as well
  cuts.push(...secantsAt(q, Float64Array.from(t, (x) => clampRound(q, x))));
  return { initial, cuts };
}

/** Box-aware 1-opt (single-coordinate integer moves) from z; keeps side constraints satisfied. */
function oneOpt(q: QuantForm, z0: Float64Array): Float64Array {
  const { n, P, t, r } = q;
  const z = Float64Array.from(z0);
  const g = new Float64Array(n); // g = 2 P (z - t)
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += P[i * n + j] * (z[j] - t[j]);
    g[i] = 2 * sum;
  }
  for (let sweep = 0; sweep < 50 * n; sweep++) {
    const move = bestMove(q, z, g);
    if (move.i < 0 || move.gain <= 1e-15 * r) break;
    z[move.i] += move.step;
    for (let j = 0; j < n; j++) g[j] += 2 * move.step * P[j * n + move.i];
  }
  return z;
}

/** The single-coordinate move with the largest gain (keeping side constraints), or i = -1. */
function bestMove(q: QuantForm, z: Float64Array, g: Float64Array): { i: number; step: number; gain: number } {
  const { n, P, side } = q;
  let best = -1;
  let bestStep = 0;
  let bestGain = 0;
  for (let i = 0; i < n; i++) {
    const pii = P[i * n + i];
    if (!(pii > 0)) continue;
    const target = clampRound(q, z[i] - g[i] / (2 * pii));
    const c = target - z[i];
    if (c === 0) continue;
    const gain = -(c * c * pii + c * g[i]);
    if (gain > bestGain) {
      if (side.length > 0) {
        const old = z[i];
        z[i] = target;
        const ok = satisfiesSide(side, z);
        z[i] = old;
        if (!ok) continue;
      }
      bestGain = gain;
      best = i;
      bestStep = c;
    }
  }
  return { i: best, step: bestStep, gain: bestGain };
}

/** Phase 4: the OA spec (the oracle evaluates a master point and its 1-opt polish). */
function quantSpec(q: QuantForm, incumbent: ArrayLike<number> | undefined): OaSpec {
  const { n, fac, r } = q;
  const start = quantStart(q, incumbent);
  return {
    model: q.model,
    aux: q.aux,
    cuts: start.cuts,
    initial: start.initial,
    scale: r > 0 ? r : 1,
    sqrtScaled: q.yIdx,
    oracle(x) {
      const z = x.slice(0, n);
      const cands: OaCandidate[] = [candidate(q, z)];
      const cuts = [...hCuts(q, z), ...secantsAt(q, z)];
      const z1 = oneOpt(q, z);
      let moved = false;
      for (let i = 0; i < n; i++) if (z1[i] !== z[i]) moved = true;
      if (moved) {
        cands.push(candidate(q, z1));
        cuts.push(...hCuts(q, z1), ...secantsAt(q, z1));
      }
      return { candidates: cands, cuts };
    },
    relaxedOracle(x) {
      // tangent of h at the fractional point is valid too (h convex on R^n)
      return hCuts(q, x.slice(0, n));
    },
    recompute: fac
      ? (x) => {
          for (let i = 0; i < n; i++) x[i] = Math.round(x[i]);
          for (let k = 0; k < fac.rank; k++) x[q.yIdx[k]] = yOf(q, x, k);
        }
      : undefined,
  };
}

/**
 * Pivoted Cholesky H = L L^T (rank r, PSD H) with a rigorous bound on what the factor misses:
 * (z-t)^T H (z-t) >= sum_k (L^T (z-t))_k^2 - deficit for all z in the box, deficit = (||H - L L^T||_F + rounding) * R^2,
 * R^2 = max over the box of ||z - t||^2. Returns L^T (r x n, row-major) and the range of each y_k over the box.
 */
function factorCuts(H: Float64Array, n: number, t: Float64Array, lo: number, hi: number) {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, H[i * n + i]);
  if (!(maxDiag > 0)) return null;
  const f = pivotedLDL(H, n, 1e-14 * maxDiag);
  const r = f.rank;
  const Lt = new Float64Array(r * n);
  for (let k = 0; k < r; k++) {
    const sq = Math.sqrt(f.d[k]);
    for (let j = k; j < n; j++) Lt[k * n + f.perm[j]] = f.L[j * n + k] * sq;
  }
  let e2 = 0;
  let hmax = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += Lt[k * n + i] * Lt[k * n + j];
      const e = H[i * n + j] - s;
      e2 += e * e;
      hmax = Math.max(hmax, Math.abs(H[i * n + j]));
    }
  let R2 = 0;
  for (let i = 0; i < n; i++) R2 += Math.max((lo - t[i]) ** 2, (hi - t[i]) ** 2);
  const deficit = (Math.sqrt(e2) * (1 + 1e-10) + 4 * (n + 2) * 2 ** -53 * hmax * n) * R2;
  const ymin = new Float64Array(r);
  const ymax = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const l = Lt[k * n + i];
      const u = l * (lo - t[i]);
      const v = l * (hi - t[i]);
      a += Math.min(u, v);
      b += Math.max(u, v);
    }
    const pad = 1e-9 * (Math.abs(a) + Math.abs(b)) + 1e-300;
    ymin[k] = a - pad;
    ymax[k] = b + pad;
  }
  return { rank: r, Lt, ymin, ymax, deficit };
}
