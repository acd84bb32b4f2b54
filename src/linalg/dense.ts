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
 *
 * Register-blocked: two columns and two rows at a time (four independent accumulators, one load per
 * multiply-add), ~2-3x faster in V8 than the column-by-column loop. Every entry is still computed as
 * `(A_ij - sum_{k<j} L_ik L_jk) / L_jj` with the sum accumulated in increasing k, so the result is
 * bitwise identical to the textbook loop (and the textbook backward-error bound applies unchanged).
 */
export function choleskyInPlace(A: Float64Array, n: number, minPivot = 0): number {
  return choleskyKernel(A, n, minPivot, undefined);
}

/** `choleskyInPlaceUntil`'s answer when the deadline expired before the factorisation finished (A is then partly overwritten). */
export const CHOLESKY_STOPPED = -2;

/**
 * `choleskyInPlace` that polls `stop` (a `Deadline`) every 16 columns and gives up when it has expired: returns -1
 * on success, the index of the first failing pivot, or `CHOLESKY_STOPPED` (-2). The same arithmetic, so the same
 * factor and backward-error bound as `choleskyInPlace` when it finishes; the overrun past the deadline is at most
 * the cost of 16 columns (about 16 n^2 flops at the end of the factorisation).
 */
export function choleskyInPlaceUntil(A: Float64Array, n: number, stop: { expired(): boolean } | undefined, minPivot = 0): number {
  return choleskyKernel(A, n, minPivot, stop);
}

function choleskyKernel(A: Float64Array, n: number, minPivot: number, stop: { expired(): boolean } | undefined): number {
  let j = 0;
  for (; j + 1 < n; j += 2) {
    if (stop !== undefined && (j & 15) === 0 && j > 0 && stop.expired()) return CHOLESKY_STOPPED;
    const rj = j * n;
    const rj2 = rj + n;
    let d0 = A[rj + j];
    let s10 = A[rj2 + j];
    let d1 = A[rj2 + j + 1];
    for (let k = 0; k < j; k++) {
      const u = A[rj + k];
      const v = A[rj2 + k];
      d0 -= u * u;
      s10 -= v * u;
      d1 -= v * v;
    }
    if (!(d0 > minPivot)) return j;
    const l00 = Math.sqrt(d0);
    const inv0 = 1 / l00;
    const l10 = s10 * inv0;
    d1 -= l10 * l10;
    if (!(d1 > minPivot)) return j + 1;
    const l11 = Math.sqrt(d1);
    A[rj + j] = l00;
    A[rj2 + j] = l10;
    A[rj2 + j + 1] = l11;
    const inv1 = 1 / l11;
    let i = j + 2;
    for (; i + 1 < n; i += 2) {
      const ri = i * n;
      const ri2 = ri + n;
      let a0 = A[ri + j];
      let a1 = A[ri + j + 1];
      let b0 = A[ri2 + j];
      let b1 = A[ri2 + j + 1];
      for (let k = 0; k < j; k++) {
        const x = A[ri + k];
        const y = A[ri2 + k];
        const u = A[rj + k];
        const v = A[rj2 + k];
        a0 -= x * u;
        a1 -= x * v;
        b0 -= y * u;
        b1 -= y * v;
      }
      const la = a0 * inv0;
      const lb = b0 * inv0;
      A[ri + j] = la;
      A[ri + j + 1] = (a1 - la * l10) * inv1;
      A[ri2 + j] = lb;
      A[ri2 + j + 1] = (b1 - lb * l10) * inv1;
    }
    if (i < n) {
      const ri = i * n;
      let a0 = A[ri + j];
      let a1 = A[ri + j + 1];
      for (let k = 0; k < j; k++) {
        const x = A[ri + k];
        a0 -= x * A[rj + k];
        a1 -= x * A[rj2 + k];
      }
      const la = a0 * inv0;
      A[ri + j] = la;
      A[ri + j + 1] = (a1 - la * l10) * inv1;
    }
    for (let c = j + 1; c < n; c++) A[rj + c] = 0;
    for (let c = j + 2; c < n; c++) A[rj2 + c] = 0;
  }
  if (j < n) {
    const rj = j * n;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
    if (!(d > minPivot)) return j;
    A[rj + j] = Math.sqrt(d);
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

/**
 * Inverse of an SPD matrix from its Cholesky factor L (lower, row-major) into `out` (symmetric result);
 * `work` (n*n entries) is scratch. R = L^{-T} (upper) row by row from the bottom (contiguous axpys), then
 * out = R R^T by dot products of contiguous rows in 2x2 blocks (one triangle, mirrored).
 */
export function cholInverse(L: Float64Array, n: number, out = new Float64Array(n * n), work = new Float64Array(n * n)): Float64Array {
  const R = work;
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const inv = 1 / L[ri + i];
    for (let j = i; j < n; j++) R[ri + j] = 0;
    for (let k = i + 1; k < n; k++) {
      const u = L[k * n + i];
      if (u === 0) continue;
      const rk = k * n;
      for (let j = k; j < n; j++) R[ri + j] += u * R[rk + j];
    }
    for (let j = i + 1; j < n; j++) R[ri + j] *= -inv;
    R[ri + i] = inv;
  }
  // (R R^T)_ij = sum_{k >= max(i, j)} R_ik R_jk (strict lower part of R zeroed)
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) R[ri + k] = 0;
  }
  const ne = n & ~1;
  for (let i = 0; i < ne; i += 2) {
    const ri = i * n;
    const ri2 = ri + n;
    for (let j = i; j < ne; j += 2) {
      const rj = j * n;
      const rj2 = rj + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = j; k < n; k++) {
        const a = R[ri + k];
        const b = R[ri2 + k];
        const u = R[rj + k];
        const v = R[rj2 + k];
        s00 += a * u;
        s01 += a * v;
        s10 += b * u;
        s11 += b * v;
      }
      out[ri + j] = s00;
      out[ri + j + 1] = s01;
      out[ri2 + j] = s10;
      out[ri2 + j + 1] = s11;
      out[rj + i] = s00;
      out[rj2 + i] = s01;
      out[rj + i + 1] = s10;
      out[rj2 + i + 1] = s11;
    }
  }
  if (ne < n) {
    const l = n - 1;
    const rl = l * n;
    const rll = R[rl + l];
    for (let i = 0; i < n; i++) {
      const s = R[i * n + l] * rll;
      out[i * n + l] = s;
      out[rl + i] = s;
    }
  }
  return out;
}

/** out = A B (dense n x n, row-major; out must not alias A or B). */
export function matMul(A: Float64Array, B: Float64Array, n: number, out = new Float64Array(n * n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < n; k++) {
      const aik = A[ri + k];
      if (aik === 0) continue;
      const rk = k * n;
      for (let j = 0; j < n; j++) out[ri + j] += aik * B[rk + j];
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
