import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Symmetric eigen-decomposition via ml-matrix (not for hot loops). Eigenvalues ascending, vectors as columns (row-major n*n). */
export function symEig(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const M = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, 0.5 * (A[i * n + j] + A[j * n + i]));
  const e = new EigenvalueDecomposition(M, { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const V = e.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[a] - vals[b]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = vals[src];
    for (let i = 0; i < n; i++) vectors[i * n + dst] = V.get(i, src);
  });
  return { values, vectors };
}

/** Smallest eigenvalue of a symmetric matrix. */
export function minEigenvalue(A: Float64Array, n: number): number {
  if (n === 0) return 0;
  return symEig(A, n).values[0];
}
