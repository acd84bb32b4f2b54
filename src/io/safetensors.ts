/**
 * safetensors reader: 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw little-endian data.
 */
import { readBytes } from './files.js';
import { PvqInputError } from '../core/errors.js';
import { assertFinite, type NdArray } from './npy.js';
import { halfToFloat } from './half.js';

const ITEM: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4, U64: 8, BOOL: 1 };


export interface SafetensorsOptions {
  allowNonFinite?: boolean;
  /** Only decode tensors whose name passes this filter. */
  filter?: (name: string) => boolean;
}

/** Parse the bytes of a safetensors file into name -> tensor (C order, as stored). */
export function parseSafetensors(buf: Uint8Array, field = 'safetensors', opts: SafetensorsOptions = {}): Map<string, NdArray> {
  if (buf.length < 8) throw new PvqInputError(field, 'not a safetensors file (shorter than 8 bytes)');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = Number(dv.getBigUint64(0, true));
  if (hlen > buf.length - 8 || hlen > 100_000_000) throw new PvqInputError(field, `not a safetensors file (header length ${hlen} exceeds the file size ${buf.length})`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8').decode(buf.subarray(8, 8 + hlen)));
  } catch (e) {
    throw new PvqInputError(field, `not a safetensors file (header is not JSON: ${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new PvqInputError(field, 'safetensors header is not a JSON object');
  const base = 8 + hlen;
  const dataLen = buf.length - base;
  const out = new Map<string, NdArray>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (opts.filter && !opts.filter(name)) continue;
    const f = `${field}:${name}`;
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) throw new PvqInputError(f, 'tensor entry is not an object');
    const dtype = t.dtype;
    if (typeof dtype !== 'string' || !(dtype in ITEM)) throw new PvqInputError(f, `unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new PvqInputError(f, `bad shape ${JSON.stringify(t.shape)}`);
    const shape = t.shape as number[];
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) throw new PvqInputError(f, `bad data_offsets ${JSON.stringify(offs)}`);
    const [b, e] = offs as [number, number];
    const numel = shape.reduce((a, c) => a * c, 1);
    const size = ITEM[dtype];
    if (e < b || e > dataLen) throw new PvqInputError(f, `data_offsets [${b}, ${e}] outside the data section of ${dataLen} bytes`);
    if (e - b !== numel * size) throw new PvqInputError(f, `data_offsets span ${e - b} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${numel * size}`);
    const v = new DataView(buf.buffer, buf.byteOffset + base + b, e - b);
    let data: Float32Array | Float64Array;
    if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16') {
      data = new Float32Array(numel);
      if (dtype === 'F32') for (let i = 0; i < numel; i++) data[i] = v.getFloat32(4 * i, true);
      else if (dtype === 'F16') for (let i = 0; i < numel; i++) data[i] = halfToFloat(v.getUint16(2 * i, true));
      else {
        const tmp = new DataView(new ArrayBuffer(4));
        for (let i = 0; i < numel; i++) {
          tmp.setUint32(0, v.getUint16(2 * i, true) << 16, false);
          data[i] = tmp.getFloat32(0, false);
        }
      }
    } else {
      data = new Float64Array(numel);
      for (let i = 0; i < numel; i++) {
        switch (dtype) {
          case 'F64': data[i] = v.getFloat64(8 * i, true); break;
          case 'I64': data[i] = Number(v.getBigInt64(8 * i, true)); break;
          case 'U64': data[i] = Number(v.getBigUint64(8 * i, true)); break;
          case 'I32': data[i] = v.getInt32(4 * i, true); break;
          case 'U32': data[i] = v.getUint32(4 * i, true); break;
          case 'I16': data[i] = v.getInt16(2 * i, true); break;
          case 'U16': data[i] = v.getUint16(2 * i, true); break;
          case 'I8': data[i] = v.getInt8(i); break;
          default: data[i] = v.getUint8(i);
        }
      }
    }
    if (!opts.allowNonFinite) assertFinite(data, f);
    out.set(name, { shape: shape.slice(), dtype, data, fortranOrder: false });
  }
  return out;
}

/** Read a `.safetensors` file into a Map name -> tensor. */
export function readSafetensors(path: string, opts: SafetensorsOptions = {}): Map<string, NdArray> {
  const bytes = readBytes(path);
  return parseSafetensors(bytes, path, opts);
}

/** Encode tensors as safetensors bytes (float32 / float64), for fixtures and exports. */
export function encodeSafetensors(tensors: Map<string, { shape: number[]; data: Float32Array | Float64Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, t] of tensors) {
    const size = t.data.byteLength;
    header[name] = { dtype: t.data instanceof Float32Array ? 'F32' : 'F64', shape: t.shape, data_offsets: [off, off + size] };
    off += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const t of tensors.values()) {
    const d = new DataView(out.buffer, p, t.data.byteLength);
    if (t.data instanceof Float32Array) for (let i = 0; i < t.data.length; i++) d.setFloat32(4 * i, t.data[i], true);
    else for (let i = 0; i < t.data.length; i++) d.setFloat64(8 * i, t.data[i], true);
    p += t.data.byteLength;
  }
  return out;
}
