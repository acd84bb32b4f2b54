/** Independent brute-force references for the OA tests (tiny n only). */
import { errorOf, makeObjective, quantErrorOf } from '../../src/core/objective.js';
import type { PruningProblem, QuadObjective, QuantizationProblem } from '../../src/core/types.js';
import { Rng } from '../../src/core/random.js';

/** Gaussian elimination with partial pivoting on a small dense system; null if singular (pivot <= tol). */
function gaussSolve(A: number[][], b: number[], tol: number): number[] | null {
  const m = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) <= tol) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= m; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[m] / row[i]);
}

/** min over z in the box (with optional predicate) of the quantization error, by enumeration. */
export function bruteQuant(p: QuantizationProblem, accept: (z: number[]) => boolean = () => true): number {
  const n = p.objective.n;
  const z = new Array<number>(n).fill(p.zmin);
  let best = Infinity;
  for (;;) {
    if (accept(z)) best = Math.min(best, quantErrorOf(p, z));
    let i = 0;
    while (i < n && z[i] === p.zmax) z[i++] = p.zmin;
    if (i === n) break;
    z[i]++;
  }
  return best;
}

/**
 * Best error on support S with v_i in [lo, hi] (or free): enumerate every pattern free/lower/upper per coordinate,
 * solve the stationarity equations of the free ones with the others fixed, keep feasible candidates. For singular
 * systems, drop to subsets (the supports enumeration covers them).
 */
export function bestOnSupport(obj: QuadObjective, S: number[], box: readonly [number, number] | null): number {
  const { n, G, w } = obj;
  const m = S.length;
  const b = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += G[i * n + j] * w[j];
  let best = Infinity;
  const patterns = box ? 3 ** m : 1;
  const maxG = Math.max(1e-300, ...Array.from(G, Math.abs));
  for (let code = 0; code < patterns; code++) {
    const state: number[] = [];
    let c = code;
    for (let a = 0; a < m; a++) {
      state.push(box ? c % 3 : 0);
      c = Math.floor(c / 3);
    }
    const v = new Float64Array(n);
    const F: number[] = [];
    for (let a = 0; a < m; a++) {
      if (state[a] === 0) F.push(S[a]);
      else v[S[a]] = state[a] === 1 ? box![0] : box![1];
    }
    if (F.length > 0) {
      const A = F.map((i) => F.map((j) => G[i * n + j]));
      const rhs = F.map((i) => {
        let s = b[i];
        for (let j = 0; j < n; j++) if (!F.includes(j)) s -= G[i * n + j] * v[j];
        return s;
      });
      const u = gaussSolve(A, rhs, 1e-10 * maxG);
      if (!u) continue;
      F.forEach((i, a) => (v[i] = u[a]));
    }
    if (box && F.some((i) => v[i] < box[0] - 1e-12 || v[i] > box[1] + 1e-12)) continue;
    best = Math.min(best, errorOf(obj, v));
  }
  return best;
}

/** Exact pruning optimum: every support of size <= k (singular supports are covered by their subsets). */
export function brutePrune(p: PruningProblem, accept: (mask: number[]) => boolean = () => true): number {
  const n = p.objective.n;
  let best = Infinity;
  for (let code = 0; code < 1 << n; code++) {
    const S: number[] = [];
    const mask: number[] = [];
    for (let i = 0; i < n; i++) {
      const on = (code >> i) & 1;
      mask.push(on);
      if (on) S.push(i);
    }
    if (S.length > p.k || !accept(mask)) continue;
    best = Math.min(best, bestOnSupport(p.objective, S, p.box));
  }
  return best;
}

export interface RandomObjectiveOptions {
  n: number;
  /** Rows of X (rank of G is min(rows, n)). */
  rows: number;
  /** Coordinates whose column of X is zero (dead inputs). */
  dead?: number[];
}

/** G = X^T X with X on a 2^-8 grid (exact products), w Gaussian (std 0.5). */
export function randomObjective(seed: number, o: RandomObjectiveOptions): QuadObjective {
  const rng = new Rng(seed);
  const { n, rows } = o;
  const X = new Float64Array(rows * n);
  for (let i = 0; i < rows * n; i++) X[i] = Math.round(rng.normal() * 256) / 256;
  for (const dcol of o.dead ?? []) for (let r = 0; r < rows; r++) X[r * n + dcol] = 0;
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += X[r * n + i] * X[r * n + j];
      G[i * n + j] = s;
    }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 * rng.normal();
  return makeObjective(G, w);
}
