/**
 * Pruning baselines and heuristics (upper bounds): magnitude, magnitude + refit, greedy forward
 * selection, OBS backward elimination (Optimal Brain Surgeon / SparseGPT update), 1-swap local search.
 * Every heuristic chooses a support; the returned v is the exact (box-aware) refit on it, except
 * `magnitude`, which keeps the weights unchanged.
 */
import { errorOf } from '../../src/core/objective.js';
import { Deadline } from '../../src/core/result.js';
import type { CommonOption, PruningSolver } from '../../src/core/solver.js';
import type { PruningProblem, SolveOptions } from '../../src/core/types.js';
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';
import { boxExcludesZero, gramTimesW, magnitudeSupport, pruneResult, refit, refitBox, refitSemicontinuous, validatePruningProblem } from './common.js';

/** Budget of box-LS solves per candidate subset refit inside the swap search (box excluding 0). */
const SWAP_SEMICONT_BUDGET = 64;

/** An optional deadline (`Deadline` from core/result). */
type Stop = { expired(): boolean } | undefined;

/**
 * Greedy forward selection: add the coordinate with the largest error decrease, k times (O(k n^2)). When
 * `stop` expires, the remaining places are filled at once with the largest current gains.
 */
export function greedyForwardSupport(G: Float64Array, n: number, b: Float64Array, k: number, stop?: Stop): number[] {
  // conditional Gram C = G - G_:S G_SS^-1 G_S: and residual correlation c = b - G_:S v_S
  const C = Float64Array.from(G);
  const c = Float64Array.from(b);
  const inS = new Uint8Array(n);
  const S: number[] = [];
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  const tol = 1e-12 * maxDiag;
  for (let step = 0; step < k; step++) {
    if (stop?.expired()) {
      const gains = (j: number): number => (C[j * n + j] > tol ? (c[j] * c[j]) / C[j * n + j] : 0);
      const rest = Array.from({ length: n }, (_, j) => j).filter((j) => !inS[j]).sort((a, b2) => gains(b2) - gains(a) || a - b2);
      for (let t = 0; S.length < k && t < rest.length; t++) S.push(rest[t]);
      break;
    }
    let best = -1;
    let bestGain = -1;
    for (let j = 0; j < n; j++) {
      if (inS[j]) continue;
      const d = C[j * n + j];
      const gain = d > tol ? (c[j] * c[j]) / d : 0;
      if (gain > bestGain) {
        bestGain = gain;
        best = j;
      }
    }
    if (best < 0) break;
    inS[best] = 1;
    S.push(best);
    const d = C[best * n + best];
    if (!(d > tol)) continue; // nothing left to gain; still fill the budget
    const inv = 1 / d;
    const cb = c[best];
    const row = C.slice(best * n, best * n + n);
    for (let i = 0; i < n; i++) {
      const f = row[i] * inv;
      if (f === 0) continue;
      c[i] -= f * cb;
      const off = i * n;
      for (let j = 0; j < n; j++) C[off + j] -= f * row[j];
    }
  }
  return S.sort((a, b2) => a - b2);
}

/**
 * OBS backward elimination: start from all weights, repeatedly prune the weight with the smallest
 * saliency x_j^2 / [H]_jj (H = inverse Gram of the kept set) and compensate the others optimally.
 * A singular G is handled by a tiny ridge used only to pick the order (the final refit is exact). When `stop`
 * expires, the remaining eliminations are made at once in increasing order of the current saliency.
 */
