/**
 * Problem builders: from in-memory activations and weights (as a researcher brings them from PyTorch as
 * `.npy`) to per-output-channel `LayerProblem`s, following the paper's code (Kuzmin et al., NeurIPS 2023,
 * `ptq_sqnr_bounds.py`): G = A^T A of the layer input (im2col for convolutions), r = w^T G w, a scale
 * fixed before optimisation, the signed b-bit grid, k = round(n*b/16) and the box [2 min w, 2 max w].
 */
import { PvqInputError } from '../src/core/errors.js';
import { makeObjective } from '../src/core/objective.js';
import type { LayerProblem } from '../src/core/types.js';
import { validateGram } from '../src/io/layer-problem.js';
import { inputChunks, type ChunkRange } from './chunks.js';
import { columnsGram, convGram, convOutSize, pair, type Conv2dGeometry, type ConvInput, type Pair } from './im2col.js';
import { intGrid } from '../src/formats/range.js';
import { chooseScale, SCALE_RULES, type ScaleRule } from '../src/formats/scale.js';

/** An n-d array as `.npy` readers return it: row-major data with a shape. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** One scale per tensor (and chunk), per output channel (and chunk), or per group of `groupSize` consecutive inputs of a channel. */
export type ScaleGranularity = 'tensor' | 'channel' | 'group';
/** Group sizes of `scaleGranularity: 'group'` (the usual ones; any integer >= 1 is accepted). */
export const DEFAULT_GROUP_SIZE = 128;
export type PruneBoxRule = 'paper' | 'none';
export type GramNormalization = 'sum' | 'mean';

export interface BuildOptions {
  /** Bit width b (default 4): grid [-2^(b-1), 2^(b-1)-1], k = round(n*b/16). */
  bits?: number;
  /** Split input channels into ceil(C_in*kh*kw/optDim) chunks (numpy array_split). Omit for full rows. */
  optDim?: number | null;
  /** Scale rule (default 'paper-grid'). */
  scaleRule?: ScaleRule;
  /**
   * One scale per tensor (per chunk, over all output channels; the paper), per output channel (and chunk), or per
   * group of `groupSize` consecutive inputs of each output channel ('group': the problem's `scales`, one per input).
   */
  scaleGranularity?: ScaleGranularity;
  /** With scaleGranularity 'group': inputs per scale, e.g. 32, 64, 128 (default 128). Groups run over the whole row (im2col order), across chunks. */
  groupSize?: number;
  /** 'paper' (default): pruneBox = [2 min(w), 2 max(w)] per problem; 'none': no box. */
  pruneBox?: PruneBoxRule;
  /** Output channels to build: a count (the first ones, like --num-output-channels) or a list. Default: all. */
  channels?: number | readonly number[];
  /** Layer name used in problem names and meta (default 'layer'). */
  layer?: string;
  /** G = A^T A ('sum', the paper; default) or A^T A / rows ('mean'). SQNRs do not depend on it. */
  gram?: GramNormalization;
}

export interface Conv2dOptions extends BuildOptions {
  /** Default 1 (the paper's code always uses stride 1, no padding, no dilation). */
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

export type LayerSpec =
  | ({ type: 'linear'; X: Tensor; W: Tensor } & BuildOptions)
  | ({ type: 'conv2d'; X: Tensor; W: Tensor } & Conv2dOptions)
  | ({ type: 'depthwise'; X: Tensor; W: Tensor } & Conv2dOptions);

/** Equal compression: k = round(n*b/16), half up, capped at n. */
export function equalCompressionK(n: number, bits: number): number {
  return Math.min(n, Math.floor((n * bits) / 16 + 0.5));
}
export const K_RULE = 'round(n*b/16)';

/**
 * The paper's pruning box [2 min(w), 2 max(w)], widened to contain 0 when all weights have one sign
 * (pruned weights are 0; the solvers require 0 in the box). With mixed signs it is exactly the paper's box.
 */
export function paperPruneBox(w: ArrayLike<number>): [number, number] {
  let mn = 0;
  let mx = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] < mn) mn = w[i];
    if (w[i] > mx) mx = w[i];
  }
  return [2 * mn, 2 * mx];
}

