import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadMilpBackend, MILP_BACKENDS } from '../../solvers/milp/backends.js';
import type { MilpModel } from '../../solvers/milp/model.js';
import { maxViolation, objectiveAt } from '../../solvers/milp/model.js';

/** Enumerate all integer points of a pure-integer model with small boxes. */
function bruteMilp(m: MilpModel): number {
  const n = m.vars.length;
  const x = m.vars.map((v) => v.lb);
  let best = Infinity;
  for (;;) {
    if (maxViolation(m, x) <= 1e-12) best = Math.min(best, objectiveAt(m, x));
    let i = 0;
    while (i < n && x[i] === m.vars[i].ub) x[i] = m.vars[i++].lb;
    if (i === n) break;
    x[i]++;
  }
  return best;
}

const smallIntModel = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    seed: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 40, maxLength: 40 }),
    lbs: fc.array(fc.integer({ min: -3, max: 0 }), { minLength: 3, maxLength: 3 }),
    widths: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ n, seed, lbs, widths }): MilpModel => {
    let p = 0;
    const next = (): number => seed[p++ % seed.length];
    const vars = Array.from({ length: n }, (_, j) => ({ lb: lbs[j], ub: lbs[j] + widths[j], integer: true }));
    const rows = [0, 1].map(() => {
      const idx = Array.from({ length: n }, (_, j) => j);
      const coef = idx.map(() => next());
      const rhs = next();
      return next() > 0 ? { idx, coef, lb: -Infinity, ub: rhs } : { idx, coef, lb: rhs - 3, ub: rhs + 3 };
    });
    return { vars, rows, objective: vars.map(() => next() + 0.5 * next()), objConst: 1.25 };
  });

describe.each(MILP_BACKENDS)('MILP back end %s', (name) => {
  it('matches enumeration on small pure-integer models (negative bounds, two-sided rows)', async () => {
    const be = await loadMilpBackend(name);
    fc.assert(
      fc.property(smallIntModel, (m) => {
        const ref = bruteMilp(m);
        const res = be.solve(m, { timeLimitMs: 5000 });
        if (ref === Infinity) {
          expect(res.status).toBe('infeasible');
        } else {
          expect(res.status).toBe('optimal');
          expect(res.x).not.toBeNull();
          expect(Math.abs(res.objective - ref)).toBeLessThan(1e-6 * (1 + Math.abs(ref)));
          const xr = Float64Array.from(res.x!, (v, j) => (m.vars[j].integer ? Math.round(v) : v));
          expect(maxViolation(m, xr)).toBeLessThan(1e-6);
          expect(Math.abs(objectiveAt(m, xr) - ref)).toBeLessThan(1e-6 * (1 + Math.abs(ref)));
          if (name === 'jsl') {
            // the optional row/column equilibration gives the same optimum
            const eq = be.solve(m, { timeLimitMs: 5000, equilibrate: true });
            expect(eq.status).toBe('optimal');
            expect(Math.abs(eq.objective - ref)).toBeLessThan(1e-6 * (1 + Math.abs(ref)));
          }
        }
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  it('handles free continuous variables and reports infeasible models', async () => {
    const be = await loadMilpBackend(name);
    // min t s.t. t >= x - 0.3, t >= -x + 0.3, x integer in [-3, 2], t free  -> 0.3 at x = 0
    const m: MilpModel = {
      vars: [
        { lb: -Infinity, ub: Infinity, integer: false },
        { lb: -3, ub: 2, integer: true },
      ],
      rows: [
        { idx: [0, 1], coef: [1, -1], lb: -0.3, ub: Infinity },
        { idx: [0, 1], coef: [1, 1], lb: 0.3, ub: Infinity },
      ],
      objective: [1, 0],
    };
    const res = be.solve(m);
    expect(res.status).toBe('optimal');
    expect(res.objective).toBeCloseTo(0.3, 9);
    expect(Math.round(res.x![1])).toBe(0);
    const bad: MilpModel = { vars: [{ lb: 0, ub: 1, integer: true }], rows: [{ idx: [0], coef: [2], lb: 0.5, ub: 1.5 }], objective: [1] };
    expect(be.solve(bad).status).toBe('infeasible');
  });

  it('returns exact zeros for weights switched off by their mask, and honours fractional bounds', async () => {
    const be = await loadMilpBackend(name);
    // prune-oa's big-M rows: lo z <= v <= hi z with a fractional lo; z = 0 is optimal, so v must be exactly 0
    // (javascript-lp-solver rounds its output to its precision grid: with the shift v = lo + y it returned 3e-8).
    const lo = -0.21266836963811475;
    const hi = 0.16940932021779082;
    const m: MilpModel = {
      vars: [
        { lb: 0, ub: 1, integer: true },
        { lb: lo, ub: hi, integer: false },
        { lb: 0.3, ub: 2, integer: false },
        { lb: -Infinity, ub: -0.7, integer: false },
      ],
      rows: [
        { idx: [1, 0], coef: [1, -hi], lb: -Infinity, ub: 0 },
        { idx: [1, 0], coef: [1, -lo], lb: 0, ub: Infinity },
      ],
      objective: [1, 0.5, 1, -1],
    };
    const res = be.solve(m);
    expect(res.status).toBe('optimal');
    expect(Math.round(res.x![0])).toBe(0);
    expect(Math.abs(res.x![1])).toBeLessThan(1e-12);
    expect(res.x![2]).toBeCloseTo(0.3, 9);
    expect(res.x![3]).toBeCloseTo(-0.7, 9);
    expect(res.objective).toBeCloseTo(0.3 + 0.7, 9);
  });
});

it('rejects unknown back ends with a clear message', async () => {
  await expect(loadMilpBackend('cplex' as never)).rejects.toThrow(/unknown MILP back end 'cplex'/);
});
