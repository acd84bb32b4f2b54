import type { Command } from 'commander';
import { compareProblems } from '../../../study/compare/compare.js';
import { compareFormats, parseFormats, renderFormatComparison, type FormatCompareResult, type MaskRule } from '../../../study/compare/formats.js';
import { PvqInputError } from '../../../src/core/errors.js';
import type { LayerProblem, SolveResult } from '../../../src/core/types.js';
import { readProblemSet } from '../../../src/io/problem-file.js';
import { renderComparison } from '../../../study/report/table.js';
import { getSolver } from '../../../solvers/index.js';
import { defaultProblemPath, parsePositiveNumber, parseInteger } from '../common.js';
import { out, toJSON, writeFileAtomic } from '../output.js';
import { DelayedProgress } from '../progress.js';
import { addLayerInputOptions, layerFromOptions, wantsLayerInput, type LayerInputOptions } from '../layer-input.js';

interface CompareCliOptions extends LayerInputOptions {
  json?: boolean;
  timeLimit?: string;
  budget?: string;
  pruneBox: boolean;
  baselines: boolean;
  seed?: string;
  output?: string;
  progress: boolean;
  formats?: string;
  bitsPerWeight?: string;
  mask?: string;
}

/**
 * JSON view of a comparison: every number at full precision, and per channel every solver's result with its
 * solution and certificate, so that `pvq verify LAYER_FILE REPORT.json` can re-check the whole comparison.
 */
export function comparisonJSON(res: Awaited<ReturnType<typeof compareProblems>>): unknown {
  return {
    settings: res.settings,
    timeMs: res.timeMs,
    channels: res.channels.map((c) => ({
      ...c,
      quant: { ...c.quant, results: c.quant.results.map(resultJSON) },
      prune: { ...c.prune, results: c.prune.results.map(resultJSON) },
    })),
    aggregates: res.aggregates,
  };
}

/** JSON view of a format comparison: per channel and format every solver's result (for `pvq verify`). */
export function formatComparisonJSON(res: FormatCompareResult): unknown {
  return {
    ...res,
    channels: res.channels.map((c) => ({
      ...c,
      outcomes: Object.fromEntries(Object.entries(c.outcomes).map(([k, o]) => [k, o === null ? null : { ...o, results: o.results.map(resultJSON) }])),
    })),
  };
}