export function obsSupport(G: Float64Array, n: number, w: Float64Array, k: number, stop?: Stop): number[] {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  if (maxDiag === 0) return Array.from({ length: k }, (_, i) => i);
  let ridge = 0;
  let L = Float64Array.from(G);
  while (choleskyInPlace(L, n, 1e-13 * maxDiag) >= 0) {
    ridge = ridge === 0 ? 1e-10 * maxDiag : ridge * 100;
    L = Float64Array.from(G);
    for (let i = 0; i < n; i++) L[i * n + i] += ridge;
  }
  const H = cholInverse(L, n);
  const x = Float64Array.from(w); // optimal kept weights (without pruning, v = w)
  const kept = new Uint8Array(n).fill(1);
  for (let removed = 0; removed < n - k; removed++) {
    if (stop?.expired()) {
      const sal = (j: number): number => (H[j * n + j] > 0 ? (x[j] * x[j]) / H[j * n + j] : 0);
      const alive = Array.from({ length: n }, (_, j) => j).filter((j) => kept[j]).sort((a, c) => sal(a) - sal(c) || a - c);
      for (let t = 0; t < n - k - removed; t++) kept[alive[t]] = 0;
      break;
    }
    let best = -1;
    let bestSal = Infinity;
    for (let j = 0; j < n; j++) {
      if (!kept[j]) continue;
      const h = H[j * n + j];
      const sal = h > 0 ? (x[j] * x[j]) / h : 0;
      if (sal < bestSal) {
        bestSal = sal;
        best = j;
      }
    }
    kept[best] = 0;
    const h = H[best * n + best];
    if (h > 0) {
      const f = x[best] / h;
      const hr = H.slice(best * n, best * n + n);
      for (let i = 0; i < n; i++) {
        if (!kept[i]) continue;
        x[i] -= f * hr[i];
        const gi = hr[i] / h;
        if (gi === 0) continue;
        const off = i * n;
        for (let j = 0; j < n; j++) H[off + j] -= gi * hr[j];
      }
    }
    x[best] = 0;
  }
  const S: number[] = [];
  for (let i = 0; i < n; i++) if (kept[i]) S.push(i);
  return S;
}

/** Error of the (box-aware) refit on S. */
export function supportError(p: PruningProblem, b: Float64Array, S: ArrayLike<number>): number {
  return errorOf(p.objective, refit(p, b, S));
}

/**
 * Free-case error r - b_S^T G_SS^-1 b_S by an in-place Cholesky into `L` (no allocation); NaN when G_SS
 * is not numerically PD (callers then fall back to the exact pivoted refit).
 */
function freeErrorFast(G: Float64Array, n: number, b: Float64Array, r: number, S: ArrayLike<number>, L: Float64Array, y: Float64Array): number {
  const m = S.length;
  let maxDiag = 0;
  for (let a = 0; a < m; a++) {
    const ra = S[a] * n;
    for (let c = 0; c <= a; c++) L[a * m + c] = G[ra + S[c]];
    maxDiag = Math.max(maxDiag, L[a * m + a]);
  }
  // pivots below 1e-10 * max diag: treat as singular (the pivoted refit handles it)
  const minPivot = 1e-10 * maxDiag;
  for (let j = 0; j < m; j++) {
    const rj = j * m;
    let dd = L[rj + j];
    for (let t = 0; t < j; t++) dd -= L[rj + t] * L[rj + t];
    if (!(dd > minPivot)) return NaN;
    const ljj = Math.sqrt(dd);
    L[rj + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      const ri = i * m;
      let sum = L[ri + j];
      for (let t = 0; t < j; t++) sum -= L[ri + t] * L[rj + t];
      L[ri + j] = sum / ljj;
    }
  }
  let s = 0;
  for (let a = 0; a < m; a++) {
    let t = b[S[a]];
    for (let c = 0; c < a; c++) t -= L[a * m + c] * y[c];
    t /= L[a * m + a];
    y[a] = t;
    s += t * t;
  }
  return r - s;
}

/**
 * 1-swap local search (best improvement): exchange a kept and a pruned coordinate while the error drops
 * by more than a relative 1e-12. Candidate swaps are screened with the free error (a lower bound of the
 * boxed one); the final error is recomputed exactly. Returns the support, its error and the number of moves.
 */
