import type { Command } from 'commander';
import { listSolvers } from '../../../solvers/index.js';
import { describeSchema } from '../../../src/core/options.js';
import { renderTable } from '../../../study/report/table.js';
import { out, toJSON } from '../output.js';

export function registerSolvers(program: Command): void {
  program
    .command('solvers')
    .description('list the registered solvers (name, problem class, role, the common options they honour, their own -O options)')
    .option('--json', 'machine-readable output, with each solver option schema (type, default, min/max, allowed values, help)')
    .action((opts: { json?: boolean }) => {
      const list = listSolvers().map((s) => ({
        name: s.name,
        problemClass: s.problemClass,
        role: s.role,
        description: s.description,
        capabilities: s.capabilities ?? null,
        options: describeSchema(s.options),
      }));
      if (opts.json) return out(toJSON({ solvers: list }));
      out(
        renderTable(
          ['name', 'class', 'role', 'honours', '-O options', 'description'],
          list.map((s) => [
            s.name,
            s.problemClass,
            s.role,
            s.capabilities === null ? '(not declared)' : s.capabilities.length ? s.capabilities.join(', ') : '-',
            Object.keys(s.options).join(', ') || '-',
            s.description,
          ]),
        ),
      );
    });
}
