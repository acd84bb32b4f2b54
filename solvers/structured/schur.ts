/**
 * The exclusion state shared by the structured solvers: with H = G^-1 (G positive definite), excluding the set
 * E (forcing v_E = 0, the rest re-fitted freely) costs err(E) = w_E^T [H_EE]^-1 w_E. The Schur complement
 * Hc = H - H_:E H_EE^-1 H_E: and the compensated weights rho = w - H_:E H_EE^-1 w_E (the OBS update) make the
 * increment of excluding a further set T exact and cheap: rho_T^T [Hc_TT]^-1 rho_T.
 */
export class SchurState {
  readonly m: number;
  Hc: Float64Array;
  rho: Float64Array;
  /** err(E) of the current exclusions. */
  cur = 0;
  /** Set when a pivot was not positive (rounding): the state's values are then not trusted. */
  broken = false;
  constructor(H: Float64Array, w: Float64Array, m: number) {
    this.m = m;
    this.Hc = Float64Array.from(H);
    this.rho = Float64Array.from(w);
  }
  copyFrom(o: SchurState): void {
    this.Hc.set(o.Hc);
    this.rho.set(o.rho);
    this.cur = o.cur;
    this.broken = o.broken;
  }
  clone(): SchurState {
    const s = new SchurState(this.Hc, this.rho, this.m);
    s.cur = this.cur;
    s.broken = this.broken;
    return s;
  }
  /** e_j = rho_j^2 / Hc_jj (0 when the pivot is not positive). */
  single(j: number): number {
    const h = this.Hc[j * this.m + j];
    return h > 0 ? (this.rho[j] * this.rho[j]) / h : 0;
  }
  /** Exact increment rho_T^T [Hc_TT]^-1 rho_T of excluding T (small Cholesky); 0 if Hc_TT is not numerically PD (a valid bound). */
  inc(T: ArrayLike<number>): number {
    const t = T.length;
    if (t === 0) return 0;
    const m = this.m;
    const Hc = this.Hc;
    const rho = this.rho;
    if (t === 1) return this.single(T[0]);
    if (t === 2) {
      const a = T[0];
      const b = T[1];
      const haa = Hc[a * m + a];
      const hbb = Hc[b * m + b];
      const hab = Hc[a * m + b];
      const det = haa * hbb - hab * hab;
      if (!(haa > 0) || !(det > 0)) return 0;
      const ra = rho[a];
      const rb = rho[b];
      return Math.max(0, (hbb * ra * ra - 2 * hab * ra * rb + haa * rb * rb) / det);
    }
    // Cholesky of Hc_TT, then ||L^-1 rho_T||^2
    const L = new Float64Array(t * t);
    const y = new Float64Array(t);
    for (let i = 0; i < t; i++) {
      for (let j = 0; j <= i; j++) {
        let s = Hc[T[i] * m + T[j]];
        for (let k = 0; k < j; k++) s -= L[i * t + k] * L[j * t + k];
        if (i === j) {
          if (!(s > 0)) return 0;
          L[i * t + i] = Math.sqrt(s);
        } else L[i * t + j] = s / L[j * t + j];
      }
      let s = rho[T[i]];
      for (let k = 0; k < i; k++) s -= L[i * t + k] * y[k];
      y[i] = s / L[i * t + i];
    }
    let out = 0;
    for (let i = 0; i < t; i++) out += y[i] * y[i];
    return out;
  }
  /** Exclude j: one rank-one update of Hc and rho (O(m^2)). */
  exclude(j: number): void {
    const m = this.m;
    const Hc = this.Hc;
    const rho = this.rho;
    const h = Hc[j * m + j];
    if (!(h > 0)) {
      // nothing left to compensate with (rounding): the value no longer changes in exact arithmetic only if rho_j = 0
      if (rho[j] !== 0) this.broken = true;
      rho[j] = 0;
      return;
    }
    const f = rho[j] / h;
    this.cur += rho[j] * f;
    const col = Hc.slice(j * m, j * m + m);
    for (let i = 0; i < m; i++) {
      const ci = col[i];
      if (ci === 0) continue;
      rho[i] -= f * ci;
      const g = ci / h;
      const off = i * m;
      for (let k = 0; k < m; k++) Hc[off + k] -= g * col[k];
    }
    rho[j] = 0;
  }
  excludeAll(T: ArrayLike<number>): void {
    for (let i = 0; i < T.length; i++) this.exclude(T[i]);
  }
  /**
   * An upper bound on lambda_max of the unit-diagonal scaling of Hc restricted to `idx` (Gershgorin); Infinity
   * when a diagonal entry is not positive.
   */
  lambdaBound(idx: ArrayLike<number>): number {
    const m = this.m;
    const Hc = this.Hc;
    const t = idx.length;
    const s = new Float64Array(t);
    for (let a = 0; a < t; a++) {
      const h = Hc[idx[a] * m + idx[a]];
      if (!(h > 0)) return Infinity;
      s[a] = 1 / Math.sqrt(h);
    }
    let lam = 0;
    for (let a = 0; a < t; a++) {
      const off = idx[a] * m;
      let row = 0;
      for (let b = 0; b < t; b++) row += Math.abs(Hc[off + idx[b]]) * s[b];
      lam = Math.max(lam, row * s[a]);
    }
    return lam * (1 + 1e-12);
  }
}
