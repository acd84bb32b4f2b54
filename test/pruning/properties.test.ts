import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { errorOf, isPruneFeasible, makeObjective, pruningProblemOf } from '../../src/core/objective.js';
import type { PruningProblem, SolveResult } from '../../src/core/types.js';
import {
  greedyForwardSolver,
  magnitudeRefitSolver,
  magnitudeSolver,
  obsSolver,
  pruneBoundSolver,
  pruneExactSolver,
  pruningSolvers,
  swapSolver,
  verifyPerspectiveCertificate,
  rootPerspectiveBound,
} from '../../solvers/pruning/index.js';
import { randomProblem } from './helpers.js';
import { syntheticProblem } from '../../problems/synthetic.js';
import { fcParams } from '../helpers/fc-seed.js';

/** Project-wide synthetic generator (Toeplitz rho^|i-j| activations, m = 4n), free problem with budget k. */
function synthetic(n: number, k: number, rho: number, seed: number) {
  return { ...pruningProblemOf(syntheticProblem({ n, rho, seed }), { useBox: false }), k };
}

const arbProblem = fc
  .record({
    n: fc.integer({ min: 2, max: 14 }),
    kf: fc.double({ min: 0.1, max: 0.6, noNaN: true }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    box: fc.constantFrom('none', 'paper', 'tight'),
  })
  .map(({ n, kf, seed, box }) => randomProblem({ n, k: Math.max(1, Math.round(kf * n)), seed, box: box as 'none' | 'paper' | 'tight' }));

function permute(p: PruningProblem, perm: number[]): PruningProblem {
  const n = p.objective.n;
  const G = new Float64Array(n * n);
  const w = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    w[a] = p.objective.w[perm[a]];
    for (let b = 0; b < n; b++) G[a * n + b] = p.objective.G[perm[a] * n + perm[b]];
  }
  return { ...p, objective: makeObjective(G, w) };
}

describe('pruning invariants (fast-check)', () => {
  it('prune-bound <= prune-exact <= every heuristic; all solutions feasible; upperBound recomputed', () => {
    fc.assert(
      fc.property(arbProblem, (p) => {
        const ex = pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult;
        expect(ex.status).toBe('optimal');
        const opt = ex.upperBound;
        const slack = 1e-9 * opt + 1e-13 * p.objective.r;
        const lb = pruneBoundSolver.solve(p, { extra: { bnbNodeLimit: 3 } }) as SolveResult;
        expect(lb.lowerBound).toBeLessThanOrEqual(opt + slack);
        for (const s of pruningSolvers) {
          const r = s.solve(p) as SolveResult;
          expect(r.solver).toBe(s.name);
          expect(r.problemClass).toBe('pruning');
          expect(isPruneFeasible(p, r.solution!)).toBe(true);
          expect(r.upperBound).toBe(errorOf(p.objective, r.solution!));
          expect(r.upperBound).toBeGreaterThanOrEqual(opt - slack);
          expect(r.lowerBound).toBeLessThanOrEqual(opt + slack);
          expect(r.stats.timeMs).toBeGreaterThanOrEqual(0);
        }
        // swap starts from the best of the others
        const sw = (swapSolver.solve(p) as SolveResult).upperBound;
        for (const s of [magnitudeRefitSolver, greedyForwardSolver, obsSolver])
          expect(sw).toBeLessThanOrEqual((s.solve(p) as SolveResult).upperBound * (1 + 1e-12) + 1e-300);
        // refit never hurts a fixed mask when 0 is in the box and w is inside the box
        if (!p.box || p.box[0] <= 2 * Math.min(...p.objective.w)) {
          expect((magnitudeRefitSolver.solve(p) as SolveResult).upperBound).toBeLessThanOrEqual(
            (magnitudeSolver.solve(p) as SolveResult).upperBound * (1 + 1e-12),
          );
        }
      }),
      fcParams({ numRuns: 25 }),
    );
  });

  it('exact value is invariant under permutations and scales with G -> alpha G', () => {
    fc.assert(
      fc.property(arbProblem, fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (p, s, alpha) => {
        const n = p.objective.n;
        const perm = Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = (s * (i + 7)) % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const base = (pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult).upperBound;
        const permuted = (pruneExactSolver.solve(permute(p, perm), { relGapTol: 1e-12 }) as SolveResult).upperBound;
        const tol = 1e-9 * base + 1e-13 * p.objective.r;
        expect(Math.abs(permuted - base)).toBeLessThanOrEqual(tol);
        const G = Float64Array.from(p.objective.G, (x) => alpha * x);
        const scaled = (pruneExactSolver.solve({ ...p, objective: makeObjective(G, p.objective.w) }, { relGapTol: 1e-12 }) as SolveResult).upperBound;
        expect(Math.abs(scaled - alpha * base)).toBeLessThanOrEqual(alpha * tol);
      }),
      fcParams({ numRuns: 20 }),
    );
  });

  it('boxed optimum >= free optimum, equal with a huge box', () => {
    fc.assert(
      fc.property(arbProblem, (p) => {
        const free = (pruneExactSolver.solve({ ...p, box: null }, { relGapTol: 1e-12 }) as SolveResult).upperBound;
        const boxed = (pruneExactSolver.solve(p, { relGapTol: 1e-12 }) as SolveResult).upperBound;
        expect(boxed).toBeGreaterThanOrEqual(free * (1 - 1e-9));
        const huge = (pruneExactSolver.solve({ ...p, box: [-1e6, 1e6] }, { relGapTol: 1e-12 }) as SolveResult).upperBound;
        expect(Math.abs(huge - free)).toBeLessThanOrEqual(1e-9 * free + 1e-13 * p.objective.r);
      }),
      fcParams({ numRuns: 15 }),
    );
  });
});

