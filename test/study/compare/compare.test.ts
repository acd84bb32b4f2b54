import { describe, expect, it } from 'vitest';
import { aggregate, compareProblems, verdict } from '../../../study/compare/compare.js';
import { PvqConsistencyError } from '../../../src/core/errors.js';
import { errorOf, makeObjective, quantErrorOf, quantizationProblemOf } from '../../../src/core/objective.js';
import { getSolver } from '../../../solvers/index.js';
import { sdpRoundingSolver } from '../../../solvers/quantization/index.js';
import { makeResult } from '../../../src/core/result.js';
import type { PruningSolver, QuantizationSolver, Solver } from '../../../src/core/solver.js';
import type { LayerProblem } from '../../../src/core/types.js';
import { registerCertificateType } from '../../../solvers/certificates.js';

function problem(name: string, channel: number, G: number[], w: number[], k: number): LayerProblem {
  const n = w.length;
  return {
    name,
    n,
    objective: makeObjective(Float64Array.from(G), Float64Array.from(w)),
    scale: 0.5,
    zmin: -2,
    zmax: 1,
    k,
    pruneBox: null,
    meta: { layer: 'L', kind: 'full-row', channel, bits: 2 },
  };
}

/** A test certificate type whose verifier accepts the bound it carries (registered once for these tests). */
registerCertificateType({ type: 'test-lb', problemClass: 'quantization', description: 'test', verify: (_p, c) => ({ valid: true, bound: Number(c.bound) }) });
registerCertificateType({ type: 'test-lb', problemClass: 'pruning', description: 'test', verify: (_p, c) => ({ valid: true, bound: Number(c.bound) }) });

/**
 * Fake solvers with controllable bounds, to test the comparison logic independently of real solvers. A stopped
 * search carries a 'test-lb' certificate for its bound unless `certified` is false.
 */
function fakeSolvers(quantLb: number, pruneLb: number, certified = true): Solver[] {
  const qExact: QuantizationSolver = {
    name: 'quant-exact',
    problemClass: 'quantization',
    role: 'exact',
    description: 'fake',
    solve: (p) => {
      const z = new Float64Array(p.objective.n); // z = 0 is feasible
      const ub = quantErrorOf(p, z);
      return makeResult({ solver: 'quant-exact', problem: p.name, problemClass: 'quantization', lowerBound: Math.min(quantLb, ub), upperBound: ub, solution: z, status: quantLb >= ub ? 'optimal' : 'time_limit', stats: { timeMs: 0 }, ...(certified && quantLb < ub ? { certificate: { type: 'test-lb', bound: quantLb } } : {}) });
    },
  };
  const pExact: PruningSolver = {
    name: 'prune-exact',
    problemClass: 'pruning',
    role: 'exact',
    description: 'fake',
    solve: (p) => {
      const v = new Float64Array(p.objective.n);
      const ub = errorOf(p.objective, v);
      return makeResult({ solver: 'prune-exact', problem: p.name, problemClass: 'pruning', lowerBound: Math.min(pruneLb, ub), upperBound: ub, solution: v, status: pruneLb >= ub ? 'optimal' : 'time_limit', stats: { timeMs: 0 }, ...(certified && pruneLb < ub ? { certificate: { type: 'test-lb', bound: pruneLb } } : {}) });
    },
  };
  return [qExact, pExact];
}

describe('verdict', () => {
  it('is proven only when the error intervals do not overlap', () => {
    expect(verdict(1, 2, 3, 4, false, false)).toEqual({ winner: 'quantization', proven: true });
    expect(verdict(3, 4, 1, 2, false, false)).toEqual({ winner: 'pruning', proven: true });
    expect(verdict(1, 3, 2, 4, false, false)).toEqual({ winner: 'undecided', proven: false });
    expect(verdict(1, 2, 2, 4, false, false)).toEqual({ winner: 'undecided', proven: false });
    expect(verdict(2, 2, 2, 2, true, true)).toEqual({ winner: 'tie', proven: true });
  });
});

