/**
 * `pvq verify LAYER REPORT.json` on a `pvq compare --formats --json` report: every interval and the ranking are
 * re-checked on problems rebuilt from the layer file; a tampered report fails (exit 3), a genuine one passes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR } from '../../../problems/reference-set.js';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-verify-formats-'));
const file = join(REFERENCE_DIR, 'pub08_n10_b3.json');
const FORMATS = 'int3,int3/g4,fp4,nf4/g5,2:4,prune';

type Json = any;

describe('pvq verify on a compare --formats report', () => {
  const report = join(dir, 'formats.json');
  const read = (): Json => JSON.parse(readFileSync(report, 'utf8'));
  const verifyEdited = async (name: string, edit: (j: Json) => void, extra: string[] = ['--rerun']) => {
    const j = read();
    edit(j);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(j));
    return runCli(['verify', file, path, ...extra]);
  };

  it('a genuine report: unverified without --rerun (exit 4), verified with it (exit 0)', async () => {
    const run = await runCli(['compare', file, '--formats', FORMATS, '--json', '-o', report, '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const j = read();
    expect(j.formats.map((f: Json) => f.label)).toEqual(FORMATS.split(','));
    for (const o of Object.values(j.channels[0].outcomes) as Json[]) for (const r of o.results) expect(r.solution === null || Array.isArray(r.solution)).toBe(true);
    expect((await runCli(['verify', file, report, '--no-progress'])).code).toBe(4);
    const v = await runCli(['verify', file, report, '--rerun', '--json', '--no-progress']);
    expect(v.code, v.stdout.slice(0, 2000)).toBe(0);
    const audit = JSON.parse(v.stdout);
    expect(audit.status).toBe('verified');
    // every format of every channel was audited, and the ranking was checked
    const formatsSeen = new Set(audit.reports[0].results.map((r: Json) => r.format));
    expect(formatsSeen).toEqual(new Set(FORMATS.split(',')));
    expect(audit.reports[0].claims.some((c: Json) => c.subject.startsWith('aggregate') && c.checks.some((x: string) => x.startsWith('ranking:')))).toBe(true);
  });

  it('fails a tampered interval, ranking, "proven better" mark, bits, scales or result (exit 3)', async () => {
    const ranking = (j: Json): Json[] => j.aggregates[0].ranking;
    const cases: [string, (j: Json) => void, RegExp][] = [
      ['lower', (j) => (j.channels[0].outcomes.fp4.lowerBound = j.channels[0].outcomes.fp4.upperBound * 1.5), /fp4 lower end/],
      ['upper', (j) => (j.channels[0].outcomes['int3/g4'].upperBound *= 0.5), /int3\/g4 upper end/],
      [
        'order',
        (j) => {
          const r = ranking(j);
          [r[0], r[r.length - 1]] = [r[r.length - 1], r[0]];
          r.forEach((x: Json, i: number) => (x.rank = i + 1));
        },
        /ranking: .* above/,
      ],
      [
        'proven',
        (j) => {
          const r = ranking(j);
          r[r.length - 1].provenBetterThan = [r[0].format];
        },
        /proven better than/,
      ],
      ['agg-lower', (j) => (ranking(j)[0].error[0] = ranking(j)[0].error[1] * 2), /lower end/],
      ['bits', (j) => (j.channels[0].outcomes['nf4/g5'].bits.total -= 1), /bits\/weight claimed/],
      ['scales', (j) => (j.channels[0].outcomes['int3/g4'].params.scales[0] *= 2), /parameters/],
      ['result', (j) => (j.channels[0].outcomes.prune.results[0].lowerBound = 1e9), /failed verification|lower/],
      ['missing', (j) => (j.channels[0].outcomes['2:4'] = null), /gives no result/],
    ];
    for (const [name, edit, msg] of cases) {
      const r = await verifyEdited(name, edit);
      expect(r.code, name).toBe(3);
      // a failure line ('!!') says what is false
      expect(r.stdout, name).toMatch(new RegExp(`!! .*(${msg.source})`));
    }
  });

  it('a report whose format spec no longer parses is bad input (exit 2, naming the format)', async () => {
    const r = await verifyEdited('spec', (j) => (j.formats[2].spec = 'fp5'), []);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fp5/);
  });
});
