/**
 * Structured sparsity and joint sparse + quantized benchmark (docs/structured.md).
 *
 *   npx tsx benchmarks/structured.ts            # 2:4 at n = 64, joint at n = 32 (rho 0, 0.5, 0.9)
 *   npx tsx benchmarks/structured.ts --quick    # smaller sizes
 *   options: --runs 3  --seeds 1  --limit-ms 10000  --k-frac 0.5  --bits 4  --levels-n 24  --formats fp4,nf4  --only nm,joint,levels
 *
 * Instances: `syntheticProblem` (problems/synthetic.ts), no box. Structured: nm-exact on 2:4 (and 4:8, 1:4);
 * joint: joint-exact with at most k = k-frac * n nonzeros on the INT-b grid of the instance (its scale).
 * joint-levels: joint-levels-exact with at most k = k-frac * n nonzeros, and 2:4, on each level set (`--formats`),
 * absmax scale (max |w| onto the largest |level|).
 * Time: median over `runs` runs of wall and CPU ms (one run when the first takes more than 2 s).
 */
import { jointProblemOf, structuredProblemOf } from '../src/core/objective.js';
import type { SolveResult, StructuredPattern } from '../src/core/types.js';
import { syntheticProblem } from '../problems/synthetic.js';
import { nmBoundSolver, nmExactSolver, nmMagnitudeSolver, nmObsSolver } from '../solvers/structured/index.js';
import { jointBoundSolver, jointExactSolver, jointLevelProblemOf, jointLevelsBoundSolver, jointLevelsExactSolver, jointLevelsPruneQuantSolver, jointLevelsQuantPruneSolver, jointPruneQuantSolver, jointQuantPruneSolver } from '../solvers/joint/index.js';
import { levelsOfFormat } from '../src/formats/levels.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const runs = Number(arg('runs') ?? 3);
const seeds = (arg('seeds') ?? '1').split(',').map(Number);
const limit = Number(arg('limit-ms') ?? 10000);
const kFrac = Number(arg('k-frac') ?? 0.5);
const bits = Number(arg('bits') ?? 4);
const rhos = [0, 0.5, 0.9];
const levelsN = Number(arg('levels-n') ?? (quick ? 16 : 24));
const formats = (arg('formats') ?? 'fp4,nf4').split(',');
const only = new Set((arg('only') ?? 'nm,joint,levels').split(','));
const median = (a: number[]): number => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
function timed(run: () => SolveResult): { r: SolveResult; ms: number; cpu: number; n: number } {
  const ms: number[] = [];
  const cpu: number[] = [];
  let r!: SolveResult;
  for (let t = 0; t < runs; t++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    r = run();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (ms[0] > 2000) break;
  }
  return { r, ms: median(ms), cpu: median(cpu), n: ms.length };
}
const ratio = (x: number, ref: number): string => (ref > 0 ? (x / ref).toFixed(3) : x === 0 ? '1.000' : 'inf');

if (only.has('nm')) {
  console.log(`Structured N:M, nm-exact (limit ${limit} ms), heuristics and nm-bound relative to the optimum\n`);
  console.log('| n | pattern | rho | seed | status | wall ms | CPU ms | nodes | magnitude / opt | OBS / opt | nm-bound certified / opt |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const patterns: [string, StructuredPattern][] = [
    ['2:4', { kind: 'nm', n: 2, m: 4 }],
    ['4:8', { kind: 'nm', n: 4, m: 8 }],
    ['1:4', { kind: 'nm', n: 1, m: 4 }],
  ];
  for (const n of quick ? [32] : [64]) for (const [pn, pattern] of patterns) for (const rho of rhos) for (const seed of seeds) {
    const p = structuredProblemOf(syntheticProblem({ n, rho, seed, bits: 4 }), { pattern, useBox: false });
    const t = timed(() => nmExactSolver.solve(p, { timeLimitMs: limit }) as SolveResult);
    const opt = t.r.upperBound;
    const mg = nmMagnitudeSolver.solve(p) as SolveResult;
    const ob = nmObsSolver.solve(p) as SolveResult;
    const b = nmBoundSolver.solve(p, { nodeLimit: 0, extra: { bnbTimeMs: 0 } }) as SolveResult;
    const certified = Number(b.stats.certifiedBound ?? 0);
    console.log(`| ${n} | ${pn} | ${rho} | ${seed} | ${t.r.status} | ${t.ms.toFixed(1)}${t.n < runs ? ' (1 run)' : ''} | ${t.cpu.toFixed(1)} | ${t.r.stats.nodes} | ${ratio(mg.upperBound, opt)} | ${ratio(ob.upperBound, opt)} | ${ratio(certified, opt)} |`);
}

}

