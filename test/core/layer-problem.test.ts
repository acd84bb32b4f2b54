import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import { errorOf, sqnrDb } from '../../src/core/objective.js';
import { parseLayerProblem, layerProblemToJSON } from '../../src/io/layer-problem.js';
import { parseProblemSet } from '../../src/io/problem-file.js';
import { referenceCases } from '../../problems/reference-set.js';

const base = () => ({
  name: 't',
  n: 2,
  G: [
    [2, 1],
    [1, 2],
  ],
  w: [0.5, -0.25],
  scale: 0.1,
  zmin: -8,
  zmax: 7,
  k: 1,
  pruneBox: [-1, 1],
});

function errorOfParse(mut: (o: any) => void): PvqInputError {
  const o: any = base();
  mut(o);
  try {
    parseLayerProblem(o);
  } catch (e) {
    expect(e).toBeInstanceOf(PvqInputError);
    return e as PvqInputError;
  }
  throw new Error('expected parseLayerProblem to throw');
}

describe('layer-problem validation', () => {
  it('accepts a valid problem and computes r = w^T G w', () => {
    const p = parseLayerProblem(base());
    expect(p.objective.r).toBeCloseTo(2 * 0.25 + 2 * 0.0625 - 2 * 0.125, 15);
    expect(errorOf(p.objective, [0, 0])).toBeCloseTo(p.objective.r, 15);
    expect(sqnrDb(p.objective.r, p.objective.r)).toBe(0);
  });

  it.each([
    ['n', (o: any) => delete o.n, /n: missing/],
    ['n', (o: any) => (o.n = 0), /n: must be >= 1/],
    ['n', (o: any) => (o.n = 2.5), /n: expected an integer/],
    ['G', (o: any) => (o.G = [[1, 0]]), /G: expected 2 rows/],
    ['G[1]', (o: any) => (o.G[1] = [1]), /G\[1\]: expected 2 entries/],
    ['G[0][1]', (o: any) => (o.G[0][1] = 'x'), /G\[0\]\[1\]: expected a finite number, got "x"/],
    ['G[1][1]', (o: any) => (o.G[1][1] = null), /G\[1\]\[1\]: expected a finite number, got null/],
    ['w', (o: any) => (o.w = [1]), /w: expected 2 entries/],
    ['w[1]', (o: any) => (o.w[1] = Number.NaN), /w\[1\]: expected a finite number, got NaN/],
    ['scale', (o: any) => (o.scale = 0), /scale: must be > 0/],
    ['scale', (o: any) => (o.scale = -1), /scale: must be > 0/],
    ['zmin', (o: any) => (o.zmin = 1), /zmin: must be <= 0/],
    ['zmax', (o: any) => (o.zmax = -1), /zmax: must be >= 0/],
    ['zmin', (o: any) => (o.zmin = -1.5), /zmin: expected an integer/],
    ['k', (o: any) => (o.k = 3), /k: must satisfy 0 <= k <= n = 2, got 3/],
    ['k', (o: any) => (o.k = -1), /k: must satisfy 0 <= k <= n/],
    ['pruneBox', (o: any) => (o.pruneBox = [1, -1]), /pruneBox: empty box: lo = 1 > hi = -1/],
    ['pruneBox', (o: any) => (o.pruneBox = [1]), /pruneBox: expected \[lo, hi\] or null/],
    ['G', (o: any) => (o.G[0][1] = 1.001), /G: not symmetric: G\[0\]\[1\] = 1.001 but G\[1\]\[0\] = 1/],
    ['G', (o: any) => (o.G = [[1, 2], [2, 1]]), /G: not positive semidefinite \(indefinite\)/],
    ['G', (o: any) => (o.G = [[-1, 0], [0, 1]]), /G: not positive semidefinite: diagonal entry G\[0\]\[0\] = -1/],
    ['meta', (o: any) => (o.meta = 3), /meta: expected an object/],
  ])('rejects bad %s with a message naming it', (field, mut, re) => {
    const e = errorOfParse(mut);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(re);
  });

  it('symmetrises G within the 1e-12 relative tolerance', () => {
    const o: any = base();
    o.G[0][1] = 1 + 1e-13;
    const p = parseLayerProblem(o);
    expect(p.objective.G[1]).toBe(p.objective.G[2]);
  });

  it('accepts degenerate valid input: singular G, zero G, zero weights, n = 1, k = 0, k = n, no box', () => {
    expect(parseLayerProblem({ ...base(), G: [[1, 1], [1, 1]] }).objective.r).toBeCloseTo(0.0625, 15);
    expect(parseLayerProblem({ ...base(), G: [[0, 0], [0, 0]] }).objective.r).toBe(0);
    expect(parseLayerProblem({ ...base(), w: [0, 0] }).objective.r).toBe(0);
    expect(parseLayerProblem({ name: 'one', n: 1, G: [[3]], w: [1], scale: 1, zmin: 0, zmax: 0, k: 0 }).pruneBox).toBeNull();
    expect(parseLayerProblem({ ...base(), k: 2, pruneBox: null }).k).toBe(2);
  });

  it('round-trips through the JSON writer', () => {
    const p = parseLayerProblem(base());
    const q = parseLayerProblem(JSON.parse(JSON.stringify(layerProblemToJSON(p))));
    expect(Array.from(q.objective.G)).toEqual(Array.from(p.objective.G));
    expect(q.k).toBe(p.k);
  });

  it('reads every reference problem', () => {
    const cases = referenceCases();
    expect(cases.length).toBeGreaterThanOrEqual(13);
    for (const c of cases) expect(c.problem.objective.r).toBeCloseTo(c.expected.r, 12);
  });
});

