/**
 * The normalised objective both grid families search: `(z - t)^T P (z - t)` on the active coordinates (see
 * `Reduced` in solvers/quantization/common.ts, which re-exports `reducedValue` from here).
 */

/** Normalised objective (z - t)^T P (z - t) on the reduced coordinates. */
export function reducedValue(P: Float64Array, t: Float64Array, z: ArrayLike<number>, na: number, work = new Float64Array(na)): number {
  for (let i = 0; i < na; i++) work[i] = z[i] - t[i];
  let s = 0;
  for (let i = 0; i < na; i++) {
    const ei = work[i];
    if (ei === 0) continue;
    let row = 0;
    const off = i * na;
    for (let j = 0; j < na; j++) row += P[off + j] * work[j];
    s += ei * row;
  }
  return s;
}