interface Resolved {
  bits: number;
  scaleRule: ScaleRule;
  scaleGranularity: ScaleGranularity;
  groupSize: number | null;
  pruneBox: PruneBoxRule;
  layer: string;
  gram: GramNormalization;
}

function resolve(o: BuildOptions): Resolved {
  const bits = o.bits ?? 4;
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new PvqInputError('bits', `expected an integer in [1, 16], got ${bits}`);
  const scaleRule = o.scaleRule ?? 'paper-grid';
  if (!SCALE_RULES.includes(scaleRule)) throw new PvqInputError('scaleRule', `unknown rule ${JSON.stringify(scaleRule)}; expected one of ${SCALE_RULES.join(', ')}`);
  const scaleGranularity = o.scaleGranularity ?? 'tensor';
  if (scaleGranularity !== 'tensor' && scaleGranularity !== 'channel' && scaleGranularity !== 'group')
    throw new PvqInputError('scaleGranularity', `expected 'tensor', 'channel' or 'group', got ${JSON.stringify(scaleGranularity)}`);
  if (o.groupSize !== undefined && scaleGranularity !== 'group') throw new PvqInputError('groupSize', `only with scaleGranularity 'group' (got ${JSON.stringify(scaleGranularity)})`);
  const groupSize = scaleGranularity === 'group' ? (o.groupSize ?? DEFAULT_GROUP_SIZE) : null;
  if (groupSize !== null && (!Number.isInteger(groupSize) || groupSize < 1)) throw new PvqInputError('groupSize', `expected an integer >= 1, got ${groupSize}`);
  const pruneBox = o.pruneBox ?? 'paper';
  if (pruneBox !== 'paper' && pruneBox !== 'none') throw new PvqInputError('pruneBox', `expected 'paper' or 'none', got ${JSON.stringify(pruneBox)}`);
  const gram = o.gram ?? 'sum';
  if (gram !== 'sum' && gram !== 'mean') throw new PvqInputError('gram', `expected 'sum' or 'mean', got ${JSON.stringify(gram)}`);
  if (o.optDim !== undefined && o.optDim !== null && !(typeof o.optDim === 'number' && Number.isFinite(o.optDim)))
    throw new PvqInputError('optDim', `expected a number, got ${JSON.stringify(o.optDim)}`);
  return { bits, scaleRule, scaleGranularity, groupSize, pruneBox, layer: o.layer ?? 'layer', gram };
}

/** Check a tensor's shape and data (finite numbers, length = product of the shape). */
export function checkTensor(t: Tensor, field: string, ranks: readonly number[]): void {
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || t.data === undefined)
    throw new PvqInputError(field, 'expected a tensor {shape, data}');
  if (!ranks.includes(t.shape.length)) throw new PvqInputError(field, `expected ${ranks.join(' or ')} dimensions, got shape [${t.shape.join(', ')}]`);
  let size = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 1) throw new PvqInputError(field, `invalid shape [${t.shape.join(', ')}]: dimensions must be integers >= 1`);
    size *= d;
  }
  if (t.data.length !== size) throw new PvqInputError(field, `shape [${t.shape.join(', ')}] needs ${size} values, data has ${t.data.length}`);
  const d = t.data;
  for (let i = 0; i < size; i++) if (!Number.isFinite(d[i])) throw new PvqInputError(field, `data[${i}] = ${d[i]} is not finite`);
}

function channelList(sel: BuildOptions['channels'], out: number): number[] {
  if (sel === undefined) return Array.from({ length: out }, (_, i) => i);
  if (typeof sel === 'number') {
    if (!Number.isInteger(sel) || sel < 0) throw new PvqInputError('channels', `expected a count >= 0 or a list, got ${sel}`);
    return Array.from({ length: Math.min(sel, out) }, (_, i) => i);
  }
  for (const c of sel) if (!Number.isInteger(c) || c < 0 || c >= out) throw new PvqInputError('channels', `channel ${c} out of range [0, ${out})`);
  return [...sel];
}

/** Per-chunk data: its Gram matrix and how to read an output channel's weight slice. */
interface ChunkData {
  chunk: ChunkRange;
  G: Float64Array;
  n: number;
  rows: number;
  /** Weights of output channel o restricted to the chunk (copy). */
  weights(o: number): Float64Array;
  /** All output channels' weights restricted to the chunk (for the per-tensor scale). */
  tensorValues(): Float64Array;
  /** Index of the chunk's first input in the full row (im2col order), and the full row of output channel o (group scales). */
  offset: number;
  row(o: number): Float64Array;
}

