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
import { makeResult, safeLowerBound } from '../../src/core/result.js';
import { resolveExtras } from '../../src/core/options.js';
import type { PruningProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { cholesky, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { loadMilpBackend } from './backends.js';
import type { SideConstraint } from './common.js';
import { PRUNE_OA_OPTIONS, backendOption, checkObjective, diagonalSplit, parseSideConstraints, satisfiesSide, sideRows } from './common.js';
import { boxRefitOnSupport, gramTimes, refitOnSupport } from './ls.js';
import type { MilpModel, MilpRow, MilpVar } from './model.js';
import type { EpiCut, OaCandidate, OaIterationInfo, OaSpec } from './oa.js';
import { loadVerifier, oaOptionsFrom, runOa } from './oa.js';
import { finishOa } from './quant-oa.js';

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

export async function solvePruneOa(problem: PruningProblem, options: SolveOptions = {}): Promise<SolveResult> {
  const t0 = performance.now();
  const k = checkPrune(problem);
  const name = 'prune-oa';
  const ex = resolveExtras(PRUNE_OA_OPTIONS, options.extra, name);
  const hasSide = ex.sideConstraints !== undefined && ex.sideConstraints.length > 0;
  // The proven (safe) master bound does not model side constraints on the mask yet: with them the search
  // did not terminate within its limits. Refuse rather than hang or report an unproven bound.
  if (hasSide)
    throw new PvqInputError('extra.sideConstraints', 'prune-oa does not support side constraints in this version (its proven master bound does not model them yet)');
  if (k === 0 && !hasSide) {
    // the only feasible point is v = 0: its error r is the optimum (rounded down by its evaluation error)
    const v = new Float64Array(problem.objective.n);
    const e = errorOf(problem.objective, v);
    return makeResult({
      solver: name,
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
  const backendName = backendOption(options);
  const obj = problem.objective;
  const { n, G, w, r } = obj;
  const side = parseSideConstraints(ex.sideConstraints, n);
  const backend = await loadMilpBackend(backendName);
  const b = gramTimes(G, n, w);
  const live: boolean[] = [];
  for (let i = 0; i < n; i++) live.push(G[i * n + i] > 0);
  const liveIdx = live.flatMap((l, i) => (l ? [i] : []));

  const d = diagonalSplit(G, n);
  const pd = liveIdx.every((i) => d[i] > 0);
  const forced = ex.formulation;
  if (forced === 'perspective' && (problem.box || !pd))
    throw new PvqInputError('formulation', "'perspective' needs no box and G positive definite on its live coordinates");
  // javascript-lp-solver's simplex stalls on the dense perspective masters; it does well on the big-M form.
  const mode: 'perspective' | 'bigm' = forced ?? (problem.box === null && pd && backendName === 'glpk' ? 'perspective' : 'bigm');
  const Hm = Float64Array.from(G);
  for (let i = 0; i < n; i++) Hm[i * n + i] -= d[i];

  // ---- support evaluation shared by both modes
  let lo: Float64Array;
  let hi: Float64Array;
  let boxed = false;
  let mNote: string | undefined;
  if (problem.box) {
    lo = new Float64Array(n).fill(problem.box[0]);
    hi = new Float64Array(n).fill(problem.box[1]);
    boxed = true;
  } else if (mode === 'bigm' && pd) {
    // G - D PSD (Cholesky-checked) gives G_SS >= D_SS, so [G_SS^-1]_ii <= 1/d_i for every support S
    const M = new Float64Array(n);
    for (let i = 0; i < n; i++) M[i] = d[i] > 0 ? Math.sqrt(r / d[i]) * (1 + 1e-9) : 0;
    lo = M.map((m) => -m);
    hi = M;
    mNote = 'big-M M_i = sqrt(r / d_i) from the Cholesky-checked split G - D >= 0';
  } else if (mode === 'bigm') {
    const M = derivedBigM(G, n, r, k, ex.maxMSupports);
    lo = M.map((m) => -m);
    hi = M;
    mNote = 'big-M derived from |v_i| <= sqrt(r [G_SS^-1]_ii) over independent supports';
  } else {
    lo = new Float64Array(n).fill(-Infinity);
    hi = new Float64Array(n).fill(Infinity);
  }
  const refit = (S: number[]): Float64Array => {
    const Sl = S.filter((i) => live[i]);
    if (boxed) return boxRefitOnSupport(G, n, b, Sl, lo, hi).v;
    return refitOnSupport(G, n, b, Sl);
  };
  const candidateOf = (S: number[]): OaCandidate & { v: Float64Array } => {
    const v = refit(S);
    return { value: errorOf(obj, v), solution: v, v };
  };
  const supportOfMask = (x: ArrayLike<number>): number[] => {
    const S: number[] = [];
    for (let i = 0; i < n; i++) if (x[i] > 0.5) S.push(i);
    return S;
  };
  const maskOf = (S: number[]): Float64Array => {
    const z = new Float64Array(n);
    for (const i of S) z[i] = 1;
    return z;
  };

  // heuristic start: k largest |w_i| * sqrt(G_ii) among live coordinates, refit
  const order = liveIdx.slice().sort((a, c) => Math.abs(w[c]) * Math.sqrt(G[c * n + c]) - Math.abs(w[a]) * Math.sqrt(G[a * n + a]));
  const startSupports: number[][] = [order.slice(0, k).sort((a, c) => a - c)];
  if (options.incumbent && options.incumbent.length === n) {
    const S = supportOfMask(Float64Array.from(options.incumbent, (x) => (x !== 0 ? 1 : 0)));
    if (S.length <= k) startSupports.push(S);
  }

  const vars: MilpVar[] = [];
  for (let i = 0; i < n; i++) vars.push({ name: `z${i}`, lb: 0, ub: 1, integer: true });
  const rows: MilpRow[] = [];
  rows.push({ name: 'card', idx: Array.from({ length: n }, (_, i) => i), coef: new Array(n).fill(1), lb: -Infinity, ub: k });
  rows.push(...sideRows(side, 0));
  let spec: OaSpec;

  if (mode === 'perspective') {
    const tIdx = vars.push({ name: 't', lb: 0, ub: Infinity, integer: false }) - 1;
    const objective = new Array<number>(vars.length).fill(0);
    objective[tIdx] = 1;
    const model: MilpModel = { vars, rows, objective };
    /** phi and its gradient at z in [0,1]^n. */
    const phiCut = (z: ArrayLike<number>, exactV?: Float64Array): EpiCut => {
      const S = liveIdx.filter((i) => z[i] > 0);
      const m = S.length;
      let v: Float64Array;
      if (exactV) v = exactV;
      else {
        v = new Float64Array(n);
        if (m > 0) {
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
        }
      }
      // value: (w-v)^T (G-D) (w-v) + sum d_i (w_i - v_i)^2 + sum d_i v_i^2 (1/z_i - 1)
      const e = new Float64Array(n);
      for (let i = 0; i < n; i++) e[i] = w[i] - v[i];
      const He = new Float64Array(n);
      let val = 0;
      let mag = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Hm[i * n + j] * e[j];
        He[i] = s;
        val += e[i] * s;
        mag += Math.abs(e[i] * s);
      }
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
    };
    const initial: OaCandidate[] = [];
    const cuts: EpiCut[] = [];
    for (const S of startSupports) {
      const c = candidateOf(S);
      cuts.push(phiCut(maskOf(S), c.v));
      if (satisfiesSide(side, maskOf(S))) initial.push(c);
    }
    spec = {
      model,
      aux: [tIdx],
      cuts,
      initial,
      scale: r > 0 ? r : 1,
      oracle(x) {
        const S = supportOfMask(x);
        const c = candidateOf(S);
        return { candidates: [c], cuts: [phiCut(maskOf(S), c.v)] };
      },
      relaxedOracle(x) {
        const z = new Float64Array(n);
        for (let i = 0; i < n; i++) z[i] = Math.min(1, Math.max(0, x[i]));
        return [phiCut(z)];
      },
    };
  } else {
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
    const model: MilpModel = { vars, rows, objective, objConst };
    const vAbs = (i: number): number => Math.max(Math.abs(lo[i]), Math.abs(hi[i]));
    const etaCut = (v: ArrayLike<number>): EpiCut => {
      // h(v0) + grad^T (v - v0), grad = -2 (G - D)(w - v0)
      const e = new Float64Array(n);
      for (let i = 0; i < n; i++) e[i] = w[i] - v[i];
      let h0 = 0;
      let mag = 0;
      const idx: number[] = [];
      const coef: number[] = [];
      const gr = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Hm[i * n + j] * e[j];
        gr[i] = -2 * s;
        h0 += e[i] * s;
        mag += Math.abs(e[i] * s);
      }
      let rhs = Math.max(h0, 0);
      for (let i = 0; i < n; i++) {
        if (gr[i] === 0) continue;
        idx.push(vIdx[i]);
        coef.push(gr[i]);
        rhs -= gr[i] * v[i];
        mag += Math.abs(gr[i]) * (vAbs(i) + Math.abs(v[i]));
      }
      return { aux: eta, idx, coef, rhs: rhs - 16 * (n + 2) * EPS * mag };
    };
    const persCut = (i: number, a: number): EpiCut | null => {
      if (sIdx[i] < 0 || a === 0 || !Number.isFinite(a)) return null;
      // s_i >= 2 a v_i - a^2 z_i, rounded down by the error of the two products
      return { aux: sIdx[i], idx: [vIdx[i], i], coef: [2 * a, -a * a], rhs: -4 * EPS * (2 * Math.abs(a) * vAbs(i) + a * a) };
    };
    const cutsAt = (v: ArrayLike<number>, z: ArrayLike<number>): EpiCut[] => {
      const out: EpiCut[] = [etaCut(v)];
      for (let i = 0; i < n; i++) {
        if (z[i] <= 0) continue;
        const c = persCut(i, v[i] / z[i]);
        if (c) out.push(c);
      }
      return out;
    };
    const initial: OaCandidate[] = [];
    const cuts: EpiCut[] = [];
    for (let i = 0; i < n; i++) {
      for (const a of [lo[i], hi[i], Math.min(hi[i], Math.max(lo[i], w[i]))]) {
        const c = persCut(i, a);
        if (c) cuts.push(c);
      }
    }
    for (const S of startSupports) {
      const c = candidateOf(S);
      cuts.push(...cutsAt(clampTo(c.v, lo, hi), maskOf(S)));
      if (satisfiesSide(side, maskOf(S))) initial.push(c);
    }
    spec = {
      model,
      aux: [eta, ...Array.from(sIdx).filter((j) => j >= 0)],
      cuts,
      initial,
      scale: r > 0 ? r : 1,
      oracle(x) {
        const S = supportOfMask(x);
        const c = candidateOf(S);
        const z = maskOf(S);
        return { candidates: [c], cuts: cutsAt(clampTo(c.v, lo, hi), z) };
      },
      relaxedOracle(x) {
        const z = new Float64Array(n);
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          z[i] = Math.min(1, Math.max(0, x[i]));
          v[i] = x[vIdx[i]];
        }
        return cutsAt(v, z);
      },
    };
  }

  const out = runOa(spec, oaOptionsFrom(name, options, backend, r, n, await loadVerifier(backend)));
  const note = [`formulation ${mode}`, mNote].filter(Boolean).join('; ');
  const res = finishOa(name, problem.name, 'pruning', out, backendName, t0, side.length, (v) => errorOf(obj, v), d, note);
  (res.certificate as Record<string, unknown> | undefined) && Object.assign(res.certificate as object, { formulation: mode });
  return res;
}

function clampTo(v: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.min(hi[i], Math.max(lo[i], v[i]));
  return out;
}
