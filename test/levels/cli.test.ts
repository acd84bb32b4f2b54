import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-levels-'));
const base = { name: 'demo', n: 3, G: [[2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 1.5]], w: [0.31, -0.12, 0.55], scale: 0.1, k: 1 };

describe('pvq solve on level-set files', () => {
  it('levels-exact on "format": "fp4" (hand-checked optimum) with --check; bad levels exit 2 naming the field', async () => {
    const file = join(dir, 'fp4.json');
    writeFileSync(file, JSON.stringify({ ...base, format: 'fp4' }));
    const r = await runCli(['solve', file, '--solver', 'levels-exact', '--json', '--check']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.problemClass).toBe('levels');
    expect(j.status).toBe('optimal');
    // t = w / s = (3.1, -1.2, 5.5); the FP4 optimum found by brute force over 15^3 points is x = (3, -1.5, 6)
    expect(j.solution).toEqual([3, -1.5, 6]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...base, levels: [0, 2, 1] }));
    const e = await runCli(['solve', bad, '--solver', 'levels-exact']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/levels\[2\]/);
  });
});
