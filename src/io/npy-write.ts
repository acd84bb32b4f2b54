/**
 * A tiny `.npy` writer (format version 1.0): magic "\x93NUMPY", version 1.0, a little-endian u16 header
 * length, an ASCII dict `{'descr': '<f8', 'fortran_order': False, 'shape': (...), }` padded with spaces to a
 * multiple of 64 bytes and ending in '\n', then the raw C-order data ('<f8' float64 or '<f4' float32).
 */
import { writeFileSync } from 'node:fs';
import { PvqInputError } from '../core/errors.js';
import { encodeNpy } from './npy.js';

export type NpyDtype = '<f8' | '<f4';

export function npyBytes(shape: readonly number[], data: ArrayLike<number>, dtype: NpyDtype = '<f8'): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new PvqInputError('shape', `invalid dimension ${d}`);
  if (size !== data.length) throw new PvqInputError('data', `shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
  if (dtype !== '<f8' && dtype !== '<f4') throw new PvqInputError('dtype', `expected '<f8' or '<f4', got ${JSON.stringify(dtype)}`);
  return encodeNpy(dtype === '<f8' ? Float64Array.from(data) : Float32Array.from(data), [...shape]);
}

export function writeNpy(path: string, shape: readonly number[], data: ArrayLike<number>, dtype: NpyDtype = '<f8'): void {
  writeFileSync(path, npyBytes(shape, data, dtype));
}
