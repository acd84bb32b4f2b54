import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLayerProblemFile } from '../src/io/layer-problem.js';
import type { LayerProblem } from '../src/core/types.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The reference problems: $PVQ_REFERENCE_DIR if set, else ../shared/problems-reference next to the repo,
 * else the copy committed in test/fixtures/problems-reference (so the suite never runs on zero cases).
 */
export const REFERENCE_DIR: string = (() => {
  const candidates = [
    process.env.PVQ_REFERENCE_DIR,
    resolve(here, '../../shared/problems-reference'),
    resolve(here, '../../../shared/problems-reference'),
    resolve(here, '../test/fixtures/problems-reference'),
    resolve(here, '../../test/fixtures/problems-reference'),
  ].filter((p): p is string => typeof p === 'string');
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error('no reference problems found');
})();

export interface ReferenceCase {
  name: string;
  problem: LayerProblem;
  expected: Record<string, any>;
}

export function referenceCases(): ReferenceCase[] {
  const dir = REFERENCE_DIR;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.json$/, '');
      return {
        name,
        problem: readLayerProblemFile(join(dir, f)),
        expected: JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')),
      };
    });
}
