import { defineOptions, resolveExtras } from '../../src/core/options.js';
/**
 * `nm-bound`: certified lower bound for structured pruning.
 *
 * Certificate `{type: 'nm-groups', units: [[start, end], ...], bound}`: a set D of groups (N:M) or blocks. Every
 * feasible support excludes, in each group of D, one of its patterns' complements (N:M), or (block) drops at least
 * R = live blocks - keep blocks, so by monotonicity of err(E) (the error with the inputs in E forced to 0 and the
 * rest re-fitted freely, a lower bound for any box):
 *   N:M:   error >= min over the combinations of one exclusion set per group of D of err(union);
 *   block: error >= the R-th smallest err(drop block b) over b in D when D holds all live blocks.
 * `verifyNmCertificate` recomputes these values from the problem alone (its own refits) and accepts a claimed
 * bound up to the recomputed one (minus a rounding slack). The solver adds a time-limited `nm-exact` tree (its
 * open-node minimum; a search bound) and reports the larger.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { errorOf, patternGroups } from '../../src/core/objective.js';
import { Deadline, safeLowerBound } from '../../src/core/result.js';
import type { StructuredSolver } from '../../src/core/solver.js';
import type { Certificate, SolveOptions, StructuredPruningProblem } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { matVec, pivotedLDL } from '../../src/linalg/dense.js';
import { combinations, structuredResult, validateStructuredProblem } from './common.js';
import { NM_BOUND_SLACK, nmBranchAndBound } from './exact.js';

export interface NmCertificate extends Certificate {
  readonly type: 'nm-groups';
  /** [start, end) of each group / block in D (must be groups of the problem's pattern). */
  readonly units: readonly (readonly [number, number])[];
  readonly bound: number;
}

/** err(E): min over v with v_E = 0 of (w - v)^T G (w - v), by an independent pivoted LDL^T on the kept block. */
function excludedValue(G: Float64Array, w: Float64Array, n: number, excluded: Uint8Array): number {
  const S: number[] = [];
  for (let i = 0; i < n; i++) if (!excluded[i]) S.push(i);
  const v = new Float64Array(n);
  const m = S.length;
  if (m > 0) {
    const b = matVec(G, w, n, n);
    const A = new Float64Array(m * m);
    let maxDiag = 0;
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < m; c++) A[a * m + c] = G[S[a] * n + S[c]];
      maxDiag = Math.max(maxDiag, A[a * m + a]);
    }
    if (maxDiag > 0) {
      const f = pivotedLDL(A, m, 1e-12 * maxDiag);
      const y = new Float64Array(f.rank);
      for (let t = 0; t < f.rank; t++) {
        let s = b[S[f.perm[t]]];
        for (let u = 0; u < t; u++) s -= f.L[t * m + u] * y[u];
        y[t] = s;
      }
      for (let t = 0; t < f.rank; t++) y[t] /= f.d[t];
      for (let t = f.rank - 1; t >= 0; t--) {
        let s = y[t];
        for (let u = t + 1; u < f.rank; u++) s -= f.L[u * m + t] * y[u];
        y[t] = s;
      }
      for (let t = 0; t < f.rank; t++) v[S[f.perm[t]]] = y[t];
    }
  }
  // v is feasible for the restricted problem (v_E = 0), so in exact arithmetic its error is >= err(E), with an
  // excess (G_SS v - b_S)^T G_SS^-1 (G_SS v - b_S) of order eps^2 kappa ||G|| ||v||^2 (negligible) for a backward
  // stable solve. The computed error can fall below the exact one only by the evaluation rounding, bounded by
  // 8 n 2^-52 |w - v|^T |G| |w - v|, which is subtracted here.
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const ei = Math.abs(w[i] - v[i]);
    if (ei === 0) continue;
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(G[i * n + j]) * Math.abs(w[j] - v[j]);
    noise += ei * row;
  }
  return errorOf({ n, G, w, r: 0 }, v) - 8 * n * 2 ** -52 * noise;
}

