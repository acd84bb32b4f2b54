/**
 * `sdp` / `sdp-box` over the benchmark grid: median time (best of 3 runs per instance), statuses, and the
 * largest relative distance of the certified bound to the relaxation optimum, which is pinned independently
 * by the primal-dual method run to a tight gap (`method: 'pd'`): its verified bound and its repaired
 * primal-feasible value (`primalBound`), together with the solver's own, bracket the optimum as [lo, hi].
 * `dist` = (hi - bound) / hi is an upper bound on the true distance; `unproven` counts instances where the
 * bracket is wider than 1e-7 (the distance is then not established to that precision).
 *
 *   npx tsx benchmarks/sdp-grid.ts [--n 8,16,32,48,64] [--bits 2,3,4,8] [--rho 0,0.5,0.9,0.99] [--seeds 3] [--m-factor 4]
 */
import { execSync } from 'node:child_process';
import { solveSdpDual } from '../solvers/quantization/index.js';
import { synthQuant } from '../problems/gen-quant.js';

const args = process.argv.slice(2);
const argVal = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const list = (name: string, dflt: number[]): number[] => {
  const v = argVal(name);
  return v ? v.split(',').map(Number) : dflt;
};
const ns = list('--n', [8, 16, 32, 48, 64]);
const bitsList = list('--bits', [2, 3, 4, 8]);
const rhos = list('--rho', [0, 0.5, 0.9, 0.99]);
const seeds = Number(argVal('--seeds') ?? 3);
const mFactor = Number(argVal('--m-factor') ?? 4);

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

console.log(`load before: ${execSync('uptime').toString().trim()}`);
// warm-up
for (let i = 0; i < 3; i++) {
  const p = synthQuant({ n: 16, bits: 4, rho: 0.5, seed: 100 + i });
  solveSdpDual(p, { box: false });
  solveSdpDual(p, { box: true });
}
console.log(`\nsynthQuant instances (m = ${mFactor} n rows), seeds 1..${seeds}; per n and method: medians over bits x rho x seeds.\n`);
console.log('| n | method | median ms | max ms | statuses | max dist to optimum | unproven |');
console.log('|---|---|---|---|---|---|---|');
let worstAll = 0;
for (const n of ns)
  for (const box of [false, true]) {
    const times: number[] = [];
    const statuses = new Map<string, number>();
    let worst = 0;
    let unproven = 0;
    for (const bits of bitsList)
      for (const rho of rhos)
        for (let seed = 1; seed <= seeds; seed++) {
          const p = synthQuant({ n, bits, rho, seed, m: mFactor * n });
          let best = Infinity;
          let a = solveSdpDual(p, { box });
          for (let r = 0; r < 3; r++) {
            const t0 = performance.now();
            a = solveSdpDual(p, { box });
            best = Math.min(best, performance.now() - t0);
          }
          times.push(best);
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          const ref = solveSdpDual(p, { box, method: 'pd', relTol: 1e-9, maxNewton: 300 });
          const lo = Math.max(a.bound, ref.bound);
          const hi = Math.max(lo, Math.min(a.primalBound, ref.primalBound));
          if (!((hi - lo) / hi <= 1e-7)) unproven++;
          const dist = (hi - a.bound) / hi;
          if (dist > worst) worst = dist;
        }
    worstAll = Math.max(worstAll, worst);
    const st = [...statuses].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${n} | ${box ? 'sdp-box' : 'sdp'} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(0)} | ${st} | ${worst.toExponential(1)} | ${unproven} |`);
  }
console.log(`\nlargest distance over the grid: ${worstAll.toExponential(2)}`);
console.log(`load after: ${execSync('uptime').toString().trim()}`);
