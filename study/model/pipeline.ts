/**
 * Whole-model study: model file + input batch -> weight layers (filtered by a regex) -> captured input
 * activations (onnxruntime) -> per-channel / per-chunk layer problems at each bit width -> jobs with stable keys
 * and per-sub-problem seeds -> scheduler -> aggregates per layer and bit width and per model (the paper's
 * semantics: errors and energies summed, then SQNR = 10 log10(sum r / sum error)).
 *
 * Every input is read and checked before any solving; nothing here writes files (the report is rendered by
 * study/report/model-report.ts and written by the CLI).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { aggregate, type AggregateComparison, type ChannelComparison } from '../compare/compare.js';
import { PvqInputError } from '../../src/core/errors.js';
import { readBytes } from '../../src/io/files.js';
import { readNpy, type NdArray } from '../../src/io/npy.js';
import { parseOnnxGraph, type OnnxLayer, type SkippedLayer } from '../../src/io/onnx-graph.js';
import { captureActivations, checkModelInput } from '../../src/io/onnx-run.js';
import { buildModelLayerProblems, type Im2colMode } from '../../problems/model.js';
import { textLineBatch } from '../../problems/text-batch.js';
import { jobKey, makeJob, type Job, type JobOptions, type JobResult, type RunOptions } from '../run/jobs.js';
import { runJobs } from '../run/schedule.js';

export type ModelInputSpec =
  | { kind: 'file'; path: string; /** Input name to check against the model's (optional). */ name?: string }
  | { kind: 'demo'; n: number; seed: number };

export interface ModelStudyOptions {
  modelPath: string;
  input: ModelInputSpec;
  /** Regex (source) tested against each layer's name and weight name; default: every layer. */
  layers?: string;
  bits: number[];
  /** Sub-problem size (opt-dim); null = full rows. */
  optDim: number | null;
  im2col: Im2colMode;
  /** Per-method, per-sub-problem limit of the exact solver (ms). */
  timeLimitMs: number;
  /** Total budget (ms): the per-sub-problem limit becomes min(timeLimitMs, budgetMs / sub-problems). */
  budgetMs?: number;
  /** Only the first N output channels of each layer (a cap for quick runs). */
  channelsPerLayer?: number;
  /** Base seed, combined with each sub-problem's key. */
  seed: number;
  baselines: boolean;
  pruneBox: boolean;
  /** Scheduler options (workers, store, queue, progress). */
  run?: RunOptions;
  /** Progress messages (stages) for stderr. */
  onStage?: (message: string) => void;
}

/** One weight layer as the results describe it: the graph's facts without the weight data. */
export interface LayerInfo extends Pick<OnnxLayer, 'name' | 'input' | 'weightName' | 'weights' | 'stride' | 'padding' | 'dilation' | 'group' | 'kernel'> {
  op: string;
  kind: string;
  inputShape: number[];
  weightShape: number[];
}

export interface SubproblemResult {
  key: string;
  layer: string;
  bits: number;
  channel: number | null;
  chunk: number | null;
  comparison: ChannelComparison;
}

export interface LayerBitsSummary {
  layer: string;
  op: string;
  kind: string;
  bits: number;
  subproblems: number;
  aggregate: AggregateComparison;
}

export interface ModelStudyResult {
  format: 'pvq-model-results';
  version: 1;
  settings: {
    bits: number[];
    optDim: number | 'full';
    im2col: Im2colMode;
    timeLimitMs: number;
    requestedTimeLimitMs: number;
    budgetMs: number | null;
    channelsPerLayer: number | null;
    layers: string | null;
    seed: number;
    baselines: boolean;
    pruneBox: boolean;
    scaleRule: 'paper-grid';
    kRule: string;
  };
  model: { file: string; sha256: string; opset: number | null; weightLayers: number; weights: number; skipped: SkippedLayer[] };
  input: { source: string; name: string; shape: number[]; sha256: string; lines?: { text: string; rotated: boolean }[] };
  layers: LayerInfo[];
  subproblems: SubproblemResult[];
  perLayer: LayerBitsSummary[];
  perModel: { bits: number; subproblems: number; aggregate: AggregateComparison }[];
  timeMs: number;
}

