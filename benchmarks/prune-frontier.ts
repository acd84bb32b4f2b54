/**
 * Pruning frontier (issue 13, item 4): can `prune-exact` prove n = 64, k = 16 within 60 s for rho <= 0.5, and
 * how close does `prune-bound` get to the optimum at rho = 0.9?
 *
 *   npx tsx benchmarks/prune-frontier.ts                          # n 48,64; rho 0,0.5,0.9; 60 s exact, 10 s bound
 *   options: --n 48,64  --rho 0,0.5,0.9  --seeds 1  --limit-ms 60000  --bound-ms 10000  --solvers prune-exact,prune-bound
 *
 * Instances: the full-row family of benchmarks/fullrow.ts (G = A^T A / m, A (1.5n) x n with AR(1) rows
 * rho^|i-j|, Gaussian weights, 4 bits -> k = n/4, the paper's prune box [2 min w, 2 max w]). One run per cell
 * (these are limit-bound runs; the CPU column is the process user+system time, less sensitive to load).
 * `bound / best` divides the certified lower bound by the best point any of the runs found (the optimum when
 * prune-exact closed); `relGap` is the solver's own (UB - LB) / UB.
 */
import { pruningProblemOf } from '../src/core/objective.js';
import type { PruningProblem, SolveResult } from '../src/core/types.js';
import { pruneBoundSolver, pruneExactSolver, verifyPerspectiveCertificate } from '../solvers/pruning/index.js';
import { fullRowProblem } from './fullrow.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (s: string | undefined, def: number[]): number[] => (s ? s.split(',').map(Number) : def);
const ns = list(arg('n'), [48, 64]);
const rhos = list(arg('rho'), [0, 0.5, 0.9]);
const seeds = list(arg('seeds'), [1]);
const limitMs = Number(arg('limit-ms') ?? 60000);
const boundMs = Number(arg('bound-ms') ?? 10000);
const solvers = (arg('solvers') ?? 'prune-exact,prune-bound').split(',');

function run(which: string, p: PruningProblem, ms: number): { r: SolveResult; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = (which === 'prune-exact' ? pruneExactSolver : pruneBoundSolver).solve(p, { timeLimitMs: ms }) as SolveResult;
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { r, wall, cpu: (c.user + c.system) / 1e6 };
}

// warm-up (JIT)
pruneExactSolver.solve({ ...pruningProblemOf(fullRowProblem(24, 0.5, 99), { useBox: true }) });

console.log(`prune frontier: exact limit ${limitMs} ms, bound limit ${boundMs} ms; ${new Date().toISOString()}; node ${process.version}\n`);
console.log('| n | k | rho | seed | solver | status | wall s | CPU s | nodes | relGap | bound / best | perspective / best | cert |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const n of ns)
  for (const rho of rhos)
    for (const seed of seeds) {
      const lp = fullRowProblem(n, rho, seed);
      const p = pruningProblemOf(lp, { useBox: true });
      const res = solvers.map((s) => ({ s, ...run(s, p, s === 'prune-exact' ? limitMs : boundMs) }));
      const best = Math.min(...res.map((x) => x.r.upperBound));
      for (const { s, r, wall, cpu } of res) {
        const c = r.certificate;
        let cert = '-';
        if (c && c.type === 'perspective-fw') {
          const v = verifyPerspectiveCertificate(p, c);
          cert = v.ok ? `ok ${(v.bound / best).toFixed(3)}` : `REJECTED (${v.reason})`;
        }
        const persp = typeof r.stats.perspectiveBound === 'number' ? (r.stats.perspectiveBound / best).toFixed(3) : '-';
        const line = `| ${n} | ${p.k} | ${rho} | ${seed} | ${s} | ${r.status} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${r.stats.nodes} | ${r.relGap.toFixed(3)} | ${(r.lowerBound / best).toFixed(3)} | ${persp} | ${cert} |`;
        console.log(line);
      }
    }
