/** Paths of the layer-problem files shipped with the package (problems/*.json), from the sources or from dist/. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PvqInputError } from '../src/core/errors.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Names of the shipped instances (`problems/NAME.json`). */
export const SHIPPED_PROBLEMS = ['default', 'conv-chunked', 'depthwise', 'first-conv', 'heavy-8bit', 'linear-2bit', 'rankdef'] as const;

/** Absolute path of a shipped problem file, whatever the working directory (`shippedProblemPath('default')`). */
export function shippedProblemPath(name: string = 'default'): string {
  const file = `${name}.json`;
  for (const p of [resolve(here, file), resolve(here, '../../problems', file)]) if (existsSync(p)) return p;
  throw new PvqInputError('FILE', `the shipped problem problems/${file} was not found (shipped: ${SHIPPED_PROBLEMS.join(', ')})`);
}
