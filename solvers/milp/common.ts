/** Shared pieces of the OA solvers: input checks, option parsing, side constraints, the diagonal split. */
import { PvqInputError } from '../../src/core/errors.js';
import { defineOptions } from '../../src/core/options.js';
import type { SolveOptions } from '../../src/core/types.js';
import { cholesky, cholInverse, cholSolve } from '../../src/linalg/dense.js';
import { symEig } from '../../src/linalg/eigen.js';
import type { MilpBackendName } from './backends.js';
import { MILP_BACKENDS } from './backends.js';
import type { MilpRow } from './model.js';

/**
 * A linear side constraint on the discrete variables of the formulation: `lb <= sum coef * x_index <= ub`, where
 * x is z (integers, weights are scale*z) for quantization and the 0/1 keep-mask for pruning.
 */
export interface SideConstraint {
  /** Pairs [index, coefficient]. */
  terms: ReadonlyArray<readonly [number, number]>;
  lb?: number;
  ub?: number;
  name?: string;
}

/** The shared validator of in-memory objectives (src/core/objective.ts). */
export { checkObjective } from '../../src/core/objective.js';

export function parseSideConstraints(raw: unknown, n: number): SideConstraint[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new PvqInputError('sideConstraints', 'must be an array of {terms: [[index, coef], ...], lb?, ub?}');
  return raw.map((c: unknown, i: number) => {
    const sc = c as SideConstraint;
    if (!sc || !Array.isArray(sc.terms)) throw new PvqInputError(`sideConstraints[${i}].terms`, 'must be an array of [index, coef] pairs');
    for (const t of sc.terms) {
      if (!Array.isArray(t) || t.length !== 2 || !Number.isInteger(t[0]) || t[0] < 0 || t[0] >= n || !Number.isFinite(t[1]))
        throw new PvqInputError(`sideConstraints[${i}].terms`, `each term must be [index in 0..${n - 1}, finite coefficient]`);
    }
    const lb = sc.lb ?? -Infinity;
    const ub = sc.ub ?? Infinity;
    if (Number.isNaN(lb) || Number.isNaN(ub) || lb > ub) throw new PvqInputError(`sideConstraints[${i}]`, `bounds [${lb}, ${ub}] are empty`);
    if (!Number.isFinite(lb) && !Number.isFinite(ub)) throw new PvqInputError(`sideConstraints[${i}]`, 'needs lb or ub');
    return { terms: sc.terms, lb, ub, name: sc.name };
  });
}

/** Rows of the side constraints, with variable index i mapped to `offset + i`. */
export function sideRows(sc: SideConstraint[], offset = 0): MilpRow[] {
  return sc.map((c, i) => ({
    name: c.name ?? `side${i}`,
    idx: c.terms.map((t) => offset + t[0]),
    coef: c.terms.map((t) => t[1]),
    lb: c.lb ?? -Infinity,
    ub: c.ub ?? Infinity,
  }));
}

/** Do the discrete values x (length n) satisfy all side constraints (tolerance 1e-9 * scale)? */
export function satisfiesSide(sc: SideConstraint[], x: ArrayLike<number>): boolean {
  for (const c of sc) {
    let s = 0;
    let m = 0;
    for (const [i, a] of c.terms) {
      s += a * x[i];
      m += Math.abs(a * x[i]);
    }
    const tol = 1e-9 * (1 + m);
    if (s < (c.lb ?? -Infinity) - tol || s > (c.ub ?? Infinity) + tol) return false;
  }
  return true;
}

const OA_OPTIONS = {
  backend: { type: 'enum', values: MILP_BACKENDS, default: 'glpk', help: "'glpk' (GLPK 5 in WebAssembly, optional dependency) or 'jsl' (javascript-lp-solver, pure JS)" },
  sideConstraints: {
    type: 'array',
    help: 'array of {terms: [[index, coef], ...], lb?, ub?} (JSON on the command line): linear constraints on the discrete variables (z for quant-oa, the 0/1 keep-mask for prune-oa); bounds are then for that variant',
  },
  onIteration: { type: 'function', help: 'callback(info) after every master solve with the certified bounds so far (library only)' },
  absGapTol: { type: 'number', min: 0, help: 'absolute gap at which optimality is declared (default 1e-14 * r, the rounding level of the error)' },
  lpWarmupRounds: { type: 'integer', min: 0, help: 'Kelley rounds on the LP relaxation before the MILP masters (default 2n)' },
  verifyNodeLimit: {
    type: 'integer',
    min: 1,
    default: 20000,
    help: 'node limit of the safe branch and bound that proves each master bound by interval arithmetic (glpk LPs with duals)',
  },
} as const;

