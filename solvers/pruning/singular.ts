/**
 * Kept-side branch-and-bound in the sample space, for a singular (or numerically singular) Gram matrix.
 *
 * A diagonally pivoted LDL^T gives G = R^T R + Rem with R (rho x n, rho = numerical rank) and a remainder
 * Rem that is the PSD Schur complement left after rho pivots (~0; it is dropped). Hence for every support S
 *
 *     err(S) = min_v (w - v)^T G (w - v)  >=  errR(S) = || P^perp_{span R_S} y ||^2,   y = R w,
 *
 * with equality when Rem = 0, so every errR value is a valid lower bound. What is exactly reachable: with
 * k >= rho (no box) some rho pivot columns span range(R) and the optimum is 0 (the caller's shortcut).
 * For k < rho a DFS over kept sets F (indices in a fixed order, candidates after the last pick) carries the
 * residual e = P^perp_F y and the candidate columns projected off span(R_F) (one Gram-Schmidt step per
 * node, O(rho n)). Bounds:
 *  - monotone suffix bound: the subtree of child j (F + j, candidates j+1..n-1) has every value
 *    >= errR(F ∪ {j..n-1}); these are non-decreasing in j and computed for all children by one backward
 *    Gram-Schmidt sweep over the suffix that stops at the first child that cannot be pruned;
 *  - last pick: errR(F + j) = ||e||^2 - (z_j . e)^2 / ||z_j||^2 for every candidate j in one O(rho n) scan.
 * Leaves (|S| = k) whose errR beats the cut-off are re-evaluated exactly with G (free, boxed, or the
 * subset refit for a box excluding 0: the errR of a superset bounds all of them).
 */
import { pivotedLDL } from '../../src/linalg/dense.js';
import { RANK_TOL } from './common.js';

export interface SampleFactor {
  /** Numerical rank. */
  rho: number;
  /** R column-major: column i (length rho) at R[i * rho .. i * rho + rho). */
  R: Float64Array;
  /** y = R w. */
  y: Float64Array;
  /** Pivot order: the first rho entries are independent columns. */
  perm: Int32Array;
  /** Relative trust margin of the errR values: min(1e-6, 1e3 * (max G_ii / last pivot) * 2^-53). */
  delta: number;
}

/** G = R^T R + Rem (Rem PSD, below `tol` on the diagonal) from a diagonally pivoted LDL^T. */
export function sampleFactor(G: Float64Array, n: number, w: Float64Array, relTol = RANK_TOL): SampleFactor {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  const ldl = pivotedLDL(G, n, relTol * maxDiag);
  const rho = ldl.rank;
  const R = new Float64Array(n * rho);
  for (let a = 0; a < n; a++) {
    const col = ldl.perm[a];
    for (let t = 0; t < rho && t <= a; t++) R[col * rho + t] = Math.sqrt(ldl.d[t]) * ldl.L[a * n + t];
  }
  const y = new Float64Array(rho);
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    for (let t = 0; t < rho; t++) y[t] += R[i * rho + t] * wi;
  }
  const lastPiv = rho > 0 ? ldl.d[rho - 1] : maxDiag;
  const delta = Math.min(1e-6, 1e3 * (maxDiag / Math.max(lastPiv, Number.MIN_VALUE)) * 2 ** -53);
  return { rho, R, y, perm: ldl.perm, delta };
}

export interface KeptSideCallbacks {
  /** Current prune threshold (a node/leaf is discarded when its bound is >= cut()). */
  cut(): number;
  /** Called once per node; returns true when a limit stops the search. */
  node(): boolean;
  /** A leaf S (original reduced indices, size k) whose errR value `val` is below cut(): evaluate it exactly. */
  leaf(S: number[], val: number): void;
  /** A pruned bound (for the final lower bound). */
  pruned(bound: number): void;
  /** An open (unexplored) bound when stopped. */
  open(bound: number): void;
}

/**
 * Run the kept-side search over supports of size exactly k (k < rho <= n) in the variable order `order`.
 * Returns true when a limit stopped it.
 */