/** Re-check an `nm-groups` certificate from the problem alone; returns the bound it proves. */
export function verifyNmCertificate(p: StructuredPruningProblem, cert: Certificate): { valid: boolean; bound: number; reason?: string } {
  const c = nmGroupsValue(p, cert);
  if (!c.valid) return c;
  if (!(typeof cert.bound === 'number' && cert.bound >= 0)) return { valid: false, bound: 0, reason: 'bound is not a nonnegative number' };
  if (cert.bound > c.bound) return { valid: false, bound: 0, reason: `claimed bound ${cert.bound} exceeds the recomputed ${c.bound}` };
  return { valid: true, bound: cert.bound };
}

/** The bound the groups of an `nm-groups` certificate prove, recomputed from the problem (rounded down). */
export function nmGroupsValue(p: StructuredPruningProblem, cert: Certificate): { valid: boolean; bound: number; reason?: string } {
  const bad = (reason: string) => ({ valid: false, bound: 0, reason });
  if (cert.type !== 'nm-groups') return bad(`not an nm-groups certificate`);
  const units = cert.units;
  if (!Array.isArray(units)) return bad('malformed certificate (units)');
  const { n, G, w, r } = p.objective;
  const groups = patternGroups(p.pattern, n);
  const chosen: { start: number; end: number; cap: number }[] = [];
  const seen = new Set<number>();
  for (const u of units) {
    if (!Array.isArray(u) || u.length !== 2) return bad('a unit is not [start, end]');
    const g = groups.find((x) => x.start === u[0] && x.end === u[1]);
    if (!g) return bad(`[${String(u[0])}, ${String(u[1])}) is not a group of the pattern`);
    if (seen.has(g.start)) return bad('a group is listed twice');
    seen.add(g.start);
    chosen.push(g);
  }
  let combos = 1;
  for (const g of chosen) combos *= p.pattern.kind === 'nm' ? combinations(g.end - g.start, Math.max(0, g.end - g.start - g.cap)).length : 1;
  if (combos > 100000) return bad(`too many combinations to re-check (${combos})`);
  const live = (i: number): boolean => G[i * n + i] > 0;
  let proven: number;
  const excl = new Uint8Array(n);
  if (p.pattern.kind === 'nm') {
    // per group: the sets of live inputs it must exclude (dead inputs never matter)
    const opts = chosen.map((g) => {
      const L: number[] = [];
      for (let i = g.start; i < g.end; i++) if (live(i)) L.push(i);
      const e = L.length - g.cap;
      return e <= 0 ? [[]] : combinations(L.length, e).map((c) => c.map((a) => L[a]));
    });
    proven = Infinity;
    const rec = (d: number): void => {
      if (d === opts.length) {
        proven = Math.min(proven, excludedValue(G, w, n, excl));
        return;
      }
      for (const T of opts[d]) {
        for (const i of T) excl[i]++;
        rec(d + 1);
        for (const i of T) excl[i]--;
      }
    };
    rec(0);
  } else {
    const liveBlocks = groups.filter((g) => {
      for (let i = g.start; i < g.end; i++) if (live(i)) return true;
      return false;
    });
    const R = liveBlocks.length - p.pattern.keep;
    if (R <= 0) proven = 0;
    else {
      if (!liveBlocks.every((g) => seen.has(g.start))) return bad('a block certificate must list every live block');
      const vals = liveBlocks.map((g) => {
        excl.fill(0);
        for (let i = g.start; i < g.end; i++) excl[i] = 1;
        return excludedValue(G, w, n, excl);
      });
      vals.sort((a, b) => a - b);
      proven = vals[R - 1];
    }
  }
  if (!Number.isFinite(proven)) proven = 0;
  // rounding slack of the recomputed errors: relative 1e-9 and 1e-12 r
  return { valid: true, bound: safeLowerBound(proven, 1e-9, 1e-12 * r) };
}

