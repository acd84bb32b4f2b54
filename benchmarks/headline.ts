/**
 * The README's headline quantization figures: median time of `sdp` / `sdp-box` over 15 instances
 * (4 bits, rho in {0, 0.5, 0.9}, seeds 1..5, best of 3 runs each, after a warm-up) at n = 32 and 64, and the
 * median CPU time of `quant-exact` at n = 64, 4 bits, rho = 0 over seeds 1..7.
 * Usage: npx tsx benchmarks/headline.ts
 */
import { execSync } from 'node:child_process';
import type { QuantizationProblem, SolveResult } from '../src/core/types.js';
import { quantExactSolver, sdpBoxSolver, sdpSolver } from '../solvers/quantization/index.js';
import { synthQuant } from '../test/quantization/gen.js';

type Sync = { solve: (p: QuantizationProblem, o?: object) => SolveResult | Promise<SolveResult> };
const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
function bestOf3(s: Sync, p: QuantizationProblem): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    s.solve(p, {});
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

console.log(`load: ${execSync('uptime').toString().trim()}`);
const warm = synthQuant({ n: 32, rho: 0, bits: 4, seed: 99 });
for (let i = 0; i < 5; i++) {
  sdpSolver.solve(warm, {});
  sdpBoxSolver.solve(warm, {});
}
console.log('\n| n | sdp median ms | sdp-box median ms |\n|---|---|---|');
for (const n of [32, 64]) {
  const a: number[] = [];
  const b: number[] = [];
  for (const rho of [0, 0.5, 0.9])
    for (let seed = 1; seed <= 5; seed++) {
      const p = synthQuant({ n, rho, bits: 4, seed });
      a.push(bestOf3(sdpSolver as Sync, p));
      b.push(bestOf3(sdpBoxSolver as Sync, p));
    }
  console.log(`| ${n} | ${median(a).toFixed(1)} | ${median(b).toFixed(1)} |`);
}
console.log('\n| seed | quant-exact n = 64, 4 bits, rho = 0: status | nodes | CPU ms |\n|---|---|---|---|');
const cpu: number[] = [];
for (let seed = 1; seed <= 7; seed++) {
  const p = synthQuant({ n: 64, rho: 0, bits: 4, seed });
  const c0 = process.cpuUsage();
  const r = quantExactSolver.solve(p, { timeLimitMs: 30_000 }) as SolveResult;
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  cpu.push(ms);
  console.log(`| ${seed} | ${r.status} | ${r.stats.nodes} | ${ms.toFixed(0)} |`);
}
console.log(`\nquant-exact median CPU: ${median(cpu).toFixed(0)} ms`);
