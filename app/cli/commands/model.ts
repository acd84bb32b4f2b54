import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PvqInputError } from '../../../src/core/errors.js';
import { DEMO_BATCH_SIZE, textLineBatch } from '../../../problems/text-batch.js';
import { npyBytes } from '../../../src/io/npy-write.js';
import { runModelStudy, type ModelInputSpec } from '../../../study/model/pipeline.js';
import { renderModelReport, REPORT_FILES } from '../../../study/report/model-report.js';
import { parseInteger, parsePositiveNumber } from '../common.js';
import { out, writeFileAtomic } from '../output.js';
import { DelayedProgress } from '../progress.js';

interface ModelCliOptions {
  input: string;
  layers?: string;
  bits: string;
  optDim: string;
  timeLimit: string;
  budget?: string;
  workers?: string;
  store?: string;
  queue?: string;
  output: string;
  paperIm2col?: boolean;
  channelsPerLayer?: string;
  seed: string;
  pruneBox: boolean;
  baselines: boolean;
  progress: boolean;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new PvqInputError(flag, `expected an integer >= 1, got ${JSON.stringify(v)}`);
  return n;
}

/** `--input`: a .npy file, NAME=FILE.npy (checked against the model's input name), or demo[:N[:SEED]]. */
function inputSpec(v: string): ModelInputSpec {
  const demo = /^demo(?::(\d+)(?::(-?\d+))?)?$/.exec(v);
  if (demo) return { kind: 'demo', n: demo[1] ? positiveInt(demo[1], '--input') : DEMO_BATCH_SIZE, seed: demo[2] ? parseInteger(demo[2], '--input') : 1 };
  const eq = v.indexOf('=');
  if (eq > 0 && !v.slice(0, eq).includes('/')) return { kind: 'file', name: v.slice(0, eq), path: v.slice(eq + 1) };
  return { kind: 'file', path: v };
}

export function registerModel(program: Command): void {
  program
    .command('model')
    .description('whole-model study: every Conv / Gemm / MatMul weight layer of an ONNX model, per channel and bit width, quantization vs pruning with proven bounds')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--input <batch>', 'input batch: NCHW float32 .npy (or NAME=FILE.npy), or "demo[:N[:SEED]]" for the built-in text-line batch')
    .option('--layers <regex>', 'only layers whose name or weight name matches')
    .option('--bits <list>', 'bit widths', '2,3,4')
    .option('--opt-dim <n|full>', 'sub-problem size: input channels are split into chunks of about N weights (the paper\'s --opt-dim), or "full" rows', '32')
    .option('--time-limit <seconds>', 'limit per method and sub-problem for the exact solver', '1')
    .option('--budget <seconds>', 'total budget: the per-sub-problem limit becomes min(--time-limit, budget / sub-problems)')
    .option('--workers <n>', 'worker threads (default: all cores)')
    .option('--store <file>', 'embedded result store (resumable runs)')
    .option('--queue <url>', 'redis://HOST:PORT: put the sub-problems on a BullMQ queue for `pvq worker`')
    .option('-o, --output <dir>', 'report directory', 'pvq-model-report')
    .option('--paper-im2col', "convolutions with the official code's im2col (stride 1, no padding, no dilation) instead of the layer's own")
    .option('--channels-per-layer <n>', 'only the first N output channels of each layer (quick runs)')
    .option('--seed <n>', 'base seed (each sub-problem mixes it with its key)', '1')
    .option('--no-prune-box', 'no box on the pruned weights')
    .option('--no-baselines', 'skip the heuristic baselines')
    .option('--no-progress', 'no progress on stderr')
    .action(async (modelPath: string, o: ModelCliOptions) => {
      const bits = o.bits.split(',').map((b) => positiveInt(b.trim(), '--bits'));
      const optDim = o.optDim === 'full' ? null : positiveInt(o.optDim, '--opt-dim');
      const timeLimitMs = parsePositiveNumber(o.timeLimit, '--time-limit') * 1000;
      const budgetMs = o.budget !== undefined ? parsePositiveNumber(o.budget, '--budget') * 1000 : undefined;
      const workers = o.workers !== undefined ? positiveInt(o.workers, '--workers') : undefined;
      if (o.queue !== undefined && !/^rediss?:\/\/[^/\s]+/.test(o.queue)) throw new PvqInputError('--queue', `expected redis://HOST:PORT, got ${JSON.stringify(o.queue)}`);
      const channelsPerLayer = o.channelsPerLayer !== undefined ? positiveInt(o.channelsPerLayer, '--channels-per-layer') : undefined;
      const seed = parseInteger(o.seed, '--seed');
      const progress = new DelayedProgress('model', o.progress && !process.env.CI);
      const res = await runModelStudy({
        modelPath,
        input: inputSpec(o.input),
        layers: o.layers,
        bits,
        optDim,
        im2col: o.paperIm2col ? 'paper' : 'layer',
        timeLimitMs,
        budgetMs,
        channelsPerLayer,
        seed,
        baselines: o.baselines,
        pruneBox: o.pruneBox,
        run: { workers, storePath: o.store, queueUrl: o.queue, onProgress: (d, t) => progress.update(d, t) },
        onStage: o.progress ? (m) => process.stderr.write(`pvq model: ${m}\n`) : undefined,
      });
      progress.stop();
      // everything is rendered before the first write; each file is written atomically
      const files = await renderModelReport(res);
      try {
        mkdirSync(o.output, { recursive: true });
      } catch (e) {
        throw new PvqInputError(o.output, `cannot create the report directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      for (const f of REPORT_FILES) writeFileAtomic(join(o.output, f), files[f]);
      out(files['table.txt']);
      out(`report: ${REPORT_FILES.map((f) => join(o.output, f)).join(', ')}`);
    });

  program
    .command('demo-batch')
    .description('write the built-in demo input: text lines in a 5x7 bitmap font, PaddleOCR-normalised, float32 [N, 3, 48, 192]')
    .requiredOption('-o, --output <file>', '.npy file to write')
    .option('--n <n>', 'number of images', String(DEMO_BATCH_SIZE))
    .option('--seed <n>', 'seed', '1')
    .action((o: { output: string; n: string; seed: string }) => {
      const b = textLineBatch({ n: positiveInt(o.n, '--n'), seed: parseInteger(o.seed, '--seed') });
      writeFileAtomic(o.output, npyBytes(b.shape, b.data, '<f4'));
      out(`${o.output}: [${b.shape.join(', ')}] float32; lines: ${b.lines.map((l) => JSON.stringify(l.text) + (l.rotated ? ' (rotated 180)' : '')).join(', ')}`);
    });
}