/** A problem's scale: one step, or one step per coordinate (group scales). */
interface ProblemScale {
  scale: number;
  scales?: Float64Array;
  grid: { qmin: number; qmax: number };
  rule: string;
}

/**
 * Group scales of one output channel: the scale rule applied to each group of `g` consecutive inputs of the full
 * row (the last group may be shorter), read for the `n` inputs starting at `offset` (a chunk).
 */
export function groupScalesOf(row: Float64Array, g: number, bits: number, rule: ScaleRule, offset = 0, n = row.length - offset): Float64Array {
  const out = new Float64Array(n);
  const first = Math.floor(offset / g);
  const last = Math.floor((offset + n - 1) / g);
  for (let q = first; q <= last; q++) {
    const a = q * g;
    const b = Math.min(row.length, a + g);
    const s = chooseScale(row.subarray(a, b), bits, rule).scale;
    for (let i = Math.max(a, offset); i < Math.min(b, offset + n); i++) out[i - offset] = s;
  }
  return out;
}

function groupScale(row: Float64Array, r: Resolved, offset: number, n: number): ProblemScale {
  const g = r.groupSize!;
  return { scale: 1, scales: groupScalesOf(row, g, r.bits, r.scaleRule, offset, n), grid: intGrid(r.bits, true), rule: `${r.scaleRule} per group of ${g}` };
}

/** One channel's problem from its objective and scale, by the shared k / box rules. */
function channelProblem(name: string, objective: LayerProblem['objective'], sc: ProblemScale, r: Resolved, w: Float64Array, meta: Record<string, unknown>): LayerProblem {
  if (objective.r === 0) meta.zeroEnergy = true;
  if (r.groupSize !== null) meta.scaleGroupSize = r.groupSize;
  const n = objective.n;
  return {
    name,
    n,
    objective,
    scale: sc.scale,
    ...(sc.scales ? { scales: sc.scales } : {}),
    zmin: sc.grid.qmin,
    zmax: sc.grid.qmax,
    k: equalCompressionK(n, r.bits),
    pruneBox: r.pruneBox === 'paper' ? paperPruneBox(w) : null,
    meta,
  };
}

function assemble(
  kind: 'linear' | 'conv2d' | 'depthwise',
  chunks: ChunkData[],
  channels: number[],
  r: Resolved,
  fullRow: boolean,
  extraMeta: Record<string, unknown>,
): LayerProblem[] {
  const out: LayerProblem[] = [];
  for (const cd of chunks) {
    if (r.gram === 'mean' && cd.rows > 0) {
      const inv = 1 / cd.rows;
      for (let i = 0; i < cd.G.length; i++) cd.G[i] *= inv;
    }
    validateGram(cd.G, cd.n, 'G'); // exactly symmetric by construction; checks PSD (a bug guard)
    const tensorScale = r.scaleGranularity === 'tensor' ? chooseScale(cd.tensorValues(), r.bits, r.scaleRule) : null;
    for (const o of channels) {
      const w = cd.weights(o);
      const n = cd.n;
      const sc: ProblemScale = tensorScale ?? (r.groupSize !== null ? groupScale(cd.row(o), r, cd.offset, n) : chooseScale(w, r.bits, r.scaleRule));
      const objective = makeObjective(cd.G, w);
      const meta: Record<string, unknown> = {
        layer: r.layer,
        layerType: kind,
        channel: o,
        bits: r.bits,
        kind: fullRow ? 'full-row' : 'chunk',
        scaleRule: sc.rule,
        scaleGranularity: r.scaleGranularity,
        kRule: K_RULE,
        pruneBoxRule: r.pruneBox === 'paper' ? '[2*min(w), 2*max(w)]' : 'none',
        gram: r.gram,
        rows: cd.rows,
        ...extraMeta,
      };
      if (!fullRow) meta.chunk = { index: cd.chunk.index, count: cd.chunk.count, inputs: [cd.chunk.first, cd.chunk.last] };
      const name = fullRow ? `${r.layer}/out${o}` : `${r.layer}/out${o}/chunk${cd.chunk.index}of${cd.chunk.count}`;
      out.push(channelProblem(name, objective, sc, r, w, meta));
    }
  }
  return out;
}

