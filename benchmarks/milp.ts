/**
 * Outer approximation over the two MILP back ends on the reference problems (n <= 12):
 *   npx tsx benchmarks/milp.ts [maxN=12] [runs=3] [timeLimitMs=20000]
 * Prints a markdown table: status, master solves, median wall time over `runs` runs (a run that needs more than
 * 10 s is not repeated), the final relative gap and the accuracy of both bounds against the reference optimum.
 */
import { pruningProblemOf, quantizationProblemOf } from '../src/core/objective.js';
import type { SolveResult } from '../src/core/types.js';
import { solvePruneOa } from '../solvers/milp/prune-oa.js';
import { solveQuantOa } from '../solvers/milp/quant-oa.js';
import { referenceCases } from '../problems/reference-set.js';

const maxN = Number(process.argv[2] ?? 12);
const runs = Number(process.argv[3] ?? 3);
const timeLimitMs = Number(process.argv[4] ?? 20000);
const GAP: Record<string, number> = { glpk: 1e-6, jsl: 1e-6 };

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
const fmt = (x: number): string => (Number.isFinite(x) ? x.toExponential(1) : String(x));

console.log(`| problem | n | k | task | back end | status | masters | time ms (median) | rel. gap | (ub-opt)/opt | (opt-lb)/opt |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|`);
for (const c of referenceCases()) {
  if (c.problem.n > maxN) continue;
  const tasks: Array<[string, number, (backend: string) => Promise<SolveResult>]> = [
    ['quant', c.expected.opt_quant, (b) => solveQuantOa(quantizationProblemOf(c.problem), { relGapTol: GAP[b], timeLimitMs, extra: { backend: b } })],
    ['prune free', c.expected.opt_prune_free, (b) => solvePruneOa(pruningProblemOf(c.problem, { useBox: false }), { relGapTol: GAP[b], timeLimitMs, extra: { backend: b } })],
    ['prune box', c.expected.opt_prune_box, (b) => solvePruneOa(pruningProblemOf(c.problem, { useBox: true }), { relGapTol: GAP[b], timeLimitMs, extra: { backend: b } })],
  ];
  for (const [task, opt, run] of tasks) {
    for (const backend of ['glpk', 'jsl']) {
      const times: number[] = [];
      let last: SolveResult | null = null;
      for (let i = 0; i < runs; i++) {
        last = await run(backend);
        times.push(last.stats.timeMs);
        if (last.stats.timeMs > 10000) break;
      }
      const r = last!;
      console.log(
        `| ${c.name} | ${c.problem.n} | ${c.problem.k} | ${task} | ${backend} | ${r.status} | ${r.stats.iterations} | ${Math.round(median(times))} | ${fmt(r.relGap)} | ${fmt((r.upperBound - opt) / opt)} | ${fmt((opt - r.lowerBound) / opt)} |`,
      );
    }
  }
}
