import { basename } from 'node:path';
import { PvqInputError } from '../core/errors.js';
import type { LayerProblem } from '../core/types.js';
import { parseLayerProblem, readJsonFile, UnknownKeys, withFieldPrefix } from './layer-problem.js';

export interface ProblemSet {
  /** Layer (or file) name. */
  name: string;
  problems: LayerProblem[];
  /** The layer file's `meta` (empty for single problems and arrays). */
  meta: Record<string, unknown>;
}

/**
 * Parse a problem file: one layer problem (format v1), an array of them, or a layer file
 * `{"format": "pvq-layer", "version": 1, "name": ..., "problems": [...]}`.
 */
export function parseProblemSet(json: unknown, fallbackName: string, onUnknownKey?: (where: string, key: string) => void): ProblemSet {
  if (Array.isArray(json)) {
    if (json.length === 0) throw new PvqInputError('(root)', 'empty array: expected at least one layer problem');
    return { name: fallbackName, problems: json.map((p, i) => parseOne(p, `${fallbackName}#${i}`, `[${i}].`, onUnknownKey)), meta: {} };
  }
  if (typeof json === 'object' && json !== null && 'problems' in json) {
    const o = json as Record<string, unknown>;
    if (onUnknownKey) for (const key of Object.keys(o)) if (!LAYER_FILE_KEYS.includes(key)) onUnknownKey('', key);
    if (o.format !== undefined && o.format !== 'pvq-layer') throw new PvqInputError('format', `expected "pvq-layer", got ${JSON.stringify(o.format)}`);
    if (o.version !== undefined && o.version !== 1) throw new PvqInputError('version', `unsupported version ${JSON.stringify(o.version)} (this pvq reads version 1)`);
    const name = typeof o.name === 'string' && o.name.length > 0 ? o.name : fallbackName;
    if (!Array.isArray(o.problems) || o.problems.length === 0) throw new PvqInputError('problems', 'expected a non-empty array of layer problems');
    const meta = typeof o.meta === 'object' && o.meta !== null && !Array.isArray(o.meta) ? (o.meta as Record<string, unknown>) : {};
    return { name, problems: o.problems.map((p, i) => parseOne(p, `${name}#${i}`, `problems[${i}].`, onUnknownKey)), meta };
  }
  return { name: fallbackName, problems: [parseOne(json, fallbackName, '', onUnknownKey)], meta: {} };
}

/** The keys of the layer-file wrapper. */
const LAYER_FILE_KEYS: readonly string[] = ['format', 'version', 'name', 'meta', 'problems'];

function parseOne(json: unknown, fallback: string, prefix: string, onUnknownKey?: (where: string, key: string) => void): LayerProblem {
  return withFieldPrefix(prefix, () => parseLayerProblem(json, fallback, onUnknownKey ? (k) => onUnknownKey(prefix, k) : undefined));
}

/**
 * Read a problem file (see parseProblemSet). Errors name the file and the field. Unknown keys are ignored with one
 * warning line per distinct key on stderr (`warn` replaces the stderr writer).
 */
export function readProblemSet(path: string, warn?: (line: string) => void): ProblemSet {
  const json = readJsonFile(path);
  const unknown = new UnknownKeys();
  const set = withFieldPrefix(`${path}: `, () => parseProblemSet(json, basename(path).replace(/\.json$/i, ''), (where, k) => unknown.add(where, k)));
  unknown.flush(path, warn);
  return set;
}