if (only.has('joint')) {
  console.log(`\nJoint sparse + INT${bits}: at most k = ${kFrac} n nonzeros, joint-exact (limit ${limit} ms); pipelines and the certified joint-bound relative to the optimum\n`);
  console.log('| n | k | bits | rho | seed | status | wall ms | CPU ms | nodes | prune->quant / opt | quant->prune / opt | joint-bound / opt |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of quick ? [16, 24] : [16, 24, 32]) for (const rho of rhos) for (const seed of seeds) {
    const k = Math.round(kFrac * n);
    const p = jointProblemOf(syntheticProblem({ n, rho, seed, bits }), { sparsity: { kind: 'k', k } });
    const t = timed(() => jointExactSolver.solve(p, { timeLimitMs: limit }) as SolveResult);
    const opt = t.r.upperBound;
    const pq = jointPruneQuantSolver.solve(p) as SolveResult;
    const qp = jointQuantPruneSolver.solve(p) as SolveResult;
    const b = jointBoundSolver.solve(p) as SolveResult;
    console.log(`| ${n} | ${k} | ${bits} | ${rho} | ${seed} | ${t.r.status} | ${t.ms.toFixed(1)}${t.n < runs ? ' (1 run)' : ''} | ${t.cpu.toFixed(1)} | ${t.r.stats.nodes} | ${ratio(pq.upperBound, opt)} | ${ratio(qp.upperBound, opt)} | ${ratio(b.lowerBound, opt)} |`);
  }
}

if (only.has('levels')) {
  console.log(`\nJoint sparse + level set (joint-levels-exact, limit ${limit} ms, absmax scale): at most k = ${kFrac} n nonzeros, or 2:4; pipelines and the certified joint-levels-bound relative to the optimum\n`);
  console.log('| n | format | sparsity | rho | seed | status | wall ms | CPU ms | nodes | prune->quant / opt | quant->prune / opt | joint-levels-bound / opt |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const n = levelsN;
  const k = Math.round(kFrac * n);
  for (const fmt of formats) for (const [sn, sparsity] of [[`k = ${k}`, { kind: 'k', k }], ['2:4', { kind: 'nm', n: 2, m: 4 }]] as const) for (const rho of rhos) for (const seed of seeds) {
    const lp = syntheticProblem({ n, rho, seed, bits });
    const levels = levelsOfFormat(fmt);
    let wmax = 0;
    for (const x of lp.objective.w) wmax = Math.max(wmax, Math.abs(x));
    const p = { ...jointLevelProblemOf(lp, { levels, sparsity }), scale: wmax / Math.max(-levels[0], levels[levels.length - 1]) };
    const t = timed(() => jointLevelsExactSolver.solve(p, { timeLimitMs: limit }) as SolveResult);
    const opt = t.r.upperBound;
    const pq = jointLevelsPruneQuantSolver.solve(p) as SolveResult;
    const qp = jointLevelsQuantPruneSolver.solve(p) as SolveResult;
    const b = jointLevelsBoundSolver.solve(p) as SolveResult;
    console.log(`| ${n} | ${fmt} | ${sn} | ${rho} | ${seed} | ${t.r.status} | ${t.ms.toFixed(1)}${t.n < runs ? ' (1 run)' : ''} | ${t.cpu.toFixed(1)} | ${t.r.stats.nodes} | ${ratio(pq.upperBound, opt)} | ${ratio(qp.upperBound, opt)} | ${ratio(b.lowerBound, opt)} |`);
  }
}
