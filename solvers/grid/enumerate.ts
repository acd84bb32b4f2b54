/**
 * The one Schnorr–Euchner depth-first enumeration over a per-coordinate grid, shared by the integer box
 * (`quant-exact`, values lo..hi, or every integer in a lattice-reduced basis) and finite level sets
 * (`levels-exact`, sorted levels; the integer grid is the level set {zmin..zmax}). The node bound is the
 * box-QP expansion `c0 + sum_k [d_k (v_k - centre_k)^2 + g_k (v_k - x_k) - m_k]` in the LDL^T order of the
 * factor; the candidates at a tree level walk outwards from the grid point nearest to the minimiser of the level
 * cost (two pointers), so a candidate whose partial cost reaches the pruning radius ends its level.
 *
 * The rounding analysis (margins, expansion terms) is the caller's (solvers/quantization/exact.ts: `seSearch`,
 * `expansionTerms`, `roundingMargin`): this file only enumerates, with the margins it is given.
 */
import { nearestLevelIndex } from '../../src/formats/levels.js';
import { reducedValue } from './reduced.js';

/** The reduced problem as the enumeration reads it (a `Reduced` from solvers/quantization/common.ts). */
export interface GridProblem {
  na: number;
  P: Float64Array;
  t: Float64Array;
  lo: number;
  hi: number;
}

/** Per-coordinate candidates: the integers lo..hi, or the sorted values of `levels`. */
export type Grid = { kind: 'integers'; lo: number; hi: number } | { kind: 'levels'; levels: Float64Array };

/** LDL^T factor in search order (an `OrderedFactor` from solvers/quantization/lattice.ts). */
export interface GridFactor {
  ord: Int32Array;
  d: Float64Array;
  Lk: Float64Array;
}

/** Expansion at the root in level order (an `ExpansionTerms` from solvers/quantization/exact.ts). */
export interface GridExpansion {
  c0: number;
  xOrd: Float64Array;
  gOrd: Float64Array;
  mOrd: Float64Array;
}

export type StopReason = 'none' | 'nodes' | 'time';

export interface EnumerationResult {
  /** Best point (coordinates of the reduced problem) and its normalised value (as computed). */
  z: Float64Array;
  value: number;
  /** Proven lower bound on the normalised optimum (see `GridEnumerator.result`). */
  lower: number;
  finished: boolean;
  stoppedBy: StopReason;
  nodes: number;
  leaves: number;
  marginAbs: number;
  marginRel: number;
}

/**
 * State of the depth-first enumeration (level order; all buffers allocated once). Candidates are grid indices:
 * the integer itself on the integer grid, the index into `levels` on a level set.
 *
 * With `basis` (integer grid only), the enumeration runs over u in a lattice-reduced basis (`F` factors U^T P U,
 * the grid is every integer): leaves are mapped back with z = U u and skipped outside [box.lo, box.hi].
 */
export class GridEnumerator {
  readonly na: number;
  readonly d: Float64Array;
  readonly Lk: Float64Array;
  readonly ord: Int32Array;
  readonly xOrd: Float64Array;
  readonly gOrd: Float64Array;
  readonly mOrd: Float64Array;
  /** Level values in increasing order (null: the integer grid, index = value). */
  readonly levels: Float64Array | null;
  /** Index range of the grid. */
  readonly lo: number;
  readonly hi: number;
  /** Range the pivot is clamped to before its nearest grid point is taken. */
  readonly pivLo: number;
  readonly pivHi: number;
  readonly zl: Float64Array;
  readonly zOrig: Float64Array;
  /** Centre of the quadratic term. */
  readonly cen: Float64Array;
  /** Enumeration pivot (minimiser of the level cost, clamped to [pivLo, pivHi]). */
  readonly piv: Float64Array;
  readonly partial: Float64Array;
  /** Next grid index above / below the pivot. */
  readonly up: Float64Array;
  readonly dn: Float64Array;
  /** zl - xOrd for decided levels. */
  readonly ez: Float64Array;
  /** Basis coordinates of a leaf. */
  readonly uB: Float64Array;
  /**
   * Incremental centres (Agrell et al.): acc[k][j] = sum_{i<j} Lk[k][i] ez[i]; pend[k] = first index whose
   * ez changed since row k was last brought up to date.
   */
  readonly W: number;
  readonly acc: Float64Array;
  readonly pend: Int32Array;
  radius: number;
  nodes = 0;
  leaves = 0;
  /** The level the search stopped at (open subtrees at levels 0..k). */
  k = 0;
  stoppedBy: StopReason = 'none';

