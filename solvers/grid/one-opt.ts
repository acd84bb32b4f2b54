/**
 * Greedy 1-opt polish on `(z - t)^T P (z - t)` over a per-coordinate grid (integers lo..hi, or sorted levels),
 * shared by `boxOneOpt` (solvers/quantization/common.ts) and `levelOneOpt` (solvers/levels/common.ts).
 */
import { nearestLevelIndex } from '../../src/formats/levels.js';
import { roundHalfEven } from '../../src/formats/range.js';
import type { Grid } from './enumerate.js';

/**
 * In place: repeatedly apply the best single-coordinate move (integers: `z_i + round(-g_i / (2 P_ii))` clamped into
 * [lo, hi]; levels: the level nearest to `z_i - g_i / (2 P_ii)`; g = 2 P (z - t)) while it decreases the value by
 * more than rounding noise. Every iterate stays on the grid. Returns the number of moves. O(n) per move after an
 * O(n^2) start; `stop` (polled every 64 moves) just ends the polish.
 */
export function gridOneOpt(
  P: Float64Array,
  t: ArrayLike<number>,
  z: Float64Array,
  n: number,
  grid: Grid,
  maxMoves = 100 * n + 1000,
  stop?: { expired(): boolean },
): number {
  const levels = grid.kind === 'levels' ? grid.levels : null;
  const lo = grid.kind === 'integers' ? grid.lo : 0;
  const hi = grid.kind === 'integers' ? grid.hi : 0;
  // g = 2 P (z - t)
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const off = i * n;
    for (let j = 0; j < n; j++) s += P[off + j] * (z[j] - t[j]);
    g[i] = 2 * s;
  }
  let moves = 0;
  while (moves < maxMoves) {
    if (stop && (moves & 63) === 63 && stop.expired()) break;
    let best = 0;
    let bi = -1;
    let bc = 0;
    for (let i = 0; i < n; i++) {
      const v = P[i * n + i];
      if (!(v > 0)) continue;
      let c: number;
      if (levels === null) {
        c = roundHalfEven(-g[i] / (2 * v));
        const zi = z[i] + c;
        if (zi < lo) c = lo - z[i];
        else if (zi > hi) c = hi - z[i];
      } else c = levels[nearestLevelIndex(levels, z[i] - g[i] / (2 * v))] - z[i];
      if (c === 0) continue;
      const delta = c * c * v + c * g[i];
      // require a decrease that is not rounding noise
      if (delta < best && delta < -1e-14 * (Math.abs(c * g[i]) + c * c * v)) {
        best = delta;
        bi = i;
        bc = c;
      }
    }
    if (bi < 0) break;
    z[bi] += bc;
    const off = bi * n;
    for (let j = 0; j < n; j++) g[j] += 2 * bc * P[off + j];
    moves++;
  }
  return moves;
}