describe('problem sets', () => {
  it('reads a pvq-layer file and names the failing element', () => {
    const set = parseProblemSet({ format: 'pvq-layer', version: 1, name: 'L', problems: [base(), base()] }, 'f');
    expect(set.name).toBe('L');
    expect(set.problems).toHaveLength(2);
    expect(() => parseProblemSet({ format: 'pvq-layer', problems: [base(), { ...base(), k: 9 }] }, 'f')).toThrow(/problems\[1\]\.k: must satisfy/);
    expect(() => parseProblemSet({ format: 'other', problems: [] }, 'f')).toThrow(/format: expected "pvq-layer"/);
    expect(() => parseProblemSet([], 'f')).toThrow(/empty array/);
    expect(parseProblemSet([base()], 'arr').problems[0].name).toBe('t');
  });
});

describe('derived quantities must fit in double precision', () => {
  it('w * 1e300: r = w^T G w overflows -> refused naming w', () => {
    const e = errorOfParse((o) => (o.w = o.w.map((x: number) => x * 1e300)));
    expect(e.field).toBe('w');
    expect(e.message).toMatch(/r = w\^T G w is not finite \(it overflows double precision\)/);
  });

  it('G so large that G w overflows', () => {
    const e = errorOfParse((o) => {
      o.G = [[1e308, 0], [0, 1e308]];
      o.w = [1e-300, 10];
    });
    expect(e.field).toBe('w');
  });

  it('scale 1e-300: scale^2 G underflows -> refused naming scale (no "NaN", no "singular G")', () => {
    const e = errorOfParse((o) => (o.scale = 1e-300));
    expect(e.field).toBe('scale');
    expect(e.message).toMatch(/scale = 1e-300 is so small that scale\^2 \* max G_ii = 0 underflows double precision/);
    expect(e.message).not.toMatch(/NaN|singular/);
  });

  it('scale so small that w / scale overflows', () => {
    const e = errorOfParse((o) => {
      o.scale = 1e-310;
      o.w = [1, 0];
    });
    expect(e.field).toBe('scale');
    expect(e.message).toMatch(/w\[0\] \/ scale .* overflows/);
  });

  it('scale so large that scale * zmax overflows', () => {
    const e = errorOfParse((o) => (o.scale = 1e308));
    expect(e.field).toBe('scale');
  });

  it('an all-zero G with a tiny scale is fine (nothing to represent), and so are the reference problems', () => {
    const o: any = base();
    o.G = [[0, 0], [0, 0]];
    o.scale = 1e-300;
    expect(() => parseLayerProblem(o)).not.toThrow();
    for (const c of referenceCases()) expect(() => parseLayerProblem(layerProblemToJSON(c.problem))).not.toThrow();
  });
});