/** quant-oa's options (schema; resolved by resolveExtras). */
export const QUANT_OA_OPTIONS = defineOptions({
  ...OA_OPTIONS,
  cuts: { type: 'enum', values: ['factor', 'tangent'], default: 'factor', help: "'factor' (y = L^T (z - t) with 1-D tangents of y_k^2) or 'tangent' (plain Kelley cuts)" },
  split: { type: 'enum', values: ['jacobi', 'max', 'none'], default: 'jacobi', help: "'jacobi' diagonal split, 'max' (barrier-maximised weighted trace, measured slower) or 'none'" },
});

/** prune-oa's options (schema; resolved by resolveExtras). */
export const PRUNE_OA_OPTIONS = defineOptions({
  ...OA_OPTIONS,
  formulation: { type: 'enum', values: ['perspective', 'bigm'], help: "'perspective' (mask only; default with glpk, no box, G definite) or 'bigm' (mask + weights)" },
  maxMSupports: { type: 'integer', min: 1, default: 50000, help: 'supports enumerated to derive big-M for singular G without a box' },
});

export function backendOption(options: SolveOptions): MilpBackendName {
  const b = options.extra?.backend ?? 'glpk';
  if (typeof b !== 'string' || !(MILP_BACKENDS as readonly string[]).includes(b))
    throw new PvqInputError('backend', `unknown MILP back end '${String(b)}' (expected one of ${MILP_BACKENDS.join(', ')})`);
  return b as MilpBackendName;
}

/**
 * A diagonal d >= 0 with A - diag(d) PSD (checked by a Cholesky factorisation of A - diag(d)): d_i = theta A_ii with
 * theta just below the smallest eigenvalue of the Jacobi-scaled matrix D^-1/2 A D^-1/2 over the coordinates with
 * A_ii > 0 (the others get d_i = 0). Returns zeros when no positive theta passes the check.
 */
export function diagonalSplit(A: Float64Array, n: number, mask?: ArrayLike<boolean>): Float64Array {
  const d = new Float64Array(n);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (A[i * n + i] > 0 && (!mask || mask[i])) idx.push(i);
  const m = idx.length;
  if (m === 0) return d;
  const C = new Float64Array(m * m);
  const sq = idx.map((i) => Math.sqrt(A[i * n + i]));
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) C[a * m + b] = A[idx[a] * n + idx[b]] / (sq[a] * sq[b]);
  const lmin = symEig(C, m).values[0];
  let theta = lmin * (1 - 1e-6) - 1e-12;
  const M = new Float64Array(m * m);
  for (let attempt = 0; attempt < 30 && theta > 1e-10; attempt++) {
    for (let a = 0; a < m; a++)
      for (let b = 0; b < m; b++) M[a * m + b] = A[idx[a] * n + idx[b]] - (a === b ? theta * A[idx[a] * n + idx[a]] : 0);
    // The split must be PSD on all coordinates; the masked-out ones keep their full diagonal, and their
    // coupling to idx is part of A, so check the full matrix A - diag(d).
    const full = Float64Array.from(A);
    for (let a = 0; a < m; a++) full[idx[a] * n + idx[a]] -= theta * A[idx[a] * n + idx[a]];
    if (cholesky(M, m, 0) && psdCheck(full, n)) {
      for (let a = 0; a < m; a++) d[idx[a]] = theta * A[idx[a] * n + idx[a]];
      return d;
    }
    theta *= 0.5;
  }
  return d;
}

