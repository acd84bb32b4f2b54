/**
 * Ordered LDL^T factorizations for sequential (Babai / GPTQ / Schnorr–Euchner) decoding of
 * `f(z) = (z - t)^T P (z - t)`: for an enumeration order `ord` (level 0 is decided first),
 *
 *   f(z) = sum_k d_k (z_{ord k} - c_k)^2,   c_k = t_{ord k} - sum_{j<k} Lk[k, j] (z_{ord j} - t_{ord j}),
 *
 * where d_k is the precision of variable ord[k] conditioned on the variables decided after it (levels > k)
 * being free reals. Pivots below `tol` are dropped (d_k = 0) so singular P is handled: this is exact when the
 * dropped part (the trailing Schur complement) is zero, and otherwise gives a lower bound on f.
 */
import { cholesky, cholInverse, pivotedLDL } from '../../src/linalg/dense.js';
import { conditionalOrder } from '../grid/order.js';

export interface OrderedFactor {
  na: number;
  ord: Int32Array;
  /** Level weights (length na). */
  d: Float64Array;
  /** Strictly lower coefficients in level order, row-major na*na. */
  Lk: Float64Array;
  /** Targets in level order. */
  tOrd: Float64Array;
  /** Rank used (number of positive pivots). */
  rank: number;
}

/** LDL^T of P in the reverse of `ord` (levels decided last are eliminated first). */
export function factorInOrder(P: Float64Array, na: number, ord: ArrayLike<number>, t: ArrayLike<number>, tol: number): OrderedFactor {
  return factorInOrderUntil(P, na, ord, t, tol)!;
}

/** Type of the optional deadline the O(n^3) kernels below poll (a `Deadline` from core/result). */
export type Stop = { expired(): boolean } | undefined;

/** `factorInOrder` that gives up (returns null) when `stop` expires during the elimination. */
export function factorInOrderUntil(P: Float64Array, na: number, ord: ArrayLike<number>, t: ArrayLike<number>, tol: number, stop?: Stop): OrderedFactor | null {
  // S: working copy in reverse order
  const rev = new Int32Array(na);
  for (let k = 0; k < na; k++) rev[k] = ord[na - 1 - k];
  const S = new Float64Array(na * na);
  for (let a = 0; a < na; a++) for (let b = 0; b < na; b++) S[a * na + b] = P[rev[a] * na + rev[b]];
  const Lr = new Float64Array(na * na);
  const dr = new Float64Array(na);
  let rank = 0;
  for (let j = 0; j < na; j++) {
    if (stop && (j & 15) === 0 && stop.expired()) return null;
    const piv = S[j * na + j];
    Lr[j * na + j] = 1;
    if (!(piv > tol)) {
      dr[j] = 0;
      continue; // dropped pivot: column stays zero, no elimination
    }
    rank++;
    dr[j] = piv;
    const inv = 1 / piv;
    for (let i = j + 1; i < na; i++) Lr[i * na + j] = S[i * na + j] * inv;
    for (let i = j + 1; i < na; i++) {
      const lij = Lr[i * na + j] * piv;
      if (lij === 0) continue;
      for (let k = j + 1; k <= i; k++) {
        const v = S[i * na + k] - lij * Lr[k * na + j];
        S[i * na + k] = v;
        S[k * na + i] = v;
      }
    }
  }
  const d = new Float64Array(na);
  const Lk = new Float64Array(na * na);
  const tOrd = new Float64Array(na);
  const ordA = Int32Array.from(ord);
  for (let k = 0; k < na; k++) {
    const jr = na - 1 - k;
    d[k] = dr[jr];
    tOrd[k] = t[ordA[k]];
    for (let kp = 0; kp < k; kp++) Lk[k * na + kp] = Lr[(na - 1 - kp) * na + jr];
  }
  return { na, ord: ordA, d, Lk, tOrd, rank };
}

/**
 * Enumeration order for exact search: null-space coordinates (zero pivots of a pivoted LDL^T) first, then the
 * rest in V-BLAST order (largest conditional precision decided first).
 */
export function vblastOrder(P: Float64Array, na: number, tol: number): Int32Array {
  return vblastOrderUntil(P, na, tol)!;
}

/** `vblastOrder` that gives up (returns null) when `stop` expires. */
export function vblastOrderUntil(P: Float64Array, na: number, tol: number, stop?: Stop): Int32Array | null {
  if (na === 0) return new Int32Array(0);
  const ldl = pivotedLDL(P, na, tol);
  if (stop?.expired()) return null;
  const r = ldl.rank;
  const basic = Array.from(ldl.perm.subarray(0, r));
  const nonBasic = Array.from(ldl.perm.subarray(r));
  const out: number[] = [...nonBasic];
  if (r > 0) {
    const Pb = new Float64Array(r * r);
    for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) Pb[a * r + b] = P[basic[a] * na + basic[b]];
    const Lc = stop?.expired() ? undefined : cholesky(Pb, r);
    if (Lc === undefined || stop?.expired()) return null;
    if (Lc === null) {
      out.push(...basic); // numerically not PD: keep pivot order
    } else {
      const Inv = cholInverse(Lc, r);
      const alive = new Uint8Array(r).fill(1);
      for (let step = 0; step < r; step++) {
        if (stop && (step & 15) === 0 && stop.expired()) return null;
        let best = -1;
        let bv = Infinity;
        for (let j = 0; j < r; j++) if (alive[j] && Inv[j * r + j] < bv) { bv = Inv[j * r + j]; best = j; }
        out.push(basic[best]);
        alive[best] = 0;
        // condition the remaining inverse on removing `best`: Inv <- Inv - Inv[:,b] Inv[b,:] / Inv[b,b]
        const ib = 1 / Inv[best * r + best];
        for (let i = 0; i < r; i++) {
          if (!alive[i]) continue;
          const f = Inv[i * r + best] * ib;
          if (f === 0) continue;
          for (let j = 0; j < r; j++) if (alive[j]) Inv[i * r + j] -= f * Inv[best * r + j];
        }
      }
    }
  }
  return Int32Array.from(out);
}

/**
 * Box-aware (Chang–Han style) order for a positive definite P: greedily decide first the coordinate whose
 * box-clamped rounding of its conditional mean costs most, `(clamp(round(mu_j)) - mu_j)^2 / Sigma_jj`, fixing it
 * at that value for the following choices (the shared grid order, solvers/grid/order.ts, with the integer box).
 * Returns null when P is not numerically positive definite.
 */
export function boxAwareOrder(P: Float64Array, na: number, t: ArrayLike<number>, lo: number, hi: number): Int32Array | null {
  return conditionalOrder(P, na, t, (x) => {
    const r = Math.round(x);
    return r < lo ? lo : r > hi ? hi : r;
  });
}

/** Babai / successive-interference-cancellation point in the given factor's order, clamped into the box. */
export function babaiPoint(F: OrderedFactor, lo: number, hi: number): Float64Array {
  const { na, d: _d, Lk, tOrd, ord } = F;
  void _d;
  const zl = new Float64Array(na);
  for (let k = 0; k < na; k++) {
    let c = tOrd[k];
    for (let j = 0; j < k; j++) c -= Lk[k * na + j] * (zl[j] - tOrd[j]);
    let r = Math.round(c);
    if (r - c === 0.5 && r % 2 !== 0) r -= 1;
    zl[k] = r < lo ? lo : r > hi ? hi : r;
  }
  const z = new Float64Array(na);
  for (let k = 0; k < na; k++) z[ord[k]] = zl[k];
  return z;
}
