/**
 * Exploratory property run (NOT part of `npm test`): fresh random seeds, many small random problems through every
 * registered solver of each family, with small node/iteration/time limits. Checks, per problem: every result's own
 * invariants (feasible solution, upper bound = recomputed error, `optimal` only with a closed gap), no lower bound of
 * any solver above a feasible value of any solver (relative 1e-9, plus the rounding level of the error), and that
 * certificates verify (and prove no more than the best feasible value). The time limits only stop runs early; no
 * check depends on where a run stops. On a failure it prints the seed and a ready-to-paste vitest regression test.
 *
 *   npm run test:explore -- --cases 2000 --families quantization,pruning --minutes 10
 */
import fc from 'fast-check';
import { jointProblemOf, pruningProblemOf, quantizationProblemOf } from '../src/core/objective.js';
import type { SolveResult } from '../src/core/types.js';
import { listSolvers } from '../solvers/index.js';
import { verifyCertificate } from '../solvers/verify.js';
import { checkResult, checkSandwich, errorScale, layerProblemArb, levelProblemArb, structuredProblemArb } from '../study/testing/index.js';
import type { AnyProblem } from '../study/testing/index.js';

const args = process.argv.slice(2);
const arg = (k: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : undefined;
};
const CASES = Number(arg('--cases') ?? 10_000);
const MINUTES = Number(arg('--minutes') ?? Infinity);
const FAMILIES = (arg('--families') ?? 'quantization,levels,pruning,structured,joint,milp-oa').split(',');
// Only a time limit: with nodeLimit/iterationLimit added, some registered quantization solver ran for > 10 minutes.
const OPTS = { timeLimitMs: 300, seed: 1 };
const small = { n: { min: 1, max: 5 }, bits: { min: 2, max: 3 } };

type Family = { classes: string[]; only?: string[]; extra?: Record<string, unknown>; arb: fc.Arbitrary<{ problem: AnyProblem; layer?: unknown; useBox?: boolean; cls: string; build: string }> };
const lp = layerProblemArb(small);
const FAMILY: Record<string, Family> = {
  quantization: { classes: ['quantization'], arb: lp.map((l) => ({ problem: quantizationProblemOf(l), layer: l, cls: 'quantization', build: 'quantizationProblemOf(lp)' })) },
  levels: { classes: ['levels'], arb: levelProblemArb(small).map((p) => ({ problem: p, cls: 'levels', build: 'levelProblem' })) },
  pruning: {
    classes: ['pruning'],
    arb: lp.map((l) => ({ problem: pruningProblemOf(l, { useBox: l.pruneBox !== null }), layer: l, useBox: l.pruneBox !== null, cls: 'pruning', build: 'pruningProblemOf(lp, { useBox: lp.pruneBox !== null })' })),
  },
  structured: { classes: ['structured'], arb: structuredProblemArb(small).map((p) => ({ problem: p, cls: 'structured', build: 'structuredProblem' })) },
  joint: { classes: ['joint'], arb: lp.map((l) => ({ problem: jointProblemOf(l), layer: l, cls: 'joint', build: 'jointProblemOf(lp)' })) },
  'milp-oa': {
    classes: ['quantization', 'pruning'],
    only: ['quant-oa', 'prune-oa'],
    extra: { backend: 'glpk' },
    arb: fc.tuple(lp, fc.boolean()).map(([l, q]) =>
      q
        ? { problem: quantizationProblemOf(l), layer: l, cls: 'quantization', build: 'quantizationProblemOf(lp)' }
        : { problem: pruningProblemOf(l, { useBox: l.pruneBox !== null }), layer: l, useBox: l.pruneBox !== null, cls: 'pruning', build: 'pruningProblemOf(lp, { useBox: lp.pruneBox !== null })' },
    ),
  },
};

function regression(family: string, seed: number, path: string, arbExpr: string): string {
  return `// explore failure (family ${family}): replay with the seed and path below
import fc from 'fast-check';
import { it } from 'vitest';
// ... the same arbitrary as scripts/explore.ts family '${family}': ${arbExpr}
it('explore regression ${family} seed ${seed}', async () => {
  await fc.assert(fc.asyncProperty(ARB_${family.replace('-', '_')}, CHECK), { seed: ${seed}, path: '${path}', numRuns: 1, endOnFailure: true });
});`;
}

