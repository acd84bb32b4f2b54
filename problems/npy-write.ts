/**
 * A tiny `.npy` writer (format version 1.0): magic "\x93NUMPY", version 1.0, a little-endian u16 header
 * length, an ASCII dict `{'descr': '<f8', 'fortran_order': False, 'shape': (...), }` padded with spaces to a
 * multiple of 64 bytes and ending in '\n', then the raw C-order data ('<f8' float64 or '<f4' float32).
 */
import { writeFileSync } from 'node:fs';
import { PvqInputError } from '../src/core/errors.js';

export type NpyDtype = '<f8' | '<f4';

export function npyBytes(shape: readonly number[], data: ArrayLike<number>, dtype: NpyDtype = '<f8'): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new PvqInputError('shape', `invalid dimension ${d}`);
  if (size !== data.length) throw new PvqInputError('data', `shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
  if (dtype !== '<f8' && dtype !== '<f4') throw new PvqInputError('dtype', `expected '<f8' or '<f4', got ${JSON.stringify(dtype)}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pre = 10; // magic(6) + version(2) + header length(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  const itemSize = dtype === '<f8' ? 8 : 4;
  const out = new Uint8Array(total + size * itemSize);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  for (let i = 0; i < size; i++) {
    if (dtype === '<f8') view.setFloat64(total + 8 * i, data[i], true);
    else view.setFloat32(total + 4 * i, data[i], true);
  }
  return out;
}

export function writeNpy(path: string, shape: readonly number[], data: ArrayLike<number>, dtype: NpyDtype = '<f8'): void {
  writeFileSync(path, npyBytes(shape, data, dtype));
}
