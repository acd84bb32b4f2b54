/**
 * Quantization frontier (issue 13, item 5): quant-exact on the synthetic full-row family of
 * benchmarks/fullrow.ts (G = A^T A / m, AR(1) rows with correlation rho, 4 bits, paper-grid scale) at
 * n = 64 / 96, and the bound quant-exact reports under a node limit on the real first-layer problems
 * (problems/first-conv.json) against the optimum (item 3).
 *
 *   npx tsx benchmarks/quant-frontier.ts [--quick] [--sizes 64,96] [--rhos 0,0.5,0.9] [--seeds 1] [--limit-ms 60000]
 *   npx tsx benchmarks/quant-frontier.ts --first-conv [--node-limit 20000]
 */
import { quantizationProblemOf } from '../src/core/objective.js';
import type { SolveResult } from '../src/core/types.js';
import { readProblemSet } from '../src/io/problem-file.js';
import { solveExact } from '../solvers/quantization/exact.js';
import { sdpBoxSolver } from '../solvers/quantization/sdp.js';
import { fullRowProblem } from './fullrow.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

function frontier(): void {
  const quick = process.argv.includes('--quick');
  const sizes = arg('sizes', quick ? '64' : '64,96').split(',').map(Number);
  const rhos = arg('rhos', quick ? '0' : '0,0.5,0.9').split(',').map(Number);
  const seeds = arg('seeds', '1').split(',').map(Number);
  const limitMs = Number(arg('limit-ms', quick ? '10000' : '60000'));
  console.log(`quant-exact, 4 bits, limit ${limitMs / 1000} s\n`);
  console.log('| n | rho | seed | time (s) | status | nodes | relGap | lb / ub | bound from |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes)
    for (const rho of rhos)
      for (const seed of seeds) {
        const p = quantizationProblemOf(fullRowProblem(n, rho, seed));
        const t0 = performance.now();
        const r = solveExact(p, { timeLimitMs: limitMs });
        const ms = performance.now() - t0;
        console.log(`| ${n} | ${rho} | ${seed} | ${(ms / 1000).toFixed(2)} | ${r.status} | ${r.stats.nodes} | ${r.relGap.toFixed(3)} | ${(r.lowerBound / r.upperBound).toFixed(3)} | ${r.status === 'optimal' ? 'search' : (r.stats.rootBound as number) >= r.lowerBound ? 'sdp-box' : 'open nodes'} |`);
      }
}

function firstConv(): void {
  const nodeLimit = Number(arg('node-limit', '20000'));
  const set = readProblemSet('problems/first-conv.json');
  console.log(`first-conv: quant-exact under nodeLimit ${nodeLimit} vs the optimum (quant-exact without limit) and sdp-box\n`);
  console.log('| problem | status | bound / opt | plain open-node bound / opt | sdp-box / opt | nodes |');
  console.log('|---|---|---|---|---|---|');
  const ratios: number[] = [];
  const plainRatios: number[] = [];
  const sdpRatios: number[] = [];
  let limited = 0;
  for (const lp of set.problems) {
    const p = quantizationProblemOf(lp);
    const opt: SolveResult = solveExact(p, { timeLimitMs: 120000 });
    const r = solveExact(p, { nodeLimit });
    // the open-node bound as before the look-ahead term and the sdp-box fallback
    const plain = solveExact(p, { nodeLimit, extra: { lookahead: false, limitSdp: false } });
    const s = sdpBoxSolver.solve(p, {}) as SolveResult;
    const o = opt.status === 'optimal' ? opt.upperBound : NaN;
    const ratio = r.lowerBound / o;
    const sr = s.lowerBound / o;
    if (r.status !== 'optimal') {
      limited++;
      ratios.push(ratio);
      plainRatios.push(plain.lowerBound / o);
      sdpRatios.push(sr);
    }
    console.log(`| ${lp.name} | ${r.status} | ${ratio.toFixed(3)} | ${(plain.lowerBound / o).toFixed(3)} | ${sr.toFixed(3)} | ${r.stats.nodes} |`);
  }
  console.log(`\n${limited} of ${set.problems.length} stopped by the node limit; on those: median bound/opt ${median(ratios).toFixed(3)} (plain open-node bound ${median(plainRatios).toFixed(3)}), median sdp-box/opt ${median(sdpRatios).toFixed(3)}`);
}

if (process.argv.includes('--first-conv')) firstConv();
else frontier();