export function keptSideSearch(f: SampleFactor, n: number, k: number, order: number[], cb: KeptSideCallbacks): boolean {
  const rho = f.rho;
  // per-level buffers: projected columns Z (column-major, in `order` positions), residual e
  const Zb: Float64Array[] = [];
  const eb: Float64Array[] = [];
  for (let l = 0; l <= k; l++) {
    Zb.push(new Float64Array(n * rho));
    eb.push(new Float64Array(rho));
  }
  const colNorm2 = new Float64Array(n); // ||R_j||^2 for the dependence tolerance
  for (let a = 0; a < n; a++) {
    const src = order[a] * rho;
    let s = 0;
    for (let t = 0; t < rho; t++) {
      const x = f.R[src + t];
      Zb[0][a * rho + t] = x;
      s += x * x;
    }
    colNorm2[a] = s;
  }
  eb[0].set(f.y);
  const F = new Int32Array(k);
  const q = new Float64Array(rho);
  const t = new Float64Array(rho);
  const Qs = new Float64Array(rho * rho); // suffix basis (row per vector)
  const sb = new Float64Array(n); // suffix bounds
  const depTol = 1e-12;

  const leafSupport = (level: number, j: number): number[] => {
    const S: number[] = [];
    for (let l = 0; l < level; l++) S.push(order[F[l]]);
    S.push(order[j]);
    return S;
  };

  const explore = (level: number, p: number, e2: number): boolean => {
    const Z = Zb[level];
    const e = eb[level];
    const R = k - level; // picks still needed (>= 1)
    const last = n - R; // last admissible child position
    if (R === 1) {
      const thr = cb.cut();
      for (let j = p; j <= last; j++) {
        const zo = j * rho;
        let zz = 0;
        let ze = 0;
        for (let u = 0; u < rho; u++) {
          const z = Z[zo + u];
          zz += z * z;
          ze += z * e[u];
        }
        const gain = zz > depTol * colNorm2[j] ? (ze * ze) / zz : 0;
        const val = Math.max(0, e2 - gain);
        if (zz <= depTol * colNorm2[j]) {
          // numerically dependent column: let the exact evaluation decide
          cb.leaf(leafSupport(level, j), 0);
          continue;
        }
        if (val >= thr) cb.pruned(val);
        else cb.leaf(leafSupport(level, j), val);
      }
      return false;
    }
    // backward suffix sweep: sb[j] = errR(F ∪ {j..n-1}) for j from n-1 down, until sb[j] < cut
    // (sb is non-decreasing in j, so every child before the first open one is open too)
    const thr = cb.cut();
    t.set(e);
    let t2 = e2;
    let nq = 0;
    let firstOpen = p - 1; // children p..firstOpen are open; firstOpen+1..n-1 pruned by sb
    for (let j = n - 1; j >= p; j--) {
      if (nq < rho && t2 > 0) {
        const zo = j * rho;
        for (let u = 0; u < rho; u++) q[u] = Z[zo + u];
        // two passes of modified Gram-Schmidt against the suffix basis
        for (let pass = 0; pass < 2; pass++)
          for (let s = 0; s < nq; s++) {
            const so = s * rho;
            let dot = 0;
            for (let u = 0; u < rho; u++) dot += Qs[so + u] * q[u];
            for (let u = 0; u < rho; u++) q[u] -= dot * Qs[so + u];
          }
        let qq = 0;
        for (let u = 0; u < rho; u++) qq += q[u] * q[u];
        if (qq > depTol * colNorm2[j]) {
          const inv = 1 / Math.sqrt(qq);
          const so = nq * rho;
          let dot = 0;
          for (let u = 0; u < rho; u++) {
            const x = q[u] * inv;
            Qs[so + u] = x;
            dot += x * t[u];
          }
          nq++;
          t2 = 0;
          for (let u = 0; u < rho; u++) {
            t[u] -= dot * Qs[so + u];
            t2 += t[u] * t[u];
          }
        }
      }
      sb[j] = t2;
      if (t2 < thr) {
        firstOpen = j;
        break;
      }
    }
    if (firstOpen + 1 <= last) cb.pruned(sb[firstOpen + 1]);
    const jEnd = Math.min(firstOpen, last);
    for (let j = p; j <= jEnd; j++) {
      if (cb.node()) {
        // the open children j..jEnd: their bound is the suffix bound of j, >= the parent's own
        cb.open(0);
        return true;
      }
      // child F + j: project off column j
      const zo = j * rho;
      let zz = 0;
      for (let u = 0; u < rho; u++) zz += Z[zo + u] * Z[zo + u];
      const Zn = Zb[level + 1];
      const en = eb[level + 1];
      F[level] = j;
      let ne2 = e2;
      if (zz > depTol * colNorm2[j]) {
        const inv = 1 / Math.sqrt(zz);
        for (let u = 0; u < rho; u++) q[u] = Z[zo + u] * inv;
        let qe = 0;
        for (let u = 0; u < rho; u++) qe += q[u] * e[u];
        ne2 = 0;
        for (let u = 0; u < rho; u++) {
          const x = e[u] - qe * q[u];
          en[u] = x;
          ne2 += x * x;
        }
        for (let l = j + 1; l < n; l++) {
          const lo = l * rho;
          let dot = 0;
          for (let u = 0; u < rho; u++) dot += q[u] * Z[lo + u];
          for (let u = 0; u < rho; u++) Zn[lo + u] = Z[lo + u] - dot * q[u];
        }
      } else {
        en.set(e);
        Zn.set(Z.subarray((j + 1) * rho, n * rho), (j + 1) * rho);
      }
      if (explore(level + 1, j + 1, ne2)) {
        cb.open(0);
        return true;
      }
    }
    return false;
  };
  let y2 = 0;
  for (let u = 0; u < rho; u++) y2 += f.y[u] * f.y[u];
  return explore(0, 0, y2);
}
