import { describe, expect, it } from 'vitest';
import { PvqInputError } from '../../src/core/errors.js';
import { defineOptions, resolveExtras, resolveOptions } from '../../src/core/options.js';
import { COMMON_OPTIONS } from '../../src/core/solver.js';
import { getSolver, listSolvers } from '../../solvers/index.js';

const schema = defineOptions({
  mode: { type: 'enum', values: ['a', 'b'], default: 'a', help: 'mode' },
  tol: { type: 'number', min: 0, exclusiveMin: true, help: 'tolerance' },
  count: { type: 'integer', min: 1, max: 10, default: 3, help: 'count' },
  flag: { type: 'boolean', default: false, help: 'flag' },
  list: { type: 'array', help: 'list' },
});

describe('resolveExtras: one place for validation and defaults', () => {
  it('fills defaults and keeps keys without a default undefined', () => {
    const r = resolveExtras(schema, undefined, 't');
    expect(r).toEqual({ mode: 'a', count: 3, flag: false });
    expect(r.tol).toBeUndefined();
  });

  it('converts command-line strings by type', () => {
    const r = resolveExtras(schema, { mode: 'b', tol: '1e-3', count: '7', flag: 'true', list: '[1,2]' }, 't');
    expect(r).toEqual({ mode: 'b', tol: 1e-3, count: 7, flag: true, list: [1, 2] });
  });

  it('refuses unknown keys and bad values, naming each option', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ bogus: 1 }, /option 'bogus': unknown option of solver 't' \(it takes: mode, tol, count, flag, list\)/],
      [{ mode: 'c' }, /option 'mode': expected one of 'a', 'b', got "c"/],
      [{ tol: 0 }, /option 'tol': must be > 0/],
      [{ tol: 'abc' }, /option 'tol': expected a finite number/],
      [{ count: 2.5 }, /option 'count': expected an integer/],
      [{ count: 11 }, /option 'count': must be <= 10/],
      [{ flag: 'yes' }, /option 'flag': expected true or false/],
      [{ list: '{' }, /option 'list': expected a JSON array/],
    ];
    for (const [extra, re] of bad) expect(() => resolveExtras(schema, extra, 't')).toThrow(re);
    try {
      resolveExtras(schema, { mode: 'nonsense', bogus: 1 }, 't');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PvqInputError);
      expect((e as Error).message).toMatch(/option 'mode'.*option 'bogus'/);
    }
  });
});

describe('every registered solver declares a consistent schema and its capabilities', () => {
  for (const s of listSolvers()) {
    it(s.name, () => {
      expect(s.capabilities).toBeDefined();
      for (const c of s.capabilities ?? []) expect(COMMON_OPTIONS).toContain(c);
      // 'backend' is a capability exactly when the schema has a backend option
      expect((s.capabilities ?? []).includes('backend')).toBe(s.options?.backend !== undefined);
      for (const [key, spec] of Object.entries(s.options ?? {})) {
        expect(spec.help.length).toBeGreaterThan(0);
        if (spec.type === 'enum') expect(spec.values.length).toBeGreaterThan(0);
        // each default is itself a valid value of its option
        if ('default' in spec && spec.default !== undefined) expect(resolveExtras(s.options, { [key]: spec.default }, s.name)[key]).toBe(spec.default);
      }
      expect(() => resolveExtras(s.options, { 'no-such-option': 1 }, s.name)).toThrow(PvqInputError);
    });
  }
});

describe('resolveOptions: common options a solver does not honour', () => {
  it('refuses --gap to rtn and --node-limit to sdp, warns on a time limit to rtn', () => {
    const rtn = getSolver('rtn')!;
    const sdp = getSolver('sdp')!;
    expect(() => resolveOptions(rtn, { relGapTol: 1e-3 })).toThrow(/--gap: solver 'rtn' does not use a relative gap tolerance/);
    expect(() => resolveOptions(sdp, { nodeLimit: 3 })).toThrow(/--node-limit: solver 'sdp' does not use a node limit \(it honours: --time-limit, --iteration-limit\)/);
    expect(() => resolveOptions(getSolver('prune-exact')!, { extra: { backend: 'jsl' } })).toThrow(/--backend: solver 'prune-exact' does not use a back end/);
    const warnings: string[] = [];
    const r = resolveOptions(rtn, { timeLimitMs: 1000 }, (l) => warnings.push(l));
    expect(r.timeLimitMs).toBe(1000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--time-limit: solver 'rtn' does not check the clock/);
  });

  it('accepts honoured options and returns typed, defaulted extras', () => {
    const r = resolveOptions(getSolver('prune-exact')!, { nodeLimit: 5, relGapTol: 1e-6, extra: { order: 'natural', perspective: 'true' } });
    expect(r.nodeLimit).toBe(5);
    expect(r.extra).toEqual({ diag: 'none', order: 'natural', bound: 'lookahead', perspective: true });
    const oa = resolveOptions(getSolver('quant-oa')!, { extra: { backend: 'jsl', lpWarmupRounds: '0' } });
    expect(oa.extra).toMatchObject({ backend: 'jsl', lpWarmupRounds: 0, cuts: 'factor', split: 'jacobi' });
    expect(() => resolveOptions(getSolver('quant-oa')!, { extra: { backend: 'cplex' } })).toThrow(/option 'backend': expected one of 'glpk', 'jsl'/);
  });

  it('a solver without declared capabilities is passed through unchecked', () => {
    const plug = { name: 'plug', problemClass: 'quantization' as const, role: 'heuristic' as const, description: 'x', solve: () => { throw new Error('unused'); } };
    expect(resolveOptions(plug, { nodeLimit: 3, relGapTol: 1e-3 })).toEqual({ nodeLimit: 3, relGapTol: 1e-3 });
    expect(() => resolveOptions(plug, { extra: { any: 1 } })).toThrow(/option 'any': unknown option of solver 'plug' \(it takes no options\)/);
  });

  it('solvers read the resolved values: an invalid option throws from a direct library call too', () => {
    const p = { name: 'p', objective: { n: 1, G: Float64Array.of(1), w: Float64Array.of(0.3), r: 0.09 }, scale: 0.1, zmin: -4, zmax: 3 };
    const gptq = getSolver('gptq')!;
    if (gptq.problemClass !== 'quantization') throw new Error('gptq class');
    expect(() => gptq.solve(p, { extra: { order: 'nonsense' } })).toThrow(/option 'order'/);
    expect(() => gptq.solve(p, { extra: { bogus: 1 } })).toThrow(/option 'bogus'/);
  });
});
