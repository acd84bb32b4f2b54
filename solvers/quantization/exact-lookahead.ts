/**
 * Open-node bounds with a look-ahead term for quant-exact (issue 13, items 3 and 5): when a limit stops the
 * Schnorr–Euchner search, each open subtree's bound `partial + level cost` is raised by a certified lower bound
 * on what its remaining levels must still cost.
 *
 * In level order (Q = the search matrix permuted to level order: P, or U^T P U in a reduced basis; x = the
 * centre of its quadratic), fixing the levels 0..l leaves for the remaining levels R = {l+1, ..., na-1}
 *
 *   (z - x)^T Q (z - x) = min over real z_R  +  (z_R - y)^T Q_RR (z_R - y),
 *
 * y the real minimiser given the prefix (Q_RR y = Q_RR x_R - Q_R,F (z_F - x_F)). With lambda <= lambda_min(Q_RR)
 * certified (certifyDiagShift of Q_RR - lambda I), every integer completion costs at least
 * `lambda * sum_j dist(y_j, grid_j)^2` (grid_j: the integers, within the box in the original coordinates).
 * y is computed from the search's factor and checked by its residual in Q: ||yhat - y||_2 <= ||r|| / lambda,
 * with the floating-point error of the residual added, so each distance is reduced by that radius first.
 */
import { minEigenvalue } from '../../src/linalg/eigen.js';
import { certifyDiagShift } from '../../src/linalg/shift.js';
import { U } from './common.js';
import type { OrderedFactor } from './lattice.js';

const gam = (k: number): number => (k * U) / (1 - k * U);

export interface Lookahead {
  /** lam[l]: certified lower bound on the smallest eigenvalue of Q over the levels > l (0 when none). */
  lam: Float64Array;
  /** Q in level order (row-major na*na). */
  Q: Float64Array;
}

/** The principal submatrix of Q (level order) over the levels from..na-1. */
function trailing(Q: Float64Array, na: number, from: number): Float64Array {
  const r = na - from;
  const H = new Float64Array(r * r);
  for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) H[a * r + b] = Q[(from + a) * na + from + b];
  return H;
}

/**
 * Certified eigenvalue floors of the trailing blocks of Pm in the factor's level order (Pm: the matrix the
 * search enumerates, whose model error the search's rounding margin already covers). `levels`: only these
 * levels are needed (others stay 0). Null when `stop` expires first.
 */
export function exactLookahead(Pm: Float64Array, F: OrderedFactor, levels: Iterable<number>, stop?: { expired(): boolean }): Lookahead | null {
  const { na, ord } = F;
  const Q = new Float64Array(na * na);
  for (let a = 0; a < na; a++) for (let b = 0; b < na; b++) Q[a * na + b] = Pm[ord[a] * na + ord[b]];
  const lam = new Float64Array(na);
  for (const l of levels) {
    if (l < 0 || l >= na - 1) continue;
    if (stop?.expired()) return null;
    const r = na - l - 1;
    const H = trailing(Q, na, l + 1);
    let v = minEigenvalue(H, r) * (1 - 1e-6);
    for (let tries = 0; tries < 4 && v > 0; tries++, v *= 0.9) {
      if (certifyDiagShift(H, r, new Float64Array(r).fill(v))) {
        lam[l] = v;
        break;
      }
    }
  }
  return { lam, Q };
}

/**
 * Model error of a reduced basis: the search's Q = fl(U^T P U) is within qErr (2-norm) of the exact U^T P U, and
 * its centre within cErrOrd (level order) of the exact one.
 */
export interface ModelError {
  qErr: number;
  cErrOrd: Float64Array | null;
}

