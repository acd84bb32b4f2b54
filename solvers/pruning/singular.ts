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
  let y2 = 0;
  for (let u = 0; u < f.rho; u++) y2 += f.y[u] * f.y[u];
  return new KeptSideTree(f, n, k, order, cb).explore(0, 0, y2);
}

/** Numerical dependence tolerance of a projected column, relative to its original squared norm. */
const DEP_TOL = 1e-12;

/**
 * State of the kept-side tree: per level the projected columns Z (column-major, in `order` positions) and the
 * residual e of the forced set F; a node (level = |F|, p = first candidate, e2 = ||e||^2 = errR(F)).
 */
class KeptSideTree {
  readonly rho: number;
  readonly Zb: Float64Array[] = [];
  readonly eb: Float64Array[] = [];
  /** ||R_j||^2 for the dependence tolerance. */
  readonly colNorm2: Float64Array;
  readonly F: Int32Array;
  readonly q: Float64Array;
  readonly t: Float64Array;
  /** Suffix basis (row per vector). */
  readonly Qs: Float64Array;
  /** Suffix bounds. */
  readonly sb: Float64Array;

  constructor(
    f: SampleFactor,
    readonly n: number,
    readonly k: number,
    readonly order: number[],
    readonly cb: KeptSideCallbacks,
  ) {
    const rho = (this.rho = f.rho);
    for (let l = 0; l <= k; l++) {
      this.Zb.push(new Float64Array(n * rho));
      this.eb.push(new Float64Array(rho));
    }
    this.colNorm2 = new Float64Array(n);
    const Z0 = this.Zb[0];
    for (let a = 0; a < n; a++) {
      const src = order[a] * rho;
      let s = 0;
      for (let t = 0; t < rho; t++) {
        const x = f.R[src + t];
        Z0[a * rho + t] = x;
        s += x * x;
      }
      this.colNorm2[a] = s;
    }
    this.eb[0].set(f.y);
    this.F = new Int32Array(k);
    this.q = new Float64Array(rho);
    this.t = new Float64Array(rho);
    this.Qs = new Float64Array(rho * rho);
    this.sb = new Float64Array(n);
  }

  leafSupport(level: number, j: number): number[] {
    const S: number[] = [];
    for (let l = 0; l < level; l++) S.push(this.order[this.F[l]]);
    S.push(this.order[j]);
    return S;
  }

  /** Returns true when a limit stopped the search. */
  explore(level: number, p: number, e2: number): boolean {
    const R = this.k - level; // picks still needed (>= 1)
    const last = this.n - R; // last admissible child position
    if (R === 1) {
      this.lastPick(level, p, e2, last);
      return false;
    }
    const firstOpen = this.suffixSweep(level, p, e2);
    const cb = this.cb;
    if (firstOpen + 1 <= last) cb.pruned(this.sb[firstOpen + 1]);
    const jEnd = Math.min(firstOpen, last);
    for (let j = p; j <= jEnd; j++) {
      if (cb.node()) {
        // the open children j..jEnd: their bound is the suffix bound of j, >= the parent's own
        cb.open(0);
        return true;
      }
      this.F[level] = j;
      const ne2 = this.projectChild(level, j, e2);
      if (this.explore(level + 1, j + 1, ne2)) {
        cb.open(0);
        return true;
      }
    }
    return false;
  }

  /** One pick left: every admissible column completes a leaf, valued e2 - (z^T e)^2 / z^T z. */
  lastPick(level: number, p: number, e2: number, last: number): void {
    const { rho, colNorm2, cb } = this;
    const Z = this.Zb[level];
    const e = this.eb[level];
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
      const gain = zz > DEP_TOL * colNorm2[j] ? (ze * ze) / zz : 0;
      const val = Math.max(0, e2 - gain);
      if (zz <= DEP_TOL * colNorm2[j]) {
        // numerically dependent column: let the exact evaluation decide
        cb.leaf(this.leafSupport(level, j), 0);
        continue;
      }
      if (val >= thr) cb.pruned(val);
      else cb.leaf(this.leafSupport(level, j), val);
    }
  }

  /**
   * Backward suffix sweep: sb[j] = errR(F ∪ {j..n-1}) for j from n-1 down, until sb[j] < cut (sb is
   * non-decreasing in j, so every child before the first open one is open too). Returns firstOpen: children
   * p..firstOpen are open, firstOpen+1..n-1 pruned by sb.
   */
  suffixSweep(level: number, p: number, e2: number): number {
    const { n, rho, colNorm2, q, t, Qs, sb } = this;
    const Z = this.Zb[level];
    const thr = this.cb.cut();
    t.set(this.eb[level]);
    let t2 = e2;
    let nq = 0;
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
        if (qq > DEP_TOL * colNorm2[j]) {
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
      if (t2 < thr) return j;
    }
    return p - 1;
  }

  /** Child F + j: project column j off the later columns and the residual; returns the child's ||e||^2. */
  projectChild(level: number, j: number, e2: number): number {
    const { n, rho, q } = this;
    const Z = this.Zb[level];
    const e = this.eb[level];
    const Zn = this.Zb[level + 1];
    const en = this.eb[level + 1];
    const zo = j * rho;
    let zz = 0;
    for (let u = 0; u < rho; u++) zz += Z[zo + u] * Z[zo + u];
    if (!(zz > DEP_TOL * this.colNorm2[j])) {
      en.set(e);
      Zn.set(Z.subarray((j + 1) * rho, n * rho), (j + 1) * rho);
      return e2;
    }
    const inv = 1 / Math.sqrt(zz);
    for (let u = 0; u < rho; u++) q[u] = Z[zo + u] * inv;
    let qe = 0;
    for (let u = 0; u < rho; u++) qe += q[u] * e[u];
    let ne2 = 0;
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
    return ne2;
  }
}