describe('compareProblems', () => {
  const p1 = problem('a', 0, [1, 0, 0, 1], [1, 1], 1); // r = 2; zero candidates: error 2 for both
  it('uses the exact solvers and reports SQNR intervals', async () => {
    const solvers = fakeSolvers(10, 10); // lb clipped to ub: both optimal
    const res = await compareProblems([p1], 'set', { resolve: (n) => solvers.find((s) => s.name === n), baselines: false });
    const c = res.channels[0];
    expect(c.quant.exact).toBe(true);
    expect(c.quant.sqnrDb[0]).toBeCloseTo(0, 12);
    expect(c.winner).toBe('tie');
    expect(c.kind).toBe('full-row');
    expect(c.channel).toBe(0);
    expect(c.bits).toBe(2);
  });

  it('reports an undecided verdict when bounds overlap', async () => {
    const solvers = fakeSolvers(0.5, 0.5);
    const res = await compareProblems([p1], 'set', { resolve: (n) => solvers.find((s) => s.name === n), baselines: false });
    expect(res.channels[0].winner).toBe('undecided');
    expect(res.channels[0].proven).toBe(false);
    expect(res.channels[0].quant.sqnrDb[1]).toBeCloseTo(10 * Math.log10(2 / 0.5), 12);
  });

  it('throws on a lower bound above a feasible value (a broken solver)', async () => {
    const broken: QuantizationSolver = {
      name: 'quant-bound',
      problemClass: 'quantization',
      role: 'bound',
      description: 'claims too much',
      solve: (p) => makeResult({ solver: 'quant-bound', problem: p.name, problemClass: 'quantization', lowerBound: 100, upperBound: Infinity, solution: null, status: 'bound_only', stats: { timeMs: 0 } }),
    };
    const solvers = [...fakeSolvers(0, 0), broken];
    await expect(compareProblems([p1], 'set', { resolve: (n) => solvers.find((s) => s.name === n), baselines: false })).rejects.toBeInstanceOf(PvqConsistencyError);
  });
});

describe('fallback heuristics', () => {
  it('run only when the exact solver stops on a limit', async () => {
    let calls = 0;
    const costly: QuantizationSolver = {
      name: 'sdp-rounding',
      problemClass: 'quantization',
      role: 'heuristic',
      description: 'counts its calls',
      solve: (p) => {
        calls++;
        const z = new Float64Array(p.objective.n);
        return makeResult({ solver: 'sdp-rounding', problem: p.name, problemClass: 'quantization', lowerBound: 0, upperBound: quantErrorOf(p, z), solution: z, status: 'feasible', stats: { timeMs: 0 } });
      },
    };
    const p1 = problem('a', 0, [1, 0, 0, 1], [1, 1], 1);
    const closed = [...fakeSolvers(10, 10), costly];
    await compareProblems([p1], 'set', { resolve: (n) => closed.find((s) => s.name === n) });
    expect(calls).toBe(0);
    const open = [...fakeSolvers(0.5, 0.5), costly];
    const res = await compareProblems([p1], 'set', { resolve: (n) => open.find((s) => s.name === n) });
    expect(calls).toBe(1);
    expect(res.channels[0].baselines['sdp-rounding']).toBeCloseTo(0, 12);
  });
});

describe('aggregate', () => {
  it('sums errors and energies before taking the logarithm (paper convention)', async () => {
    const solvers = fakeSolvers(10, 10);
    const pa = problem('a', 0, [1, 0, 0, 1], [1, 1], 1); // r = 2, error 2
    const pb = problem('b', 1, [4, 0, 0, 4], [1, 0], 1); // r = 4, error 4
    const res = await compareProblems([pa, pb], 'set', { resolve: (n) => solvers.find((s) => s.name === n), baselines: false });
    const agg = aggregate(res.channels, 'set');
    expect(agg).toHaveLength(1);
    expect(agg[0].r).toBeCloseTo(6, 12);
    expect(agg[0].quantError[0]).toBeCloseTo(6, 12);
    expect(agg[0].count).toBe(2);
  });
});