function resultJSON(r: SolveResult): unknown {
  return {
    solver: r.solver,
    problemClass: r.problemClass,
    status: r.status,
    lowerBound: r.lowerBound,
    upperBound: r.solution === null ? null : r.upperBound,
    relGap: r.relGap,
    stats: r.stats,
    solution: r.solution,
    ...(r.certificate ? { certificate: r.certificate } : {}),
    ...(r.message ? { message: r.message } : {}),
  };
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('per-channel comparison of b-bit quantization and pruning at equal compression (keep b/16), with proven bounds')
    .argument('[files...]', 'problem files (layer problem, array, or pvq-layer file); default: the shipped problems/default.json')
    .option('--json', 'machine-readable output')
    .option('--time-limit <seconds>', 'limit per method, sub-problem and phase (exact search; bound solvers); a cap under --budget (default 5)')
    .option('--budget <seconds>', 'one overall time budget, split across channels and phases (remaining budget / remaining phases)')
    .option('--no-prune-box', 'ignore pruneBox in the pruning problems')
    .option('--no-baselines', 'skip the heuristic baselines (RTN, magnitude, ...)')
    .option('--seed <n>', 'seed for randomized solvers')
    .option('-o, --output <file>', 'also write the JSON report to a file (written atomically)')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--formats <list>', "rank any formats on the same problems with proven intervals, e.g. 'int4,fp4,nf4,2:4+int8,unstructured+int8' (intB, fp4, nf4, fp8-e4m3, fp8-e5m2, prune, unstructured[@R], N:M, N:M+intB|fp4|nf4, unstructured[@R]+intB|fp4|nf4; a value format may end in /gG for one scale per G inputs, e.g. int4/g32)")
    .option('--bits-per-weight <B>', 'with --formats: per format family, the configuration that meets B bits per weight (metadata included): INT b, keep ratio, N:M + INT b')
    .option('--mask <rule>', "with --formats: unstructured mask bits, 'bitmap' (1 bit per weight, default) or 'entropy' (log2 C(n, k) / n)");
  addLayerInputOptions(cmd).action(async (files: string[], opts: CompareCliOptions) => {
      // Read and validate everything first: bad input fails before any solving or writing.
      const timeLimitMs = opts.timeLimit !== undefined ? parsePositiveNumber(opts.timeLimit, '--time-limit') * 1000 : undefined;
      const budgetMs = opts.budget !== undefined ? parsePositiveNumber(opts.budget, '--budget') * 1000 : undefined;
      const seed = opts.seed !== undefined ? parseInteger(opts.seed, '--seed') : undefined;
      if (opts.formats === undefined && (opts.bitsPerWeight !== undefined || opts.mask !== undefined))
        throw new PvqInputError(opts.bitsPerWeight !== undefined ? '--bits-per-weight' : '--mask', "only with --formats (the two-method compare keeps the paper's FP16-baseline rule)");
      const bitsPerWeight = opts.bitsPerWeight !== undefined ? parsePositiveNumber(opts.bitsPerWeight, '--bits-per-weight') : undefined;
      if (opts.mask !== undefined && opts.mask !== 'bitmap' && opts.mask !== 'entropy') throw new PvqInputError('--mask', `expected 'bitmap' or 'entropy', got ${JSON.stringify(opts.mask)}`);
      const formats = opts.formats !== undefined ? parseFormats(opts.formats, { bitsPerWeight, mask: opts.mask as MaskRule | undefined }, getSolver) : null;
      const sets = files.map((p) => readProblemSet(p));
      if (wantsLayerInput(opts)) sets.push(layerFromOptions(opts));
      if (sets.length === 0) sets.push(readProblemSet(defaultProblemPath()));
      if (formats !== null) {
        const total = sets.reduce((s, x) => s + x.problems.length, 0);
        const progress = new DelayedProgress('compare --formats', opts.progress && !process.env.CI);
        let done = 0;
        const start = performance.now();
        let problemsLeft = total;
        const reports: { name: string; res: FormatCompareResult }[] = [];
        for (const set of sets) {
          const setBudget = budgetMs === undefined ? undefined : Math.max(0, ((budgetMs - (performance.now() - start)) * set.problems.length) / Math.max(1, problemsLeft));
          problemsLeft -= set.problems.length;
          const res = await compareFormats(set.problems, set.name, formats, {
            timeLimitMs,
            budgetMs: setBudget,
            pruneBox: opts.pruneBox,
            seed,
            bitsPerWeight,
            mask: opts.mask as MaskRule | undefined,
            resolve: getSolver,
            onProgress: (_d, _t, name) => progress.update(++done, total, name),
          });
          reports.push({ name: set.name, res });
        }
        progress.stop();
        const view = (r: { name: string; res: FormatCompareResult }): object => ({ name: r.name, ...(formatComparisonJSON(r.res) as object) });
        const json = toJSON(reports.length === 1 ? view(reports[0]) : { reports: reports.map(view) });
        if (opts.output) writeFileAtomic(opts.output, json + '\n');
        out(opts.json ? json : reports.map((r) => renderFormatComparison(r.res, `pvq compare --formats: ${r.name}`)).join('\n\n'));
        return;
      }
      const total = sets.reduce((s, x) => s + x.problems.length, 0);
      const progress = new DelayedProgress('compare', opts.progress && !process.env.CI);
      let done = 0;
      const reports: { name: string; res: Awaited<ReturnType<typeof compareProblems>> }[] = [];
      const start = performance.now();
      let problemsLeft = total;
      for (const set of sets) {
        const problems: LayerProblem[] = set.problems;
        // several files share the budget in proportion to their sub-problems
        const setBudget = budgetMs === undefined ? undefined : Math.max(0, ((budgetMs - (performance.now() - start)) * problems.length) / Math.max(1, problemsLeft));
        problemsLeft -= problems.length;
        const res = await compareProblems(problems, set.name, {
          timeLimitMs,
          budgetMs: setBudget,
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
