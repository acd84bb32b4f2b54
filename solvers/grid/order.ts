/**
 * Chang–Han style search order for a positive definite P over any per-coordinate grid: greedily decide first the
 * coordinate whose conditional mean is farthest (in conditional variances) from its nearest grid point,
 * `(nearest(mu_j) - mu_j)^2 / Sigma_jj`, fixing it there for the following choices (Sigma, mu: conditional
 * covariance and mean given the decided coordinates). Shared by the integer box (`nearest` = clamp(round(.)))
 * and level sets (`nearest` = the nearest level).
 */
import { cholInverse, cholesky } from '../../src/linalg/dense.js';

/** The order (coordinate indices, decided first first), or null when P is not numerically positive definite. */
export function conditionalOrder(P: Float64Array, na: number, t: ArrayLike<number>, nearest: (x: number) => number): Int32Array | null {
  if (na === 0) return new Int32Array(0);
  const Lc = cholesky(P, na);
  if (Lc === null) return null;
  const S = cholInverse(Lc, na);
  const mu = Float64Array.from(t);
  const alive = new Uint8Array(na).fill(1);
  const out = new Int32Array(na);
  for (let step = 0; step < na; step++) {
    let best = -1;
    let bv = -Infinity;
    for (let j = 0; j < na; j++) {
      if (!alive[j]) continue;
      const sjj = S[j * na + j];
      if (!(sjj > 0)) continue;
      const r = nearest(mu[j]);
      const v = ((r - mu[j]) * (r - mu[j])) / sjj;
      if (v > bv) { bv = v; best = j; }
    }
    if (best < 0) for (let j = 0; j < na; j++) if (alive[j]) { best = j; break; }
    out[step] = best;
    alive[best] = 0;
    const sbb = S[best * na + best];
    if (sbb > 0) {
      const delta = (nearest(mu[best]) - mu[best]) / sbb;
      for (let i = 0; i < na; i++) if (alive[i]) mu[i] += S[i * na + best] * delta;
      const ib = 1 / sbb;
      for (let i = 0; i < na; i++) {
        if (!alive[i]) continue;
        const f = S[i * na + best] * ib;
        if (f === 0) continue;
        for (let j = 0; j < na; j++) if (alive[j]) S[i * na + j] -= f * S[best * na + j];
      }
    }
  }
  return out;
}
