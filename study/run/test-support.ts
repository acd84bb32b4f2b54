/**
 * Shared by the study/run tests: small deterministic jobs (exact optima well inside the time limit, so the
 * results do not depend on timing), the timing-free view of a result, a child-process runner, and a real
 * redis-server on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticLayer } from '../../problems/synthetic.js';
import { makeJob, type Job, type JobResult } from './jobs.js';
import type { MethodOutcome } from '../compare/compare.js';
/** The package root: the nearest folder above this file with a package.json (works from the sources and from dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const REPO = packageRoot();

/** `count` jobs: channels of synthetic Linear layers (n inputs, `bits`), a generous time limit (exact optima). */
export function smallJobs(count: number, n = 12, bits = 4, seed = 7): Job[] {
  const jobs: Job[] = [];
  for (let layer = 0; jobs.length < count; layer++) {
    const problems = syntheticLayer({ n, bits, outChannels: 8, seed: seed + 10 * layer, layer: `L${layer}` });
    for (const [channel, p] of problems.entries()) {
      if (jobs.length === count) break;
      jobs.push(makeJob(p, { timeLimitMs: 120_000, pruneBox: true, seed: 1000 + jobs.length, baselines: true }, { model: 'synthetic', layer: `L${layer}`, channel, bits }));
    }
  }
  return jobs;
}

function methodView(m: MethodOutcome): unknown {
  return {
    lowerBound: m.lowerBound,
    upperBound: m.upperBound,
    lowerBy: m.lowerBy,
    upperBy: m.upperBy,
    exact: m.exact,
    status: m.status,
    sqnrDb: m.sqnrDb,
    results: m.results.map((r) => ({ solver: r.solver, status: r.status, lowerBound: r.lowerBound, upperBound: r.upperBound, solution: r.solution })),
  };
}

/** Everything in a result except timing statistics: verdict, intervals, every solver's bounds and solution. */
export function resultView(r: JobResult): unknown {
  const c = r.comparison;
  return { key: r.key, problem: c.problem, winner: c.winner, proven: c.proven, baselines: c.baselines, quant: methodView(c.quant), prune: methodView(c.prune) };
}

/** The result is timing-independent only when both optima were proven (no limit hit). */
export function allExact(rs: readonly JobResult[]): boolean {
  return rs.every((r) => r.comparison.quant.exact && r.comparison.prune.exact && r.comparison.quant.status === 'optimal' && r.comparison.prune.status === 'optimal');
}

/** A node process running a .ts file through tsx; stderr collected. */
export function spawnTs(args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PVQ_DEBUG: '1' } });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

export const CLI = resolve(REPO, 'app/cli/main.ts');

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** A free TCP port on 127.0.0.1 (nothing listens on it when this returns). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Path of redis-server, or null when it is not installed (the queue tests are skipped then, with that reason). */
export function redisServerPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** Start a throw-away redis-server on 127.0.0.1 and a free port (no persistence); resolves once it answers PING. */
export async function startRedis(bin: string): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const { checkRedis } = await import('./queue.js');
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      try {
        await checkRedis(url);
        return true;
      } catch {
        return false;
      }
    },
    'redis-server to answer',
    30_000,
    100,
  );
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
    },
  };
}
