// The folders are floors (README, "Project layout and design"): a file imports only from its own floor and the
// floors below it; only the front door (app/) imports everything. This test reads every relative import of the
// sources and fails on one that climbs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Floor of a repository path (posix, relative to the repo), or null outside the layered sources. */
export function floorOf(path: string): number | null {
  if (path.startsWith('src/')) return 0;
  if (path.startsWith('problems/')) return 1;
  if (path.startsWith('solvers/')) return 2;
  if (path.startsWith('study/')) return 3;
  if (path.startsWith('app/')) return 4;
  return null;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(REPO, dir))) {
    const rel = posix.join(dir, name);
    if (statSync(join(REPO, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const IMPORT = /(?:from\s*|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function upwardImports(): string[] {
  const bad: string[] = [];
  for (const top of ['src', 'problems', 'solvers', 'study', 'app']) {
    for (const file of sourceFiles(top)) {
      const from = floorOf(file)!;
      const text = readFileSync(join(REPO, file), 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const target = relative(REPO, resolve(REPO, dirname(file), m[1])).split('\\').join('/');
        const to = floorOf(target);
        if (to === null) bad.push(`${file} imports ${m[1]} (outside the layered sources)`);
        else if (to > from) bad.push(`${file} (floor ${from}) imports ${target} (floor ${to})`);
      }
    }
  }
  return bad;
}

describe('layout', () => {
  it('the floor map reads paths as documented', () => {
    expect([floorOf('src/core/types.ts'), floorOf('problems/build.ts'), floorOf('solvers/index.ts'), floorOf('study/run/pool.ts'), floorOf('app/cli/main.ts'), floorOf('test/x.ts')]).toEqual([0, 1, 2, 3, 4, null]);
  });

  it('no source file imports from a higher floor (or from test/, benchmarks/, scripts/)', () => {
    expect(upwardImports()).toEqual([]);
  });
});
