/**
 * Level-set quantization benchmark: exact FP4 (E2M1) / NF4 vs exact INT4 on the same instances (same G and w),
 * plus the certified levels-sdp bound and the heuristics' gaps.
 *
 *   npx tsx benchmarks/levels.ts [--quick] [--n 32] [--rho 0,0.5,0.9] [--seeds 5] [--time 2000] [--reps 3]
 *
 * Instances as in benchmarks/quantization.ts (X rows ~ N(0, Toeplitz rho^|i-j|), m = 4n, G = X^T X,
 * w ~ N(0, 0.05^2)). Scales: INT4 the paper's range search (as quant-exact is benchmarked); FP4 / NF4 absmax
 * scaling (max |w| maps to the largest level: 6 for FP4, 1 for NF4), the usual rule for these formats.
 * Times are medians over `reps` runs per instance, then medians over seeds; `solved` counts seeds proven optimal.
 */
import type { LevelQuantizationProblem, QuantizationProblem, SolveResult } from '../src/core/types.js';
import { intLevels, levelsOfFormat } from '../src/formats/levels.js';
import { levelsExactSolver, levelsGptqSolver, levelsRoundingSolver, levelsRtnSolver, levelsSdpSolver } from '../solvers/levels/index.js';
import { quantExactSolver } from '../solvers/quantization/index.js';
import { synthQuant } from '../problems/gen-quant.js';
import { cliArgs, fmtMs, fmtN, fmtPct, median, printLoad } from './_util.js';

const { value: argVal, list, quick } = cliArgs();
const ns = list('--n', [32]);
const rhos = list('--rho', quick ? [0.5] : [0, 0.5, 0.9]);
const seeds = Number(argVal('--seeds') ?? (quick ? 2 : 5));
const timeMs = Number(argVal('--time') ?? 2000);
const reps = Number(argVal('--reps') ?? (quick ? 1 : 3));

type AnySolver = { solve: (p: never, o?: object) => SolveResult | Promise<SolveResult> };
function timed(s: AnySolver, p: unknown, o: object = {}): { r: SolveResult; ms: number } {
  const ms: number[] = [];
  let r: SolveResult | null = null;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    r = (s.solve as (p: unknown, o?: object) => SolveResult)(p, o);
    ms.push(performance.now() - t0);
  }
  return { r: r!, ms: median(ms) };
}

function levelProblem(q: QuantizationProblem, fmt: string): LevelQuantizationProblem {
  const levels = levelsOfFormat(fmt);
  let absmax = 0;
  for (const x of q.objective.w) absmax = Math.max(absmax, Math.abs(x));
  return { name: `${q.name}-${fmt}`, objective: q.objective, scale: absmax / levels[levels.length - 1], levels };
}

// warm-up
for (let i = 0; i < 2; i++) {
  const q = synthQuant({ n: 16, bits: 4, rho: 0.5, seed: 200 + i });
  quantExactSolver.solve(q);
  levelsExactSolver.solve(levelProblem(q, 'fp4'));
  levelsSdpSolver.solve(levelProblem(q, 'nf4'));
}

const header = ['n', 'rho', 'format', 'exact ms', 'nodes', 'solved', 'x INT4 time', 'sdp ms', 'sdp/opt', 'rtn gap', 'gptq gap', 'rounding gap'];
console.log(`Level-set quantization: ${seeds} seed(s) per cell, exact time limit ${timeMs} ms, ${reps} run(s) per instance (median), medians over seeds.\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
const t00 = performance.now();
for (const n of ns)
  for (const rho of rhos) {
    const rows = new Map<string, { ms: number[]; nodes: number[]; solved: number; ratio: number[]; sdpMs: number[]; sdpRatio: number[]; rtn: number[]; gptq: number[]; rnd: number[] }>();
    const row = (k: string) => {
      if (!rows.has(k)) rows.set(k, { ms: [], nodes: [], solved: 0, ratio: [], sdpMs: [], sdpRatio: [], rtn: [], gptq: [], rnd: [] });
      return rows.get(k)!;
    };
    for (let seed = 1; seed <= seeds; seed++) {
      const q = synthQuant({ n, bits: 4, rho, seed });
      const base = timed(quantExactSolver, q, { timeLimitMs: timeMs });
      const probs: [string, LevelQuantizationProblem][] = [
        ['int4 (levels search)', { name: `${q.name}-int4`, objective: q.objective, scale: q.scale, levels: intLevels(q.zmin, q.zmax) }],
        ['fp4', levelProblem(q, 'fp4')],
        ['nf4', levelProblem(q, 'nf4')],
      ];
      const b = row('int4 (quant-exact)');
      b.ms.push(base.ms);
      b.nodes.push(base.r.stats.nodes);
      if (base.r.status === 'optimal') b.solved++;
      b.ratio.push(1);
      for (const [label, p] of probs) {
        // on the INT4 grid, run the level search itself (by default levels-exact hands integer grids to quant-exact)
        const e = timed(levelsExactSolver, p, { timeLimitMs: timeMs, ...(label.startsWith('int4') ? { extra: { integerGrid: 'search' } } : {}) });
        const rr = row(label);
        rr.ms.push(e.ms);
        rr.nodes.push(e.r.stats.nodes);
        rr.ratio.push(e.ms / base.ms);
        if (e.r.status !== 'optimal') continue;
        rr.solved++;
        const opt = e.r.upperBound;
        const sdp = timed(levelsSdpSolver, p);
        rr.sdpMs.push(sdp.ms);
        rr.sdpRatio.push(opt > 0 ? sdp.r.lowerBound / opt : 1);
        const gap = (s: AnySolver, o: object = {}) => (opt > 0 ? (s.solve as (p: unknown, o?: object) => SolveResult)(p, o).upperBound / opt - 1 : 0);
        rr.rtn.push(gap(levelsRtnSolver));
        rr.gptq.push(gap(levelsGptqSolver));
        rr.rnd.push(gap(levelsRoundingSolver, { seed: 1 }));
      }
    }
    for (const [label, r] of rows)
      console.log(
        `| ${n} | ${rho} | ${label} | ${fmtMs(median(r.ms))} | ${fmtN(median(r.nodes))} | ${r.solved}/${seeds} | ${label.startsWith('int4 (quant') ? '1' : median(r.ratio).toFixed(2)} | ${fmtMs(median(r.sdpMs))} | ${fmtPct(median(r.sdpRatio))} | ${fmtPct(median(r.rtn))} | ${fmtPct(median(r.gptq))} | ${fmtPct(median(r.rnd))} |`,
      );
  }
console.log(`\nTotal ${((performance.now() - t00) / 1000).toFixed(1)} s. 'x INT4 time' = median over seeds of (levels-exact time / quant-exact INT4 time) on the same instance.`);
printLoad();