/** The one place the scheduler is called. */
async function runAll(jobs: readonly Job[], opts: RunOptions, identity: Record<string, unknown>): Promise<JobResult[]> {
  // the store records which model, batch and settings it holds: another run's store is refused (exit 2)
  return runJobs(jobs, { ...opts, storeIdentity: identity });
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Seed of a sub-problem: the base seed mixed with the first 32 bits of its key (same key, same seed). */
export function subproblemSeed(parts: Record<string, unknown>, base: number): number {
  return (Number.parseInt(jobKey(parts).slice(0, 8), 16) ^ base) >>> 0;
}

/**
 * The paper's im2col (stride 1, no padding, no dilation) cannot place a kernel larger than the input (torch's
 * unfold raises there too): such layers are skipped with this reason. Null when the layer can be built.
 */
function paperIm2colMisfit(l: OnnxLayer, shape: readonly number[], mode: Im2colMode): string | null {
  if (mode !== 'paper' || l.kind === 'linear' || shape.length !== 4) return null;
  const [kh, kw] = l.kernel;
  if (shape[2] >= kh && shape[3] >= kw) return null;
  return `the paper's im2col (no padding) does not fit a ${kh}x${kw} kernel into a ${shape[2]}x${shape[3]} input`;
}

function compileRegex(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch (e) {
    throw new PvqInputError('--layers', `invalid regular expression ${JSON.stringify(src)} (${e instanceof Error ? e.message : String(e)})`);
  }
}

interface Pending {
  parts: Record<string, unknown>;
  /** Dropped once its job is made (the job holds the problem). */
  problem: ReturnType<typeof buildModelLayerProblems>[number] | null;
  layer: string;
  bits: number;
  channel: number | null;
  chunk: number | null;
}

/** Everything a study needs before solving: the jobs (in order) and what is needed to aggregate their results. */
export interface ModelStudyPlan {
  options: ModelStudyOptions;
  jobs: Job[];
  timeLimitMs: number;
  t0: number;
  /** @internal */
  pending: Pending[];
  /** @internal */
  meta: Omit<ModelStudyResult, 'subproblems' | 'perLayer' | 'perModel' | 'timeMs' | 'settings'>;
  /** @internal */
  layerList: OnnxLayer[];
}

/** Run a whole-model study: plan (read, check, capture, build jobs), run the jobs, aggregate. */
export async function runModelStudy(o: ModelStudyOptions): Promise<ModelStudyResult> {
  const plan = await planModelStudy(o);
  const results = await runAll(plan.jobs, o.run ?? {}, { model: plan.meta.model.sha256, input: plan.meta.input.sha256 });
  return collectModelStudy(plan, results);
}

/** The input batch of a study: the demo text lines or a .npy file, its description and the field to name in errors. */
function readInputBatch(input: ModelStudyOptions['input']): { batch: NdArray; source: string; lines: ModelStudyResult['input']['lines']; inputField: string } {
  let batch: NdArray;
  let source: string;
  let lines: ModelStudyResult['input']['lines'];
  let inputField: string;
  if (input.kind === 'demo') {
    const tb = textLineBatch({ n: input.n, seed: input.seed });
    batch = { shape: tb.shape, dtype: 'f4', data: tb.data, fortranOrder: false };
    source = `demo text lines (n = ${input.n}, seed = ${input.seed})`;
    lines = tb.lines;
    inputField = '--input demo';
  } else {
    batch = readNpy(input.path);
    source = basename(input.path);
    inputField = input.path;
  }
  return { batch, source, lines, inputField };
}

/** A layer as the result file describes it (its captured input shape included). */
function describeLayer(l: OnnxLayer, inputShapes: ReadonlyMap<string, number[]>): ModelStudyResult['layers'][number] {
  return {
    name: l.name,
    op: l.op,
    kind: l.kind,
    input: l.input,
    inputShape: inputShapes.get(l.input) ?? [],
    weightName: l.weightName,
    weightShape: l.weight.shape,
    weights: l.weights,
    stride: l.stride,
    padding: l.padding,
    dilation: l.dilation,
    group: l.group,
    kernel: l.kernel,
  };
}

/** Read and check every input, capture the activations and build the jobs (nothing is solved). */
export async function planModelStudy(o: ModelStudyOptions): Promise<ModelStudyPlan> {
  const t0 = performance.now();
  const stage = o.onStage ?? (() => undefined);
  if (o.bits.length === 0) throw new PvqInputError('--bits', 'expected at least one bit width');
  for (const b of o.bits) if (!Number.isInteger(b) || b < 2 || b > 8) throw new PvqInputError('--bits', `expected integers in [2, 8], got ${b}`);
  // 1. model
  const bytes = readBytes(o.modelPath);
  const modelHash = sha256(bytes);
  const { model, info } = await parseOnnxGraph(bytes, o.modelPath);
  if (info.layers.length === 0)
    throw new PvqInputError(o.modelPath, `no supported weight layer (Conv, Gemm or MatMul with a constant weight)${info.skipped.length ? `; skipped: ${info.skipped.slice(0, 3).map((s) => `${s.name} (${s.reason})`).join('; ')}` : ''}`);
  let layers: OnnxLayer[] = info.layers;
  if (o.layers !== undefined) {
    const re = compileRegex(o.layers);
    layers = layers.filter((l) => re.test(l.name) || re.test(l.weightName));
    if (layers.length === 0)
      throw new PvqInputError('--layers', `no weight layer of ${basename(o.modelPath)} matches /${o.layers}/ (layers are named e.g. ${info.layers.slice(0, 3).map((l) => l.name).join(', ')})`);
  }
  // 2. input batch
  const { batch, source, lines, inputField } = readInputBatch(o.input);
  const feed = checkModelInput(info.inputs, batch, inputField, o.modelPath, o.input.kind === 'file' ? o.input.name : undefined);
  const inputHash = createHash('sha256').update(JSON.stringify(feed.shape)).update(new Uint8Array(feed.data.buffer, feed.data.byteOffset, feed.data.byteLength)).digest('hex');
  // 3. capture, layer by layer, and build the problems (activations are dropped after their layer)
  const byInput = new Map<string, OnnxLayer[]>();
  for (const l of layers) byInput.set(l.input, [...(byInput.get(l.input) ?? []), l]);
  const inputShapes = new Map<string, number[]>();
  const pending: Pending[] = [];
  const optDimKey = o.optDim ?? 'full';
  const notBuilt: SkippedLayer[] = [];
  stage(`capturing ${byInput.size} activation tensor(s) with onnxruntime`);
  for await (const act of captureActivations(model, [...byInput.keys()], feed, o.modelPath)) {
    inputShapes.set(act.name, act.shape);
    for (const l of byInput.get(act.name) ?? []) {
      const why = paperIm2colMisfit(l, act.shape, o.im2col);
      if (why) {
        notBuilt.push({ name: l.name, op: l.op, reason: why });
        continue;
      }
      for (const bits of o.bits) {
        const problems = buildModelLayerProblems(l, act, { bits, optDim: o.optDim, im2col: o.im2col, channels: o.channelsPerLayer }, o.modelPath);
        for (const p of problems) {
          const channel = typeof p.meta.channel === 'number' ? p.meta.channel : null;
          const chunkMeta = p.meta.chunk as { index?: number } | undefined;
          const chunk = typeof chunkMeta?.index === 'number' ? chunkMeta.index : null;
          const parts = { modelHash, inputHash, layer: l.name, channel, chunk, bits, optDim: optDimKey, im2col: o.im2col, scaleRule: 'paper-grid' };
          pending.push({ parts, problem: p, layer: l.name, bits, channel, chunk });
        }
      }
    }
  }
  if (notBuilt.length > 0) {
    const dropped = new Set(notBuilt.map((k) => k.name));
    layers = layers.filter((l) => !dropped.has(l.name));
    if (layers.length === 0) throw new PvqInputError('--paper-im2col', `no selected layer can be built: ${notBuilt.slice(0, 3).map((k) => `${k.name}: ${k.reason}`).join('; ')}`);
    stage(`${notBuilt.length} layer(s) skipped: ${notBuilt.map((k) => k.name).join(', ')} (${notBuilt[0].reason})`);
  }
  // 4. jobs
  const timeLimitMs = o.budgetMs !== undefined ? Math.min(o.timeLimitMs, o.budgetMs / Math.max(1, pending.length)) : o.timeLimitMs;
  const jobs: Job[] = pending.map((q) => {
    const options: JobOptions = { timeLimitMs, pruneBox: o.pruneBox, seed: subproblemSeed(q.parts, o.seed), baselines: o.baselines };
    const job = makeJob(q.problem!, options, q.parts);
    q.problem = null;
    return job;
  });
  stage(`${jobs.length} sub-problem(s) in ${layers.length} layer(s) at ${o.bits.length} bit width(s), ${(timeLimitMs / 1000).toPrecision(3)} s limit per method`);
  const meta: ModelStudyPlan['meta'] = {
    format: 'pvq-model-results',
    version: 1,
    model: {
      file: basename(o.modelPath),
      sha256: modelHash,
      opset: info.opset,
      weightLayers: info.layers.length,
      weights: info.layers.reduce((s, l) => s + l.weights, 0),
      skipped: [...info.skipped, ...notBuilt],
    },
    input: { source, name: feed.name, shape: feed.shape, sha256: inputHash, ...(lines ? { lines } : {}) },
    layers: layers.map((l) => describeLayer(l, inputShapes)),
  };
  return { options: o, jobs, timeLimitMs, t0, pending, meta, layerList: layers };
}

/** Aggregate the jobs' results (in the order of plan.jobs) per layer and bit width and per model. */
export function collectModelStudy(plan: ModelStudyPlan, results: readonly JobResult[]): ModelStudyResult {
  const { options: o, jobs, pending, timeLimitMs, layerList: layers } = plan;
  if (results.length !== jobs.length) throw new Error(`scheduler returned ${results.length} results for ${jobs.length} jobs`);
  const subproblems: SubproblemResult[] = results.map((r, i) => {
    if (r.key !== jobs[i].key) throw new Error(`scheduler returned results out of order (job ${i})`);
    const q = pending[i];
    return { key: r.key, layer: q.layer, bits: q.bits, channel: q.channel, chunk: q.chunk, comparison: r.comparison };
  });
  // 6. aggregate per layer and bit width, and per model
  const perLayer: LayerBitsSummary[] = [];
  for (const l of layers)
    for (const bits of o.bits) {
      const cs = subproblems.filter((s) => s.layer === l.name && s.bits === bits).map((s) => s.comparison);
      if (cs.length === 0) continue;
      const agg = aggregate(cs.map((c) => ({ ...c, layer: l.name, kind: c.kind })), l.name);
      // one kind per layer at fixed settings; if a layer mixed kinds, merge them under one label
      const a = agg.length === 1 ? agg[0] : aggregate(cs.map((c) => ({ ...c, layer: l.name, kind: 'mixed' })), l.name)[0];
      perLayer.push({ layer: l.name, op: l.op, kind: l.kind, bits, subproblems: cs.length, aggregate: a });
    }
  const perModel = o.bits.map((bits) => {
    const cs = subproblems.filter((s) => s.bits === bits).map((s) => ({ ...s.comparison, layer: 'model', kind: 'model' }));
    return { bits, subproblems: cs.length, aggregate: aggregate(cs, 'model')[0] };
  });
  return {
    ...plan.meta,
    settings: {
      bits: [...o.bits],
      optDim: o.optDim ?? 'full',
      im2col: o.im2col,
      timeLimitMs,
      requestedTimeLimitMs: o.timeLimitMs,
      budgetMs: o.budgetMs ?? null,
      channelsPerLayer: o.channelsPerLayer ?? null,
      layers: o.layers ?? null,
      seed: o.seed,
      baselines: o.baselines,
      pruneBox: o.pruneBox,
      scaleRule: 'paper-grid',
      kRule: 'round(n*b/16)',
    },
    subproblems,
    perLayer,
    perModel,
    timeMs: performance.now() - plan.t0,
  };
}
