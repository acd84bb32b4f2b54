/**
 * sdp-box vs sdp-lll on the first-layer problems (problems/first-conv.json: 8 channels, n = 27, cond(G) ~ 1e5):
 * certified bound / proven optimum (quant-exact) per channel and its median, and the median time of `--runs` runs.
 * Also synthetic ill-conditioned instances (rho 0.99, n = 16/32, 3 bits) with `--synthetic`.
 *
 *   npx tsx benchmarks/sdp-lll.ts [--runs 3] [--synthetic]
 */
import { quantizationProblemOf } from '../src/core/objective.js';
import type { QuantizationProblem, SolveResult } from '../src/core/types.js';
import { readProblemSet } from '../src/io/problem-file.js';
import { quantExactSolver, sdpBoxSolver, sdpLllSolver } from '../solvers/quantization/index.js';
import { synthQuant } from '../problems/gen-quant.js';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;

function timed(f: () => SolveResult): { r: SolveResult; ms: number } {
  const times: number[] = [];
  let r!: SolveResult;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    r = f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { r, ms: times[Math.floor(times.length / 2)] };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};

function table(problems: QuantizationProblem[]): void {
  console.log(`| problem | optimum | sdp-box / opt | sdp-box ms | sdp-lll / opt | sdp-lll ms | sdp-lll status |`);
  console.log(`|---|---:|---:|---:|---:|---:|---|`);
  const rb: number[] = [];
  const rl: number[] = [];
  for (const q of problems) {
    const ex = quantExactSolver.solve(q, { timeLimitMs: 60_000 }) as SolveResult;
    if (ex.status !== 'optimal') {
      console.log(`| ${q.name} | not proven (${ex.status}) | | | | | |`);
      continue;
    }
    const opt = ex.upperBound;
    const box = timed(() => sdpBoxSolver.solve(q) as SolveResult);
    const lll = timed(() => sdpLllSolver.solve(q) as SolveResult);
    rb.push(box.r.lowerBound / opt);
    rl.push(lll.r.lowerBound / opt);
    console.log(
      `| ${q.name} | ${opt.toExponential(3)} | ${(box.r.lowerBound / opt).toFixed(3)} | ${box.ms.toFixed(0)} | ${(lll.r.lowerBound / opt).toFixed(3)} | ${lll.ms.toFixed(0)} | ${lll.r.status} |`,
    );
  }
  console.log(`| **median** | | **${median(rb).toFixed(3)}** | | **${median(rl).toFixed(3)}** | | |\n`);
}

const set = readProblemSet(new URL('../problems/first-conv.json', import.meta.url).pathname);
table(set.problems.map(quantizationProblemOf));
if (args.includes('--synthetic')) {
  const syn: QuantizationProblem[] = [];
  for (const n of [16, 32]) for (const seed of [1, 2, 3]) syn.push(synthQuant({ n, bits: 3, rho: 0.99, seed }));
  table(syn);
}
