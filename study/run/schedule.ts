/**
 * runJobs: one entry point for every scheduler. The store (if any) sits in front: jobs whose key is stored
 * are not run again, and every new result is written the moment it arrives. Then:
 * - workers 1 and no queue: in this thread, in order (runJobsSequential's loop);
 * - a queue URL: a BullMQ queue on Redis, processed by `pvq worker` on any machine (queue.ts);
 * - otherwise: a worker-thread pool on this machine (pool.ts), all cores by default.
 * Every scheduler gives the same results for the same jobs (jobs carry their seeds); results come back in the
 * order of `jobs`. Jobs with equal keys are run once.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { runJob, type Job, type JobResult, type RunOptions } from './jobs.js';
import { checkWorkers, defaultWorkers, runJobsPool } from './pool.js';
import { ResultStore } from './store.js';

/** RunOptions plus what the schedulers behind runJobs understand. */
export interface ScheduleOptions extends RunOptions {
  /** The run's identity recorded in the store (e.g. { model: hash, options: hash }). */
  storeIdentity?: Record<string, unknown>;
  /** Reuse a store written by another run (another model or options) instead of failing. */
  allowOtherRun?: boolean;
  /** Called with each new result as it finishes (not for results taken from the store). */
  onResult?: (r: JobResult) => void;
  /** BullMQ queue name (default 'pvq'); `pvq worker --queue NAME` must match. */
  queueName?: string;
}

export async function runJobs(jobs: readonly Job[], opts: ScheduleOptions = {}): Promise<JobResult[]> {
  const workers = opts.workers === undefined ? defaultWorkers() : checkWorkers(opts.workers, 'workers');
  const byKey = new Map<string, JobResult>();
  const unique: Job[] = [];
  const seen = new Set<string>();
  for (const j of jobs) {
    if (typeof j.key !== 'string' || j.key.length === 0) throw new PvqInputError('job.key', 'every job needs its key (makeJob)');
    if (!seen.has(j.key)) {
      seen.add(j.key);
      unique.push(j);
    }
  }
  const total = unique.length;
  // Connect to the queue before touching the store: an unreachable Redis fails fast and writes nothing.
  const queue = opts.queueUrl !== undefined ? await import('./queue.js') : undefined;
  if (queue && opts.queueUrl !== undefined) await queue.checkRedis(opts.queueUrl);
  const store = opts.storePath !== undefined ? ResultStore.open(opts.storePath, { identity: opts.storeIdentity, allowOtherRun: opts.allowOtherRun }) : undefined;
  try {
    const todo: Job[] = [];
    for (const j of unique) {
      const r = store?.get(j.key);
      if (r) byKey.set(j.key, r);
      else todo.push(j);
    }
    let done = byKey.size;
    opts.onProgress?.(done, total);
    const onResult = (r: JobResult): void => {
      if (byKey.has(r.key)) return; // at-least-once delivery: a duplicate is counted once
      store?.put(r);
      byKey.set(r.key, r);
      opts.onResult?.(r);
      opts.onProgress?.(++done, total);
    };
    if (todo.length > 0) {
      if (queue && opts.queueUrl !== undefined) await queue.runJobsQueue(todo, { url: opts.queueUrl, queueName: opts.queueName, onResult });
      else if (workers === 1) for (const j of todo) onResult(await runJob(j));
      else await runJobsPool(todo, { workers, onResult });
    }
  } finally {
    store?.close();
  }
  return jobs.map((j) => {
    const r = byKey.get(j.key);
    if (!r) throw new Error(`no result for job ${j.key}`);
    return r;
  });
}
