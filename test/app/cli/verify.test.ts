import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR } from '../../../problems/reference-set.js';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-verify-'));
const file = join(REFERENCE_DIR, 'pub08_n10_b3.json');
const UNVERIFIED = 4;

async function solved(solver: string, extra: string[] = []): Promise<Record<string, unknown> & { lowerBound: number; upperBound: number; status: string }> {
  const res = join(dir, `${solver}${extra.join('')}.json`);
  expect((await runCli(['solve', file, '-s', solver, ...extra, '--json', '-o', res])).code).toBe(0);
  return JSON.parse(readFileSync(res, 'utf8'));
}

async function verifyJson(name: string, json: unknown, extra: string[] = []) {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return runCli(['verify', file, path, ...extra]);
}

describe('pvq verify', () => {
  it('accepts genuine certified results (sdp, sdp-box) with exit 0', async () => {
    for (const solver of ['sdp-box', 'sdp']) {
      const v = await verifyJson(`ok-${solver}`, await solved(solver), ['--json']);
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).audits[0].ok).toBe(true);
    }
  });

  it('reports search bounds as unverified (exit 4), and --rerun re-proves them (exit 0)', async () => {
    for (const solver of ['quant-exact', 'prune-exact', 'prune-bound', 'quant-bound', 'quant-oa', 'prune-oa']) {
      const r = await solved(solver);
      const v = await verifyJson(`search-${solver}`, r, ['--json']);
      expect(v.code, solver).toBe(UNVERIFIED);
      expect(JSON.parse(v.stdout).audits[0].status).toBe('unverified');
      const w = await verifyJson(`search-${solver}`, r, ['--rerun', '--json']);
      expect(w.code, `${solver} --rerun: ${w.stdout}`).toBe(0);
    }
  });

  it('rejects an sdp-box bound above what its certificate proves (exit 3)', async () => {
    const r = await solved('sdp-box');
    const v = await verifyJson('sdp-100', { ...r, lowerBound: 100 });
    expect(v.code).toBe(3);
    expect(v.stdout).toMatch(/exceeds what its sdp-box-dual certificate proves/);
    // a hair above the certificate's own bound is not proven either
    expect((await verifyJson('sdp-hair', { ...r, lowerBound: r.lowerBound * (1 + 1e-9) })).code).toBe(3);
  });

  it('rejects a raised bound whose certificate was deleted (exit 3)', async () => {
    const { certificate: _c, ...r } = await solved('sdp-box');
    const v = await verifyJson('sdp-nocert', { ...r, lowerBound: r.lowerBound * 1.5 });
    expect(v.code).toBe(3);
    expect(v.stdout).toMatch(/FAIL/);
  });

  it('never says OK to a stopped search edited to optimal (exit 4); a re-run that finds a better point refutes it (exit 3)', async () => {
    const r = await solved('quant-exact', ['--node-limit', '1']);
    expect(r.status).toBe('node_limit');
    const forged = { ...r, lowerBound: r.upperBound, status: 'optimal' };
    expect((await verifyJson('forged', forged)).code).toBe(UNVERIFIED);
    // an RTN point dressed up as a finished search: the re-run finds a better point
    const rtn = await solved('rtn');
    const qe = await solved('quant-exact');
    expect(rtn.upperBound).toBeGreaterThan(qe.upperBound * (1 + 1e-6));
    const fake = { ...rtn, solver: 'quant-exact', lowerBound: rtn.upperBound, status: 'optimal' };
    expect((await verifyJson('fake-exact', fake)).code).toBe(UNVERIFIED);
    const v = await verifyJson('fake-exact', fake, ['--rerun']);
    expect(v.code).toBe(3);
    expect(v.stdout).toMatch(/is false/);
  });

  it('checks a status optimal claim against the proven bound', async () => {
    const r = await solved('sdp-box');
    // sdp-box has no solution: optimal cannot be claimed
    expect((await verifyJson('sdp-opt', { ...r, status: 'optimal' })).code).toBe(3);
    // a heuristic point with lowerBound 0 claiming optimal
    const rtn = await solved('rtn');
    expect((await verifyJson('rtn-opt', { ...rtn, status: 'optimal' })).code).toBe(3);
    expect((await verifyJson('rtn-ok', rtn)).code).toBe(0);
  });

  it('rejects a tampered certificate, a tampered solution and an inflated bound (exit 3)', async () => {
    const j = await solved('sdp-box');
    const cert = j.certificate as { theta: number[] };
    const v1 = await verifyJson('bad1', { ...j, certificate: { ...cert, theta: cert.theta.map((t: number) => t * 1e6 + 1e3) } });
    expect(v1.code).toBe(3);
    expect(v1.stdout).toMatch(/FAIL/);
    const e = await solved('quant-exact');
    const sol = e.solution as number[];
    expect((await verifyJson('bad2', { ...e, solution: sol.map((z: number, i: number) => (i === 0 ? z + 1000 : z)) })).code).toBe(3);
    const v3 = await verifyJson('bad3', { ...e, lowerBound: e.upperBound * 2 });
    expect(v3.code).toBe(3);
    expect(v3.stdout).toMatch(/exceeds upperBound/);
  });

  it('dispatches by the registered problem classes: an unknown class exits 2 naming the field and listing the classes', async () => {
    const r = await solved('rtn');
    const v = await verifyJson('bad-class', { ...r, problemClass: 'ternary' });
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/results\[0\]\.problemClass.*"quantization", "pruning", "levels", "structured", "joint"/);
  });
});
