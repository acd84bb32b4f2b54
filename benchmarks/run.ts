/**
 * Runs every benchmark script in this folder in sequence (pass --quick for the small grid).
 * Usage: npx tsx benchmarks/run.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).sort();
let failed = 0;
for (const s of scripts) {
  process.stdout.write(`\n## ${s}\n\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, s), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
