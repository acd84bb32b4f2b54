/**
 * Structured pruning heuristics (upper bounds); each chooses a support that fits the pattern and returns the
 * exact (box-aware) refit on it:
 * - `nm-magnitude`: keep the N largest |w_i| in each group (block: the `keep` blocks of largest sum w_i^2), refit;
 * - `nm-obs`: OBS / SparseGPT-style: groups left to right, in each group prune the inputs of smallest OBS
 *   saliency rho_i^2 / [Hc]_ii (rho: weights compensated for everything pruned so far, Hc: inverse Gram of the
 *   inputs still kept), then compensate (block: repeatedly drop the block of smallest exact block saliency
 *   rho_B^T [Hc_BB]^-1 rho_B), refit.
 */
import { patternGroups } from '../../src/core/objective.js';
import type { StructuredSolver } from '../../src/core/solver.js';
import type { SolveOptions, StructuredPruningProblem } from '../../src/core/types.js';
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';
import { structuredRefit, structuredResult, validateStructuredProblem } from './common.js';
import { buildModel, keptSupport, type StructuredModel } from './model.js';
import { SchurState } from './schur.js';

/** Magnitude support (original indices). */
export function magnitudeStructuredSupport(p: StructuredPruningProblem): number[] {
  const { n, w } = p.objective;
  const S: number[] = [];
  const groups = patternGroups(p.pattern, n);
  if (p.pattern.kind === 'nm') {
    for (const g of groups) {
      const idx: number[] = [];
      for (let i = g.start; i < g.end; i++) idx.push(i);
      idx.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
      S.push(...idx.slice(0, g.cap));
    }
  } else {
    const energy = groups.map((g, t) => {
      let s = 0;
      for (let i = g.start; i < g.end; i++) s += w[i] * w[i];
      return { t, s };
    });
    energy.sort((a, b) => b.s - a.s || a.t - b.t);
    for (const { t } of energy.slice(0, p.pattern.keep)) for (let i = groups[t].start; i < groups[t].end; i++) S.push(i);
  }
  return S.sort((a, b) => a - b);
}

/** Inverse of the reduced Gram (a tiny ridge when singular: only used to choose, the refit is exact). */
export function inverseGram(G: Float64Array, m: number): Float64Array {
  let maxDiag = 0;
  for (let i = 0; i < m; i++) maxDiag = Math.max(maxDiag, G[i * m + i]);
  let ridge = 0;
  let L = Float64Array.from(G);
  while (m > 0 && choleskyInPlace(L, m, 1e-13 * maxDiag) >= 0) {
    ridge = ridge === 0 ? 1e-10 * maxDiag : ridge * 100;
    L = Float64Array.from(G);
    for (let i = 0; i < m; i++) L[i * m + i] += ridge;
  }
  return cholInverse(L, m);
}

/** OBS / SparseGPT-style support (original indices). */
export function obsStructuredSupport(p: StructuredPruningProblem, model: StructuredModel = buildModel(p)): number[] {
  const { red, units } = model;
  const m = red.n;
  const excluded = new Uint8Array(m);
  if (units.length === 0) return keptSupport(model, excluded);
  const st = new SchurState(inverseGram(red.G, m), red.w, m);
  if (model.kind === 'nm') {
    for (const u of units) {
      const e = u.options[0].length;
      const order = u.coords.slice();
      // prune one at a time inside the group (saliency re-evaluated after each compensation)
      for (let t = 0; t < e; t++) {
        let best = -1;
        let bs = Infinity;
        for (const j of order) {
          if (excluded[j]) continue;
          const s = st.single(j);
          if (s < bs) {
            bs = s;
            best = j;
          }
        }
        excluded[best] = 1;
        st.exclude(best);
      }
    }
  } else {
    const open = new Set(units.map((_, i) => i));
    for (let d = 0; d < model.needDrops; d++) {
      let best = -1;
      let bs = Infinity;
      for (const i of open) {
        const s = st.inc(units[i].coords);
        if (s < bs) {
          bs = s;
          best = i;
        }
      }
      open.delete(best);
      for (const j of units[best].coords) excluded[j] = 1;
      st.excludeAll(units[best].coords);
    }
  }
  return keptSupport(model, excluded);
}

function heuristic(name: string, description: string, choose: (p: StructuredPruningProblem) => number[]): StructuredSolver {
  return {
    name,
    problemClass: 'structured',
    role: 'heuristic',
    description,
    capabilities: [],
    solve(problem: StructuredPruningProblem, _options: SolveOptions = {}) {
      const start = performance.now();
      validateStructuredProblem(problem);
      const { v } = structuredRefit(problem, choose(problem));
      return structuredResult({ solver: name, problem, v, lowerBound: 0, status: 'feasible', start });
    },
  };
}

export const nmMagnitudeSolver = heuristic(
  'nm-magnitude',
  'Structured (N:M / block) magnitude pruning: keep the N largest |w| per group (block: the largest-energy blocks), exact refit',
  magnitudeStructuredSupport,
);

export const nmObsSolver = heuristic(
  'nm-obs',
  'Structured (N:M / block) OBS / SparseGPT-style: groups left to right, prune the smallest OBS saliency w_i^2/[G^-1]_ii with compensation, exact refit',
  (p) => obsStructuredSupport(p),
);
