/**
 * Tiny ONNX models built with onnx-proto for the model-pipeline tests (deterministic weights from Rng).
 */
import onnxProto from 'onnx-proto';
import { Rng } from '../../src/core/random.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { onnx } = onnxProto as unknown as { onnx: any };

function f32bytes(v: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(v).buffer);
}

export function randn(n: number, rng: Rng, s = 1): number[] {
  return Array.from({ length: n }, () => s * rng.normal());
}

function tensor(name: string, dims: number[], data: number[], typed = false): unknown {
  return typed ? onnx.TensorProto.create({ name, dims, dataType: 1, floatData: data }) : onnx.TensorProto.create({ name, dims, dataType: 1, rawData: f32bytes(data) });
}
function constNode(name: string, dims: number[], data: number[]): unknown {
  return onnx.NodeProto.create({ opType: 'Constant', output: [name], attribute: [onnx.AttributeProto.create({ name: 'value', type: 4, t: tensor('', dims, data) })] });
}
const ints = (name: string, v: number[]): unknown => onnx.AttributeProto.create({ name, type: 7, ints: v });
const int = (name: string, v: number): unknown => onnx.AttributeProto.create({ name, type: 2, i: v });
function node(opType: string, name: string, input: string[], output: string[], attribute: unknown[] = []): unknown {
  return onnx.NodeProto.create({ opType, name, input, output, attribute });
}
function valueInfo(name: string, dims: (number | string)[]): unknown {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}
function encode(nodes: unknown[], initializer: unknown[], inputs: unknown[], outputs: unknown[]): Uint8Array {
  const graph = onnx.GraphProto.create({ name: 'g', node: nodes, initializer, input: inputs, output: outputs });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph })).finish();
}

/** Input x [N, 2, 5, 5] -> conv (3x3, stride 2x1, pad 1, constant W + bias) -> relu -> depthwise (3x3, dilation 2,
 * pad 2) -> flatten -> Gemm fc (B [45, 4], transB 0, bias) -> Gemm fc2 (B [3, 4], transB 1) -> MatMul mm ([3, 2]) -> y. */
export function chainModel(seed = 7): Uint8Array {
  const rng = new Rng(seed);
  const nodes = [
    constNode('conv.W', [3, 2, 3, 3], randn(54, rng, 0.3)),
    node('Conv', 'conv', ['x', 'conv.W', 'conv.b'], ['c'], [ints('kernel_shape', [3, 3]), ints('strides', [2, 1]), ints('pads', [1, 1, 1, 1]), int('group', 1)]),
    node('Relu', 'relu', ['c'], ['r']),
    node('Conv', 'dw', ['r', 'dw.W'], ['d'], [ints('strides', [1, 1]), ints('pads', [2, 2, 2, 2]), ints('dilations', [2, 2]), int('group', 3)]),
    node('Flatten', 'flat', ['d'], ['f'], [int('axis', 1)]),
    node('Gemm', 'fc', ['f', 'fc.B', 'fc.C'], ['g']),
    node('Gemm', 'fc2', ['g', 'fc2.B'], ['h'], [int('transB', 1)]),
    constNode('mm.W', [3, 2], randn(6, rng, 0.5)),
    node('MatMul', 'mm', ['h', 'mm.W'], ['y']),
  ];
  const init = [
    tensor('conv.b', [3], randn(3, rng, 0.1)),
    tensor('dw.W', [3, 1, 3, 3], randn(27, rng, 0.3), true),
    tensor('fc.B', [45, 4], randn(180, rng, 0.2)),
    tensor('fc.C', [4], randn(4, rng, 0.1)),
    tensor('fc2.B', [3, 4], randn(12, rng, 0.5)),
  ];
  return encode(nodes, init, [valueInfo('x', ['N', 2, 5, 5])], [valueInfo('y', ['N', 2])]);
}

/** Weight-bearing nodes pvq skips, next to one supported Conv. */
export function unsupportedModel(): Uint8Array {
  const rng = new Rng(3);
  const nodes = [
    node('Conv', 'ok', ['x', 'ok.W'], ['a']),
    node('Conv', 'grouped', ['a', 'grp.W'], ['b'], [int('group', 2)]),
    node('ConvTranspose', 'deconv', ['b', 'dec.W'], ['c']),
    node('Conv', 'asym', ['c', 'ok2.W'], ['d'], [ints('pads', [0, 0, 1, 1])]),
    node('Conv', 'same', ['d', 'ok2.W'], ['e'], [onnx.AttributeProto.create({ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') })]),
    node('MatMul', 'xw', ['ok.W2', 'e'], ['f']),
    node('MatMul', 'act', ['e', 'e'], ['g']),
  ];
  const init = [
    tensor('ok.W', [4, 2, 1, 1], randn(8, rng)),
    tensor('grp.W', [4, 2, 1, 1], randn(8, rng)),
    tensor('dec.W', [4, 4, 2, 2], randn(64, rng)),
    tensor('ok2.W', [4, 4, 1, 1], randn(16, rng)),
    tensor('ok.W2', [3, 3], randn(9, rng)),
  ];
  return encode(nodes, init, [valueInfo('x', [1, 2, 4, 4])], [valueInfo('g', [1, 4, 4, 4])]);
}

/** A Conv followed by an op onnxruntime does not know: the model cannot be run. */
export function unknownOpModel(): Uint8Array {
  const rng = new Rng(4);
  const nodes = [node('Conv', 'c1', ['x', 'w1'], ['a']), node('NoSuchOp', 'odd', ['a'], ['b']), node('Conv', 'c2', ['b', 'w2'], ['c'])];
  const init = [tensor('w1', [2, 2, 1, 1], randn(4, rng)), tensor('w2', [2, 2, 1, 1], randn(4, rng))];
  return encode(nodes, init, [valueInfo('x', [1, 2, 3, 3])], [valueInfo('c', [1, 2, 3, 3])]);
}
