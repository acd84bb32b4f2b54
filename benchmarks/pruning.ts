/**
 * Pruning benchmark: prune-exact time/nodes, root perspective bound quality, heuristic gaps.
 *
 *   npx tsx benchmarks/pruning.ts            # full grid (a few minutes)
 *   npx tsx benchmarks/pruning.ts --quick    # small grid
 *   options: --n 32,48  --b 4  --rho 0,0.9  --runs 3  --limit-ms 10000  --seeds 1
 *
 * Instances: `syntheticProblem` (problems/synthetic.ts): X rows ~ N(0, Toeplitz rho^|i-j|), m = 4n rows,
 * G = X^T X / m, w ~ N(0, 1/n),
 * k = round(n b / 16), no box (plus a short m < n and boxed section).
 * Time is the median over `runs` runs (one run when the first takes more than 1 s).
 */
import { errorOf, makeObjective, pruningProblemOf } from '../src/core/objective.js';
import type { PruningProblem, SolveResult } from '../src/core/types.js';
import {
  greedyForwardSolver,
  magnitudeRefitSolver,
  obsSolver,
  pruneExactSolver,
  rootPerspectiveBound,
  swapSolver,
} from '../solvers/pruning/index.js';
import { syntheticProblem } from '../problems/synthetic.js';

/** Instances from the project-wide generator (problems/synthetic.ts), budget k, paper box when `box`. */
function synthetic(o: { n: number; k: number; rho: number; seed: number; m?: number; box?: boolean }): PruningProblem {
  const lp = syntheticProblem({ n: o.n, rho: o.rho, seed: o.seed, m: o.m });
  return { ...pruningProblemOf(lp, { useBox: o.box ?? false }), k: o.k };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const list = (s: string | undefined, def: number[]): number[] => (s ? s.split(',').map(Number) : def);
const ns = list(arg('n'), quick ? [8, 16, 24, 32] : [8, 16, 24, 32, 48, 64]);
const bs = list(arg('b'), quick ? [2, 4] : [2, 3, 4, 8]);
const rhos = list(arg('rho'), quick ? [0, 0.9] : [0, 0.5, 0.9, 0.99]);
const runs = Number(arg('runs') ?? 3);
const seeds = list(arg('seeds'), [1]);
const limitFor = (n: number): number => Number(arg('limit-ms') ?? (quick ? 2000 : n >= 64 ? 5000 : 10000));

const median = (a: number[]): number => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
const pct = (x: number, ref: number): string => (ref > 0 ? `${(100 * (x / ref - 1)).toFixed(1)}` : x === 0 ? '0.0' : 'inf');

/** Wall time and process CPU time (user + system; less sensitive to other jobs on a shared machine). */
function timeExact(p: PruningProblem, limit: number): { r: SolveResult; ms: number; cpuMs: number; nRuns: number } {
  const times: number[] = [];
  const cpu: number[] = [];
  let r!: SolveResult;
  for (let t = 0; t < runs; t++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    r = pruneExactSolver.solve(p, { timeLimitMs: limit }) as SolveResult;
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (times[0] > 1000) break;
  }
  return { r, ms: median(times), cpuMs: median(cpu), nRuns: times.length };
}

// warm-up (JIT)
for (const n of [12, 20]) pruneExactSolver.solve(synthetic({ n, k: n / 4, rho: 0.5, seed: 99 }));

const rows: string[] = [];
rows.push('| n | b | k | rho | status | exact wall ms (median) | exact CPU ms | nodes | LB/UB | PR root / best | PR ms | mag+refit % | greedy % | OBS % | swap % |');
rows.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const t0 = performance.now();
for (const n of ns)
  for (const b of bs)
    for (const rho of rhos)
      for (const seed of seeds) {
        const k = Math.round((n * b) / 16);
        const p = synthetic({ n, k, rho, seed });
        const { r, ms, cpuMs, nRuns } = timeExact(p, limitFor(n));
        const best = r.upperBound;
        const tp = performance.now();
        const pr = rootPerspectiveBound(p, { iterations: 100 });
        const prMs = performance.now() - tp;
        const h = [magnitudeRefitSolver, greedyForwardSolver, obsSolver, swapSolver].map((s) => {
          const res = s.solve(p) as SolveResult;
          return pct(errorOf(p.objective, res.solution!), best);
        });
        const st = r.status === 'optimal' ? 'optimal' : `**${r.status}**`;
        rows.push(
          `| ${n} | ${b} | ${k} | ${rho} | ${st} | ${ms.toFixed(1)}${nRuns < runs ? ` (${nRuns} run)` : ''} | ${cpuMs.toFixed(1)} | ${r.stats.nodes} | ${(r.lowerBound / (best || 1)).toFixed(4)} | ${(pr.bound / (best || 1)).toFixed(3)} | ${prMs.toFixed(0)} | ${h.join(' | ')} |`,
        );
        process.stderr.write(`${rows[rows.length - 1]}\n`);
      }

// rank-deficient (m < n) and boxed instances
const extra: string[] = [];
extra.push('| n | k | rho | m | box | status | exact wall ms | exact CPU ms | nodes | LB/UB | path |');
extra.push('|---|---|---|---|---|---|---|---|---|---|---|');
/** One-signed weights (|w|) with the paper box [2 min w, 2 max w]: a box that does not contain 0. */
function positiveBox(p: PruningProblem): PruningProblem {
  const { G, n } = p.objective;
  const w = Float64Array.from(p.objective.w, Math.abs);
  const obj = makeObjective(G, w);
  return { ...p, name: `${p.name}-abs`, objective: obj, box: [2 * Math.min(...w), 2 * Math.max(...w)] };
}
for (const n of quick ? [16] : [16, 24, 32, 48])
  for (const [m, box] of [
    [Math.floor(n / 2), 'none'],
    [n, 'none'],
    [4 * n, 'paper'],
    [4 * n, 'positive'],
  ] as const) {
    const k = Math.round(n / 4);
    const p0 = synthetic({ n, k, rho: 0.5, seed: 1, m, box: box === 'paper' });
    const p = box === 'positive' ? positiveBox(p0) : p0;
    const { r, ms, cpuMs } = timeExact(p, limitFor(n));
    const boxTxt = box === 'none' ? 'none' : box === 'paper' ? '[2 min w, 2 max w]' : `abs(w), [2 min, 2 max] = [${p.box![0].toPrecision(2)}, ${p.box![1].toPrecision(2)}]`;
    extra.push(
      `| ${n} | ${k} | 0.5 | ${m} | ${boxTxt} | ${r.status} | ${ms.toFixed(1)} | ${cpuMs.toFixed(1)} | ${r.stats.nodes} | ${(r.lowerBound / (r.upperBound || 1)).toFixed(4)} | ${r.message ?? ''} |`,
    );
    process.stderr.write(`${extra[extra.length - 1]}\n`);
  }

console.log(`## Pruning benchmark (${quick ? 'quick' : 'full'}; ${new Date().toISOString()}; node ${process.version})\n`);
console.log(
  'Heuristic columns: error above the best value found by prune-exact (= the optimum when status is optimal), in %. ' +
    'PR root: certified perspective-relaxation bound (Frank-Wolfe, 100 iterations) / best value.\n',
);
console.log(rows.join('\n'));
console.log('\nRank-deficient (m < n, m = n) and boxed instances:\n');
console.log(extra.join('\n'));
console.log(`\nTotal wall time ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
