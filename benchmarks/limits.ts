/**
 * Limits benchmark: does every registered solver return within its time limit (target: T + 10 % + 0.2 s,
 * preprocessing included) at n up to 1000?
 *
 *   npx tsx benchmarks/limits.ts                       # n = 100, 400, 1000; limits 1 s and 2 s
 *   npx tsx benchmarks/limits.ts --quick               # n = 100, 400; limit 1 s
 *   options: --n 100,400  --limits 1,2  --solvers prune-exact,quant-exact  --kill 30  --node-limit 1
 *
 * Instance (seeded, problems/synthetic.ts): A is m x n Gaussian with m = 1.5 n (rho = 0, so at n = 400 A is
 * 600 x 400), G = A^T A / m, Student-t weights (nu = 3), 4 bits, the layer's prune box. Each solve runs in
 * its own child process (instance built there, not timed) so that a run that overruns badly can be killed
 * after `--kill` seconds; the time shown is the wall time of `solve()` alone. One run per cell (this
 * benchmark checks a bound, not a median speed).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AnyProblemClass, SolveOptions, SolveResult } from '../src/core/types.js';
import { syntheticProblem } from '../problems/synthetic.js';
import { problemOf } from '../solvers/classes.js';
import { getSolver, listSolvers } from '../solvers/index.js';

/** The problem classes benchmarked here (the others need a pattern or sparsity this instance lacks). */
const CLASSES: readonly AnyProblemClass[] = ['quantization', 'levels', 'pruning'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The benchmark instance at size n (the n = 400 instance is `instance(400)`). */
export function instance(n: number) {
  return syntheticProblem({ n, m: Math.round(1.5 * n), rho: 0, wDist: 'student-t', bits: 4, seed: 1 });
}

async function child(): Promise<void> {
  const name = arg('solver')!;
  const n = Number(arg('size'));
  const limit = Number(arg('limit'));
  const nodeLimit = arg('node-limit');
  const lp = instance(n);
  const solver = getSolver(name);
  if (!solver) throw new Error(`unknown solver ${name}`);
  const options: SolveOptions = { timeLimitMs: limit * 1000 };
  if (nodeLimit !== undefined) options.nodeLimit = Number(nodeLimit);
  if (!CLASSES.includes(solver.problemClass)) throw new Error(`benchmarks/limits.ts: class ${solver.problemClass} is not benchmarked here`);
  // the class's problem (pruning with the layer's prune box), built before the clock starts
  const problem = problemOf(solver.problemClass, lp, { useBox: true });
  const t0 = performance.now();
  const r = await (solver.solve as (p: typeof problem, o?: SolveOptions) => SolveResult | Promise<SolveResult>)(problem, options);
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, status: r.status, lb: r.lowerBound, ub: r.upperBound }) + '\n');
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const ns = (arg('n') ?? (quick ? '100,400' : '100,400,1000')).split(',').map(Number);
  const limits = (arg('limits') ?? (quick ? '1' : '1,2')).split(',').map(Number);
  const names = arg('solvers')?.split(',') ?? listSolvers()
    .filter((s) => CLASSES.includes(s.problemClass))
    .map((s) => s.name);
  const killS = Number(arg('kill') ?? 30);
  const nodeLimit = arg('node-limit');
  const self = fileURLToPath(import.meta.url);
  console.log(`| solver | n | limit s | wall s | within T+10%+0.2s | status |`);
  console.log(`|---|---:|---:|---:|:-:|---|`);
  let over = 0;
  for (const n of ns) {
    for (const T of limits) {
      for (const name of names) {
        const extra = nodeLimit !== undefined ? ['--node-limit', nodeLimit] : [];
        const t0 = performance.now();
        const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', '--solver', name, '--size', String(n), '--limit', String(T), ...extra], {
          encoding: 'utf8',
          timeout: killS * 1000,
          maxBuffer: 1 << 26,
        });
        const wall = (performance.now() - t0) / 1000;
        let cell: string;
        if (r.error || r.status !== 0) {
          const why = r.signal ? `killed after ${killS} s` : `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}`;
          cell = `| ${name} | ${n} | ${T} | >${wall.toFixed(1)} | no | ${why} |`;
          over++;
        } else {
          const line = r.stdout.trim().split('\n').pop()!;
          const o = JSON.parse(line) as { ms: number; status: string };
          const s = o.ms / 1000;
          const ok = s <= 1.1 * T + 0.2;
          if (!ok) over++;
          cell = `| ${name} | ${n} | ${T} | ${s.toFixed(2)} | ${ok ? 'yes' : 'NO'} | ${o.status} |`;
        }
        console.log(cell);
      }
    }
  }
  console.log(`\n${over} run(s) over the target.`);
}

if (process.argv.includes('--child')) await child();
else main();
