/**
 * Dense kernels on row-major Float64Array matrices. No allocation inside loops; callers may pass
 * work buffers. All matrices are n*n unless stated otherwise.
 */

/** Unit roundoff of IEEE double (2^-53). */
export const EPS = 2 ** -53;

/** y = A x (A row-major m*n). */
export function matVec(A: Float64Array, x: ArrayLike<number>, m: number, n: number, y = new Float64Array(m)): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const off = i * n;
    for (let j = 0; j < n; j++) s += A[off + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** Symmetrise in place: A <- (A + A^T)/2. */
export function symmetrize(A: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (A[i * n + j] + A[j * n + i]);
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  return A;
}

/** Largest |A_ij - A_ji| relative to max|A_ij| (0 for the zero matrix). */
export function asymmetry(A: Float64Array, n: number): number {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = Math.abs(A[i * n + j]);
      if (a > maxAbs) maxAbs = a;
      if (j > i) {
        const d = Math.abs(A[i * n + j] - A[j * n + i]);
        if (d > maxDiff) maxDiff = d;
      }
    }
  }
  return maxAbs === 0 ? 0 : maxDiff / maxAbs;
}

/** Principal submatrix A[idx, idx] (row-major |idx|*|idx|). */
export function principalSubmatrix(A: Float64Array, n: number, idx: ArrayLike<number>): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    const ra = idx[a] * n;
    for (let b = 0; b < m; b++) out[a * m + b] = A[ra + idx[b]];
  }
  return out;
}

/**
 * In-place Cholesky A = L L^T of a symmetric matrix (only the lower triangle is read); the strict upper
 * triangle is zeroed. Returns -1 on success, or the index of the first pivot that is <= minPivot
 * (the matrix is then not positive definite with that margin and its contents are undefined).
 */
export function choleskyInPlace(A: Float64Array, n: number, minPivot = 0): number {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
    if (!(d > minPivot)) return j;
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= A[ri + k] * A[rj + k];
      A[ri + j] = s * inv;
    }
    for (let i = j + 1; i < n; i++) A[rj + i] = 0;
  }
  return -1;
}

/** Cholesky factor of a copy of A; null when A is not positive definite (pivot <= minPivot). */
export function cholesky(A: Float64Array, n: number, minPivot = 0): Float64Array | null {
  const L = Float64Array.from(A);
  return choleskyInPlace(L, n, minPivot) < 0 ? L : null;
}

/** Solve L y = b in place (L lower triangular, row-major). */
export function forwardSubst(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  return b;
}

/** Solve L^T x = y in place (L lower triangular, row-major). */
export function backSubstT(L: Float64Array, n: number, y: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * y[k];
    y[i] = s / L[i * n + i];
  }
  return y;
}

/** Solve (L L^T) x = b in place. */
export function cholSolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  return backSubstT(L, n, forwardSubst(L, n, b));
}

/** Inverse of an SPD matrix from its Cholesky factor (row-major, symmetric result). */
export function cholInverse(L: Float64Array, n: number, out = new Float64Array(n * n)): Float64Array {
  // Invert L (lower) into Linv, then out = Linv^T Linv.
  const Li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    Li[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      const ri = i * n;
      for (let k = j; k < i; k++) s -= L[ri + k] * Li[k * n + j];
      Li[ri + j] = s / L[ri + i];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += Li[k * n + i] * Li[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * Rank-one update (sign = +1) or downdate (sign = -1) of a Cholesky factor in place:
 * L L^T <- L L^T + sign * x x^T. `x` is overwritten. Returns false if a downdate loses positive
 * definiteness (L is then invalid).
 */
export function cholRankOne(L: Float64Array, n: number, x: Float64Array, sign: 1 | -1): boolean {
  for (let k = 0; k < n; k++) {
    const lkk = L[k * n + k];
    const xk = x[k];
    const r2 = lkk * lkk + sign * xk * xk;
    if (!(r2 > 0)) return false;
    const r = Math.sqrt(r2);
    const c = r / lkk;
    const s = xk / lkk;
    L[k * n + k] = r;
    for (let i = k + 1; i < n; i++) {
      const li = (L[i * n + k] + sign * s * x[i]) / c;
      x[i] = c * x[i] - s * li;
      L[i * n + k] = li;
    }
  }
  return true;
}

export interface PivotedLDL {
  /** Rank found (number of pivots above the tolerance). */
  rank: number;
  /** perm[j] = original index of the j-th pivot. */
  perm: Int32Array;
  /** Unit lower-triangular factor (row-major n*n, in pivot order; columns >= rank are zero below the diagonal). */
  L: Float64Array;
  /** Pivots D (length n; entries >= rank are the residual diagonal, ~0 for PSD input). */
  d: Float64Array;
  /** Largest |entry| of the Schur complement left after `rank` steps (0 when rank = n). */
  residual: number;
  /** Smallest diagonal entry of that residual Schur complement (negative means indefinite). */
  residualMinDiag: number;
}

/**
 * Diagonally pivoted LDL^T (equivalently, pivoted Cholesky) of a symmetric PSD matrix:
 * P A P^T = L D L^T with D >= 0. Stops when the largest remaining diagonal is <= tol; the remaining
 * Schur complement is reported so that callers can decide whether A is PSD (it must then be ~0).
 */
export function pivotedLDL(A: Float64Array, n: number, tol: number): PivotedLDL {
  const S = Float64Array.from(A); // working Schur complement, in original indexing via perm
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const L = new Float64Array(n * n);
  const d = new Float64Array(n);
  let rank = 0;
  for (let j = 0; j < n; j++) {
    // pick the largest remaining diagonal
    let best = j;
    let bestVal = S[perm[j] * n + perm[j]];
    for (let i = j + 1; i < n; i++) {
      const v = S[perm[i] * n + perm[i]];
      if (v > bestVal) {
        bestVal = v;
        best = i;
      }
    }
    if (!(bestVal > tol)) break;
    if (best !== j) {
      const t = perm[j];
      perm[j] = perm[best];
      perm[best] = t;
      // swap rows j and best of L (columns < j)
      for (let k = 0; k < j; k++) {
        const a = L[j * n + k];
        L[j * n + k] = L[best * n + k];
        L[best * n + k] = a;
      }
    }
    const pj = perm[j];
    d[j] = bestVal;
    L[j * n + j] = 1;
    const inv = 1 / bestVal;
    for (let i = j + 1; i < n; i++) L[i * n + j] = S[perm[i] * n + pj] * inv;
    // Schur update of the trailing block
    for (let i = j + 1; i < n; i++) {
      const pi = perm[i];
      const lij = L[i * n + j] * bestVal;
      for (let k = j + 1; k <= i; k++) {
        const pk = perm[k];
        const v = S[pi * n + pk] - lij * L[k * n + j];
        S[pi * n + pk] = v;
        S[pk * n + pi] = v;
      }
    }
    rank++;
  }
  let residual = 0;
  let residualMinDiag = 0;
  for (let i = rank; i < n; i++) {
    const pi = perm[i];
    const dii = S[pi * n + pi];
    d[i] = dii;
    if (dii < residualMinDiag) residualMinDiag = dii;
    for (let k = rank; k < n; k++) {
      const v = Math.abs(S[pi * n + perm[k]]);
      if (v > residual) residual = v;
    }
  }
  return { rank, perm, L, d, residual, residualMinDiag };
}
