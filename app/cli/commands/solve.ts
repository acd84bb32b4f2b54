import type { Command } from 'commander';
import { PvqInputError } from '../../../src/core/errors.js';
import type { SolveOptions, SolveResult } from '../../../src/core/types.js';
import { readProblemSet } from '../../../src/io/problem-file.js';
import { renderResult } from '../../../study/report/table.js';
import { getSolver, listSolvers } from '../../../solvers/index.js';
import { solveOn } from '../../../solvers/classes.js';
import { parseInteger, parseNonNegInt, parsePositiveNumber } from '../common.js';
import { out, toJSON, writeFileAtomic } from '../output.js';
import { resolveOptions } from '../../../src/core/options.js';
import { crossCheckAgainstExact } from '../check.js';
import { SolveProgress } from '../progress.js';

/** Default of `pvq solve --time-limit` in seconds (a solve never runs unbounded by accident). */
export const DEFAULT_SOLVE_TIME_LIMIT_S = 60;

interface SolveCliOptions {
  solver: string;
  pruneBox: boolean;
  timeLimit?: string;
  nodeLimit?: string;
  iterationLimit?: string;
  gap?: string;
  seed?: string;
  backend?: string;
  option?: string[];
  channel?: string;
  check?: boolean;
  json?: boolean;
  output?: string;
  progress: boolean;
}

/** Parse repeated `--option key=value` into raw strings; `resolveOptions` converts and checks them by the solver's schema. */
function parseExtras(pairs: string[] | undefined, backend: string | undefined): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (backend !== undefined) extra.backend = backend;
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new PvqInputError('--option', `expected key=value, got ${JSON.stringify(p)}`);
    extra[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return extra;
}

/** The result object printed by `pvq solve --json` (upperBound null when no feasible point). */
export function resultJSON(r: SolveResult): Record<string, unknown> {
  return {
    solver: r.solver,
    problem: r.problem,
    problemClass: r.problemClass,
    lowerBound: r.lowerBound,
    upperBound: r.solution === null ? null : r.upperBound,
    status: r.status,
    solution: r.solution,
    relGap: Number.isFinite(r.relGap) ? r.relGap : null,
    stats: r.stats,
    ...(r.certificate ? { certificate: r.certificate } : {}),
    ...(r.message ? { message: r.message } : {}),
  };
}

export function registerSolve(program: Command): void {
  program
    .command('solve')
    .description('run one solver on a problem file (one layer problem, an array, or a pvq-layer file)')
    .argument('<file>', 'problem file (JSON)')
    .requiredOption('-s, --solver <name>', 'solver name (see `pvq solvers`)')
    .option('--no-prune-box', 'ignore pruneBox (pruning solvers)')
    .option('--time-limit <seconds>', `wall-clock limit per problem (default ${DEFAULT_SOLVE_TIME_LIMIT_S})`)
    .option('--node-limit <n>', 'node limit (tree searches)')
    .option('--iteration-limit <n>', 'iteration limit (iterative methods)')
    .option('--gap <rel>', 'relative gap at which optimality is declared (default 1e-9)')
    .option('--seed <n>', 'seed for randomized solvers')
    .option('--backend <name>', 'back end for MILP-based solvers (glpk, jsl)')
    .option('-O, --option <key=value...>', 'solver-specific option (repeatable)')
    .option('--channel <i>', 'only the i-th problem of a multi-problem file (0-based)')
    .option('--check', 'cross-check against the exact solver of the same class; fail loudly on a contradiction')
    .option('--json', 'print the result object(s) as JSON')
    .option('-o, --output <file>', 'also write the JSON result(s) to a file (written atomically)')
    .option('--no-progress', 'no progress lines on stderr (shown after 2 s for solvers that report progress)')
    .action(async (file: string, opts: SolveCliOptions) => {
      const solver = getSolver(opts.solver);
      if (!solver) throw new PvqInputError('--solver', `unknown solver ${JSON.stringify(opts.solver)}; available: ${listSolvers().map((s) => s.name).join(', ') || '(none)'}`);
      let options: SolveOptions = {};
      if (opts.timeLimit !== undefined) options.timeLimitMs = parsePositiveNumber(opts.timeLimit, '--time-limit') * 1000;
      if (opts.nodeLimit !== undefined) options.nodeLimit = parseNonNegInt(opts.nodeLimit, '--node-limit');
      if (opts.iterationLimit !== undefined) options.iterationLimit = parseNonNegInt(opts.iterationLimit, '--iteration-limit');
      if (opts.gap !== undefined) options.relGapTol = parsePositiveNumber(opts.gap, '--gap');
      if (opts.seed !== undefined) options.seed = parseInteger(opts.seed, '--seed');
      const extra = parseExtras(opts.option, opts.backend);
      if (Object.keys(extra).length > 0) options.extra = extra;
      options = resolveOptions(solver, options, (line) => process.stderr.write(line + '\n'));
      // the default limit (not given by the user) is applied after the check, so it never warns
      if (options.timeLimitMs === undefined) options.timeLimitMs = DEFAULT_SOLVE_TIME_LIMIT_S * 1000;
      const set = readProblemSet(file);
      let problems = set.problems;
      if (opts.channel !== undefined) {
        const i = parseNonNegInt(opts.channel, '--channel');
        if (i >= problems.length) throw new PvqInputError('--channel', `file has ${problems.length} problem(s); index ${i} is out of range`);
        problems = [problems[i]];
      }
      const results: SolveResult[] = [];
      const texts: string[] = [];
      for (const p of problems) {
        const progress = new SolveProgress(`pvq solve ${p.name}`, opts.progress && !process.env.CI);
        options.onProgress = (info) => progress.report(info);
        const r = await solveOn(solver, p, { useBox: opts.pruneBox }, options);
        if (opts.check) await crossCheckAgainstExact(r, p, { useBox: opts.pruneBox, timeLimitMs: options.timeLimitMs });
        results.push(r);
        texts.push(renderResult(r, p.objective.r));
      }
      const json = toJSON(results.length === 1 ? resultJSON(results[0]) : { results: results.map(resultJSON) });
      if (opts.output) writeFileAtomic(opts.output, json + '\n');
      out(opts.json ? json : texts.join('\n\n'));
    });
}
