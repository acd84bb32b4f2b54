import { describe, expect, it } from 'vitest';
import { errorOf } from '../../src/core/objective.js';
import { levelsOfFormat } from '../../src/formats/levels.js';
import { groupAbsmaxScales, perCoordinateScaleProblem, weightsOf } from '../../src/formats/groups.js';
import { groupScaleBitsPerWeight } from '../../src/formats/bits.js';
import { layerProblemArb } from '../../study/testing/index.js';
import { levelsSdpSolver, solveLevelsExact } from '../../solvers/levels/index.js';
import fc from 'fast-check';

describe('group scales', () => {
  it('scale bits per weight: 16 ceil(n / g) / n (hand-checked)', () => {
    expect(groupScaleBitsPerWeight(128, 32)).toBe(0.5);
    expect(groupScaleBitsPerWeight(27, 8)).toBe((16 * 4) / 27); // groups 8, 8, 8, 3
    expect(groupScaleBitsPerWeight(4, 128, 8)).toBe(2);
    expect(() => groupScaleBitsPerWeight(4, 0)).toThrow(/groupSize/);
  });
  it('absmax per group (hand-checked)', () => {
    const s = groupAbsmaxScales([0.3, -1.5, 0.6, 0, 0, 0, 3], 3, levelsOfFormat('fp4'));
    expect(Array.from(s)).toEqual([0.25, 0.25, 0.25, 1, 1, 1, 0.5]);
  });
  it('exact on the transformed problem = brute force over per-group-scaled levels (NF4, g = 2, n <= 4)', () => {
    const levels = levelsOfFormat('nf4');
    fc.assert(
      fc.property(layerProblemArb({ n: { min: 1, max: 4 }, bits: 4 }), (lp) => {
        const scales = groupAbsmaxScales(lp.objective.w, 2, levels);
        const p = perCoordinateScaleProblem(lp.name, lp.objective, scales, levels);
        const n = lp.n;
        const x = new Float64Array(n);
        let best = Infinity;
        const rec = (i: number): void => {
          if (i === n) {
            best = Math.min(best, errorOf(lp.objective, weightsOf(x, scales)));
            return;
          }
          for (const l of levels) {
            x[i] = l;
            rec(i + 1);
          }
        };
        rec(0);
        const r = solveLevelsExact(p);
        const tol = 1e-9 * best + 1e-12 * lp.objective.r + 1e-300;
        expect(r.status).toBe('optimal');
        // the reported optimum, evaluated in the original problem, is the brute-force optimum
        expect(Math.abs(errorOf(lp.objective, weightsOf(r.solution!, scales)) - best)).toBeLessThanOrEqual(tol);
        expect((levelsSdpSolver.solve(p) as { lowerBound: number }).lowerBound).toBeLessThanOrEqual(best + tol);
      }),
      { seed: 61, numRuns: 20 },
    );
  });
});
