/**
 * Layer problems of a model's weight layer (from the ONNX graph reader) and its captured input activations,
 * with the existing builders: Gemm/MatMul -> the linear builder (inputs of rank > 2 are flattened to rows over
 * the leading dimensions: [B, T, in] -> [B*T, in]), Conv groups = 1 -> conv2d im2col, depthwise -> the
 * depthwise builder. Convolutions use the layer's real stride / padding / dilation by default; `im2col: 'paper'`
 * uses the official code's stride 1, no padding, no dilation (torch unfold with the kernel size only).
 */
import { PvqInputError } from '../src/core/errors.js';
import type { LayerProblem } from '../src/core/types.js';
import type { OnnxLayer } from '../src/io/onnx-graph.js';
import { buildConv2dLayer, buildDepthwiseConv2dLayer, buildLinearLayer, type Conv2dOptions, type Tensor } from './build.js';
import type { ScaleRule } from '../src/formats/scale.js';

export type Im2colMode = 'layer' | 'paper';

export interface ModelLayerOptions {
  bits: number;
  /** Sub-problem size (the paper's --opt-dim); null = full rows. */
  optDim: number | null;
  im2col: Im2colMode;
  /** Build only the first N output channels (a cap for quick runs). */
  channels?: number;
  scaleRule?: ScaleRule;
}

/** The layer's input as the builder's X: rank-2 [rows, in] for linear layers, [N, C, H, W] for convolutions. */
export function layerInputTensor(layer: OnnxLayer, act: Tensor, field: string): Tensor {
  if (layer.kind === 'linear') {
    const inF = layer.weight.shape[1];
    const last = act.shape[act.shape.length - 1];
    if (act.shape.length < 2 || last !== inF) throw new PvqInputError(field, `layer ${layer.name}: input ${layer.input} has shape [${act.shape.join(', ')}], expected [..., ${inF}]`);
    return act.shape.length === 2 ? act : { shape: [act.data.length / inF, inF], data: act.data };
  }
  if (act.shape.length !== 4) throw new PvqInputError(field, `layer ${layer.name}: input ${layer.input} has shape [${act.shape.join(', ')}], expected [N, C, H, W]`);
  return act;
}

/** Every per-output-channel (and per-chunk) problem of one layer at one bit width. */
export function buildModelLayerProblems(layer: OnnxLayer, act: Tensor, opts: ModelLayerOptions, field = 'model'): LayerProblem[] {
  const X = layerInputTensor(layer, act, field);
  const W: Tensor = { shape: layer.weight.shape, data: layer.weight.data };
  const base = { bits: opts.bits, optDim: opts.optDim, channels: opts.channels, layer: layer.name, scaleRule: opts.scaleRule };
  if (layer.kind === 'linear') return buildLinearLayer(X, W, base);
  const geom: Pick<Conv2dOptions, 'stride' | 'padding' | 'dilation'> =
    opts.im2col === 'paper' ? { stride: 1, padding: 0, dilation: 1 } : { stride: layer.stride, padding: layer.padding, dilation: layer.dilation };
  if (layer.kind === 'conv2d') return buildConv2dLayer(X, W, { ...base, ...geom });
  return buildDepthwiseConv2dLayer(X, W, { ...base, ...geom });
}