/** PSD check of a matrix whose zero rows/columns are allowed: Cholesky on the coordinates with a nonzero diagonal. */
function psdCheck(A: Float64Array, n: number): boolean {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (A[i * n + i] !== 0) idx.push(i);
  const m = idx.length;
  const M = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) M[a * m + b] = A[idx[a] * n + idx[b]];
  return cholesky(M, m, 0) !== null;
}

/**
 * A larger diagonal split than `diagonalSplit`: maximise sum_i d_i / A_ii subject to A - diag(d) PSD, d >= 0, by a
 * log-barrier Newton method in the Jacobi-scaled coordinates, started from the Jacobi split. The result is
 * shrunk by a relative 1e-7 and accepted only if a Cholesky factorisation of A - diag(d) succeeds; otherwise the
 * Jacobi split is returned.
 */
export function optimizedSplit(A: Float64Array, n: number): Float64Array {
  const d0 = diagonalSplit(A, n);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (d0[i] > 0) idx.push(i);
  const m = idx.length;
  if (m < 2 || idx.length !== countPositiveDiag(A, n)) return d0;
  const sq = idx.map((i) => Math.sqrt(A[i * n + i]));
  const C = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) C[a * m + b] = A[idx[a] * n + idx[b]] / (sq[a] * sq[b]);
  const e = new Float64Array(m);
  for (let a = 0; a < m; a++) e[a] = 0.5 * (d0[idx[a]] / A[idx[a] * n + idx[a]]);
  const M = new Float64Array(m * m);
  const factor = (ee: Float64Array): Float64Array | null => {
    for (let a = 0; a < m * m; a++) M[a] = C[a];
    for (let a = 0; a < m; a++) M[a * m + a] -= ee[a];
    return cholesky(M, m, 0);
  };
  const phi = (ee: Float64Array, mu: number, L: Float64Array): number => {
    let s = 0;
    for (let a = 0; a < m; a++) s += ee[a] + mu * (Math.log(ee[a]) + 2 * Math.log(L[a * m + a]));
    return s;
  };
  let mu = 0.1;
  const trial = new Float64Array(m);
  const Hs = new Float64Array(m * m);
  const g = new Float64Array(m);
  for (let outer = 0; outer < 12; outer++) {
    for (let it = 0; it < 30; it++) {
      const L = factor(e);
      if (!L) return d0;
      const H = cholInverse(L, m);
      for (let a = 0; a < m; a++) {
        g[a] = 1 - mu * H[a * m + a] + mu / e[a];
        for (let b = 0; b < m; b++) Hs[a * m + b] = mu * H[a * m + b] * H[a * m + b] + (a === b ? mu / (e[a] * e[a]) : 0);
      }
      const LH = cholesky(Hs, m, 0);
      if (!LH) break;
      const step = cholSolve(LH, m, Float64Array.from(g));
      let dec = 0;
      for (let a = 0; a < m; a++) dec += g[a] * step[a];
      if (dec < 1e-10) break;
      const f0 = phi(e, mu, L);
      let alpha = 1;
      let moved = false;
      for (let ls = 0; ls < 40; ls++, alpha *= 0.5) {
        let ok = true;
        for (let a = 0; a < m; a++) {
          trial[a] = e[a] + alpha * step[a];
          if (!(trial[a] > 0)) ok = false;
        }
        if (!ok) continue;
        const Lt = factor(trial);
        if (!Lt) continue;
        if (phi(trial, mu, Lt) >= f0) {
          e.set(trial);
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
    mu *= 0.1;
  }
  const d = new Float64Array(n);
  for (let a = 0; a < m; a++) d[idx[a]] = e[a] * (1 - 1e-7) * A[idx[a] * n + idx[a]];
  const full = Float64Array.from(A);
  for (let i = 0; i < n; i++) full[i * n + i] -= d[i];
  if (!psdCheck(full, n)) return d0;
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < n; i++) {
    if (A[i * n + i] > 0) {
      s0 += d0[i] / A[i * n + i];
      s1 += d[i] / A[i * n + i];
    }
  }
  return s1 > s0 ? d : d0;
}

function countPositiveDiag(A: Float64Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (A[i * n + i] > 0) c++;
  return c;
}
