#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { PvqConsistencyError, PvqInputError } from '../../src/core/errors.js';
import { registerAnalytic } from './commands/analytic.js';
import { registerBuild } from './commands/build.js';
import { registerCompare } from './commands/compare.js';
import { registerSolve } from './commands/solve.js';
import { registerSolvers } from './commands/solvers.js';
import { registerVerify } from './commands/verify.js';
import { registerTensors } from './commands/tensors.js';
import { registerWorker } from './commands/worker.js';
import { checkOutputOptions } from './output.js';
import { registerModel } from './commands/model.js';

/** Exit codes: 0 success, 1 internal error, 2 bad input / usage, 3 consistency check failed, 4 unverified (pvq verify). */
export const EXIT = { ok: 0, internal: 1, input: 2, consistency: 3, unverified: 4 } as const;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pvq')
    .description('Pruning vs quantization with proofs: certified bounds and exact optima per layer (Kuzmin et al., NeurIPS 2023).')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    // every output file (-o, --plot, --plot-map) is checked before any computing: a missing directory exits 2 at once
    .hook('preAction', (_program, command) => checkOutputOptions(command.opts()));
  registerCompare(program);
  registerBuild(program);
  registerSolve(program);
  registerSolvers(program);
  registerVerify(program);
  registerAnalytic(program);
  registerTensors(program);
  registerWorker(program);
  registerModel(program);
  return program;
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // commander already printed its message (help/version exit 0)
    return e.exitCode === 0 ? EXIT.ok : EXIT.input;
  }
  if (e instanceof PvqInputError) {
    process.stderr.write(`pvq: error: ${e.message}\n`);
    return EXIT.input;
  }
  if (e instanceof PvqConsistencyError) {
    process.stderr.write(`pvq: consistency check failed: ${e.message}\n`);
    return EXIT.consistency;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`pvq: internal error: ${msg}\n`);
  if (process.env.PVQ_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return EXIT.internal;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    return reportError(e);
  }
}

function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (arg === undefined) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
