/** Collect weight tensors from model files and folders (.npy, .safetensors, .onnx, TF.js model.json). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { PvqInputError } from '../core/errors.js';
import { readNpy } from '../io/npy.js';
import { readOnnx } from '../io/onnx.js';
import { readSafetensors } from '../io/safetensors.js';
import { readTfjs } from '../io/tfjs.js';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface LoadOptions {
  /** Keep tensors of rank < 2 from model files (biases, norms); default false, as in the paper (weights only). */
  includeVectors?: boolean;
  /** Skip tensors with fewer elements (default 1). */
  minSize?: number;
}

const FLOAT = new Set(['f2', 'f4', 'f8', 'F16', 'BF16', 'F32', 'F64', 'float16', 'bfloat16', 'float32', 'float64']);

function isTfjsManifest(path: string): boolean {
  try {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(j) ? j.length > 0 && Array.isArray(j[0]?.weights) : Array.isArray(j?.weightsManifest);
  } catch {
    return false;
  }
}

/** Supported files under a folder (recursive, sorted). */
function listFolder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFolder(p));
    else if (['.npy', '.safetensors', '.onnx'].includes(extname(e.name).toLowerCase()) || (extname(e.name) === '.json' && isTfjsManifest(p))) out.push(p);
  }
  return out;
}

/** Load the tensors of every file (a `.npy` file is one tensor named after the file). */
export async function loadTensors(paths: string[], opts: LoadOptions = {}): Promise<NamedTensor[]> {
  const files: { path: string; fromFolder: boolean }[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new PvqInputError(p, 'no such file or folder');
    }
    if (st.isDirectory()) {
      const list = listFolder(p);
      if (list.length === 0) throw new PvqInputError(p, 'folder contains no .npy, .safetensors, .onnx or TF.js model.json files');
      files.push(...list.map((f) => ({ path: f, fromFolder: true })));
    } else files.push({ path: p, fromFolder: false });
  }
  const minSize = opts.minSize ?? 1;
  const keepModel = (shape: number[], dtype: string): boolean =>
    FLOAT.has(dtype) && (opts.includeVectors || shape.length >= 2) && shape.reduce((a, b) => a * b, 1) >= minSize;
  const prefix = files.length > 1;
  const out: NamedTensor[] = [];
  for (const { path } of files) {
    const ext = extname(path).toLowerCase();
    const tag = (name: string): string => (prefix && ext !== '.npy' ? `${basename(path)}:${name}` : name);
    if (ext === '.npy') {
      const t = readNpy(path);
      out.push({ name: basename(path, extname(path)), shape: t.shape, data: t.data });
    } else if (ext === '.safetensors') {
      for (const [name, t] of readSafetensors(path)) if (keepModel(t.shape, t.dtype)) out.push({ name: tag(name), shape: t.shape, data: t.data });
    } else if (ext === '.onnx') {
      const DT: Record<number, string> = { 1: 'float32', 10: 'float16', 11: 'float64', 16: 'bfloat16' };
      for (const t of await readOnnx(path, { filter: (_n, dims, dt) => DT[dt] !== undefined && keepModel(dims, DT[dt]) })) out.push({ name: tag(t.name), shape: t.shape, data: t.data });
    } else if (ext === '.json') {
      for (const [name, t] of readTfjs(path)) if (keepModel(t.shape, t.dtype)) out.push({ name: tag(name), shape: t.shape, data: t.data });
    } else throw new PvqInputError(path, 'unsupported file type (expected .npy, .safetensors, .onnx, or a TF.js model.json)');
  }
  return out;
}