  constructor(
    readonly red: GridProblem,
    grid: Grid,
    F: GridFactor,
    readonly basis: { U: Float64Array } | null,
    ex: GridExpansion,
    readonly tolR: number,
    readonly marginAbs: number,
    readonly marginRel: number,
    public best: number,
    public bestZ: Float64Array,
    readonly work: Float64Array<ArrayBuffer>,
  ) {
    const na = (this.na = red.na);
    this.d = F.d;
    this.Lk = F.Lk;
    this.ord = F.ord;
    this.xOrd = ex.xOrd;
    this.gOrd = ex.gOrd;
    this.mOrd = ex.mOrd;
    if (grid.kind === 'levels') {
      this.levels = grid.levels;
      this.lo = 0;
      this.hi = grid.levels.length - 1;
      // far enough outside [lmin, lmax] that the nearest level is the end level (and never Infinity)
      const a = grid.levels[0];
      const b = grid.levels[this.hi];
      this.pivLo = a - (b - a) - 1;
      this.pivHi = b + (b - a) + 1;
    } else {
      this.levels = null;
      this.lo = grid.lo;
      this.hi = grid.hi;
      this.pivLo = grid.lo - 1;
      this.pivHi = grid.hi + 1;
    }
    this.zl = new Float64Array(na);
    this.zOrig = new Float64Array(na);
    this.cen = new Float64Array(na);
    this.piv = new Float64Array(na);
    this.partial = new Float64Array(na + 1);
    this.up = new Float64Array(na);
    this.dn = new Float64Array(na);
    this.ez = new Float64Array(na);
    this.uB = new Float64Array(basis ? na : 0);
    this.W = na + 1;
    this.acc = new Float64Array(na * this.W);
    this.pend = new Int32Array(na + 1);
    this.radius = this.radiusOf(best);
    this.partial[0] = ex.c0;
  }

  radiusOf(b: number): number {
    return (Math.max(b * (1 - this.tolR), 0) + this.marginAbs) / (1 - this.marginRel);
  }

  /** Grid value of index i. */
  valueOf(i: number): number {
    const lv = this.levels;
    return lv === null ? i : lv[i];
  }

  /** Bring level k's centre up to date and start its candidates at the grid point nearest to the pivot. */
  initLevel(k: number): void {
    const { na, W, acc, pend, Lk, ez } = this;
    const from = pend[k];
    if (from < pend[k + 1]) pend[k + 1] = from;
    const row = k * na;
    const arow = k * W;
    let a = acc[arow + from];
    for (let j = from; j < k; j++) {
      a += Lk[row + j] * ez[j];
      acc[arow + j + 1] = a;
    }
    pend[k] = k;
    const c = this.xOrd[k] - a;
    this.cen[k] = c;
    const dk = this.d[k];
    const gk = this.gOrd[k];
    let pv = dk > 0 ? c - gk / (2 * dk) : gk > 0 ? -Infinity : gk < 0 ? Infinity : c;
    let r: number;
    const lv = this.levels;
    if (lv === null) {
      // integers: a NaN pivot leaves the level empty (r = NaN)
      if (pv < this.pivLo) pv = this.pivLo;
      else if (pv > this.pivHi) pv = this.pivHi;
      r = Math.round(pv);
      if (r < this.lo) r = this.lo;
      else if (r > this.hi) r = this.hi;
    } else {
      if (!(pv >= this.pivLo)) pv = this.pivLo;
      else if (pv > this.pivHi) pv = this.pivHi;
      r = nearestLevelIndex(lv, pv);
    }
    this.piv[k] = pv;
    this.up[k] = r;
    this.dn[k] = r - 1;
  }