/**
 * Linear layer: X is [rows, in] or [B, T, in] (flattened to [B*T, in]); W is [out, in].
 * Note: problems of the same chunk share one G array (treat it as read-only).
 */
export function buildLinearLayer(X: Tensor, W: Tensor, opts: BuildOptions = {}): LayerProblem[] {
  const r = resolve(opts);
  checkTensor(X, 'X', [2, 3]);
  checkTensor(W, 'W', [2]);
  const inF = X.shape[X.shape.length - 1];
  const rows = X.shape.length === 3 ? X.shape[0] * X.shape[1] : X.shape[0];
  const [outF, wIn] = W.shape;
  if (wIn !== inF) throw new PvqInputError('W', `shape [${W.shape.join(', ')}] does not match X's ${inF} input features`);
  const channels = channelList(opts.channels, outF);
  const ranges = inputChunks(inF, 1, opts.optDim);
  const chunks: ChunkData[] = ranges.map((chunk) => {
    const n = chunk.last - chunk.first;
    return {
      chunk,
      n,
      rows,
      G: columnsGram(X.data, rows, inF, chunk.first, chunk.last),
      weights: (o) => Float64Array.from({ length: n }, (_, j) => W.data[o * inF + chunk.first + j]),
      offset: chunk.first,
      row: (o) => Float64Array.from({ length: inF }, (_, j) => W.data[o * inF + j]),
      tensorValues: () => {
        const v = new Float64Array(outF * n);
        for (let o = 0; o < outF; o++) for (let j = 0; j < n; j++) v[o * n + j] = W.data[o * inF + chunk.first + j];
        return v;
      },
    };
  });
  return assemble('linear', chunks, channels, r, ranges.length === 1, { inFeatures: inF, outFeatures: outF });
}

function geometry(kh: number, kw: number, o: Conv2dOptions): Conv2dGeometry {
  return {
    kh,
    kw,
    stride: pair(o.stride, 1, 'stride', 1),
    padding: pair(o.padding, 0, 'padding', 0),
    dilation: pair(o.dilation, 1, 'dilation', 1),
  };
}

/**
 * Conv2d with groups = 1: X is [N, C, H, W], W is [out, C, kh, kw]. im2col in (channel, kh, kw) column order;
 * stride 1, no padding, no dilation by default (like the paper's code).
 */
export function buildConv2dLayer(X: Tensor, W: Tensor, opts: Conv2dOptions = {}): LayerProblem[] {
  const r = resolve(opts);
  checkTensor(X, 'X', [4]);
  checkTensor(W, 'W', [4]);
  const [N, C, H, Wd] = X.shape;
  const [outC, wC, kh, kw] = W.shape;
  if (wC !== C) throw new PvqInputError('W', `shape [${W.shape.join(', ')}] expects ${wC} input channels but X has ${C} (for depthwise convolutions use the depthwise builder)`);
  const g = geometry(kh, kw, opts);
  const [Ho, Wo] = convOutSize(H, Wd, g);
  if (Ho < 1 || Wo < 1) throw new PvqInputError('X', `a ${kh}x${kw} kernel (dilation ${g.dilation.join('x')}, padding ${g.padding.join('x')}) does not fit a ${H}x${Wd} input`);
  const x: ConvInput = { data: X.data, N, C, H, W: Wd };
  const channels = channelList(opts.channels, outC);
  const per = kh * kw;
  const ranges = inputChunks(C, per, opts.optDim);
  const rowLen = C * per;
  const chunks: ChunkData[] = ranges.map((chunk) => {
    const { G, n, rows } = convGram(x, chunk.first, chunk.last, g);
    const off = chunk.first * per;
    return {
      chunk,
      n,
      rows,
      G,
      weights: (o) => Float64Array.from({ length: n }, (_, j) => W.data[o * rowLen + off + j]),
      offset: off,
      row: (o) => Float64Array.from({ length: rowLen }, (_, j) => W.data[o * rowLen + j]),
      tensorValues: () => {
        const v = new Float64Array(outC * n);
        for (let o = 0; o < outC; o++) for (let j = 0; j < n; j++) v[o * n + j] = W.data[o * rowLen + off + j];
        return v;
      },
    };
  });
  return assemble('conv2d', chunks, channels, r, ranges.length === 1, {
    kernel: [kh, kw],
    stride: g.stride,
    padding: g.padding,
    dilation: g.dilation,
    inChannels: C,
    outChannels: outC,
  });
}

