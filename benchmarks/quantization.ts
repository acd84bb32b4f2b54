/**
 * Quantization solvers benchmark: median time and nodes per solver, bound gaps (sdp vs sdp-box vs exact)
 * and heuristic gaps to the optimum, on synthetic instances (X rows ~ N(0, Toeplitz rho^|i-j|), m = 4n,
 * G = X^T X, w ~ N(0, 0.05^2), scale from the paper's range search, signed grid).
 *
 *   npx tsx benchmarks/quantization.ts [--quick] [--seeds K] [--time MS] [--n 8,16] [--rho 0,0.9] [--bits 4] [--no-first-conv]
 *
 * Then every channel of problems/first-conv.json (real-image first conv, n = 27, cond ~1e5): quant-exact with
 * the default (LLL-reduced basis) and with `reduce: 'none'`, both with the same time limit.
 */
import type { QuantizationProblem, SolveResult } from '../src/core/types.js';
import {
  gptqSolver,
  quantExactSolver,
  rtnSolver,
  sdpBoxSolver,
  sdpRoundingSolver,
  sdpSolver,
} from '../solvers/quantization/index.js';
import { synthQuant } from '../problems/gen-quant.js';
import { quantizationProblemOf } from '../src/core/objective.js';
import { readProblemSet } from '../src/io/problem-file.js';
import { cliArgs, fmtMs, fmtN, fmtPct, median, printLoad } from './_util.js';

const { has, value: argVal, list, quick } = cliArgs();
const ns = list('--n', quick ? [8, 16, 32] : [8, 16, 32, 48, 64]);
const rhos = list('--rho', quick ? [0, 0.9] : [0, 0.5, 0.9, 0.99]);
const bitsList = list('--bits', quick ? [4] : [2, 3, 4, 8]);
const seeds = Number(argVal('--seeds') ?? (quick ? 2 : 3));
const timeMs = Number(argVal('--time') ?? (quick ? 500 : 1000));

function run(s: { solve: (p: QuantizationProblem, o?: object) => SolveResult | Promise<SolveResult> }, p: QuantizationProblem, o: object = {}): SolveResult {
  return s.solve(p, o) as SolveResult;
}

// warm up the JIT on a small instance
for (let i = 0; i < 3; i++) {
  const p = synthQuant({ n: 16, bits: 4, rho: 0.5, seed: 100 + i });
  for (const s of [rtnSolver, gptqSolver, sdpRoundingSolver, sdpSolver, sdpBoxSolver, quantExactSolver]) run(s, p);
}

const header =
  '| n | bits | rho | sdp ms | sdp-box ms | exact ms | exact nodes | solved | sdp/opt | sdp-box/opt | rtn gap | gptq gap | sdp-rnd gap | sdp-rnd ms |';
console.log(`Quantization benchmark: ${seeds} seed(s) per cell, exact time limit ${timeMs} ms, medians over seeds (gaps over solved seeds).\n`);
console.log(header);
console.log('|' + header.split('|').slice(1, -1).map(() => '---').join('|') + '|');
const t0 = performance.now();
for (const n of ns)
  for (const bits of bitsList)
    for (const rho of rhos) {
      const tS: number[] = [];
      const tB: number[] = [];
      const tE: number[] = [];
      const nodes: number[] = [];
      const rS: number[] = [];
      const rB: number[] = [];
      const gR: number[] = [];
      const gG: number[] = [];
      const gP: number[] = [];
      const tP: number[] = [];
      let solved = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const p = synthQuant({ n, bits, rho, seed });
        // SDP timings: median of 3 runs per instance
        const sdpRuns = [0, 1, 2].map(() => run(sdpSolver, p));
        const boxRuns = [0, 1, 2].map(() => run(sdpBoxSolver, p));
        const sdp = sdpRuns[0];
        const box = boxRuns[0];
        const ex = run(quantExactSolver, p, { timeLimitMs: timeMs });
        const rtn = run(rtnSolver, p);
        const gptq = run(gptqSolver, p);
        const rnd = run(sdpRoundingSolver, p, { seed });
        tS.push(median(sdpRuns.map((r) => r.stats.timeMs)));
        tB.push(median(boxRuns.map((r) => r.stats.timeMs)));
        tE.push(ex.stats.timeMs);
        nodes.push(ex.stats.nodes);
        tP.push(rnd.stats.timeMs);
        if (ex.status === 'optimal') {
          solved++;
          const opt = ex.upperBound;
          if (opt > 0) {
            rS.push(sdp.lowerBound / opt);
            rB.push(box.lowerBound / opt);
            gR.push(rtn.upperBound / opt - 1);
            gG.push(gptq.upperBound / opt - 1);
            gP.push(rnd.upperBound / opt - 1);
          }
        }
      }
      console.log(
        `| ${n} | ${bits} | ${rho} | ${fmtMs(median(tS))} | ${fmtMs(median(tB))} | ${fmtMs(median(tE))} | ${fmtN(median(nodes))} | ${solved}/${seeds} | ${fmtPct(median(rS))} | ${fmtPct(median(rB))} | ${fmtPct(median(gR))} | ${fmtPct(median(gG))} | ${fmtPct(median(gP))} | ${fmtMs(median(tP))} |`,
      );
    }
console.log(`\nTotal ${((performance.now() - t0) / 1000).toFixed(1)} s. 'solved' = exact finished within the limit (status optimal); unsolved cells report the time spent (= the limit).`);

if (!has('--no-first-conv')) {
  const set = readProblemSet(new URL('../problems/first-conv.json', import.meta.url).pathname);
  console.log(`\nproblems/first-conv.json (n = 27, 4 bits), quant-exact time limit ${timeMs} ms; lb/ub = proven lower bound / best point.\n`);
  console.log('| channel | default: status | ms | nodes | lb/ub | reduce none: status | ms | nodes | lb/ub | none ub / default ub |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const lp of set.problems) {
    const p = quantizationProblemOf(lp);
    const a = run(quantExactSolver, p, { timeLimitMs: timeMs });
    const b = run(quantExactSolver, p, { timeLimitMs: timeMs, extra: { reduce: 'none' } });
    const f = (r: SolveResult): string => `${r.status} | ${fmtMs(r.stats.timeMs)} | ${fmtN(r.stats.nodes)} | ${(r.lowerBound / r.upperBound).toFixed(4)}`;
    console.log(`| ${lp.name} | ${f(a)} | ${f(b)} | ${(b.upperBound / a.upperBound).toFixed(4)} |`);
  }
}
printLoad();