  /** Index of the next candidate at level k in increasing level cost, or NaN when the grid is exhausted. */
  peek(k: number): number {
    const u = this.up[k];
    const w = this.dn[k];
    const c = this.piv[k];
    const uOk = u <= this.hi;
    const wOk = w >= this.lo;
    if (uOk && wOk) {
      const lv = this.levels;
      return lv === null ? (u - c <= c - w ? u : w) : lv[u] - c <= c - lv[w] ? u : w;
    }
    if (uOk) return u;
    if (wOk) return w;
    return NaN;
  }

  levelCost(k: number, v: number): number {
    const diff = v - this.cen[k];
    return this.d[k] * diff * diff + (this.gOrd[k] * (v - this.xOrd[k]) - this.mOrd[k]);
  }

  /** The depth-first enumeration until it finishes or a limit stops it (the deadline is polled every 4096 nodes). */
  run(nodeLimit: number, deadline: { expired(): boolean }, onProgress?: (best: number, nodes: number) => void): void {
    const na = this.na;
    const { partial, zl, ez, xOrd, pend, up, dn } = this;
    const lv = this.levels;
    const checkEvery = 4096;
    let k = 0;
    this.initLevel(0);
    for (;;) {
      const nodes = this.nodes;
      if ((nodes & (checkEvery - 1)) === 0 && nodes > 0) {
        onProgress?.(this.best, nodes);
        if (deadline.expired()) {
          this.stoppedBy = 'time';
          break;
        }
      }
      if (nodes >= nodeLimit) {
        this.stoppedBy = 'nodes';
        break;
      }
      const idx = this.peek(k);
      if (idx !== idx) {
        if (--k < 0) break;
        continue;
      }
      const v = lv === null ? idx : lv[idx];
      const cost = partial[k] + this.levelCost(k, v);
      if (cost >= this.radius) {
        // every later candidate at this level costs more: the level is done
        up[k] = this.hi + 1;
        dn[k] = this.lo - 1;
        if (--k < 0) break;
        continue;
      }
      if (idx === up[k]) up[k] = idx + 1;
      else dn[k] = idx - 1;
      this.nodes = nodes + 1;
      zl[k] = v;
      ez[k] = v - xOrd[k];
      if (k === na - 1) this.leaf();
      else {
        partial[k + 1] = cost;
        if (k < pend[k + 1]) pend[k + 1] = k;
        k++;
        this.initLevel(k);
      }
    }
    this.k = k;
  }

  /** A leaf (zl complete): map it to the reduced coordinates, skip it outside the box, else evaluate it. */
  leaf(): void {
    const { na, zl, zOrig, ord, basis, red } = this;
    this.leaves++;
    if (basis) {
      const uB = this.uB;
      for (let j = 0; j < na; j++) uB[ord[j]] = zl[j];
      let inBox = true;
      const Ub = basis.U;
      for (let i = 0; i < na && inBox; i++) {
        let s = 0;
        const off = i * na;
        for (let j = 0; j < na; j++) s += Ub[off + j] * uB[j];
        if (s < red.lo || s > red.hi) inBox = false;
        zOrig[i] = s;
      }
      if (!inBox) return;
    } else for (let j = 0; j < na; j++) zOrig[ord[j]] = zl[j];
    const val = reducedValue(red.P, red.t, zOrig, na, this.work);
    if (val < this.best) {
      this.best = val;
      this.bestZ = Float64Array.from(zOrig);
      this.radius = this.radiusOf(val);
    }
  }

