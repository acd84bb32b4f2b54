/**
 * TF.js weights reader: a `model.json` (with `weightsManifest`) or a bare manifest array
 * `[{paths: [...], weights: [{name, shape, dtype, quantization?}]}]`. Each group's `.bin` files are the
 * concatenation of its weights in manifest order; quantized weights dequantize as `q * scale + min`
 * (uint8/uint16) or from float16.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PvqInputError } from '../core/errors.js';
import { assertFinite, type NdArray } from './npy.js';
import { halfToFloat } from './half.js';

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}
interface Group {
  paths: string[];
  weights: WeightEntry[];
}

const SIZE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Decode TF.js weights given the manifest groups and a loader for the shard files. */
export function decodeTfjs(groups: Group[], load: (path: string) => Uint8Array, field = 'tfjs', opts: { allowNonFinite?: boolean } = {}): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  if (!Array.isArray(groups)) throw new PvqInputError(field, 'weightsManifest must be an array of {paths, weights} groups');
  groups.forEach((g, gi) => {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new PvqInputError(`${field}:weightsManifest[${gi}]`, 'expected {paths: [...], weights: [...]}');
    const parts = g.paths.map((p) => load(p));
    const total = parts.reduce((a, p) => a + p.length, 0);
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    const dv = new DataView(buf.buffer);
    let off = 0;
    for (const w of g.weights) {
      const f = `${field}:${w.name}`;
      if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new PvqInputError(f, `bad shape ${JSON.stringify(w.shape)}`);
      const numel = w.shape.reduce((a, b) => a * b, 1);
      const stored = w.quantization?.dtype ?? w.dtype;
      const size = SIZE[stored];
      if (size === undefined) throw new PvqInputError(f, `unsupported dtype ${JSON.stringify(stored)}`);
      if (off + numel * size > total) throw new PvqInputError(f, `weight data runs past the end of the shard files (${total} bytes)`);
      const data = w.dtype === 'float32' ? new Float32Array(numel) : new Float64Array(numel);
      const q = w.quantization;
      for (let i = 0; i < numel; i++) {
        const p = off + i * size;
        let v: number;
        switch (stored) {
          case 'float32': v = dv.getFloat32(p, true); break;
          case 'int32': v = dv.getInt32(p, true); break;
          case 'bool': case 'uint8': v = dv.getUint8(p); break;
          case 'uint16': v = dv.getUint16(p, true); break;
          default: v = halfToFloat(dv.getUint16(p, true));
        }
        if (q && (stored === 'uint8' || stored === 'uint16')) v = v * (q.scale ?? 1) + (q.min ?? 0);
        data[i] = v;
      }
      if (!opts.allowNonFinite) assertFinite(data, f);
      off += numel * size;
      out.set(w.name, { shape: w.shape.slice(), dtype: w.dtype, data, fortranOrder: false });
    }
  });
  return out;
}

/** Read TF.js weights from a model.json / weights manifest file (shards resolved next to it). */
export function readTfjs(path: string, opts: { allowNonFinite?: boolean } = {}): Map<string, NdArray> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PvqInputError(path, `cannot read a TF.js manifest: ${e instanceof Error ? e.message : String(e)}`);
  }
  const groups = Array.isArray(json) ? json : (json as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(groups)) throw new PvqInputError(path, 'not a TF.js model.json (no weightsManifest)');
  const dir = dirname(path);
  return decodeTfjs(
    groups as Group[],
    (p) => {
      try {
        return readFileSync(join(dir, p));
      } catch (e) {
        throw new PvqInputError(path, `cannot read weight shard ${p}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    path,
    opts,
  );
}
