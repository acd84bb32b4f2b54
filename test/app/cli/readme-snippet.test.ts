// The README's library example runs verbatim as shown: its ```js block under "## Library" is written to a file
// inside the package (so that `import ... from 'pvq'` resolves to this package's built entry) and run by node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function librarySnippet(): string {
  const readme = readFileSync(resolve(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf('## Library\n');
  expect(at).toBeGreaterThan(0);
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(m).not.toBeNull();
  return m![1];
}

describe('README library example', () => {
  it('runs verbatim against the built package and prints a proven optimum, a verified certificate and a verdict', () => {
    const pkg = JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
    const entry = resolve(REPO, pkg.exports['.'].default);
    expect(existsSync(entry), `${entry} missing: npm test builds dist/ first (npm run build)`).toBe(true);
    const dir = resolve(REPO, '.readme-snippet');
    mkdirSync(dir, { recursive: true });
    const file = resolve(dir, 'example.mjs');
    writeFileSync(file, librarySnippet());
    try {
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      const [status, ub, lb, valid] = lines[0].split(' ');
      expect(status).toBe('optimal');
      expect(Number(lb)).toBeGreaterThan(0);
      expect(Number(lb)).toBeLessThanOrEqual(Number(ub));
      expect(valid).toBe('true');
      expect(lines[1]).toMatch(/ (quantization|pruning|tie|undecided)$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
