import type { Command } from 'commander';
import { listSolvers } from '../../../solvers/index.js';
import { renderTable } from '../../report/table.js';
import { out, toJSON } from '../output.js';

export function registerSolvers(program: Command): void {
  program
    .command('solvers')
    .description('list the registered solvers (name, problem class, role)')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const list = listSolvers().map((s) => ({ name: s.name, problemClass: s.problemClass, role: s.role, description: s.description, extraOptions: s.extraOptions ?? {} }));
      if (opts.json) return out(toJSON({ solvers: list }));
      out(renderTable(['name', 'class', 'role', 'description'], list.map((s) => [s.name, s.problemClass, s.role, s.description])));
    });
}
