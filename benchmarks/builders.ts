/**
 * Builder speed: Gram accumulation (im2col in row blocks), whole-layer builds and scale rules.
 * Usage: npx tsx benchmarks/builders.ts [--quick]   (median of 5 runs, 3 with --quick; prints a markdown table)
 */
import { buildConv2dLayer, buildLinearLayer, type Tensor } from '../problems/build.js';
import { chooseScale } from '../src/formats/scale.js';
import { Rng } from '../src/core/random.js';

const quick = process.argv.includes('--quick');
const reps = quick ? 3 : 5;

function tensor(shape: number[], seed: number, relu = false): Tensor {
  const rng = new Rng(seed);
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    const v = rng.normal();
    data[i] = relu ? Math.max(0, v) : v;
  }
  return { shape, data };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f: () => unknown): number {
  f(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const rows: string[][] = [];
function row(name: string, detail: string, f: () => { length: number } | unknown): void {
  let count = '';
  const ms = time(() => {
    const r = f();
    if (Array.isArray(r)) count = String(r.length);
  });
  rows.push([name, detail, count, ms.toFixed(1)]);
}

// 1x1 conv 64 -> 384 on 14x14 maps (MobileNet-V2 features.8.conv.0.0 in the paper's README), 64 images
const X1 = tensor([quick ? 16 : 64, 64, 14, 14], 1, true);
const W1 = tensor([384, 64, 1, 1], 2);
row('conv2d 1x1 64->384, 14x14', `${X1.shape[0]} images, optDim 32 (2 chunks, n = 32)`, () => buildConv2dLayer(X1, W1, { optDim: 32 }));
row('conv2d 1x1 64->384, 14x14', `${X1.shape[0]} images, full rows (n = 64)`, () => buildConv2dLayer(X1, W1));
// 3x3 conv 32 -> 64 on 28x28 maps, 16 images
const X2 = tensor([quick ? 4 : 16, 32, 28, 28], 3, true);
const W2 = tensor([64, 32, 3, 3], 4);
row('conv2d 3x3 32->64, 28x28', `${X2.shape[0]} images, optDim 32 (9 chunks, n = 36/27)`, () => buildConv2dLayer(X2, W2, { optDim: 32 }));
row('conv2d 3x3 32->64, 28x28', `${X2.shape[0]} images, full rows (n = 288)`, () => buildConv2dLayer(X2, W2));
// ViT-like linear: [8, 197, 768] tokens, 768 -> 768
const X3 = tensor([quick ? 2 : 8, 197, 768], 5);
const W3 = tensor([768, 768], 6);
row('linear 768->768', `${X3.shape[0]}x197 tokens, optDim 32 (24 chunks)`, () => buildLinearLayer(X3, W3, { optDim: 32 }));
row('linear 768->768', `${X3.shape[0]}x197 tokens, optDim 32, mse-exact scales`, () => buildLinearLayer(X3, W3, { optDim: 32, scaleRule: 'mse-exact' }));
// scale rules alone
const vals = tensor([768 * 32], 7).data;
for (const bits of [4, 8]) {
  row(`scale paper-grid, ${bits} bits`, '24576 weights (one ViT chunk)', () => chooseScale(vals, bits, 'paper-grid'));
  row(`scale mse-exact, ${bits} bits`, '24576 weights (one ViT chunk)', () => chooseScale(vals, bits, 'mse-exact'));
}

console.log(`| case | detail | problems | median ms (${reps} runs) |`);
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
