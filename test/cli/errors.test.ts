import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-cli-'));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
const good = { name: 'g', n: 2, G: [[2, 1], [1, 2]], w: [0.5, -0.25], scale: 0.1, zmin: -8, zmax: 7, k: 1, pruneBox: null };

describe('CLI bad input: one line on stderr, exit code 2, nothing written', () => {
  const cases: [string, unknown, RegExp][] = [
    ['nan.json', '{"n": 1, "G": [[1]], "w": [NaN], "scale": 1, "zmin": -1, "zmax": 0, "k": 0}', /invalid JSON/],
    ['str.json', { ...good, w: [0.5, 'NaN'] }, /w\[1\]: expected a finite number, got "NaN"/],
    ['size.json', { ...good, w: [1, 2, 3] }, /w: expected 2 entries \(n = 2\), got 3/],
    ['asym.json', { ...good, G: [[2, 1], [0.5, 2]] }, /G: not symmetric/],
    ['indef.json', { ...good, G: [[1, 3], [3, 1]] }, /G: not positive semidefinite/],
    ['bits.json', { ...good, zmin: 2 }, /zmin: must be <= 0/],
    ['k.json', { ...good, k: 5 }, /k: must satisfy 0 <= k <= n = 2, got 5/],
    ['scale.json', { ...good, scale: 0 }, /scale: must be > 0/],
    ['box.json', { ...good, pruneBox: [1, 0] }, /pruneBox: empty box/],
  ];
  for (const [name, content, re] of cases) {
    it(`compare ${name}`, async () => {
      const p = file(name, content);
      const outFile = join(dir, `${name}.out.json`);
      const r = await runCli(['compare', p, '--json', '-o', outFile]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(re);
      expect(lines[0]).toContain(p);
      expect(existsSync(outFile)).toBe(false);
    });
  }

  it('missing file and unknown solver', async () => {
    const r1 = await runCli(['compare', join(dir, 'nope.json')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/nope\.json: cannot read file \(ENOENT\)/);
    const r2 = await runCli(['solve', file('ok.json', good), '--solver', 'no-such-solver']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--solver: unknown solver "no-such-solver"/);
  });

  it('bad option values', async () => {
    const p = file('ok2.json', good);
    expect((await runCli(['compare', p, '--time-limit', '-1'])).stderr).toMatch(/--time-limit: expected a positive number/);
    const r = await runCli(['compare', p, '--no-such-flag']);
    expect(r.code).toBe(2);
  });

  it('as a separate process: exit code 2 and no stack trace', () => {
    const r = spawnCli(['compare', file('proc.json', { ...good, G: [[1, 3], [3, 1]] })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pvq: error: .*G: not positive semidefinite/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