export function swapSearch(
  p: PruningProblem,
  b: Float64Array,
  start: number[],
  maxMoves = 1000,
  deadline?: { expired(): boolean },
): { S: number[]; err: number; moves: number } {
  const { G, n, w } = p.objective;
  let r = 0;
  for (let i = 0; i < n; i++) r += w[i] * b[i];
  let S = start.slice().sort((a, c) => a - c);
  let err = supportError(p, b, S);
  let moves = 0;
  const k = S.length;
  if (k === 0 || k === n) return { S, err, moves };
  const L = new Float64Array(k * k);
  const y = new Float64Array(k);
  const T = new Int32Array(k);
  const offZero = boxExcludesZero(p.box);
  // from k = 48 on a candidate's k x k factorisation (and a boxed refit) is long enough to poll every time
  const pollEach = offZero || k >= 48;
  const relaxed = offZero ? ([Math.min(p.box![0], 0), Math.max(p.box![1], 0)] as const) : null;
  const evalSupport = (): number => {
    const fe = freeErrorFast(G, n, b, r, T, L, y);
    if (!Number.isNaN(fe) && !p.box) return Math.max(0, fe);
    // boxed: the free value is a lower bound; refit only when it could improve
    if (!Number.isNaN(fe) && fe >= err) return fe;
    if (relaxed) {
      // box excluding 0: the relaxed box (contains 0) bounds every subset refit; then a small-budget subset refit
      const rv = errorOf(p.objective, refitBox(G, n, b, T, relaxed));
      if (rv >= err) return rv;
      return errorOf(p.objective, refitSemicontinuous(G, n, b, T, p.box!, SWAP_SEMICONT_BUDGET));
    }
    return supportError(p, b, Array.from(T));
  };
  for (; moves < maxMoves; ) {
    const inS = new Uint8Array(n);
    for (const i of S) inS[i] = 1;
    let bestErr = err;
    let bestA = -1;
    let bestJ = -1;
    let timeUp = false;
    for (let a = 0; a < k && !timeUp; a++) {
      if (deadline && deadline.expired()) timeUp = true;
      for (let j = 0; j < n && !timeUp; j++) {
        if (inS[j]) continue;
        // each candidate costs a k x k factorisation: poll the deadline every 8 of them (every one for k >= 48
        // or with a box excluding 0, where a candidate may need a subset refit)
        if (deadline && (pollEach || (j & 7) === 0) && deadline.expired()) {
          timeUp = true;
          break;
        }
        for (let t = 0; t < k; t++) T[t] = S[t];
        T[a] = j;
        const e = evalSupport();
        if (e < bestErr) {
          bestErr = e;
          bestA = a;
          bestJ = j;
        }
      }
    }
    if (bestA < 0 || !(bestErr < err - 1e-12 * err)) break;
    const next = S.slice();
    next[bestA] = bestJ;
    next.sort((a, c) => a - c);
    const exact = supportError(p, b, next);
    if (!(exact < err - 1e-12 * err)) break;
    S = next;
    err = exact;
    moves++;
    if (timeUp) break;
  }
  return { S, err, moves };
}

function heuristicSolver(
  name: string,
  description: string,
  pick: (p: PruningProblem, b: Float64Array, k: number, options: SolveOptions, deadline: Deadline) => { S: number[]; iterations: number },
  capabilities: readonly CommonOption[] = [],
): PruningSolver {
  return {
    name,
    problemClass: 'pruning',
    role: 'heuristic',
    description,
    capabilities,
    solve(problem: PruningProblem, options: SolveOptions = {}) {
      const deadline = new Deadline(options.timeLimitMs);
      const start = deadline;
      const k = validatePruningProblem(problem);
      const { G, n, w } = problem.objective;
      const b = gramTimesW(G, w, n);
      // the support search gets 80 % of the limit, the final (box-LS) refit the rest
      const { S, iterations } = pick(problem, b, k, options, deadline.sub(0.8));
      const v = refit(problem, b, S);
      return pruneResult({ solver: name, problem, v, lowerBound: 0, status: 'feasible', start, iterations });
    },
  };
}

export const magnitudeSolver: PruningSolver = {
  name: 'magnitude',
  problemClass: 'pruning',
  role: 'heuristic',
  description: 'Keep the k largest |w_i| unchanged (ties to the lower index), no refit',
  capabilities: [],
  solve(problem: PruningProblem) {
    const start = performance.now();
    const k = validatePruningProblem(problem);
    const { w, n } = problem.objective;
    const v = new Float64Array(n);
    for (const i of magnitudeSupport(w, k)) {
      let x = w[i];
      if (problem.box) x = Math.min(problem.box[1], Math.max(problem.box[0], x));
      v[i] = x;
    }
    return pruneResult({ solver: 'magnitude', problem, v, lowerBound: 0, status: 'feasible', start });
  },
};