  /**
   * Minimum over the open subtrees (the remaining candidates at every level 0..k of the current path, `cap` to
   * start with) of their bounds, each corrected by the rounding margin. Without `extra` a level's bound is its
   * next candidate's cost (the later ones cost more); with it, each candidate's cost plus `extra.term(l, zl)`, a
   * proven lower bound on what the levels after l must still cost given the level-order values zl[0..l]
   * (zl[l] the candidate), over at most 64 candidates per level in increasing cost until the cost alone reaches
   * the minimum (then the cost bounds that candidate and every later one).
   */
  openBound(cap: number, extra?: OpenTerm): number {
    const { na, partial, marginAbs, marginRel, k, lo, hi } = this;
    const lv = this.levels;
    const zlw = extra ? Float64Array.from(this.zl) : this.zl;
    let m = cap;
    for (let l = 0; l <= k && l < na; l++) {
      let up = this.up[l];
      let dn = this.dn[l];
      const c = this.piv[l];
      for (let count = 0; ; count++) {
        const uOk = up <= hi;
        const wOk = dn >= lo;
        if (!uOk && !wOk) break;
        const idx = uOk && wOk ? (lv === null ? (up - c <= c - dn ? up : dn) : lv[up] - c <= c - lv[dn] ? up : dn) : uOk ? up : dn;
        const v = lv === null ? idx : lv[idx];
        const b0 = (partial[l] + this.levelCost(l, v)) * (1 - marginRel) - marginAbs;
        if (b0 >= m) break;
        if (extra === undefined || l === na - 1 || count >= 64 || extra.stop?.expired()) {
          m = b0;
          break;
        }
        zlw[l] = v;
        const b = b0 + extra.term(l, zlw);
        if (b < m) m = b;
        if (idx === up) up = idx + 1;
        else dn = idx - 1;
      }
      if (extra) zlw[l] = this.zl[l]; // the deeper levels' open subtrees lie below the path's value
    }
    return m;
  }

  /**
   * The proven bound: min(best (1 - tol), bestLow) when finished (bestLow: best minus its evaluation error), else
   * the minimum over the open subtrees on the current path (`openBound`, with the look-ahead term `extra`).
   */
  result(finiteMargin: boolean, bestLow: number, extra?: OpenTerm): EnumerationResult {
    const { best, bestZ, tolR, marginAbs, marginRel, stoppedBy } = this;
    let lower = Math.min(best * (1 - tolR), bestLow);
    if (stoppedBy !== 'none') lower = Math.max(0, this.openBound(lower, extra));
    if (!finiteMargin) lower = 0;
    return {
      z: bestZ, value: best, lower: Math.max(0, lower), finished: stoppedBy === 'none', stoppedBy, nodes: this.nodes,
      leaves: this.leaves, marginAbs, marginRel,
    };
  }
}

/**
 * A look-ahead term for the open-node bounds under a limit: `term(l, zl)` is a proven lower bound on the cost
 * of the levels after l given the level-order values zl[0..l] (solvers/quantization/exact-lookahead.ts);
 * `stop` ends the refinement early (the plain bounds are used from then on).
 */
export interface OpenTerm {
  term(l: number, zl: Float64Array): number;
  stop?: { expired(): boolean };
}

/**
 * Run the enumeration from the warm start `z0` (reduced coordinates, a grid point of value `best`) with the given
 * expansion and rounding margin (`true partial >= computed (1 - marginRel) - marginAbs`); `evalError(z)` bounds
 * the evaluation error of the normalised value at the best leaf.
 */
export function enumerateGrid(
  red: GridProblem,
  grid: Grid,
  F: GridFactor,
  basis: { U: Float64Array } | null,
  ex: GridExpansion,
  margin: { marginAbs: number; marginRel: number; finiteMargin: boolean },
  z0: Float64Array,
  best: number,
  work: Float64Array<ArrayBuffer>,
  opts: {
    tol: number;
    nodeLimit: number;
    deadline: { expired(): boolean };
    onProgress?: (best: number, nodes: number) => void;
    /** When a limit stopped the search (open subtrees at levels 0..k): a look-ahead term for their bounds, or null. */
    openTerm?: (k: number) => OpenTerm | null;
  },
  evalError: (z: Float64Array) => number,
): EnumerationResult {
  const se = new GridEnumerator(red, grid, F, basis, ex, opts.tol, margin.marginAbs, margin.marginRel, best, Float64Array.from(z0), work);
  se.run(opts.nodeLimit, opts.deadline, opts.onProgress);
  const extra = se.stoppedBy !== 'none' && opts.openTerm ? opts.openTerm(se.k) ?? undefined : undefined;
  return se.result(margin.finiteMargin, se.best - evalError(se.bestZ), extra);
}