async function checkCase(family: string, f: Family, c: { problem: AnyProblem; layer?: unknown; useBox?: boolean; cls: string }): Promise<string[]> {
  const solvers = listSolvers().filter((s) => (f.only ? f.only.includes(s.name) : s.problemClass === c.cls) && s.problemClass === c.cls);
  const out: string[] = [];
  const results: SolveResult[] = [];
  for (const s of solvers) {
    let r: SolveResult;
    try {
      r = await (s.solve as (p: unknown, o: unknown) => Promise<SolveResult>)(c.problem, { ...OPTS, ...(f.extra ? { extra: f.extra } : {}) });
    } catch (e) {
      out.push(`${s.name} threw: ${(e as Error).message}`);
      continue;
    }
    out.push(...checkResult(r, c.problem, { relTol: 1e-9 }).map((m) => `${s.name}: ${m}`));
    results.push(r);
  }
  out.push(...checkSandwich(results, { r: errorScale(c.problem), relTol: 1e-9 }));
  if (c.layer) {
    const best = Math.min(...results.map((r) => r.upperBound));
    for (const r of results) {
      if (!r.certificate) continue;
      const chk = verifyCertificate(c.layer as never, r.certificate, { useBox: c.useBox, problemClass: c.cls as never });
      if (!chk.valid) out.push(`${r.solver}: certificate does not verify: ${chk.reason}`);
      else if (chk.bound > best * (1 + 1e-9) + 1e-12 * errorScale(c.problem)) out.push(`${r.solver}: certificate proves ${chk.bound} above the feasible value ${best}`);
    }
  }
  return out;
}

const t0 = Date.now();
let failures = 0;
const summary: string[] = [];
for (const family of FAMILIES) {
  const f = FAMILY[family];
  if (!f) throw new Error(`unknown family '${family}' (known: ${Object.keys(FAMILY).join(', ')})`);
  const seed = (Math.random() * 2 ** 31) | 0;
  const tf = Date.now();
  const deadline = tf + (MINUTES * 60_000) / FAMILIES.length;
  let cases = 0;
  const names = listSolvers().filter((s) => f.classes.includes(s.problemClass) && (!f.only || f.only.includes(s.name))).map((s) => s.name);
  if (names.length === 0) throw new Error(`family ${family}: no registered solver`);
  console.log(`[explore] family ${family}: seed ${seed}, up to ${CASES} cases, solvers ${names.join(', ')}`);
  const res = await fc.check(
    fc.asyncProperty(f.arb, async (c) => {
      if (Date.now() > deadline) return true; // budget spent: the remaining runs are skipped (counted below)
      cases++;
      const v = await checkCase(family, f, c);
      if (v.length) throw new Error(v.join('\n'));
      if (cases % 500 === 0) console.log(`[explore] family ${family}: ${cases} cases, ${((Date.now() - tf) / 1000).toFixed(0)} s`);
      return true;
    }),
    { seed, numRuns: CASES, endOnFailure: true },
  );
  const line = `[explore] family ${family}: ${cases} cases, ${res.failed ? 'FAILED' : 'no failure'}, ${((Date.now() - tf) / 1000).toFixed(1)} s, seed ${seed}`;
  console.log(line);
  summary.push(line);
  if (res.failed) {
    failures++;
    console.log(`seed ${res.seed}, path "${res.counterexamplePath}"\n${res.errorInstance instanceof Error ? res.errorInstance.message : String(res.errorInstance)}`);
    console.log(`counterexample: ${JSON.stringify(res.counterexample, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))?.slice(0, 4000)}`);
    console.log(regression(family, res.seed, res.counterexamplePath ?? '', f === FAMILY[family] ? family : ''));
  }
}
console.log(summary.join('\n'));
console.log(`[explore] ${failures} failing families, ${((Date.now() - t0) / 1000).toFixed(1)} s total`);
process.exitCode = failures ? 1 : 0;
