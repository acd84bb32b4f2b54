import { basename } from 'node:path';
import { PvqInputError } from '../core/errors.js';
import type { LayerProblem } from '../core/types.js';
import { parseLayerProblem, readJsonFile, withFieldPrefix } from './layer-problem.js';

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
export function parseProblemSet(json: unknown, fallbackName: string): ProblemSet {
  if (Array.isArray(json)) {
    if (json.length === 0) throw new PvqInputError('(root)', 'empty array: expected at least one layer problem');
    return { name: fallbackName, problems: json.map((p, i) => parseOne(p, `${fallbackName}#${i}`, `[${i}].`)), meta: {} };
  }
  if (typeof json === 'object' && json !== null && 'problems' in json) {
    const o = json as Record<string, unknown>;
    if (o.format !== undefined && o.format !== 'pvq-layer') throw new PvqInputError('format', `expected "pvq-layer", got ${JSON.stringify(o.format)}`);
    if (o.version !== undefined && o.version !== 1) throw new PvqInputError('version', `unsupported version ${JSON.stringify(o.version)} (this pvq reads version 1)`);
    const name = typeof o.name === 'string' && o.name.length > 0 ? o.name : fallbackName;
    if (!Array.isArray(o.problems) || o.problems.length === 0) throw new PvqInputError('problems', 'expected a non-empty array of layer problems');
    const meta = typeof o.meta === 'object' && o.meta !== null && !Array.isArray(o.meta) ? (o.meta as Record<string, unknown>) : {};
    return { name, problems: o.problems.map((p, i) => parseOne(p, `${name}#${i}`, `problems[${i}].`)), meta };
  }
  return { name: fallbackName, problems: [parseOne(json, fallbackName, '')], meta: {} };
}

function parseOne(json: unknown, fallback: string, prefix: string): LayerProblem {
  return withFieldPrefix(prefix, () => parseLayerProblem(json, fallback));
}

/** Read a problem file (see parseProblemSet). Errors name the file and the field. */
export function readProblemSet(path: string): ProblemSet {
  const json = readJsonFile(path);
  return withFieldPrefix(`${path}: `, () => parseProblemSet(json, basename(path).replace(/\.json$/i, '')));
}