/**
 * Depthwise Conv2d (groups = C): X is [N, C, H, W], W is [C*mult, 1, kh, kw]; output channel o reads input
 * channel floor(o / mult) (mult = 1 for the usual depthwise layer). Each output channel is one problem of
 * size kh*kw (never chunked). With scaleGranularity 'tensor' one scale is chosen over the whole W.
 */
export function buildDepthwiseConv2dLayer(X: Tensor, W: Tensor, opts: Conv2dOptions = {}): LayerProblem[] {
  const r = resolve(opts);
  checkTensor(X, 'X', [4]);
  checkTensor(W, 'W', [4]);
  const [N, C, H, Wd] = X.shape;
  const [outC, one, kh, kw] = W.shape;
  if (one !== 1) throw new PvqInputError('W', `depthwise weight must be [C*mult, 1, kh, kw], got [${W.shape.join(', ')}]`);
  if (outC % C !== 0) throw new PvqInputError('W', `depthwise weight has ${outC} output channels, not a multiple of X's ${C} channels`);
  const mult = outC / C;
  const g = geometry(kh, kw, opts);
  const [Ho, Wo] = convOutSize(H, Wd, g);
  if (Ho < 1 || Wo < 1) throw new PvqInputError('X', `a ${kh}x${kw} kernel does not fit a ${H}x${Wd} input`);
  const x: ConvInput = { data: X.data, N, C, H, W: Wd };
  const channels = channelList(opts.channels, outC);
  const n = kh * kw;
  const tensorScale = r.scaleGranularity === 'tensor' ? chooseScale(W.data, r.bits, r.scaleRule) : null;
  const grams = new Map<number, { G: Float64Array; rows: number }>();
  const out: LayerProblem[] = [];
  for (const o of channels) {
    const c = Math.floor(o / mult);
    let gr = grams.get(c);
    if (!gr) {
      const cg = convGram(x, c, c + 1, g);
      if (r.gram === 'mean' && cg.rows > 0) for (let i = 0; i < cg.G.length; i++) cg.G[i] /= cg.rows;
      validateGram(cg.G, n, 'G');
      gr = { G: cg.G, rows: cg.rows };
      grams.set(c, gr);
    }
    const w = Float64Array.from({ length: n }, (_, j) => W.data[o * n + j]);
    const sc: ProblemScale = tensorScale ?? (r.groupSize !== null ? groupScale(w, r, 0, n) : chooseScale(w, r.bits, r.scaleRule));
    const objective = makeObjective(gr.G, w);
    const meta: Record<string, unknown> = {
      layer: r.layer,
      layerType: 'depthwise',
      channel: o,
      inputChannel: c,
      bits: r.bits,
      kind: 'full-row',
      scaleRule: sc.rule,
      scaleGranularity: r.scaleGranularity,
      kRule: K_RULE,
      pruneBoxRule: r.pruneBox === 'paper' ? '[2*min(w), 2*max(w)]' : 'none',
      gram: r.gram,
      rows: gr.rows,
      kernel: [kh, kw],
      stride: g.stride,
      padding: g.padding,
      dilation: g.dilation,
    };
    out.push(channelProblem(`${r.layer}/out${o}`, objective, sc, r, w, meta));
  }
  return out;
}

/** Build all problems of a layer from a spec `{type, X, W, ...options}`. */
export function buildLayer(spec: LayerSpec): LayerProblem[] {
  switch (spec.type) {
    case 'linear':
      return buildLinearLayer(spec.X, spec.W, spec);
    case 'conv2d':
      return buildConv2dLayer(spec.X, spec.W, spec);
    case 'depthwise':
      return buildDepthwiseConv2dLayer(spec.X, spec.W, spec);
    default:
      throw new PvqInputError('type', `expected 'linear', 'conv2d' or 'depthwise', got ${JSON.stringify((spec as { type: unknown }).type)}`);
  }
}

