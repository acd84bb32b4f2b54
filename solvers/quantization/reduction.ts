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
  const st = new LllState(P, n);
  if (n <= 1) return { U: st.U, Uinv: st.Uinv, swaps: 0 };
  if (!st.gsRow(0)) return null;
  let k = 1;
  let swaps = 0;
  let steps = 0;
  while (k < n) {
    if (stop && (++steps & 31) === 0 && stop.expired()) return null;
    if (!st.gsRow(k)) return null;
    const changed = st.sizeReduce(k);
    if (changed === null) return null;
    if (changed) {
      st.recomputeRow(k);
      if (!st.gsRow(k)) return null;
    }
    const m1 = st.mu[k * n + k - 1];
    if (st.B[k] < (delta - m1 * m1) * st.B[k - 1]) {
      if (++swaps > maxSwaps) break;
      st.swap(k);
      if (k - 1 === 0) {
        st.B[0] = st.A[0];
        if (!(st.B[0] > 0)) return null;
      } else if (!st.gsRow(k - 1)) return null;
      k = Math.max(k - 1, 1);
    } else k++;
  }
  return isExactInverse(st.U, st.Uinv, n, stop) ? { U: st.U, Uinv: st.Uinv, swaps } : null;
}

/** The basis U, its inverse, the Gram A = U^T P U of the current basis and its Gram–Schmidt data (mu, B). */
class LllState {
  readonly U: Float64Array;
  readonly Uinv: Float64Array;
  /** Gram of the current basis (A = U^T P U), rows/cols recomputed from U. */
  readonly A: Float64Array;
  readonly mu: Float64Array;
  readonly B: Float64Array;
  readonly Pu: Float64Array;

  constructor(
    readonly P: Float64Array,
    readonly n: number,
  ) {
    this.U = new Float64Array(n * n);
    this.Uinv = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      this.U[i * n + i] = 1;
      this.Uinv[i * n + i] = 1;
    }
    this.A = Float64Array.from(P);
    this.mu = new Float64Array(n * n);
    this.B = new Float64Array(n);
    this.Pu = new Float64Array(n);
  }

  /** A[k][j] = u_k^T P u_j for all j, from the integer columns. */
  recomputeRow(k: number): void {
    const { P, U, A, Pu, n } = this;
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
  }

  /** Gram–Schmidt coefficients of row k; false when its squared length is not positive and finite. */
  gsRow(k: number): boolean {
    const { A, mu, B, n } = this;
    for (let j = 0; j < k; j++) {
      let s = A[k * n + j];
      for (let i = 0; i < j; i++) s -= mu[j * n + i] * mu[k * n + i] * B[i];
      mu[k * n + j] = s / B[j];
    }
    let b = A[k * n + k];
    for (let j = 0; j < k; j++) b -= mu[k * n + j] * mu[k * n + j] * B[j];
    B[k] = b;
    return b > 0 && Number.isFinite(b);
  }

  /** Size reduction of b_k against b_{k-1}, ..., b_0: whether U changed, null when an entry grows too large. */
  sizeReduce(k: number): boolean | null {
    const { U, Uinv, mu, n } = this;
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
    return changed;
  }

  /** Swap basis vectors k-1 and k (U columns, Uinv rows, A rows and columns, the first k-1 mu entries). */
  swap(k: number): void {
    const { U, Uinv, A, mu, n } = this;
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
  }
}

/** Exact check U * Uinv = I (integers below 2^30, sums below 2^53 for n <= 2^22); false also when `stop` expires. */
function isExactInverse(U: Float64Array, Uinv: Float64Array, n: number, stop?: { expired(): boolean }): boolean {
  for (let i = 0; i < n; i++) {
    if (stop && (i & 15) === 0 && stop.expired()) return false;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += U[i * n + l] * Uinv[l * n + j];
      if (s !== (i === j ? 1 : 0)) return false;
    }
  }
  return true;
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