/** qErr of fl(U^T P U) (congruence in reduction.ts): gamma_{2n+2} || |U|^T |P| |U| ||_F. */
export function congruenceError(P: Float64Array, Ub: Float64Array, na: number): number {
  const PU = new Float64Array(na * na);
  for (let i = 0; i < na; i++)
    for (let l = 0; l < na; l++) {
      const p = Math.abs(P[i * na + l]);
      if (p === 0) continue;
      for (let j = 0; j < na; j++) PU[i * na + j] += p * Math.abs(Ub[l * na + j]);
    }
  let f = 0;
  for (let a = 0; a < na; a++)
    for (let b = 0; b < na; b++) {
      let s = 0;
      for (let i = 0; i < na; i++) s += Math.abs(Ub[i * na + a]) * PU[i * na + b];
      f += s * s;
    }
  return gam(2 * na + 2) * Math.sqrt(f) * (1 + 1e-6);
}

/**
 * Certified lower bound on `min over integer z_R (grid) of (z_R - y)^T Q_RR (z_R - y)` for the prefix whose
 * level-order values are `zl[0..l]` (F: the search's factor, used only to compute an approximate y; xOrd: the
 * centre; lo/hi: the grid, +-infinity-like in a reduced basis). `work` has length >= 2 na.
 */
export function remainderBound(
  look: Lookahead, F: OrderedFactor, xOrd: Float64Array, zl: ArrayLike<number>, l: number, lo: number, hi: number, work: Float64Array,
  model: ModelError | null = null,
): number {
  const { na, Lk } = F;
  const qErr = model ? model.qErr : 0;
  const cErr = model ? model.cErrOrd : null;
  const lam = look.lam[l] - qErr;
  if (!(lam > 0) || l >= na - 1) return 0;
  const Q = look.Q;
  const e = work; // e_i = z_i - x_i (prefix), yhat_i - x_i (remaining)
  for (let i = 0; i <= l; i++) e[i] = zl[i] - xOrd[i];
  // approximate minimiser from the factor: level j's centre with the earlier remaining levels at their centres
  for (let j = l + 1; j < na; j++) {
    let s = 0;
    const rj = j * na;
    for (let i = 0; i < j; i++) s += Lk[rj + i] * e[i];
    e[j] = -s;
  }
  // residual of the optimality condition Q_RR (y - x_R) + Q_RF e_F = 0 at yhat, with its rounding error
  // (with a model error: the exact matrix differs from Q by at most qErr in the 2-norm, the exact centre from
  // xOrd by cErr per level; both move the exact residual by at most qErr ||e|| + || |Q| cErr || + qErr ||cErr||)
  let rr = 0;
  let ee = 0;
  let cc = 0;
  let qc = 0;
  for (let a = l + 1; a < na; a++) {
    const ra = a * na;
    let s = 0;
    let sa = 0;
    let sc = 0;
    for (let b = 0; b < na; b++) {
      const p = Q[ra + b] * e[b];
      s += p;
      sa += Math.abs(p);
      if (cErr) sc += Math.abs(Q[ra + b]) * cErr[b];
    }
    const ra2 = Math.abs(s) + gam(na + 3) * sa;
    rr += ra2 * ra2;
    qc += sc * sc;
  }
  if (model) {
    for (let b = 0; b < na; b++) {
      ee += e[b] * e[b];
      if (cErr) cc += cErr[b] * cErr[b];
    }
  }
  const res = Math.sqrt(rr) + qErr * Math.sqrt(ee) * (1 + 1e-6) + Math.sqrt(qc) * (1 + 1e-6) + qErr * Math.sqrt(cc) * (1 + 1e-6);
  const eps = ((res * (1 + 4 * U)) / lam) * (1 + 1e-9);
  let sum = 0;
  for (let j = l + 1; j < na; j++) {
    const y = xOrd[j] + e[j];
    const dy = U * (Math.abs(xOrd[j]) + Math.abs(e[j])); // rounding of y itself
    let d = y < lo ? lo - y : y > hi ? y - hi : Math.abs(y - Math.round(y));
    // the exact minimiser is within eps of yhat in the exact centre's coordinates, and that centre within cErr of xOrd
    d -= eps + dy + 2 * U * Math.abs(y) + (cErr ? cErr[j] : 0);
    if (d > 0) sum += d * d;
  }
  return lam * sum * (1 - gam(na + 4));
}
