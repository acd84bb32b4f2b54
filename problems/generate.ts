/**
 * Writes the shipped instances: `npx tsx problems/generate.ts` (deterministic; see problems/instances.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLayerFile } from '../src/io/layer-file.js';
import { shippedInstances } from './instances.js';
import { writeNpy } from '../src/io/npy-write.js';

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, 'data'), { recursive: true });
for (const inst of shippedInstances()) {
  const path = join(here, `${inst.file}.json`);
  writeLayerFile(path, inst.problems, inst.file, { description: inst.description, generator: 'problems/generate.ts' });
  const ns = inst.problems.map((p) => p.n);
  console.log(`${path}: ${inst.problems.length} problems, n = ${Math.min(...ns)}..${Math.max(...ns)}`);
  for (const [key, t] of Object.entries(inst.npy ?? {})) {
    const p = join(here, 'data', `${inst.file}_${key}.npy`);
    writeNpy(p, t.shape, t.data, '<f8');
    console.log(`${p}: shape [${t.shape.join(', ')}]`);
  }
}
