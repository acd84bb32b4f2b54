import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonJSON } from '../../../app/cli/commands/compare.js';
import { toJSON } from '../../../app/cli/output.js';
import { compareProblems } from '../../../study/compare/compare.js';
import { auditComparisonReport, type ComparisonReport } from '../../../study/compare/verify-report.js';
import { readProblemSet } from '../../../src/io/problem-file.js';
import { getSolver } from '../../../solvers/index.js';
import { runCli } from '../../helpers/cli.js';
import { REFERENCE_DIR } from '../../../problems/reference-set.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-verify-report-'));
const file = join(REFERENCE_DIR, 'pub08_n10_b3.json');

type Json = any;

describe('pvq verify LAYER_FILE REPORT.json', () => {
  const report = join(dir, 'report.json');
  const read = (): Json => JSON.parse(readFileSync(report, 'utf8'));
  const verifyEdited = async (name: string, edit: (j: Json) => void, extra: string[] = []) => {
    const j = read();
    edit(j);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(j));
    return runCli(['verify', file, path, ...extra]);
  };

  it('a genuine report carries every solution and certificate; it is unverified without --rerun (exit 4) and verified with it (exit 0)', async () => {
    expect((await runCli(['compare', file, '--json', '-o', report])).code).toBe(0);
    const j = read();
    const c = j.channels[0];
    expect(c.proven).toBe(true);
    for (const r of [...c.quant.results, ...c.prune.results]) expect(Array.isArray(r.solution)).toBe(true);
    expect((await runCli(['verify', file, report])).code).toBe(4);
    const v = await runCli(['verify', file, report, '--rerun', '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).status).toBe('verified');
  });

  it('fails a tampered verdict, interval, aggregate or result (exit 3), with or without --rerun', async () => {
    for (const extra of [[], ['--rerun']]) {
      const swapped = await verifyEdited('verdict', (j) => (j.channels[0].winner = j.channels[0].winner === 'quantization' ? 'pruning' : 'quantization'), extra);
      expect(swapped.code).toBe(3);
      expect(swapped.stdout).toMatch(/verdict/);
      const lower = await verifyEdited('interval', (j) => (j.channels[0].prune.lowerBound = j.channels[0].prune.upperBound * 1.5), extra);
      expect(lower.code).toBe(3);
      const upper = await verifyEdited('upper', (j) => (j.channels[0].quant.upperBound = j.channels[0].quant.upperBound * 0.5), extra);
      expect(upper.code).toBe(3);
      const agg = await verifyEdited('aggregate', (j) => (j.aggregates[0].pruneError[0] = j.aggregates[0].pruneError[1] * 2), extra);
      expect(agg.code).toBe(3);
      const res = await verifyEdited('result', (j) => (j.channels[0].quant.results[0].lowerBound = 10), extra);
      expect(res.code).toBe(3);
    }
  });

  it('a report whose bounds all carry certificates verifies without re-running anything', async () => {
    const set = readProblemSet(file);
    const res = await compareProblems(set.problems, set.name, {
      resolve: getSolver,
      plans: { quantization: { exact: [], bounds: ['sdp-box'] }, pruning: { exact: [], bounds: [] } },
    });
    expect(res.channels[0].quant.lowerProof).toBe('certificate');
    const json = JSON.parse(toJSON({ name: set.name, ...(comparisonJSON(res) as object) })) as ComparisonReport;
    const audit = await auditComparisonReport(new Map(set.problems.map((p) => [p.name, p])), json);
    expect(audit.status).toBe('verified');
    // an undecided verdict turned into a proven one fails
    expect(json.channels[0].proven).toBe(false);
    const forged = { ...json, channels: json.channels.map((c) => ({ ...c, winner: 'quantization' as const, proven: true })) };
    expect((await auditComparisonReport(new Map(set.problems.map((p) => [p.name, p])), forged)).status).toBe('failed');
  });
});
