import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PvqConsistencyError, PvqInputError } from '../../core/errors.js';
import { readProblemSet } from '../../io/problem-file.js';
import { auditResult } from '../../../solvers/verify.js';
import { out, toJSON } from '../output.js';

interface ReportedResult {
  problem: string;
  solver?: string;
  problemClass: 'quantization' | 'pruning';
  lowerBound: number;
  upperBound: number | null;
  solution: number[] | null;
  certificate?: { type: string; [k: string]: unknown };
}

function readResults(path: string): ReportedResult[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PvqInputError(path, `cannot read result JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const list = (json as { results?: unknown }).results ?? [json];
  if (!Array.isArray(list)) throw new PvqInputError(path, 'expected a result object or {"results": [...]}');
  return list.map((r, i) => {
    const o = r as ReportedResult;
    if (typeof o !== 'object' || o === null || typeof o.problem !== 'string') throw new PvqInputError(`${path}: results[${i}].problem`, 'missing');
    if (o.problemClass !== 'quantization' && o.problemClass !== 'pruning') throw new PvqInputError(`${path}: results[${i}].problemClass`, 'expected "quantization" or "pruning"');
    if (typeof o.lowerBound !== 'number') throw new PvqInputError(`${path}: results[${i}].lowerBound`, 'expected a number');
    return o;
  });
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('re-check saved results (from `pvq solve --json -o`): feasibility, recomputed error, and certificates from scratch')
    .argument('<problem-file>', 'the problem file the results were computed on')
    .argument('<result-file>', 'the JSON written by `pvq solve --json -o FILE`')
    .option('--no-prune-box', 'the pruning results were computed without pruneBox')
    .option('--json', 'machine-readable output')
    .action((problemFile: string, resultFile: string, opts: { pruneBox: boolean; json?: boolean }) => {
      const set = readProblemSet(problemFile);
      const byName = new Map(set.problems.map((p) => [p.name, p]));
      const audits = readResults(resultFile).map((r) => {
        const p = byName.get(r.problem);
        if (!p) throw new PvqInputError(resultFile, `result for problem ${JSON.stringify(r.problem)} has no matching problem in ${problemFile}`);
        return { solver: r.solver ?? null, ...auditResult(p, r as never, { useBox: opts.pruneBox }) };
      });
      if (opts.json) out(toJSON({ audits }));
      else
        out(
          audits
            .map((a) => [`${a.ok ? 'OK  ' : 'FAIL'} ${a.problem}${a.solver ? ` (${a.solver})` : ''}`, ...a.checks.map((c) => `     ${c}`), ...a.failures.map((f) => `  !! ${f}`)].join('\n'))
            .join('\n'),
        );
      const failed = audits.filter((a) => !a.ok);
      if (failed.length > 0) throw new PvqConsistencyError(`${failed.length} of ${audits.length} result(s) failed verification`);
    });
}
