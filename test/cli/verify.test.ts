import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR } from '../helpers/reference.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-verify-'));
const file = join(REFERENCE_DIR, 'pub08_n10_b3.json');

describe('pvq verify', () => {
  it('accepts genuine sdp-box and prune-bound results', async () => {
    for (const solver of ['sdp-box', 'prune-bound', 'quant-exact']) {
      const res = join(dir, `${solver}.json`);
      expect((await runCli(['solve', file, '-s', solver, '--json', '-o', res])).code).toBe(0);
      const v = await runCli(['verify', file, res, '--json']);
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).audits[0].ok).toBe(true);
    }
  });

  it('rejects a tampered certificate, a tampered solution and an inflated bound (exit 3)', async () => {
    const res = join(dir, 'sdp.json');
    await runCli(['solve', file, '-s', 'sdp-box', '--json', '-o', res]);
    const j = JSON.parse(readFileSync(res, 'utf8'));
    const bad1 = { ...j, certificate: { ...j.certificate, theta: j.certificate.theta.map((t: number) => t * 1e6 + 1e3) } };
    writeFileSync(join(dir, 'bad1.json'), JSON.stringify(bad1));
    const v1 = await runCli(['verify', file, join(dir, 'bad1.json')]);
    expect(v1.code).toBe(3);
    expect(v1.stdout).toMatch(/FAIL/);

    const ex = join(dir, 'ex.json');
    await runCli(['solve', file, '-s', 'quant-exact', '--json', '-o', ex]);
    const e = JSON.parse(readFileSync(ex, 'utf8'));
    const bad2 = { ...e, solution: e.solution.map((z: number, i: number) => (i === 0 ? z + 1000 : z)) };
    writeFileSync(join(dir, 'bad2.json'), JSON.stringify(bad2));
    expect((await runCli(['verify', file, join(dir, 'bad2.json')])).code).toBe(3);
    const bad3 = { ...e, lowerBound: e.upperBound * 2 };
    writeFileSync(join(dir, 'bad3.json'), JSON.stringify(bad3));
    const v3 = await runCli(['verify', file, join(dir, 'bad3.json')]);
    expect(v3.code).toBe(3);
    expect(v3.stdout).toMatch(/exceeds upperBound/);
  });
});
