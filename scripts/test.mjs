#!/usr/bin/env node
// The whole suite: a strict typecheck of sources, tests and benchmarks, the build of dist/, then vitest (default + JSON
// reporters). Prints the closing line "N passed, N failed" that CI recognises. Exit code: non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.check.json'], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('typecheck failed (npx tsc -p tsconfig.check.json)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// the built package (dist/) is what the README example, the worker threads and the CLI subprocess tests run
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('build failed (npx tsc -p tsconfig.json)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const out = '.vitest-results.json';
rmSync(out, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit' });
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests ?? 0;
  failed = j.numFailedTests ?? 0;
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}
const code = r.status ?? 1;
if (code !== 0 && failed === 0) failed = 1; // e.g. a test file that failed to load
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 ? code : passed === 0 ? 1 : 0);