export const magnitudeRefitSolver = heuristicSolver(
  'magnitude-refit',
  'Magnitude support (k largest |w_i|) with an exact least-squares refit (box-constrained when the problem has a box)',
  (p, _b, k) => ({ S: magnitudeSupport(p.objective.w, k), iterations: 0 }),
);

export const greedyForwardSolver = heuristicSolver(
  'greedy-forward',
  'Greedy forward selection (largest error decrease first), then refit',
  (p, b, k, _o, stop) => ({ S: greedyForwardSupport(p.objective.G, p.objective.n, b, k, stop), iterations: k }),
);

export const obsSolver = heuristicSolver(
  'obs',
  'Optimal Brain Surgeon backward elimination (SparseGPT/ExactOBS update), then refit',
  (p, _b, k, _o, stop) => ({ S: obsSupport(p.objective.G, p.objective.n, p.objective.w, k, stop), iterations: p.objective.n - k }),
);

/** Multi-start 1-swap from n >= this size. */
export const MULTISTART_MIN_N = 40;

/**
 * 1-swap local search from each of the magnitude-refit, greedy-forward and OBS supports (n >= 40; below, from the
 * best of them only); the best result.
 */
export function bestHeuristicSupport(
  p: PruningProblem,
  b: Float64Array,
  k: number,
  deadline?: { expired(): boolean },
): { S: number[]; err: number; moves: number } {
  const { G, n, w } = p.objective;
  // with a Deadline: greedy 25 % and OBS a third of what is left, the swaps the rest
  const sub = (f: number): Stop => (deadline instanceof Deadline ? deadline.sub(f) : deadline);
  const cands = [magnitudeSupport(w, k)];
  const clock = (): number => (deadline instanceof Deadline ? deadline.now() : performance.now());
  const t0 = clock();
  const greedyStop = sub(0.25);
  cands.push(greedyForwardSupport(G, n, b, k, greedyStop));
  // OBS starts with a Cholesky and an inverse that cannot be interrupted: under a limit, run it only when the
  // time greedy took (k n^2 flops) predicts that its ~2 n^3 fit into what is left
  const greedyMs = clock() - t0;
  const obsMs = (greedyMs * (2 * n)) / Math.max(1, k);
  const limited = deadline instanceof Deadline && deadline.limited;
  if (!limited || (!greedyStop?.expired() && (deadline as Deadline).remaining() > obsMs)) cands.push(obsSupport(G, n, w, k, sub(0.33)));
  if (n < MULTISTART_MIN_N) {
    // small n: from the best start only (the tree closes quickly anyway; multi-start measured +25 ms at n = 32)
    let best = cands[0];
    let bestErr = Infinity;
    for (const S of cands) {
      const e = supportError(p, b, S);
      if (e < bestErr) {
        bestErr = e;
        best = S;
      }
    }
    return swapSearch(p, b, best, 1000, deadline);
  }
  // 1-swap from each distinct start (local optima differ; measured up to 6% better than from the best start at n = 48),
  // best start first (a deadline may stop the loop after the first one)
  const startErr = cands.map((S) => supportError(p, b, S));
  const byErr = cands.map((_, i) => i).sort((x, y) => startErr[x] - startErr[y] || x - y).map((i) => cands[i]);
  const seen = new Set<string>();
  let best: { S: number[]; err: number; moves: number } | null = null;
  for (const S of byErr) {
    const key = S.slice().sort((x, y) => x - y).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    if (best && deadline?.expired()) break;
    const r = swapSearch(p, b, S, 1000, deadline);
    if (!best || r.err < best.err) best = best ? { ...r, moves: best.moves + r.moves } : r;
    else best.moves += r.moves;
  }
  return best!;
}

export const swapSolver = heuristicSolver(
  'swap',
  '1-swap local search from magnitude-refit, greedy-forward and OBS (each of them for n >= 40, else the best); best result',
  (p, b, k, _options, deadline) => {
    const r = bestHeuristicSupport(p, b, k, deadline);
    return { S: r.S, iterations: r.moves };
  },
  ['timeLimit'],
);