describe('perspective certificate', () => {
  const p = synthetic(16, 4, 0.5, 3);
  const res = pruneBoundSolver.solve(p, { extra: { bnbNodeLimit: 1 } }) as SolveResult;
  const cert = res.certificate!;

  it('verifies, is below the optimum and carries d, y, z', () => {
    expect(cert.type).toBe('perspective-fw');
    const v = verifyPerspectiveCertificate(p, cert);
    expect(v.ok).toBe(true);
    expect(v.bound).toBeGreaterThan(0);
    const opt = (pruneExactSolver.solve(p) as SolveResult).upperBound;
    expect(v.bound).toBeLessThanOrEqual(opt);
    expect(res.lowerBound).toBeLessThanOrEqual(opt);
    expect((cert.d as number[]).length).toBe(16);
  });

  it('any dual vector y gives a valid (smaller or equal) bound; a random y verifies too', () => {
    const y = (cert.y as number[]).map((x, i) => x * (1 + 0.3 * Math.sin(i)));
    const v = verifyPerspectiveCertificate(p, { ...cert, y, bound: 0 });
    expect(v.ok).toBe(true);
    expect(v.bound).toBeLessThanOrEqual((cert.bound as number) * (1 + 1e-12));
  });

  it('rejects tampered certificates', () => {
    expect(verifyPerspectiveCertificate(p, { ...cert, bound: (cert.bound as number) * 1.01 }).ok).toBe(false);
    const bigD = (cert.d as number[]).map((x) => x * 50 + 1);
    expect(verifyPerspectiveCertificate(p, { ...cert, d: bigD }).ok).toBe(false);
    const negD = (cert.d as number[]).slice();
    negD[0] = -1;
    expect(verifyPerspectiveCertificate(p, { ...cert, d: negD }).ok).toBe(false);
    expect(verifyPerspectiveCertificate(p, { ...cert, y: [1, 2] }).ok).toBe(false);
    expect(verifyPerspectiveCertificate(p, { ...cert, type: 'other' }).ok).toBe(false);
    // the certificate is checked against the problem's own k: a larger k in the problem lowers the bound
    const pk = { ...p, k: p.k + 4 };
    expect(verifyPerspectiveCertificate(pk, cert).ok).toBe(false);
  });

  it('perspective bound is exact for diagonal G with d = diag(G)', () => {
    const n = 6;
    const G = new Float64Array(n * n);
    for (let i = 0; i < n; i++) G[i * n + i] = 1 + i;
    const w = Float64Array.from([0.3, -0.1, 0.2, 0.05, -0.4, 0.15]);
    const q: PruningProblem = { name: 'diag', objective: makeObjective(G, w), k: 2, box: null };
    const pr = rootPerspectiveBound(q, { iterations: 200 });
    const opt = (pruneExactSolver.solve(q) as SolveResult).upperBound;
    expect(pr.bound).toBeLessThanOrEqual(opt);
    expect(pr.bound).toBeGreaterThan(0.9 * opt);
  });
});

describe('limits are honest', () => {
  it('a node limit gives node_limit, a valid bound and a feasible point', () => {
    const p = synthetic(28, 7, 0.9, 2);
    const full = pruneExactSolver.solve(p) as SolveResult;
    expect(full.status).toBe('optimal');
    const r = pruneExactSolver.solve(p, { nodeLimit: 20 }) as SolveResult;
    expect(r.status).toBe('node_limit');
    expect(r.lowerBound).toBeLessThanOrEqual(full.upperBound);
    expect(r.upperBound).toBeGreaterThanOrEqual(full.upperBound * (1 - 1e-12));
    expect(isPruneFeasible(p, r.solution!)).toBe(true);
    const t = pruneExactSolver.solve(p, { timeLimitMs: 0 }) as SolveResult;
    expect(['time_limit', 'optimal']).toContain(t.status);
    expect(t.lowerBound).toBeLessThanOrEqual(full.upperBound);
    const b = pruneBoundSolver.solve(p, { extra: { bnbNodeLimit: 10 } }) as SolveResult;
    expect(b.status).toBe('bound_only');
    expect(b.lowerBound).toBeLessThanOrEqual(full.upperBound);
    expect(b.lowerBound).toBeGreaterThan(0);
  });
});