/** Build the certificate: groups with the largest single-group value, as many as `maxCombos` allows. */
export function nmCertificate(p: StructuredPruningProblem, maxCombos = 256): NmCertificate {
  validateStructuredProblem(p);
  const { n, G, w } = p.objective;
  const groups = patternGroups(p.pattern, n);
  const units: [number, number][] = [];
  if (p.pattern.kind === 'block') for (const g of groups) units.push([g.start, g.end]);
  else {
    const scored = groups.map((g) => {
      let count = 0;
      for (let i = g.start; i < g.end; i++) if (G[i * n + i] > 0) count++;
      const e = count - g.cap;
      return { g, value: recompute(p, [[g.start, g.end]]), combos: e > 0 ? combinations(count, e).length : 1 };
    });
    scored.sort((a, b) => b.value - a.value);
    let combos = 1;
    for (const s of scored) {
      if (s.value <= 0 || combos * s.combos > maxCombos) continue;
      combos *= s.combos;
      units.push([s.g.start, s.g.end]);
    }
  }
  void w;
  const bound = recompute(p, units);
  return { type: 'nm-groups', units, bound };
}

/** The value an `nm-groups` certificate over `units` proves. */
function recompute(p: StructuredPruningProblem, units: [number, number][]): number {
  const c = nmGroupsValue(p, { type: 'nm-groups', units });
  return c.valid ? c.bound : 0;
}

const NM_BOUND_OPTIONS = defineOptions({
  maxCombos: { type: 'integer', min: 1, default: 256, help: 'refits the certificate may cost' },
  bnbTimeMs: { type: 'number', min: 0, help: 'time of the tree part in ms (default min(1000, timeLimitMs/2))' },
});

export const nmBoundSolver: StructuredSolver = {
  name: 'nm-bound',
  problemClass: 'structured',
  role: 'bound',
  description: 'Structured (N:M / block) certified lower bound: group-combination floor with an nm-groups certificate, plus a time-limited nm-exact tree',
  options: NM_BOUND_OPTIONS,
  capabilities: ['timeLimit', 'nodeLimit', 'relGapTol', 'incumbent'],
  solve(problem: StructuredPruningProblem, options: SolveOptions = {}) {
    const start = performance.now();
    validateStructuredProblem(problem);
    const extra = resolveExtras(NM_BOUND_OPTIONS, options.extra, 'nm-bound');
    const maxCombos = extra.maxCombos;
    if (!(maxCombos >= 1)) throw new PvqInputError('extra.maxCombos', 'expected a number >= 1');
    const deadline = new Deadline(options.timeLimitMs);
    const cert = nmCertificate(problem, maxCombos);
    const remaining = options.timeLimitMs !== undefined ? Math.max(0, options.timeLimitMs - deadline.elapsed()) : Infinity;
    const bnbTime = extra.bnbTimeMs ?? Math.min(1000, remaining / 2);
    const tree = nmBranchAndBound(problem, { timeLimitMs: Math.min(bnbTime, remaining), nodeLimit: options.nodeLimit, relGapTol: options.relGapTol, incumbent: options.incumbent });
    const closed = tree.status === 'optimal';
    return structuredResult({
      solver: 'nm-bound',
      problem,
      v: tree.v,
      lowerBound: Math.max(cert.bound, tree.lowerBound),
      status: closed ? 'optimal' : 'bound_only',
      start,
      nodes: tree.nodes,
      // `optimal` comes from the nm-exact tree: its tolerance (relGapTol + 2 NM_BOUND_SLACK)
      extraStats: { certifiedBound: cert.bound, treeBound: tree.lowerBound, relGapTol: (options.relGapTol ?? DEFAULT_REL_GAP_TOL) + 2 * NM_BOUND_SLACK },
      certificate: cert,
    });
  },
};
