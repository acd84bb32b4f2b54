/** Independent brute force for the pruning tests (ml-matrix pseudo-inverses, no pvq solver code). */
import { Matrix, pseudoInverse } from 'ml-matrix';
import type { PruningProblem } from '../../src/core/types.js';
import { makeObjective } from '../../src/core/objective.js';
import { Rng } from '../../src/core/random.js';

export function quad(G: Float64Array, n: number, w: ArrayLike<number>, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += (w[i] - v[i]) * G[i * n + j] * (w[j] - v[j]);
  return s;
}

function subsets(n: number, maxK: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, cur: number[]): void => {
    out.push(cur.slice());
    if (cur.length === maxK) return;
    for (let i = start; i < n; i++) {
      cur.push(i);
      rec(i + 1, cur);
      cur.pop();
    }
  };
  rec(0, []);
  return out;
}

/** min over v_S of (w - v)^T G (w - v), with lo <= v_S <= hi when box is set (enumerating active sets). */
export function bruteSupport(G: Float64Array, n: number, w: Float64Array, S: number[], box: readonly [number, number] | null): { err: number; v: Float64Array } {
  const m = S.length;
  const v0 = new Float64Array(n);
  if (m === 0) return { err: quad(G, n, w, v0), v: v0 };
  const A = new Matrix(m, m);
  const c = new Matrix(m, 1);
  for (let a = 0; a < m; a++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += G[S[a] * n + j] * w[j];
    c.set(a, 0, s);
    for (let b = 0; b < m; b++) A.set(a, b, G[S[a] * n + S[b]]);
  }
  let best = { err: Infinity, v: v0 };
  const states = box ? 3 ** m : 1;
  for (let code = 0; code < states; code++) {
    // state per variable: 0 free, 1 lo, 2 hi
    const st: number[] = [];
    let x = code;
    for (let a = 0; a < m; a++) {
      st.push(box ? x % 3 : 0);
      x = Math.floor(x / 3);
    }
    const F = st.map((s, a) => (s === 0 ? a : -1)).filter((a) => a >= 0);
    const xv = new Float64Array(m);
    for (let a = 0; a < m; a++) if (st[a] === 1) xv[a] = box![0];
    else if (st[a] === 2) xv[a] = box![1];
    if (F.length > 0) {
      const AF = new Matrix(F.length, F.length);
      const rhs = new Matrix(F.length, 1);
      for (let p = 0; p < F.length; p++) {
        let s = c.get(F[p], 0);
        for (let a = 0; a < m; a++) if (st[a] !== 0) s -= A.get(F[p], a) * xv[a];
        rhs.set(p, 0, s);
        for (let q = 0; q < F.length; q++) AF.set(p, q, A.get(F[p], F[q]));
      }
      const sol = pseudoInverse(AF).mmul(rhs);
      for (let p = 0; p < F.length; p++) xv[F[p]] = sol.get(p, 0);
    }
    if (box && xv.some((t) => t < box[0] - 1e-12 || t > box[1] + 1e-12)) continue;
    const v = new Float64Array(n);
    for (let a = 0; a < m; a++) v[S[a]] = box ? Math.min(box[1], Math.max(box[0], xv[a])) : xv[a];
    const err = quad(G, n, w, v);
    if (err < best.err) best = { err: Math.max(0, err), v };
  }
  return best;
}

/** Brute-force optimum over all supports of size <= k. */
export function bruteForcePrune(p: PruningProblem): { err: number; S: number[] } {
  const { G, n, w } = p.objective;
  let best = { err: Infinity, S: [] as number[] };
  for (const S of subsets(n, Math.min(p.k, n))) {
    const e = bruteSupport(G, n, w, S, p.box).err;
    if (e < best.err) best = { err: e, S };
  }
  return best;
}

/** Random problem: G = X^T X with m rows (m < n gives singular G), optional dead and duplicate columns. */
export function randomProblem(opts: {
  n: number;
  k: number;
  m?: number;
  seed: number;
  box?: 'none' | 'paper' | 'tight';
  dead?: number[];
  duplicate?: [number, number];
  zeroW?: number[];
}): PruningProblem {
  const { n, k, seed } = opts;
  const m = opts.m ?? 2 * n;
  const rng = new Rng(seed);
  const X = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) X[i] = rng.normal();
  for (const d of opts.dead ?? []) for (let t = 0; t < m; t++) X[t * n + d] = 0;
  if (opts.duplicate) for (let t = 0; t < m; t++) X[t * n + opts.duplicate[1]] = X[t * n + opts.duplicate[0]];
  const G = new Float64Array(n * n);
  for (let t = 0; t < m; t++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] += X[t * n + i] * X[t * n + j];
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.05 * rng.normal();
  for (const z of opts.zeroW ?? []) w[z] = 0;
  let box: [number, number] | null = null;
  const mn = Math.min(0, ...w);
  const mx = Math.max(0, ...w);
  if (opts.box === 'paper') box = [2 * mn, 2 * mx];
  if (opts.box === 'tight') box = [0.6 * mn, 0.6 * mx];
  return { name: `rand${seed}`, objective: makeObjective(G, w), k, box };
}
