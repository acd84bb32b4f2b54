import type { Command } from 'commander';
import { compareProblems } from '../../compare/compare.js';
import type { LayerProblem } from '../../core/types.js';
import { readProblemSet } from '../../io/problem-file.js';
import { renderComparison } from '../../report/table.js';
import { getSolver } from '../../../solvers/index.js';
import { defaultProblemPath, parsePositiveNumber, parseInteger } from '../common.js';
import { out, toJSON, writeFileAtomic } from '../output.js';
import { DelayedProgress } from '../progress.js';
import { addLayerInputOptions, layerFromOptions, wantsLayerInput, type LayerInputOptions } from '../layer-input.js';

interface CompareCliOptions extends LayerInputOptions {
  json?: boolean;
  timeLimit?: string;
  pruneBox: boolean;
  baselines: boolean;
  seed?: string;
  output?: string;
  progress: boolean;
}

/** JSON view of a comparison: every number at full precision, solutions and certificates omitted for size. */
export function comparisonJSON(res: Awaited<ReturnType<typeof compareProblems>>): unknown {
  return {
    settings: res.settings,
    timeMs: res.timeMs,
    channels: res.channels.map((c) => ({
      ...c,
      quant: { ...c.quant, results: c.quant.results.map(slimResult) },
      prune: { ...c.prune, results: c.prune.results.map(slimResult) },
    })),
    aggregates: res.aggregates,
  };
}

function slimResult(r: { solver: string; lowerBound: number; upperBound: number; status: string; relGap: number; stats: unknown; solution: unknown }): unknown {
  return { solver: r.solver, status: r.status, lowerBound: r.lowerBound, upperBound: r.solution === null ? null : r.upperBound, relGap: r.relGap, stats: r.stats };
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('per-channel comparison of b-bit quantization and pruning at equal compression (keep b/16), with proven bounds')
    .argument('[files...]', 'problem files (layer problem, array, or pvq-layer file); default: the shipped problems/default.json')
    .option('--json', 'machine-readable output')
    .option('--time-limit <seconds>', 'limit per method and sub-problem for the exact solver (default 5)')
    .option('--no-prune-box', 'ignore pruneBox in the pruning problems')
    .option('--no-baselines', 'skip the heuristic baselines (RTN, magnitude, ...)')
    .option('--seed <n>', 'seed for randomized solvers')
    .option('-o, --output <file>', 'also write the JSON report to a file (written atomically)')
    .option('--no-progress', 'no progress bar on stderr');
  addLayerInputOptions(cmd).action(async (files: string[], opts: CompareCliOptions) => {
      // Read and validate everything first: bad input fails before any solving or writing.
      const sets = files.map((p) => readProblemSet(p));
      if (wantsLayerInput(opts)) sets.push(layerFromOptions(opts));
      if (sets.length === 0) sets.push(readProblemSet(defaultProblemPath()));
      const timeLimitMs = opts.timeLimit !== undefined ? parsePositiveNumber(opts.timeLimit, '--time-limit') * 1000 : undefined;
      const seed = opts.seed !== undefined ? parseInteger(opts.seed, '--seed') : undefined;
      const total = sets.reduce((s, x) => s + x.problems.length, 0);
      const progress = new DelayedProgress('compare', opts.progress && !process.env.CI);
      let done = 0;
      const reports: { name: string; res: Awaited<ReturnType<typeof compareProblems>> }[] = [];
      for (const set of sets) {
        const problems: LayerProblem[] = set.problems;
        const res = await compareProblems(problems, set.name, {
          timeLimitMs,
          pruneBox: opts.pruneBox,
          baselines: opts.baselines,
          seed,
          resolve: getSolver,
          onProgress: (_d, _t, name) => progress.update(++done, total, name),
        });
        reports.push({ name: set.name, res });
      }
      progress.stop();
      const json = toJSON(reports.length === 1 ? { name: reports[0].name, ...(comparisonJSON(reports[0].res) as object) } : { reports: reports.map((r) => ({ name: r.name, ...(comparisonJSON(r.res) as object) })) });
      if (opts.output) writeFileAtomic(opts.output, json + '\n');
      if (opts.json) out(json);
      else out(reports.map((r) => renderComparison(r.res, `pvq compare: ${r.name}`)).join('\n\n'));
    });
}
