import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, spawnCli } from '../../helpers/cli.js';

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
    ['huge-w.json', { ...good, w: [0.5e300, -0.25e300] }, /w: r = w\^T G w is not finite \(it overflows double precision\)/],
    ['tiny-scale.json', { ...good, scale: 1e-300 }, /scale: scale = 1e-300 is so small that scale\^2 \* max G_ii = 0 underflows/],
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

describe('solver options are checked against the solver schema before anything runs', () => {
  it('-O order=nonsense -O bogus=1: exit 2 naming both options', async () => {
    const r = await runCli(['solve', file('opt.json', good), '-s', 'prune-exact', '-O', 'order=nonsense', '-O', 'bogus=1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/option 'order': expected one of .*got "nonsense"/);
    expect(lines[0]).toMatch(/option 'bogus': unknown option of solver 'prune-exact'/);
  });

  it('a common option the solver does not use is refused (exit 2); a time limit only warned about', async () => {
    const p = file('opt2.json', good);
    const gap = await runCli(['solve', p, '-s', 'rtn', '--gap', '1e-3']);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toMatch(/--gap: solver 'rtn' does not use a relative gap tolerance/);
    const nodes = await runCli(['solve', p, '-s', 'sdp', '--node-limit', '5']);
    expect(nodes.code).toBe(2);
    expect(nodes.stderr).toMatch(/--node-limit: solver 'sdp' does not use a node limit/);
    const backend = await runCli(['solve', p, '-s', 'quant-exact', '--backend', 'jsl']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(/--backend: solver 'quant-exact' does not use a back end/);
    const tl = await runCli(['solve', p, '-s', 'rtn', '--time-limit', '5', '--json']);
    expect(tl.code).toBe(0);
    expect(JSON.parse(tl.stdout).status).toBe('feasible');
    expect(tl.stderr).toMatch(/warning: --time-limit: solver 'rtn' does not check the clock/);
  });

  it('good options are typed and used', async () => {
    const r = await runCli(['solve', file('opt3.json', good), '-s', 'prune-exact', '-O', 'order=natural', '-O', 'perspective=true', '--node-limit', '100', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('optimal');
  });

  it('pvq solvers --json prints each schema and capabilities', async () => {
    const r = await runCli(['solvers', '--json']);
    const list = JSON.parse(r.stdout).solvers as { name: string; capabilities: string[]; options: Record<string, { type: string; values?: string[]; default?: unknown; help: string }> }[];
    const pe = list.find((s) => s.name === 'prune-exact')!;
    expect(pe.options.order.type).toBe('enum');
    expect(pe.options.order.values).toContain('saliency-desc');
    expect(pe.options.order.default).toBe('saliency-desc');
    expect(pe.capabilities).toContain('nodeLimit');
    expect(list.find((s) => s.name === 'rtn')!.capabilities).toEqual([]);
    expect(list.find((s) => s.name === 'quant-oa')!.options.backend.values).toEqual(['glpk', 'jsl']);
    const table = await runCli(['solvers']);
    expect(table.stdout).toMatch(/prune-exact.*diag, order, bound, perspective/);
  });
});

describe('-o into a directory that does not exist: refused before computing', () => {
  for (const args of [
    ['solve', 'P', '-s', 'quant-exact'],
    ['compare', 'P'],
    ['build', '--type', 'linear', '--acts', join(REPO, 'problems/data/default_X.npy'), '--weights', join(REPO, 'problems/data/default_W.npy')],
  ]) {
    it(args[0], async () => {
      const outFile = join(dir, 'no-such-dir', 'sub', 'out.json');
      const r = await runCli([...args.map((a) => (a === 'P' ? file('o.json', good) : a)), '-o', outFile]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--output: cannot write ".*out\.json": directory ".*no-such-dir.sub" does not exist/);
      expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    });
  }

  it('--plot of analytic and tensors', async () => {
    const r = await runCli(['analytic', '--plot', join(dir, 'nope', 'p.svg')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--plot: cannot write/);
    const t = await runCli(['tensors', join(REPO, 'problems/data/default_W.npy'), '--plot-map', join(dir, 'nope', 'm.svg')]);
    expect(t.code).toBe(2);
    expect(t.stdout).toBe('');
    expect(t.stderr).toMatch(/--plot-map: cannot write ".*m\.svg": directory ".*nope" does not exist/);
  });
});

describe('problem files with unknown keys and build --channels out of range', () => {
  it('an unknown key is warned about: one line naming the file and the key, the run goes on', async () => {
    const p = file('unknown.json', { format: 'pvq-layer', version: 1, name: 'L', problems: [{ ...good, prunebox: [-1, 1] }, { ...good, prunebox: [-1, 1] }] });
    const r = await runCli(['solve', p, '-s', 'rtn', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(p);
    expect(lines[0]).toMatch(/warning: .*unknown key "prunebox" ignored \(at problems\[0\]\.prunebox and 1 more place\(s\)\)/);
    expect(JSON.parse(r.stdout).results).toHaveLength(2);
    const clean = await runCli(['solve', file('clean.json', good), '-s', 'rtn', '--json']);
    expect(clean.stderr).toBe('');
  });

  const layerArgs = ['build', '--type', 'linear', '--acts', join(REPO, 'problems/data/default_X.npy'), '--weights', join(REPO, 'problems/data/default_W.npy')];
  it('build --channels 0: exit 2, nothing written', async () => {
    const outFile = join(dir, 'ch0.json');
    const r = await runCli([...layerArgs, '--channels', '0', '-o', outFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--channels: must be >= 1/);
    expect(existsSync(outFile)).toBe(false);
  });

  it('build --channels 99 on an 8-channel layer: exit 2 naming the channel count', async () => {
    const r = await runCli([...layerArgs, '--channels', '99']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--channels: 99 requested but the weight tensor .*default_W\.npy has 8 output channel\(s\)/);
    const ok = await runCli([...layerArgs, '--channels', '8']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).problems).toHaveLength(8);
  });
});
