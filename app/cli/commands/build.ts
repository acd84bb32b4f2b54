import type { Command } from 'commander';
import { layerFileJSON } from '../../../src/io/layer-file.js';
import { addLayerInputOptions, layerFromOptions, type LayerInputOptions } from '../layer-input.js';
import { out, toJSON, writeFileAtomic } from '../output.js';

export function registerBuild(program: Command): void {
  const cmd = program
    .command('build')
    .description('build per-channel layer problems from activations and weights (.npy) and write a pvq-layer file')
    .option('-o, --output <file>', 'write the layer file here (atomically); default: stdout')
    .option('--no-prune-box', "write problems without the paper's pruneBox [2 min w, 2 max w]");
  addLayerInputOptions(cmd).action((opts: LayerInputOptions & { output?: string }) => {
    const { name, problems } = layerFromOptions(opts);
    const json = toJSON(layerFileJSON(problems, name), 0);
    if (opts.output) {
      writeFileAtomic(opts.output, json + '\n');
      process.stderr.write(`wrote ${problems.length} problem(s) of layer ${name} to ${opts.output}\n`);
    } else out(json);
  });
}
