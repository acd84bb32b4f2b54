/**
 * `.npy` reader (numpy format v1/v2/v3; float16 decoded with npyjs). Real, integer and bool dtypes; Fortran-order
 * arrays are transposed to C (row-major) order; big-endian files and NaN/Infinity are rejected with a
 * `PvqInputError`.
 */
import { readBytes } from './files.js';
import { float16ToFloat32, parse as npyParse } from 'npyjs';
import { PvqInputError } from '../core/errors.js';

/** A dense real tensor in C (row-major) order. */
export interface NdArray {
  shape: number[];
  /** numpy descr without the byte-order mark, e.g. 'f4', 'f8', 'f2', 'i8'. */
  dtype: string;
  /** float32 and float16 data as Float32Array (exact), everything else as Float64Array. */
  data: Float64Array | Float32Array;
  /** Whether the file stored the array in Fortran order (data is already transposed to C order). */
  fortranOrder: boolean;
}

const SUPPORTED = new Set(['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'b1']);

function headerOf(bytes: Uint8Array, field: string): { descr: string; fortran: boolean; shape: number[]; dataOffset: number } {
  if (bytes.length < 10) throw new PvqInputError(field, 'not an .npy file (too short)');
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new PvqInputError(field, 'not an .npy file (bad magic bytes)');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let off: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    off = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new PvqInputError(field, 'truncated .npy header');
    headerLen = dv.getUint32(8, true);
    off = 12;
  } else throw new PvqInputError(field, `unsupported .npy format version ${major}`);
  if (off + headerLen > bytes.length) throw new PvqInputError(field, 'truncated .npy header');
  const header = new TextDecoder('latin1').decode(bytes.subarray(off, off + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortranM = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortranM === undefined || shapeM === undefined)
    throw new PvqInputError(field, `malformed .npy header: ${JSON.stringify(header.trim().slice(0, 120))}`);
  const shape = shapeM
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new PvqInputError(field, `bad shape (${shapeM}) in .npy header`);
  return { descr, fortran: fortranM === 'True', shape, dataOffset: off + headerLen };
}

/** Transpose Fortran-order data (first index fastest) into C order (last index fastest). */
function fortranToC<T extends Float32Array | Float64Array>(src: T, shape: number[], make: (n: number) => T): T {
  const nd = shape.length;
  const n = src.length;
  if (nd <= 1 || n === 0) return src;
  const out = make(n);
  // strides in the Fortran source
  const fstride = new Array<number>(nd);
  fstride[0] = 1;
  for (let d = 1; d < nd; d++) fstride[d] = fstride[d - 1] * shape[d - 1];
  const idx = new Array<number>(nd).fill(0);
  let srcPos = 0;
  for (let i = 0; i < n; i++) {
    out[i] = src[srcPos];
    // increment the C-order multi-index (last axis fastest) and update the Fortran offset
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      srcPos += fstride[d];
      if (idx[d] < shape[d]) break;
      srcPos -= fstride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Throw a PvqInputError naming the first NaN/Infinity entry. */
export function assertFinite(data: ArrayLike<number>, field: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new PvqInputError(field, `entry ${i} is ${v} (NaN and Infinity are not accepted)`);
  }
}

/**
 * Parse the bytes of an `.npy` file. `field` names the source in error messages.
 * Options: `allowNonFinite` keeps NaN/Infinity (default: rejected).
 */
export function parseNpy(buf: Uint8Array | ArrayBuffer, field = 'npy', opts: { allowNonFinite?: boolean } = {}): NdArray {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const h = headerOf(bytes, field);
  const order = h.descr[0];
  if (order === '>') throw new PvqInputError(field, `big-endian dtype '${h.descr}' is not supported; convert with numpy: a.astype(a.dtype.newbyteorder('<'))`);
  const code = order === '<' || order === '|' || order === '=' ? h.descr.slice(1) : h.descr;
  if (!SUPPORTED.has(code)) throw new PvqInputError(field, `unsupported dtype '${h.descr}' (expected a real float, integer or bool array)`);
  const numel = h.shape.reduce((a, b) => a * b, 1);
  const itemSize = code === 'b1' ? 1 : Number(code.slice(1));
  const need = h.dataOffset + numel * itemSize;
  if (bytes.length < need) throw new PvqInputError(field, `truncated data: ${bytes.length} bytes, expected ${need} for shape [${h.shape.join(', ')}] of ${h.descr}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, numel * itemSize);
  let data: Float64Array | Float32Array;
  if (code === 'f4' || code === 'f2') {
    data = new Float32Array(numel);
    if (code === 'f4') for (let i = 0; i < numel; i++) data[i] = dv.getFloat32(4 * i, true);
    else for (let i = 0; i < numel; i++) data[i] = float16ToFloat32(dv.getUint16(2 * i, true));
  } else {
    data = new Float64Array(numel);
    switch (code) {
      case 'f8': for (let i = 0; i < numel; i++) data[i] = dv.getFloat64(8 * i, true); break;
      case 'i1': for (let i = 0; i < numel; i++) data[i] = dv.getInt8(i); break;
      case 'u1': case 'b1': for (let i = 0; i < numel; i++) data[i] = dv.getUint8(i); break;
      case 'i2': for (let i = 0; i < numel; i++) data[i] = dv.getInt16(2 * i, true); break;
      case 'u2': for (let i = 0; i < numel; i++) data[i] = dv.getUint16(2 * i, true); break;
      case 'i4': for (let i = 0; i < numel; i++) data[i] = dv.getInt32(4 * i, true); break;
      case 'u4': for (let i = 0; i < numel; i++) data[i] = dv.getUint32(4 * i, true); break;
      case 'i8': for (let i = 0; i < numel; i++) data[i] = Number(dv.getBigInt64(8 * i, true)); break;
      case 'u8': for (let i = 0; i < numel; i++) data[i] = Number(dv.getBigUint64(8 * i, true)); break;
    }
  }
  if (!opts.allowNonFinite) assertFinite(data, field);
  if (h.fortran) {
    data = data instanceof Float32Array ? fortranToC(data, h.shape, (n) => new Float32Array(n)) : fortranToC(data, h.shape, (n) => new Float64Array(n));
  }
  return { shape: h.shape, dtype: code, data, fortranOrder: h.fortran };
}

/** Parse with npyjs directly (used in tests as an independent decoder of C-order little-endian files). */
export function parseNpyWithNpyjs(buf: Uint8Array): { shape: number[]; data: ArrayLike<number> } {
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  const r = npyParse(copy.buffer);
  return { shape: r.shape, data: r.data as unknown as ArrayLike<number> };
}

/** Read an `.npy` file. */
export function readNpy(path: string, opts: { allowNonFinite?: boolean } = {}): NdArray {
  const bytes = readBytes(path);
  return parseNpy(bytes, path, opts);
}

/** Write a little-endian C-order `.npy` (v1.0) file's bytes for float32/float64 data (for fixtures and exports). */
export function encodeNpy(data: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const dv = new DataView(out.buffer, 10 + header.length);
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) dv.setFloat64(8 * i, data[i], true);
  return out;
}
