import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PvqConsistencyError, PvqInputError } from '../../../src/core/errors.js';
import type { LayerProblem } from '../../../src/core/types.js';
import { readProblemSet } from '../../../src/io/problem-file.js';
import { auditComparisonReport, auditFormatReport, isFormatReport, type ComparisonReport, type FormatComparisonReport } from '../../../study/compare/verify-report.js';
import { applyRerun, auditResult, rerunLowerBound, rerunSolverFor, type ReportedResult, type ResultAudit } from '../../../solvers/verify.js';
import { getProblemClass, listProblemClasses } from '../../../solvers/classes.js';
import { parsePositiveNumber } from '../common.js';
import { out, toJSON } from '../output.js';
import { DelayedProgress } from '../progress.js';

/** Exit code when nothing is false but some bound rests on a search that was not re-run (`--rerun` re-proves). */
export const EXIT_UNVERIFIED = 4;
const DEFAULT_RERUN_SECONDS = 60;

interface SavedResult extends ReportedResult {
  problem: string;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PvqInputError(path, `cannot read result JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function readResults(path: string, json: unknown): SavedResult[] {
  const list = (json as { results?: unknown }).results ?? [json];
  if (!Array.isArray(list)) throw new PvqInputError(path, 'expected a result object, {"results": [...]} or a comparison report');
  return list.map((r, i) => {
    const o = r as SavedResult;
    if (typeof o !== 'object' || o === null || typeof o.problem !== 'string') throw new PvqInputError(`${path}: results[${i}].problem`, 'missing');
    if (typeof o.problemClass !== 'string' || !getProblemClass(o.problemClass))
      throw new PvqInputError(`${path}: results[${i}].problemClass`, `expected one of ${listProblemClasses().map((a) => JSON.stringify(a.problemClass)).join(', ')}`);
    if (typeof o.lowerBound !== 'number') throw new PvqInputError(`${path}: results[${i}].lowerBound`, 'expected a number');
    if (o.solution !== null && o.solution !== undefined && !Array.isArray(o.solution)) throw new PvqInputError(`${path}: results[${i}].solution`, 'expected an array or null');
    return { ...o, solution: o.solution ?? null, upperBound: o.upperBound ?? null };
  });
}

/** Check the results of one method (or format) on one channel: each needs its lower bound and its solution. */
function checkResults(at: string, results: unknown): void {
  if (!Array.isArray(results)) throw new PvqInputError(`${at}.results`, 'missing: write the report with a pvq version whose compare --json includes every result');
  for (const [k, r] of (results as { solution?: unknown; lowerBound?: unknown }[]).entries()) {
    if (typeof r?.lowerBound !== 'number') throw new PvqInputError(`${at}.results[${k}].lowerBound`, 'expected a number');
    if (r.solution === undefined) throw new PvqInputError(`${at}.results[${k}].solution`, 'missing (needed to recompute the error)');
  }
}

/** The comparison reports in a file (`pvq compare --json`, with or without --formats), or null when it holds solve results. */
function readReports(path: string, json: unknown): (ComparisonReport | FormatComparisonReport)[] | null {
  const o = json as { channels?: unknown; reports?: unknown };
  const list = Array.isArray(o.reports) ? o.reports : Array.isArray(o.channels) ? [o] : null;
  if (list === null) return null;
  list.forEach((rep, i) => {
    const chans = (rep as { channels?: unknown }).channels;
    if (!Array.isArray(chans)) throw new PvqInputError(`${path}: reports[${i}].channels`, 'expected an array');
    if (isFormatReport(rep)) {
      rep.formats.forEach((f, k) => {
        if (typeof f?.spec !== 'string' || typeof f.label !== 'string') throw new PvqInputError(`${path}: formats[${k}]`, 'expected {spec, label, problemClass}');
      });
      chans.forEach((c, j) => {
        const ch = c as { problem?: unknown; outcomes?: Record<string, { results?: unknown } | null> };
        const at = `${path}: channels[${j}]`;
        if (typeof ch?.problem !== 'string') throw new PvqInputError(`${at}.problem`, 'missing');
        if (typeof ch.outcomes !== 'object' || ch.outcomes === null) throw new PvqInputError(`${at}.outcomes`, 'expected an object (format label -> outcome or null)');
        for (const [label, m] of Object.entries(ch.outcomes)) if (m !== null) checkResults(`${at}.outcomes[${JSON.stringify(label)}]`, m?.results);
      });
      return;
    }
    chans.forEach((c, j) => {
      const ch = c as { problem?: unknown; quant?: { results?: unknown }; prune?: { results?: unknown } };
      const at = `${path}: channels[${j}]`;
      if (typeof ch?.problem !== 'string') throw new PvqInputError(`${at}.problem`, 'missing');
      for (const m of ['quant', 'prune'] as const) checkResults(`${at}.${m}`, ch[m]?.results);
    });
  });
  return list as (ComparisonReport | FormatComparisonReport)[];
}

function line(status: string): string {
  return status === 'verified' ? 'OK  ' : status === 'unverified' ? 'UNVERIFIED' : 'FAIL';
}

function show(head: string, a: { status: string; checks: string[]; unverified: string[]; failures: string[] }): string {
  return [`${line(a.status)} ${head}`, ...a.checks.map((c) => `     ${c}`), ...a.unverified.map((u) => `  ?? ${u}`), ...a.failures.map((f) => `  !! ${f}`)].join('\n');
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      're-check saved results (`pvq solve --json -o`) or a whole comparison (`pvq compare [--formats ...] --json -o`): feasibility, recomputed errors, ' +
        'certificates from scratch, status claims, intervals, verdicts and format rankings. Exit 0: everything verified; 3: a claim is false or unproven; ' +
        `${EXIT_UNVERIFIED}: some bound rests on a search that was not re-run (use --rerun)`,
    )
    .argument('<problem-file>', 'the problem file the results were computed on')
    .argument('<result-file>', 'the JSON written by `pvq solve --json -o FILE` or `pvq compare --json -o FILE`')
    .option('--rerun', 're-prove search bounds (quant-exact, prune-exact, quant-bound, prune-bound, OA solvers, levels-exact, nm-exact, joint-exact, ...) by re-running the exact search of their class')
    .option('--time-limit <seconds>', `time limit of each re-run (default ${DEFAULT_RERUN_SECONDS})`)
    .option('--no-prune-box', 'the pruning results were computed without pruneBox (a comparison report says itself)')
    .option('--json', 'machine-readable output')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (problemFile: string, resultFile: string, opts: { pruneBox: boolean; json?: boolean; rerun?: boolean; timeLimit?: string; progress: boolean }) => {
      const set = readProblemSet(problemFile);
      const byName = new Map<string, LayerProblem>(set.problems.map((p) => [p.name, p]));
      const json = readJson(resultFile);
      const rerunMs = opts.timeLimit !== undefined ? parsePositiveNumber(opts.timeLimit, '--time-limit') * 1000 : DEFAULT_RERUN_SECONDS * 1000;
      const rerunTimeLimitMs = opts.rerun ? rerunMs : undefined;
      if (opts.timeLimit !== undefined && !opts.rerun) process.stderr.write('pvq: warning: --time-limit only applies with --rerun\n');
      const reports = readReports(resultFile, json);
      let statuses: string[];
      if (reports) {
        for (const rep of reports)
          for (const ch of rep.channels)
            if (!byName.has(ch.problem)) throw new PvqInputError(resultFile, `channel ${JSON.stringify(ch.problem)} has no matching problem in ${problemFile}`);
        const progress = new DelayedProgress('verify', opts.progress && !process.env.CI);
        const total = reports.reduce((s, r) => s + r.channels.length, 0);
        let done = 0;
        const audits = [];
        for (const rep of reports) {
          const o = { rerunTimeLimitMs, onProgress: (_d: number, _t: number, name: string) => progress.update(++done, total, name) };
          audits.push({ name: rep.name ?? null, ...(await (isFormatReport(rep) ? auditFormatReport(byName, rep, o) : auditComparisonReport(byName, rep, o))) });
        }
        progress.stop();
        statuses = audits.flatMap((a) => [a.status]);
        if (opts.json) out(toJSON({ status: worst(statuses), reports: audits }));
        else
          out(
            audits
              .map((a) =>
                [
                  `${line(a.status)} comparison${a.name ? ` ${a.name}` : ''}`,
                  ...a.results.map((r) => show(`${r.channel} ${r.format ?? r.method} (${r.solver ?? '?'})`, r)),
                  ...a.claims.map((c) => show(c.subject, c)),
                ].join('\n'),
              )
              .join('\n\n'),
          );
      } else {
        const results = readResults(resultFile, json);
        const audits: (ResultAudit & { solver: string | null })[] = [];
        // one re-run per problem and class, shared by every result on it
        const reruns = new Map<string, Awaited<ReturnType<typeof rerunLowerBound>>>();
        for (const r of results) {
          const p = byName.get(r.problem);
          if (!p) throw new PvqInputError(resultFile, `result for problem ${JSON.stringify(r.problem)} has no matching problem in ${problemFile}`);
          let a = auditResult(p, r, { useBox: opts.pruneBox });
          if (a.status === 'unverified' && rerunTimeLimitMs !== undefined) {
            const key = `${r.problem}\u0000${r.problemClass}`;
            if (!reruns.has(key) && opts.progress) process.stderr.write(`pvq verify: re-running ${rerunSolverFor(r.problemClass)?.name ?? '?'} on ${r.problem} (limit ${rerunTimeLimitMs / 1000} s)\n`);
            if (!reruns.has(key)) reruns.set(key, await rerunLowerBound(p, r.problemClass, { useBox: opts.pruneBox, timeLimitMs: rerunTimeLimitMs, incumbent: a.recomputedUpperBound !== null ? r.solution : null }));
            const rr = reruns.get(key);
            if (rr) a = applyRerun(p, r, a, rr);
          }
          audits.push({ solver: r.solver ?? null, ...a });
        }
        statuses = audits.map((a) => a.status);
        if (opts.json) out(toJSON({ status: worst(statuses), audits }));
        else out(audits.map((a) => show(`${a.problem}${a.solver ? ` (${a.solver})` : ''}`, a)).join('\n'));
      }
      const failed = statuses.filter((s) => s === 'failed').length;
      if (failed > 0) throw new PvqConsistencyError(`${failed} of ${statuses.length} ${reports ? 'comparison(s)' : 'result(s)'} failed verification`);
      const unverified = statuses.filter((s) => s === 'unverified').length;
      if (unverified > 0) {
        process.stderr.write(`pvq: ${unverified} of ${statuses.length} ${reports ? 'comparison(s)' : 'result(s)'} rest on search bounds that were not re-proven (run with --rerun)\n`);
        process.exitCode = EXIT_UNVERIFIED;
      }
    });
}

function worst(statuses: string[]): string {
  return statuses.includes('failed') ? 'failed' : statuses.includes('unverified') ? 'unverified' : 'verified';
}
