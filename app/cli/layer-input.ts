import type { Command } from 'commander';
import { PvqInputError } from '../../src/core/errors.js';
import type { LayerProblem } from '../../src/core/types.js';
import { readNpy, type NdArray } from '../../src/io/npy.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { buildLayer, type LayerSpec } from '../../problems/build.js';
import { SCALE_RULES, type ScaleRule } from '../../src/formats/scale.js';
import { parseNonNegInt, parsePositiveNumber } from './common.js';

/** Options shared by `pvq build` and `pvq compare` for building a layer from activations and weights. */
export interface LayerInputOptions {
  type?: string;
  acts?: string;
  weights?: string;
  bits?: string;
  optDim?: string;
  scaleRule?: string;
  scalePerChannel?: boolean;
  scaleGroup?: string;
  pruneBox?: boolean;
  stride?: string;
  padding?: string;
  dilation?: string;
  channels?: string;
  name?: string;
}

export function addLayerInputOptions(cmd: Command): Command {
  return cmd
    .option('--type <kind>', 'build a layer from arrays: linear | conv2d | depthwise')
    .option('--acts <file>', 'input activations (.npy, or file.safetensors:tensor): linear [rows, in] or [B, T, in]; conv [N, C, H, W]')
    .option('--weights <file>', 'weights (.npy, or file.safetensors:tensor): linear [out, in]; conv [out, C, kh, kw]; depthwise [C, 1, kh, kw]')
    .option('--bits <b>', 'bit width b (default 4): grid [-2^(b-1), 2^(b-1)-1], k = round(n*b/16)')
    .option('--opt-dim <d|full>', 'split input channels into ceil(C_in*kh*kw/d) chunks (numpy array_split), like the paper (32); "full" (the default): whole rows')
    .option('--scale-rule <rule>', `scale rule: ${SCALE_RULES.join(' | ')} (default paper-grid)`)
    .option('--scale-per-channel', 'one scale per output channel (default: one per tensor and chunk, like the paper)')
    .option('--scale-group <g>', 'one scale per group of g consecutive inputs of each output channel (e.g. 32, 64, 128; the problems get per-input scales)')
    .option('--stride <s>', 'conv stride, "s" or "sh,sw" (default 1, like the paper)')
    .option('--padding <p>', 'conv zero padding, "p" or "ph,pw" (default 0)')
    .option('--dilation <d>', 'conv dilation (default 1)')
    .option('--channels <n>', 'only the first n output channels')
    .option('--name <name>', 'layer name used in problem names');
}

function readArray(spec: string, flag: string): NdArray {
  const m = /^(.*\.safetensors):(.+)$/.exec(spec);
  if (m) {
    const t = readSafetensors(m[1]).get(m[2]);
    if (!t) throw new PvqInputError(flag, `tensor ${JSON.stringify(m[2])} not found in ${m[1]}`);
    return t;
  }
  if (spec.endsWith('.safetensors')) {
    const all = readSafetensors(spec);
    if (all.size !== 1) throw new PvqInputError(flag, `${spec} holds ${all.size} tensors; name one as ${spec}:NAME (${[...all.keys()].slice(0, 5).join(', ')})`);
    return [...all.values()][0];
  }
  return readNpy(spec);
}

function parsePair(v: string | undefined, flag: string): number | [number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => parseNonNegInt(s.trim(), flag));
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return [parts[0], parts[1]];
  throw new PvqInputError(flag, `expected "a" or "a,b", got ${JSON.stringify(v)}`);
}

/** True when the user asked for a layer built from arrays. */
export function wantsLayerInput(o: LayerInputOptions): boolean {
  return o.type !== undefined || o.acts !== undefined || o.weights !== undefined;
}

/** Build the layer's problems from the options (all input is validated before anything is solved or written). */
export function layerFromOptions(o: LayerInputOptions): { name: string; problems: LayerProblem[]; meta: Record<string, unknown> } {
  if (o.type === undefined) throw new PvqInputError('--type', 'missing: linear, conv2d or depthwise');
  if (!['linear', 'conv2d', 'depthwise'].includes(o.type)) throw new PvqInputError('--type', `expected linear, conv2d or depthwise, got ${JSON.stringify(o.type)}`);
  if (o.acts === undefined) throw new PvqInputError('--acts', 'missing: the input activations (.npy)');
  if (o.weights === undefined) throw new PvqInputError('--weights', 'missing: the weight tensor (.npy)');
  const bits = o.bits !== undefined ? parseNonNegInt(o.bits, '--bits') : 4;
  if (bits < 2 || bits > 16) throw new PvqInputError('--bits', `must be an integer in [2, 16], got ${bits}`);
  if (o.scaleRule !== undefined && !(SCALE_RULES as readonly string[]).includes(o.scaleRule))
    throw new PvqInputError('--scale-rule', `expected one of ${SCALE_RULES.join(', ')}, got ${JSON.stringify(o.scaleRule)}`);
  if (o.scaleGroup !== undefined && o.scalePerChannel) throw new PvqInputError('--scale-group', 'give either --scale-group or --scale-per-channel, not both');
  const groupSize = o.scaleGroup !== undefined ? parseNonNegInt(o.scaleGroup, '--scale-group') : undefined;
  if (groupSize === 0) throw new PvqInputError('--scale-group', 'must be >= 1');
  const X = readArray(o.acts, '--acts');
  const W = readArray(o.weights, '--weights');
  let channels: number | undefined;
  if (o.channels !== undefined) {
    channels = parseNonNegInt(o.channels, '--channels');
    if (channels < 1) throw new PvqInputError('--channels', 'must be >= 1 (0 would build an empty layer)');
    const out = W.shape[0];
    if (W.shape.length >= 2 && channels > out)
      throw new PvqInputError('--channels', `${channels} requested but the weight tensor ${o.weights} has ${out} output channel(s)`);
  }
  const name = o.name ?? o.weights.replace(/^.*\//, '').replace(/\.(npy|safetensors)(:.*)?$/, '');
  const spec = {
    type: o.type,
    X,
    W,
    bits,
    optDim: o.optDim !== undefined && o.optDim !== 'full' ? parsePositiveNumber(o.optDim, '--opt-dim') : null,
    scaleRule: (o.scaleRule ?? 'paper-grid') as ScaleRule,
    scaleGranularity: groupSize !== undefined ? 'group' : o.scalePerChannel ? 'channel' : 'tensor',
    ...(groupSize !== undefined ? { groupSize } : {}),
    pruneBox: o.pruneBox === false ? 'none' : 'paper',
    channels,
    layer: name,
    ...(o.type !== 'linear' ? { stride: parsePair(o.stride, '--stride'), padding: parsePair(o.padding, '--padding'), dilation: parsePair(o.dilation, '--dilation') } : {}),
  } as LayerSpec;
  return { name, problems: buildLayer(spec), meta: {} };
}
