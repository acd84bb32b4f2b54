/**
 * LLL lattice reduction of a positive definite Gram matrix P (floating-point Schnorr–Euchner variant):
 * finds a unimodular integer matrix U (columns = new basis in z coordinates) such that U^T P U is LLL-reduced.
 * The unconstrained closest-vector problem `min over integer z of (z - t)^T P (z - t)` becomes
 * `min over integer u of (u - U^{-1} t)^T (U^T P U) (u - U^{-1} t)` with z = U u: the same integer points, a far
 * better conditioned enumeration. U and U^{-1} are tracked with exact integer operations (entries stay far below
 * 2^53; the reduction gives up and returns null otherwise), and `U * Uinv = I` is checked exactly at the end.
 */

export interface LllResult {
  /** Unimodular basis, row-major n*n, columns are the reduced basis vectors (z = U u). */
  U: Float64Array;
  /** Exact integer inverse of U. */
  Uinv: Float64Array;
  /** Number of swaps performed. */
  swaps: number;
}

const MAX_ENTRY = 2 ** 30;

/**
 * LLL-reduce the Gram matrix P (n*n, positive definite). Returns null if P is not numerically PD or U grows
 * too large, or when `stop` (a deadline) expires first (the reduction is optional for its callers).
 */
export function lllGram(
  P: Float64Array,
  n: number,
  delta = 0.99,
  maxSwaps = 50 * n * n + 1000,
  stop?: { expired(): boolean },
): LllResult | null {
  const U = new Float64Array(n * n);
  const Uinv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    U[i * n + i] = 1;
    Uinv[i * n + i] = 1;
  }
  if (n <= 1) return { U, Uinv, swaps: 0 };
  const A = Float64Array.from(P); // Gram of the current basis (A = U^T P U), rows/cols recomputed from U
  const mu = new Float64Array(n * n);
  const B = new Float64Array(n);
  const Pu = new Float64Array(n);
  const recomputeRow = (k: number): void => {
    // A[k][j] = u_k^T P u_j for all j, from the integer columns
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += P[i * n + j] * U[j * n + k];
      Pu[i] = s;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Pu[i] * U[i * n + j];
      A[k * n + j] = s;
      A[j * n + k] = s;
    }
  };
  const gsRow = (k: number): boolean => {
    for (let j = 0; j < k; j++) {
      let s = A[k * n + j];
      for (let i = 0; i < j; i++) s -= mu[j * n + i] * mu[k * n + i] * B[i];
      mu[k * n + j] = s / B[j];
    }
    let b = A[k * n + k];
    for (let j = 0; j < k; j++) b -= mu[k * n + j] * mu[k * n + j] * B[j];
    B[k] = b;
    return b > 0 && Number.isFinite(b);
  };
  if (!gsRow(0)) return null;
  let k = 1;
  let swaps = 0;
  let steps = 0;
  while (k < n) {
    if (stop && (++steps & 31) === 0 && stop.expired()) return null;
    if (!gsRow(k)) return null;
    // size reduction of b_k against b_{k-1}, ..., b_0
    let changed = false;
    for (let j = k - 1; j >= 0; j--) {
      const q = Math.round(mu[k * n + j]);
      if (q === 0) continue;
      changed = true;
      for (let i = 0; i < n; i++) {
        const v = U[i * n + k] - q * U[i * n + j];
        if (Math.abs(v) > MAX_ENTRY) return null;
        U[i * n + k] = v;
      }
      for (let i = 0; i < n; i++) Uinv[j * n + i] += q * Uinv[k * n + i];
      mu[k * n + j] -= q;
      for (let i = 0; i < j; i++) mu[k * n + i] -= q * mu[j * n + i];
    }
    if (changed) {
      recomputeRow(k);
      if (!gsRow(k)) return null;
    }
    const m1 = mu[k * n + k - 1];
    if (B[k] < (delta - m1 * m1) * B[k - 1]) {
      if (++swaps > maxSwaps) break;
      // swap basis vectors k-1 and k
      for (let i = 0; i < n; i++) {
        const a = U[i * n + k];
        U[i * n + k] = U[i * n + k - 1];
        U[i * n + k - 1] = a;
      }
      for (let i = 0; i < n; i++) {
        const a = Uinv[k * n + i];
        Uinv[k * n + i] = Uinv[(k - 1) * n + i];
        Uinv[(k - 1) * n + i] = a;
      }
      for (let i = 0; i < n; i++) {
        const a = A[k * n + i];
        A[k * n + i] = A[(k - 1) * n + i];
        A[(k - 1) * n + i] = a;
      }
      for (let i = 0; i < n; i++) {
        const a = A[i * n + k];
        A[i * n + k] = A[i * n + k - 1];
        A[i * n + k - 1] = a;
      }
      for (let j = 0; j < k - 1; j++) {
        const a = mu[k * n + j];
        mu[k * n + j] = mu[(k - 1) * n + j];
        mu[(k - 1) * n + j] = a;
      }
      if (k - 1 === 0) {
        B[0] = A[0];
        if (!(B[0] > 0)) return null;
      } else if (!gsRow(k - 1)) return null;
      k = Math.max(k - 1, 1);
    } else k++;
  }
  // exact check U * Uinv = I (integers below 2^30, sums below 2^53 for n <= 2^22)
  for (let i = 0; i < n; i++) {
    if (stop && (i & 15) === 0 && stop.expired()) return null;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += U[i * n + l] * Uinv[l * n + j];
      if (s !== (i === j ? 1 : 0)) return null;
    }
  }
  return { U, Uinv, swaps };
}

/** `U^T P U` (row-major, symmetrised). */
export function congruence(P: Float64Array, U: Float64Array, n: number): Float64Array {
  const PU = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let l = 0; l < n; l++) {
      const p = P[i * n + l];
      if (p === 0) continue;
      for (let j = 0; j < n; j++) PU[i * n + j] += p * U[l * n + j];
    }
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += U[i * n + a] * PU[i * n + b];
      out[a * n + b] = s;
      out[b * n + a] = s;
    }
  return out;
}
