/**
 * ONNX weight reader (onnx-proto, loaded lazily): tensors stored as graph initializers and as Constant nodes
 * (attribute `value`), including those in subgraphs. `dims` are protobuf Longs. Data from `raw_data`
 * (little-endian) or the typed fields; external data is rejected with a clear error.
 */
import { readBytes } from './files.js';
import { PvqInputError } from '../core/errors.js';
import { assertFinite, type NdArray } from './npy.js';
import { halfToFloat } from './half.js';

export { halfToFloat };

export interface OnnxTensor extends NdArray {
  name: string;
  /** 'initializer' or 'constant'. */
  source: 'initializer' | 'constant';
}

const DT: Record<number, { name: string; size: number }> = {
  1: { name: 'float32', size: 4 }, 2: { name: 'uint8', size: 1 }, 3: { name: 'int8', size: 1 }, 4: { name: 'uint16', size: 2 },
  5: { name: 'int16', size: 2 }, 6: { name: 'int32', size: 4 }, 7: { name: 'int64', size: 8 }, 9: { name: 'bool', size: 1 },
  10: { name: 'float16', size: 2 }, 11: { name: 'float64', size: 8 }, 12: { name: 'uint32', size: 4 }, 13: { name: 'uint64', size: 8 }, 16: { name: 'bfloat16', size: 2 },
};

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}


interface TensorProtoLike {
  name?: string | null;
  dims?: unknown[] | null;
  dataType?: number | null;
  rawData?: Uint8Array | null;
  floatData?: number[] | null;
  doubleData?: number[] | null;
  int32Data?: number[] | null;
  int64Data?: unknown[] | null;
  uint64Data?: unknown[] | null;
  dataLocation?: number | null;
  externalData?: unknown[] | null;
}

/** Decode one TensorProto to a float tensor (numeric types only). Returns null for non-numeric types. */
export function decodeTensorProto(t: TensorProtoLike, field: string, allowNonFinite = false): NdArray | null {
  const dt = DT[t.dataType ?? 0];
  if (!dt) return null;
  const shape = (t.dims ?? []).map(toNum);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0))
    throw new PvqInputError(field, 'tensor data is stored externally (ONNX external data); convert the model with onnx.save(..., save_as_external_data=False)');
  const isFloat32 = dt.name === 'float32' || dt.name === 'float16' || dt.name === 'bfloat16';
  const data: Float32Array | Float64Array = isFloat32 ? new Float32Array(numel) : new Float64Array(numel);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== numel * dt.size) throw new PvqInputError(field, `raw_data has ${raw.length} bytes, expected ${numel * dt.size} for dims [${shape.join(', ')}] of ${dt.name}`);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < numel; i++) {
      switch (dt.name) {
        case 'float32': data[i] = v.getFloat32(4 * i, true); break;
        case 'float64': data[i] = v.getFloat64(8 * i, true); break;
        case 'float16': data[i] = halfToFloat(v.getUint16(2 * i, true)); break;
        case 'bfloat16': {
          const b = new DataView(new ArrayBuffer(4));
          b.setUint32(0, v.getUint16(2 * i, true) << 16);
          data[i] = b.getFloat32(0);
          break;
        }
        case 'int8': data[i] = v.getInt8(i); break;
        case 'uint8': case 'bool': data[i] = v.getUint8(i); break;
        case 'int16': data[i] = v.getInt16(2 * i, true); break;
        case 'uint16': data[i] = v.getUint16(2 * i, true); break;
        case 'int32': data[i] = v.getInt32(4 * i, true); break;
        case 'uint32': data[i] = v.getUint32(4 * i, true); break;
        case 'int64': data[i] = Number(v.getBigInt64(8 * i, true)); break;
        case 'uint64': data[i] = Number(v.getBigUint64(8 * i, true)); break;
      }
    }
  } else {
    let src: ArrayLike<unknown> | null | undefined;
    if (dt.name === 'float32') src = t.floatData;
    else if (dt.name === 'float64') src = t.doubleData;
    else if (dt.name === 'int64') src = t.int64Data;
    else if (dt.name === 'uint64' || dt.name === 'uint32') src = t.uint64Data;
    else src = t.int32Data; // int8/16/32, uint8/16, bool, and float16/bfloat16 bit patterns
    const len = src?.length ?? 0;
    if (len !== numel) throw new PvqInputError(field, `has ${len} values, expected ${numel} for dims [${shape.join(', ')}]`);
    for (let i = 0; i < numel; i++) {
      const x = toNum(src![i]);
      if (dt.name === 'float16') data[i] = halfToFloat(x);
      else if (dt.name === 'bfloat16') {
        const b = new DataView(new ArrayBuffer(4));
        b.setUint32(0, (x & 0xffff) << 16);
        data[i] = b.getFloat32(0);
      } else data[i] = x;
    }
  }
  if (!allowNonFinite) assertFinite(data, field);
  return { shape, dtype: dt.name, data, fortranOrder: false };
}

interface GraphLike {
  initializer?: TensorProtoLike[] | null;
  node?: { opType?: string | null; output?: string[] | null; name?: string | null; attribute?: { name?: string | null; t?: TensorProtoLike | null; g?: GraphLike | null; graphs?: GraphLike[] | null }[] | null }[] | null;
}

export interface OnnxReadOptions {
  allowNonFinite?: boolean;
  /** Keep only tensors passing this filter (applied before decoding). */
  filter?: (name: string, dims: number[], dataType: number) => boolean;
}

/** Parse ONNX model bytes into its weight tensors (initializers and Constant nodes, in graph order). */
export async function parseOnnx(bytes: Uint8Array, field = 'onnx', opts: OnnxReadOptions = {}): Promise<OnnxTensor[]> {
  const mod = (await import('onnx-proto')) as unknown as { onnx?: unknown; default?: { onnx: unknown } };
  const onnx = (mod.onnx ?? mod.default?.onnx) as { ModelProto: { decode(b: Uint8Array): { graph?: GraphLike | null } } };
  let model: { graph?: GraphLike | null };
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new PvqInputError(field, `not an ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!model.graph) throw new PvqInputError(field, 'not an ONNX model (no graph)');
  const out: OnnxTensor[] = [];
  const seen = new Set<string>();
  const take = (t: TensorProtoLike, name: string, source: 'initializer' | 'constant'): void => {
    const dims = (t.dims ?? []).map(toNum);
    if (opts.filter && !opts.filter(name, dims, t.dataType ?? 0)) return;
    let key = name;
    for (let i = 2; seen.has(key); i++) key = `${name}#${i}`;
    const d = decodeTensorProto(t, `${field}:${name}`, opts.allowNonFinite);
    if (!d) return;
    seen.add(key);
    out.push({ ...d, name: key, source });
  };
  const walk = (g: GraphLike): void => {
    for (const t of g.initializer ?? []) take(t, t.name ?? `initializer_${out.length}`, 'initializer');
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        if (n.opType === 'Constant' && a.name === 'value' && a.t) take(a.t, n.output?.[0] || n.name || `constant_${out.length}`, 'constant');
        if (a.g) walk(a.g);
        for (const sg of a.graphs ?? []) walk(sg);
      }
    }
  };
  walk(model.graph);
  return out;
}

/** Read an ONNX model file's weight tensors. */
export async function readOnnx(path: string, opts: OnnxReadOptions = {}): Promise<OnnxTensor[]> {
  const bytes = readBytes(path);
  return parseOnnx(bytes, path, opts);
}
