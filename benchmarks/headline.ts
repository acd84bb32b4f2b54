/**
 * The README's headline quantization figures: median time of `sdp` / `sdp-box` over 15 instances
 * (4 bits, rho in {0, 0.5, 0.9}, seeds 1..5, best of 3 runs each, after a warm-up) at n = 32 and 64, and the
 * median CPU time of `quant-exact` at n = 64, 4 bits, rho = 0 over seeds 1..7.
 * Usage: npx tsx benchmarks/headline.ts [--sdp-only]   (--sdp-only: the SDP table alone)
 */
import { execSync } from 'node:child_process';
import type { QuantizationProblem, SolveResult } from '../src/core/types.js';
import { quantExactSolver, sdpBoxSolver, sdpSolver } from '../solvers/quantization/index.js';
import { synthQuant } from '../problems/gen-quant.js';

type Sync = { solve: (p: QuantizationProblem, o?: object) => SolveResult | Promise<SolveResult> };
const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
/** Best of 3 runs: wall ms and CPU ms (user + system; steadier than wall time on a loaded machine). */
function bestOf3(s: Sync, p: QuantizationProblem): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    s.solve(p, {});
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

console.log(`load: ${execSync('uptime').toString().trim()}`);
const warm = synthQuant({ n: 32, rho: 0, bits: 4, seed: 99 });
for (let i = 0; i < 5; i++) {
  sdpSolver.solve(warm, {});
  sdpBoxSolver.solve(warm, {});
}
console.log('\n| n | sdp median ms | sdp-box median ms | sdp median CPU ms | sdp-box median CPU ms |\n|---|---|---|---|---|');
for (const n of [32, 64]) {
  const a: number[] = [];
  const b: number[] = [];
  const ac: number[] = [];
  const bc: number[] = [];
  for (const rho of [0, 0.5, 0.9])
    for (let seed = 1; seed <= 5; seed++) {
      const p = synthQuant({ n, rho, bits: 4, seed });
      const x = bestOf3(sdpSolver as Sync, p);
      const y = bestOf3(sdpBoxSolver as Sync, p);
      a.push(x.wall);
      ac.push(x.cpu);
      b.push(y.wall);
      bc.push(y.cpu);
    }
  console.log(`| ${n} | ${median(a).toFixed(1)} | ${median(b).toFixed(1)} | ${median(ac).toFixed(1)} | ${median(bc).toFixed(1)} |`);
}
if (process.argv.includes('--sdp-only')) {
  console.log(`\nload after: ${execSync('uptime').toString().trim()}`);
  process.exit(0);
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
