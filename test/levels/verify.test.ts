import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { verifyCertificate } from '../../solvers/verify.js';
import { readProblemSet } from '../../src/io/problem-file.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-levels-verify-'));
const UNVERIFIED = 4;
const n = 8;
// Toeplitz Gram 0.6^|i-j| (positive definite), smooth weights, FP4 levels at a scale putting them on [-1.5, 1.5]
const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.6 ** Math.abs(i - j) + (i === j ? 0.05 : 0)));
const w = Array.from({ length: n }, (_, i) => 0.9 * Math.sin(1.7 * i + 0.3));
const file = join(dir, 'fp4.json');
writeFileSync(file, JSON.stringify({ name: 'fp4-demo', n, G, w, scale: 0.25, k: 2, format: 'fp4' }));

type Saved = Record<string, unknown> & { lowerBound: number; upperBound: number; status: string; solution: number[]; certificate?: Record<string, unknown> };

async function solved(solver: string): Promise<Saved> {
  const out = join(dir, `${solver}.json`);
  const r = await runCli(['solve', file, '-s', solver, '--json', '-o', out]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

async function verify(name: string, json: unknown, extra: string[] = []) {
  const path = join(dir, `v-${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return runCli(['verify', file, path, ...extra]);
}

describe('pvq verify on level-set results', () => {
  it('a levels-sdp result verifies: its levels-sdp-dual certificate is re-checked (exit 0)', async () => {
    const r = await solved('levels-sdp');
    expect(r.problemClass).toBe('levels');
    expect(r.certificate?.type).toBe('levels-sdp-dual');
    expect(r.lowerBound).toBeGreaterThan(0);
    const v = await verify('sdp', r, ['--json']);
    expect(v.code, v.stdout).toBe(0);
    const a = JSON.parse(v.stdout).audits[0];
    expect(a.status).toBe('verified');
    expect(a.checks.join('\n')).toMatch(/certificate levels-sdp-dual proves error >= /);
    // the library entry point dispatches through the class registry too
    const check = verifyCertificate(readProblemSet(file).problems[0], r.certificate as never, { problemClass: 'levels' });
    expect(check.valid).toBe(true);
    expect(check.bound).toBeGreaterThanOrEqual(r.lowerBound * (1 - 1e-12));
  });

  it('a raised bound, a tampered certificate or an off-level solution fails (exit 3)', async () => {
    const r = await solved('levels-sdp');
    const raised = await verify('raised', { ...r, lowerBound: r.lowerBound * 1.5 });
    expect(raised.code).toBe(3);
    expect(raised.stdout).toMatch(/exceeds what its levels-sdp-dual certificate proves/);
    // an adjacent-level cut stretched over a level is not valid on the level set
    const cert = r.certificate as { cutSign: number[]; cutA: number[]; cutB: number[] };
    const k = cert.cutSign.indexOf(1);
    expect(k).toBeGreaterThanOrEqual(0);
    const cutB = [...cert.cutB];
    cutB[k] = cert.cutA[k] + 4; // FP4 levels are at most 2 apart: some level now lies strictly inside
    const tampered = await verify('tampered', { ...r, certificate: { ...cert, cutB } });
    expect(tampered.code).toBe(3);
    expect(tampered.stdout).toMatch(/certificate levels-sdp-dual rejected: cut \d+: level/);
    const h = await solved('levels-rtn');
    expect((await verify('rtn', h)).code).toBe(0);
    const sol = [...h.solution];
    sol[0] = sol[0] + 0.25; // FP4 levels are multiples of 0.5: x + 0.25 is off the level set
    const off = await verify('offlevel', { ...h, solution: sol });
    expect(off.code).toBe(3);
    expect(off.stdout).toMatch(/not one of the levels/);
  });

  it('levels-exact optimal is unverified (exit 4) and re-proven with --rerun (exit 0)', async () => {
    const r = await solved('levels-exact');
    expect(r.status).toBe('optimal');
    const v = await verify('exact', r, ['--json']);
    expect(v.code).toBe(UNVERIFIED);
    expect(JSON.parse(v.stdout).audits[0].unverified.join('\n')).toMatch(/rests on the search of levels-exact/);
    const w = await verify('exact', r, ['--rerun', '--json', '--no-progress']);
    expect(w.code, w.stdout).toBe(0);
    expect(JSON.parse(w.stdout).audits[0].checks.join('\n')).toMatch(/re-proven by the levels-exact re-run/);
    // a claimed optimum above the true one is refuted by the re-run
    const worse = await verify('exact-false', { ...r, lowerBound: r.upperBound * 1.01, upperBound: r.upperBound }, ['--rerun']);
    expect(worse.code).toBe(3);
  });
});
