/**
 * ONNX graph reader: the weight layers of a model (onnx-proto, loaded lazily).
 *
 * A weight layer is a node whose weight is a constant (a graph initializer or the output of a Constant node):
 * - `Conv` (2-d) with groups = 1, or depthwise (groups = C_in, weight [C_in*mult, 1, kh, kw]);
 * - `Gemm` with a constant B (transB = 1: B is [out, in]; transB = 0: B is [in, out], transposed here);
 *   alpha, beta and the bias C do not change SQNRs (alpha scales error and energy alike) and are ignored;
 * - `MatMul` with a constant second operand [in, out] (transposed here to [out, in]).
 * Weights come back in the builders' layout: linear [out, in], conv [out, C_in/groups, kh, kw].
 * Weight-bearing nodes pvq cannot turn into layer problems (grouped convolutions with 1 < groups < C_in,
 * ConvTranspose, 1-d/3-d convolutions, asymmetric or automatic padding, quantized ops, ...) are listed in
 * `skipped` with a reason. Only the main graph is scanned (not If/Loop subgraphs).
 */
import { PvqInputError } from '../core/errors.js';
import { decodeTensorProto } from './onnx.js';
import type { NdArray } from './npy.js';

export type ModelProto = any;
type NodeProto = any;
type TensorProto = any;

export type LayerKind = 'linear' | 'conv2d' | 'depthwise';

export interface OnnxLayer {
  /** Unique layer name: the node name (or `<op>_<index>` when the node has none). */
  name: string;
  op: 'Conv' | 'Gemm' | 'MatMul';
  kind: LayerKind;
  /** Index of the node in graph.node. */
  nodeIndex: number;
  /** Name of the node's input activation tensor. */
  input: string;
  /** Name of the node's (first) output tensor. */
  output: string;
  /** Name of the weight tensor (initializer or Constant output). */
  weightName: string;
  /** Name of the bias input (Conv B, Gemm C), if any; not needed by the problems (it cancels in w - v). */
  biasName: string | null;
  /** Weight in the builders' layout: linear [out, in], conv [out, C_in/groups, kh, kw]. */
  weight: NdArray;
  /** Number of weights. */
  weights: number;
  /** Conv attributes (for linear layers: stride/dilation 1, padding 0, group 1, kernel [1, 1]). */
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  group: number;
  kernel: [number, number];
  /** Gemm/MatMul: the original weight layout ('[out, in]' or '[in, out]', transposed here). */
  weightLayout?: '[out, in]' | '[in, out]';
}

export interface SkippedLayer {
  name: string;
  op: string;
  reason: string;
}

export interface GraphInput {
  name: string;
  /** Fixed dimensions as numbers, symbolic or unknown ones as strings ('?' when unnamed). */
  shape: (number | string)[] | null;
  /** ONNX elem type (1 = float32). */
  elemType: number;
}

export interface OnnxGraphInfo {
  /** Graph inputs that are not initializers (what a run must feed). */
  inputs: GraphInput[];
  layers: OnnxLayer[];
  skipped: SkippedLayer[];
  opset: number | null;
}

export const ELEM_TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

let onnxNs: any = null;
/** The onnx-proto namespace (ModelProto, GraphProto, ...), imported on first use. */
export async function onnxProto(): Promise<any> {
  if (onnxNs) return onnxNs;
  const mod = (await import('onnx-proto')) as unknown as { onnx?: unknown; default?: { onnx: unknown } };
  onnxNs = mod.onnx ?? mod.default?.onnx;
  return onnxNs;
}

