/**
 * Regression: prune-oa (glpk) returned `optimal` with a lower bound ABOVE the optimum on these n = 5 problems
 * (GLPK's MIP presolver answered a non-optimal master point as optimal). Every OA lower bound must now be at most
 * prune-exact's optimum and the brute-force optimum, for both back ends, for prune-oa and quant-oa.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruningProblemOf, quantizationProblemOf } from '../../src/core/objective.js';
import { readProblemSet } from '../../src/io/problem-file.js';
import { getPruningSolver } from '../../solvers/index.js';
import { solvePruneOa } from '../../solvers/milp/prune-oa.js';
import { solveQuantOa } from '../../solvers/milp/quant-oa.js';
import { brutePrune, bruteQuant } from './brute.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'repro');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('OA lower bounds on the repro problems', () => {
  it('has the three repro files', () => expect(files.length).toBe(3));
  for (const f of files) {
    const lp = readProblemSet(join(dir, f)).problems[0];
    for (const backend of ['glpk', 'jsl'] as const) {
      it(`${f} prune-oa --backend ${backend}`, async () => {
        const p = pruningProblemOf(lp, { useBox: lp.pruneBox !== null });
        const brute = brutePrune(p);
        const exact = await getPruningSolver('prune-exact')!.solve(p, {});
        expect(exact.status).toBe('optimal');
        expect(exact.upperBound).toBeCloseTo(brute, 12);
        // jsl's simplex can stall for tens of seconds on a master (its attempts are abandoned after a cap): it gets
        // a limit and only the validity of its bounds is asserted; glpk runs without limit and must close the gap
        const r = await solvePruneOa(p, backend === 'jsl' ? { timeLimitMs: 5000, extra: { backend } } : { extra: { backend } });
        expect(r.lowerBound).toBeLessThanOrEqual(exact.upperBound);
        expect(r.lowerBound).toBeLessThanOrEqual(brute * (1 + 1e-12));
        expect(r.upperBound).toBeGreaterThanOrEqual(brute * (1 - 1e-12));
        if (backend === 'glpk') expect(r.status).toBe('optimal');
      });
      it(`${f} quant-oa --backend ${backend}`, async () => {
        const q = quantizationProblemOf(lp);
        const brute = bruteQuant(q);
        const r = await solveQuantOa(q, backend === 'jsl' ? { timeLimitMs: 5000, extra: { backend } } : { extra: { backend } });
        expect(r.lowerBound).toBeLessThanOrEqual(brute * (1 + 1e-12));
        expect(r.upperBound).toBeGreaterThanOrEqual(brute * (1 - 1e-12));
        if (backend === 'glpk') expect(r.status).toBe('optimal');
      });
    }
  }
});
