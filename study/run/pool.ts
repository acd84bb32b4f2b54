/**
 * The in-process scheduler: a piscina worker-thread pool, one job per thread at a time, all cores by default.
 * Each thread calls runJob (study/run/pool-worker.ts); jobs carry their own seeds, so the results do not
 * depend on the number of threads or on which thread ran which job.
 *
 * The worker entry is found next to this file: pool-worker.js when running the compiled package (dist/),
 * pool-worker.ts when running from the sources (tsx, vitest), in which case the threads load tsx themselves
 * (`--import tsx` in their execArgv; tsx is a dev dependency, present whenever the sources are run).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { PvqInputError } from '../../src/core/errors.js';
import type { Job, JobResult } from './jobs.js';

/** Default thread count: every core this process may use. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Check a worker/concurrency count (a positive integer). */
export function checkWorkers(n: number, field = 'workers'): number {
  if (!Number.isInteger(n) || n < 1) throw new PvqInputError(field, `expected a positive integer, got ${n}`);
  return n;
}

/** Worker entry file and the execArgv its threads need (tsx when running from .ts sources). */
export function workerEntry(): { filename: string; execArgv: string[] } {
  const self = import.meta.url;
  const fromSources = self.endsWith('.ts');
  const filename = fileURLToPath(new URL(fromSources ? './pool-worker.ts' : './pool-worker.js', self));
  return { filename, execArgv: fromSources ? ['--import', 'tsx'] : [] };
}

export interface JobPoolOptions {
  /** Threads (default: all cores). */
  workers?: number;
}

/** A pool of worker threads that run jobs; `close()` when done (it ends the threads). */
export class JobPool {
  private readonly pool: Piscina;
  readonly threads: number;

  constructor(opts: JobPoolOptions = {}) {
    this.threads = checkWorkers(opts.workers ?? defaultWorkers());
    const { filename, execArgv } = workerEntry();
    this.pool = new Piscina({
      filename,
      execArgv,
      minThreads: this.threads,
      maxThreads: this.threads,
      concurrentTasksPerWorker: 1,
      // Jobs are queued in piscina (no back-pressure needed: a job is a few kB).
      maxQueue: Infinity,
      idleTimeout: Infinity,
    });
  }

  run(job: Job): Promise<JobResult> {
    return this.pool.run(job) as Promise<JobResult>;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Run jobs on a thread pool; `onResult` is called (in this thread) as each one finishes, in completion order.
 * Resolves with the results in the order of `jobs`; rejects on the first failed job (the pool is closed).
 */
export async function runJobsPool(jobs: readonly Job[], opts: JobPoolOptions & { onResult?: (r: JobResult) => void } = {}): Promise<JobResult[]> {
  if (jobs.length === 0) return [];
  const pool = new JobPool({ workers: Math.min(opts.workers ?? defaultWorkers(), jobs.length) });
  try {
    return await Promise.all(
      jobs.map(async (j) => {
        const r = await pool.run(j);
        opts.onResult?.(r);
        return r;
      }),
    );
  } finally {
    await pool.close();
  }
}