/** Decode ONNX model bytes; anything that is not an ONNX model is a PvqInputError naming `field`. */
export async function decodeModel(bytes: Uint8Array, field: string): Promise<ModelProto> {
  const onnx = await onnxProto();
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new PvqInputError(field, `not an ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!model.graph || !Array.isArray(model.graph.node) || model.graph.node.length === 0) throw new PvqInputError(field, 'not an ONNX model (no graph nodes)');
  return model;
}

interface Attr {
  ints: number[];
  i: number | null;
  s: string | null;
  f: number | null;
}

function attrs(node: NodeProto): Map<string, Attr> {
  const m = new Map<string, Attr>();
  for (const a of node.attribute ?? []) {
    m.set(a.name, {
      ints: (a.ints ?? []).map(toNum),
      i: a.i !== undefined && a.i !== null ? toNum(a.i) : null,
      s: a.s && a.s.length ? new TextDecoder().decode(a.s) : null,
      f: typeof a.f === 'number' ? a.f : null,
    });
  }
  return m;
}

function transpose2(t: NdArray): NdArray {
  const [r, c] = t.shape;
  const out = new (t.data instanceof Float32Array ? Float32Array : Float64Array)(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], dtype: t.dtype, data: out, fortranOrder: false };
}

const UNSUPPORTED_WEIGHT_OPS = new Set(['ConvTranspose', 'ConvInteger', 'QLinearConv', 'MatMulInteger', 'QLinearMatMul', 'Einsum', 'LSTM', 'GRU', 'RNN', 'DeformConv']);

/** The weight layers of a decoded model (see the module comment). `field` names the file in errors. */
export function graphLayers(model: ModelProto, field: string): OnnxGraphInfo {
  const g = model.graph;
  const constProtos = new Map<string, TensorProto>();
  for (const t of g.initializer ?? []) if (t.name) constProtos.set(t.name, t);
  for (const n of g.node ?? []) {
    if (n.opType !== 'Constant') continue;
    const v = (n.attribute ?? []).find((a: any) => a.name === 'value' && a.t);
    if (v && n.output?.[0]) constProtos.set(n.output[0], v.t);
  }
  const decoded = new Map<string, NdArray | null>();
  const constant = (name: string | undefined): NdArray | null => {
    if (!name || !constProtos.has(name)) return null;
    if (!decoded.has(name)) decoded.set(name, decodeTensorProto(constProtos.get(name), `${field}:${name}`));
    return decoded.get(name) ?? null;
  };
  const initNames = new Set((g.initializer ?? []).map((t: any) => t.name as string));
  const inputs: GraphInput[] = (g.input ?? [])
    .filter((i: any) => !initNames.has(i.name))
    .map((i: any) => {
      const tt = i.type?.tensorType;
      const dims = tt?.shape?.dim;
      return {
        name: i.name as string,
        shape: dims ? dims.map((d: any) => (d.dimValue !== undefined && d.dimValue !== null && toNum(d.dimValue) > 0 ? toNum(d.dimValue) : d.dimParam || '?')) : null,
        elemType: tt?.elemType ?? 0,
      };
    });
  const layers: OnnxLayer[] = [];
  const skipped: SkippedLayer[] = [];
  const used = new Set<string>();
  (g.node ?? []).forEach((n: NodeProto, idx: number) => {
    const op: string = n.opType ?? '';
    let name: string = n.name || `${op}_${idx}`;
    for (let k = 2; used.has(name); k++) name = `${n.name || `${op}_${idx}`}#${k}`;
    const ins: string[] = n.input ?? [];
    if (UNSUPPORTED_WEIGHT_OPS.has(op)) {
      if (ins.some((x) => constProtos.has(x))) {
        used.add(name);
        skipped.push({ name, op, reason: `${op} is not supported` });
      }
      return;
    }
    if (op !== 'Conv' && op !== 'Gemm' && op !== 'MatMul') return;
    const skip = (reason: string): void => {
      used.add(name);
      skipped.push({ name, op, reason });
    };
    const a = attrs(n);
    if (op === 'Conv') {
      const W = constant(ins[1]);
      if (!W) {
        if (ins[1]) skip('the weight is not a constant (initializer or Constant node)');
        return;
      }
      if (W.shape.length !== 4) return skip(`${W.shape.length - 2}-d convolution (weight [${W.shape.join(', ')}]); only 2-d is supported`);
      const group = a.get('group')?.i ?? 1;
      const [outC, perGroup, kh, kw] = W.shape;
      const autoPad = a.get('auto_pad')?.s ?? 'NOTSET';
      if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return skip(`auto_pad ${autoPad} is not supported (give explicit pads)`);
      const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : a.get('pads')?.ints.length ? a.get('pads')!.ints : [0, 0, 0, 0];
      if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3]) return skip(`asymmetric pads [${pads.join(', ')}] are not supported`);
      const strides = a.get('strides')?.ints.length ? a.get('strides')!.ints : [1, 1];
      const dil = a.get('dilations')?.ints.length ? a.get('dilations')!.ints : [1, 1];
      let kind: LayerKind;
      if (group === 1) kind = 'conv2d';
      else if (perGroup === 1 && outC % group === 0) kind = 'depthwise';
      else return skip(`grouped convolution (groups = ${group}, ${perGroup} input channels per group) is not supported`);
      used.add(name);
      layers.push({
        name, op: 'Conv', kind, nodeIndex: idx, input: ins[0], output: n.output?.[0] ?? '', weightName: ins[1], biasName: ins[2] || null, weight: W, weights: W.data.length,
        stride: [strides[0], strides[1]], padding: [pads[0], pads[1]], dilation: [dil[0], dil[1]], group, kernel: [kh, kw],
      });
      return;
    }
    // Gemm / MatMul
    const A = ins[0];
    const B = constant(ins[1]);
    if (!B) {
      if (constant(A)) skip('the constant is the first operand (x W form expected: the weight must be the second input)');
      return; // activation x activation (e.g. attention): not a weight layer
    }
    if (op === 'Gemm' && (a.get('transA')?.i ?? 0) !== 0) return skip('transA = 1 is not supported');
    if (B.shape.length !== 2) return skip(`weight has shape [${B.shape.join(', ')}]; a 2-d weight is expected`);
    const transB = op === 'Gemm' && (a.get('transB')?.i ?? 0) !== 0;
    const W = transB ? B : transpose2(B);
    used.add(name);
    layers.push({
      name, op, kind: 'linear', nodeIndex: idx, input: A, output: n.output?.[0] ?? '', weightName: ins[1], biasName: op === 'Gemm' ? ins[2] || null : null, weight: W, weights: W.data.length,
      stride: [1, 1], padding: [0, 0], dilation: [1, 1], group: 1, kernel: [1, 1], weightLayout: transB ? '[out, in]' : '[in, out]',
    });
  });
  const opset = (model.opsetImport ?? []).find((o: any) => !o.domain || o.domain === 'ai.onnx');
  return { inputs, layers, skipped, opset: opset ? toNum(opset.version) : null };
}

/** Decode a model and list its weight layers. */
export async function parseOnnxGraph(bytes: Uint8Array, field: string): Promise<{ model: ModelProto; info: OnnxGraphInfo }> {
  const model = await decodeModel(bytes, field);
  return { model, info: graphLayers(model, field) };
}