export interface GramProblemInput {
  name?: string;
  /** Row-major n*n (copied, validated and symmetrised). */
  G: ArrayLike<number>;
  w: ArrayLike<number>;
  bits?: number;
  /** A given scale, or n per-input scales; otherwise chosen from w by `scaleRule` (per group of `groupSize` inputs when set). */
  scale?: number | ArrayLike<number>;
  scaleRule?: ScaleRule;
  /** One scale per group of this many consecutive inputs (by `scaleRule`): the problem gets per-input `scales`. */
  groupSize?: number;
  /** Default round(n*b/16). */
  k?: number;
  pruneBox?: PruneBoxRule | readonly [number, number] | null;
  meta?: Record<string, unknown>;
}

/** A single problem from a given (G, w): validates G, picks the scale, k and box by the same rules. */
export function buildProblem(input: GramProblemInput): LayerProblem {
  const w = Float64Array.from(input.w);
  const n = w.length;
  if (n < 1) throw new PvqInputError('w', 'expected at least one weight');
  for (let i = 0; i < n; i++) if (!Number.isFinite(w[i])) throw new PvqInputError(`w[${i}]`, `expected a finite number, got ${w[i]}`);
  if (input.G.length !== n * n) throw new PvqInputError('G', `expected ${n * n} entries (n = ${n}), got ${input.G.length}`);
  const G = Float64Array.from(input.G);
  for (let i = 0; i < G.length; i++) if (!Number.isFinite(G[i])) throw new PvqInputError('G', `entry ${i} = ${G[i]} is not finite`);
  validateGram(G, n, 'G');
  const r = resolve({ bits: input.bits, scaleRule: input.scaleRule });
  let scale: number;
  let scales: Float64Array | undefined;
  let rule: string;
  const grid = intGrid(r.bits, true);
  if (input.groupSize !== undefined && (!Number.isInteger(input.groupSize) || input.groupSize < 1)) throw new PvqInputError('groupSize', `expected an integer >= 1, got ${input.groupSize}`);
  if (input.scale !== undefined && typeof input.scale !== 'number') {
    if (input.scale.length !== n) throw new PvqInputError('scale', `expected ${n} per-input scales, got ${input.scale.length}`);
    scales = Float64Array.from(input.scale);
    for (let i = 0; i < n; i++) if (!(Number.isFinite(scales[i]) && scales[i] > 0)) throw new PvqInputError(`scale[${i}]`, `must be a finite number > 0, got ${scales[i]}`);
    scale = 1;
    rule = 'given';
  } else if (input.scale !== undefined) {
    if (!(Number.isFinite(input.scale) && input.scale > 0)) throw new PvqInputError('scale', `must be a finite number > 0, got ${input.scale}`);
    scale = input.scale;
    rule = 'given';
  } else if (input.groupSize !== undefined) {
    scales = groupScalesOf(w, input.groupSize, r.bits, r.scaleRule);
    scale = 1;
    rule = `${r.scaleRule} per group of ${input.groupSize}`;
  } else {
    const sc = chooseScale(w, r.bits, r.scaleRule);
    scale = sc.scale;
    rule = sc.rule;
  }
  const k = input.k ?? equalCompressionK(n, r.bits);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new PvqInputError('k', `must satisfy 0 <= k <= n = ${n}, got ${k}`);
  let box: readonly [number, number] | null;
  const pb = input.pruneBox ?? 'paper';
  if (pb === 'paper') box = paperPruneBox(w);
  else if (pb === 'none' || pb === null) box = null;
  else if (Array.isArray(pb) && pb.length === 2 && pb[0] <= pb[1]) box = [pb[0], pb[1]];
  else throw new PvqInputError('pruneBox', `expected 'paper', 'none', null or [lo, hi], got ${JSON.stringify(pb)}`);
  const objective = makeObjective(G, w);
  const meta: Record<string, unknown> = {
    bits: r.bits,
    kind: 'standalone',
    scaleRule: rule,
    kRule: input.k === undefined ? K_RULE : 'given',
    ...(input.groupSize !== undefined && input.scale === undefined ? { scaleGranularity: 'group', scaleGroupSize: input.groupSize } : {}),
    ...(input.meta ?? {}),
  };
  if (objective.r === 0) meta.zeroEnergy = true;
  return { name: input.name ?? 'problem', n, objective, scale, ...(scales ? { scales } : {}), zmin: grid.qmin, zmax: grid.qmax, k, pruneBox: box, meta };
}
