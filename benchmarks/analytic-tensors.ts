/**
 * Timings of the analytic module (optimal step + pruning per bit width) and of the per-tensor statistics
 * (fast paper range search vs the direct O(N*100) loop of range.ts). Median of several runs.
 * Usage: npx tsx benchmarks/analytic-tensors.ts [--quick]
 */
import { namedDistribution } from '../src/analytic/distribution.js';
import { compareDistribution } from '../src/analytic/errors.js';
import { Rng } from '../src/core/random.js';
import { paperRangeSearch } from '../src/formats/range.js';
import { PreparedTensor, tensorStats } from '../src/tensors/stats.js';

const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 5;

function median(f: () => void): number {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

console.log(`| analytic distribution | bits | ms (median of ${runs}) |`);
console.log('|---|---|---|');
const dists: [string, Record<string, number>][] = [['gaussian', {}], ['laplace', {}], ['uniform', {}], ['student-t', { nu: 5 }], ['student-t', { nu: 2, truncate: 20 }]];
for (const [name, p] of dists) {
  for (const b of quick ? [4] : [2, 4, 8]) {
    const ms = median(() => compareDistribution(namedDistribution(name, p), [b]));
    console.log(`| ${name} ${JSON.stringify(p)} | ${b} | ${ms.toFixed(1)} |`);
  }
}

console.log();
console.log(`| tensor size N | bits | fast paper range ms | direct range.ts ms | all fields, b = 2..8, ms |`);
console.log('|---|---|---|---|---|');
const rng = new Rng(1);
for (const N of quick ? [10_000] : [10_000, 100_000, 1_000_000]) {
  const w = Float32Array.from({ length: N }, () => 0.02 * rng.studentT(5));
  const p = new PreparedTensor(w);
  for (const b of [4, 8]) {
    const fast = median(() => p.paperRange(b));
    const direct = N <= 100_000 ? median(() => paperRangeSearch(w, b, { arith: 'float32' })) : NaN;
    const all = b === 8 ? median(() => tensorStats('w', [N], w, [2, 3, 4, 5, 6, 7, 8])) : NaN;
    console.log(`| ${N} | ${b} | ${fast.toFixed(1)} | ${Number.isNaN(direct) ? '-' : direct.toFixed(1)} | ${Number.isNaN(all) ? '' : all.toFixed(0)} |`);
  }
}