describe('lower bounds are proofs only', () => {
  const p1 = problem('a', 0, [1, 0, 0, 1], [1, 1], 1); // zero candidates: error 2 for both
  it('ignores the bound of a stopped search without a certificate and of a heuristic', async () => {
    const liar: QuantizationSolver = {
      name: 'rtn',
      problemClass: 'quantization',
      role: 'heuristic',
      description: 'a heuristic that claims a bound',
      solve: (p) => {
        const z = new Float64Array(p.objective.n);
        return makeResult({ solver: 'rtn', problem: p.name, problemClass: 'quantization', lowerBound: 1.9, upperBound: quantErrorOf(p, z), solution: z, status: 'feasible', stats: { timeMs: 0 } });
      },
    };
    const solvers = [...fakeSolvers(1.5, 0.1, false), liar];
    const res = await compareProblems([p1], 'set', { resolve: (n) => solvers.find((s) => s.name === n) });
    const c = res.channels[0];
    expect(c.quant.lowerBound).toBe(0);
    expect(c.quant.lowerProof).toBe('trivial');
    expect(c.quant.lowerBy).toBeNull();
    // with certificates the same bounds are used
    const cert = fakeSolvers(1.5, 0.1, true);
    const res2 = await compareProblems([p1], 'set', { resolve: (n) => cert.find((s) => s.name === n), baselines: false });
    expect(res2.channels[0].quant.lowerBound).toBe(1.5);
    expect(res2.channels[0].quant.lowerProof).toBe('certificate');
  });

  it('sdp-rounding (a heuristic) yields no lower bound: its relaxation value is only a statistic', async () => {
    const p = problem('b', 0, [2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 1.5], [0.37, -0.81, 0.26], 1);
    const r = await sdpRoundingSolver.solve(quantizationProblemOf(p), { seed: 3 });
    expect(r.lowerBound).toBe(0);
    expect(r.stats.sdpValue).toBeGreaterThan(0);
    const res = await compareProblems([p], 'set', {
      resolve: getSolver,
      plans: { quantization: { exact: [], bounds: [], heuristics: ['sdp-rounding'], fallbackHeuristics: [] } },
    });
    expect(res.channels[0].quant.lowerBound).toBe(0);
    expect(res.channels[0].quant.lowerProof).toBe('trivial');
  });
});

describe('compare budget', () => {
  /** Fake solvers on a fake clock: exact and bound solvers use their whole limit, heuristics 0.5 ms. */
  function clocked() {
    const clock = { t: 0 };
    const limits: { solver: string; limit: number }[] = [];
    const mk = (name: string, cls: 'quantization' | 'pruning', role: 'exact' | 'bound' | 'heuristic'): Solver => {
      const solve = (p: { name: string; objective: { n: number } }, o: { timeLimitMs?: number } = {}) => {
        const limit = o.timeLimitMs ?? Infinity;
        limits.push({ solver: name, limit });
        clock.t += role === 'heuristic' ? Math.min(0.5, limit) : limit;
        const x = new Float64Array(p.objective.n);
        const ub = cls === 'quantization' ? quantErrorOf(p as never, x) : errorOf((p as never as { objective: Parameters<typeof errorOf>[0] }).objective, x);
        return makeResult({ solver: name, problem: p.name, problemClass: cls, lowerBound: 0, upperBound: ub, solution: x, status: role === 'heuristic' ? 'feasible' : role === 'exact' ? 'time_limit' : 'bound_only', stats: { timeMs: 0 } });
      };
      return { name, problemClass: cls, role, description: 'clocked', solve } as unknown as Solver;
    };
    const solvers = [
      mk('rtn', 'quantization', 'heuristic'),
      mk('quant-exact', 'quantization', 'exact'),
      mk('quant-bound', 'quantization', 'bound'),
      mk('sdp-box', 'quantization', 'bound'),
      mk('magnitude', 'pruning', 'heuristic'),
      mk('prune-exact', 'pruning', 'exact'),
      mk('prune-bound', 'pruning', 'bound'),
    ];
    return { clock, limits, resolve: (n: string) => solvers.find((s) => s.name === n) };
  }
  const problems = [0, 1, 2, 3, 4, 5].map((i) => problem(`c${i}`, i, [1, 0, 0, 1], [1, -1], 1));

  it('splits one overall budget across channels and phases, each within the per-phase cap', async () => {
    const { clock, limits, resolve } = clocked();
    await compareProblems(problems, 'set', { resolve, timeLimitMs: 3000, budgetMs: 4000, now: () => clock.t });
    const heuristicCalls = limits.filter((l) => l.solver === 'rtn' || l.solver === 'magnitude').length;
    expect(clock.t).toBeLessThanOrEqual(4000 + heuristicCalls * 0.5);
    for (const l of limits) expect(l.limit).toBeLessThanOrEqual(3000);
    // every channel's exact searches get a fair share (24 phases in all), not only the first ones
    for (const l of limits.filter((x) => x.solver.endsWith('-exact'))) expect(l.limit).toBeGreaterThan(4000 / 24 / 2);
  });

  it('without a budget every phase gets the per-phase limit (the old behaviour, which added up)', async () => {
    const { clock, resolve } = clocked();
    await compareProblems(problems, 'set', { resolve, timeLimitMs: 3000, now: () => clock.t });
    expect(clock.t).toBeGreaterThan(6 * 4 * 3000 - 1);
  });
});
