/**
 * `compare --budget`: wall time of a whole comparison against its overall budget, on a synthetic 6 x 48 linear
 * layer (X 40 x 48 (rank-deficient G) with equicorrelated Gaussian columns, rho = 0.95; Student-t(3) weights; 4 bits) with the
 * per-phase cap --time-limit 3 s. Median of 3 runs per budget; the overrun column is wall time - budget.
 * Without a budget the phase limits add up (pass --no-budget-too to also time that, about a minute).
 * Usage: npx tsx benchmarks/compare-budget.ts [--no-budget-too]
 */
import { execSync } from 'node:child_process';
import { compareProblems } from '../study/compare/compare.js';
import { Rng } from '../src/core/random.js';
import { buildLinearLayer } from '../problems/build.js';
import { getSolver } from '../solvers/index.js';

const rows = 40;
const n = 48;
const out = 6;
const rng = new Rng(7);
const X = new Float64Array(rows * n);
for (let r = 0; r < rows; r++) {
  const common = rng.normal();
  for (let j = 0; j < n; j++) X[r * n + j] = Math.sqrt(0.95) * common + Math.sqrt(0.05) * rng.normal();
}
const W = Float64Array.from({ length: out * n }, () => rng.studentT(3) * 0.1);
const problems = buildLinearLayer({ shape: [rows, n], data: X }, { shape: [out, n], data: W }, { bits: 4, layer: 'bench' });

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

console.log(`load: ${execSync('uptime').toString().trim()}`);
console.log(`layer: ${problems.length} channels, n = ${problems[0].n}, --time-limit 3 s per phase\n`);
console.log('| budget s | median wall s | max overrun s | proven verdicts |\n|---|---|---|---|');
const budgets: (number | undefined)[] = [4, 10];
if (process.argv.includes('--no-budget-too')) budgets.push(undefined);
for (const b of budgets) {
  const walls: number[] = [];
  let proven = 0;
  for (let run = 0; run < (b === undefined ? 1 : 3); run++) {
    const t0 = performance.now();
    const res = await compareProblems(problems, 'bench', { resolve: getSolver, timeLimitMs: 3000, budgetMs: b === undefined ? undefined : b * 1000, seed: 1 });
    walls.push((performance.now() - t0) / 1000);
    proven = res.channels.filter((c) => c.proven).length;
  }
  const overrun = b === undefined ? NaN : Math.max(...walls) - b;
  console.log(`| ${b ?? 'none'} | ${median(walls).toFixed(2)} | ${b === undefined ? '-' : overrun.toFixed(2)} | ${proven}/${problems.length} |`);
}
