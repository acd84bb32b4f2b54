/**
 * The multi-problem layer file: `{ "format": "pvq-layer", "version": 1, "name": ..., "problems": [...] }`,
 * each element a layer-problem object (/work/shared/formats/layer-problem.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PvqInputError } from '../src/core/errors.js';
import type { LayerProblem } from '../src/core/types.js';
import { layerProblemToJSON, parseLayerProblem } from '../src/io/layer-problem.js';

export const LAYER_FILE_FORMAT = 'pvq-layer';
export const LAYER_FILE_VERSION = 1;

export interface LayerFileJSON {
  format: 'pvq-layer';
  version: 1;
  name: string;
  problems: Record<string, unknown>[];
  meta?: Record<string, unknown>;
}

/** Serialise problems as a layer file object (JSON.stringify it to write). */
export function layerFileJSON(problems: readonly LayerProblem[], name: string, meta?: Record<string, unknown>): LayerFileJSON {
  const out: LayerFileJSON = { format: LAYER_FILE_FORMAT, version: LAYER_FILE_VERSION, name, problems: problems.map(layerProblemToJSON) };
  if (meta !== undefined) out.meta = meta;
  return out;
}

/** True when a parsed JSON value looks like a layer file (rather than a single layer problem). */
export function isLayerFile(json: unknown): boolean {
  return typeof json === 'object' && json !== null && (json as Record<string, unknown>).format === LAYER_FILE_FORMAT;
}

/** Validate a parsed layer file; each problem goes through `parseLayerProblem`. Errors name the element. */
export function parseLayerFile(json: unknown, fallbackName = 'layer'): { name: string; problems: LayerProblem[]; meta: Record<string, unknown> } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PvqInputError('(root)', 'expected a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== LAYER_FILE_FORMAT) throw new PvqInputError('format', `expected "${LAYER_FILE_FORMAT}", got ${JSON.stringify(o.format)}`);
  if (o.version !== LAYER_FILE_VERSION) throw new PvqInputError('version', `expected ${LAYER_FILE_VERSION}, got ${JSON.stringify(o.version)}`);
  const name = o.name === undefined ? fallbackName : o.name;
  if (typeof name !== 'string' || name.length === 0) throw new PvqInputError('name', 'expected a non-empty string');
  if (!Array.isArray(o.problems) || o.problems.length === 0) throw new PvqInputError('problems', 'expected a non-empty array of layer problems');
  const problems = o.problems.map((p, i) => {
    try {
      return parseLayerProblem(p, `${name}/${i}`);
    } catch (e) {
      if (e instanceof PvqInputError) throw new PvqInputError(`problems[${i}].${e.field}`, e.message.slice(e.field.length + 2));
      throw e;
    }
  });
  const meta = typeof o.meta === 'object' && o.meta !== null && !Array.isArray(o.meta) ? (o.meta as Record<string, unknown>) : {};
  return { name, problems, meta };
}

/** Read a layer file from disk. */
export function readLayerFile(path: string): { name: string; problems: LayerProblem[]; meta: Record<string, unknown> } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PvqInputError(path, `cannot read JSON (${(e as Error).message})`);
  }
  try {
    return parseLayerFile(json, basename(path).replace(/\.json$/i, ''));
  } catch (e) {
    if (e instanceof PvqInputError) throw new PvqInputError(`${path}: ${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
}

/** Write a layer file (one problem per line, so diffs stay readable). */
export function writeLayerFile(path: string, problems: readonly LayerProblem[], name: string, meta?: Record<string, unknown>): void {
  const f = layerFileJSON(problems, name, meta);
  const head: Record<string, unknown> = { format: f.format, version: f.version, name: f.name };
  if (f.meta !== undefined) head.meta = f.meta;
  const headText = JSON.stringify(head);
  const body = f.problems.map((p) => '  ' + JSON.stringify(p)).join(',\n');
  writeFileSync(path, `${headText.slice(0, -1)},"problems":[\n${body}\n]}\n`);
}
