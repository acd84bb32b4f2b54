/**
 * The multi-problem layer file: `{ "format": "pvq-layer", "version": 1, "name": ..., "problems": [...] }`,
 * each element a layer-problem object (/work/shared/formats/layer-problem.md).
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PvqInputError } from '../core/errors.js';
import type { LayerProblem } from '../core/types.js';
import { layerProblemToJSON, readJsonFile, withFieldPrefix } from './layer-problem.js';
import { parseProblemSet, type ProblemSet } from './problem-file.js';

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

/** Validate a parsed layer file (the `format` must be "pvq-layer"); each problem is validated. Errors name the element. */
export function parseLayerFile(json: unknown, fallbackName = 'layer'): ProblemSet {
  if (!isLayerFile(json)) {
    const f = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).format : undefined;
    throw new PvqInputError('format', `expected "${LAYER_FILE_FORMAT}", got ${JSON.stringify(f)}`);
  }
  return parseProblemSet(json, fallbackName);
}

/** Read a layer file from disk (see parseLayerFile); errors name the file and field. */
export function readLayerFile(path: string): ProblemSet {
  const json = readJsonFile(path);
  return withFieldPrefix(`${path}: `, () => parseLayerFile(json, basename(path).replace(/\.json$/i, '')));
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
