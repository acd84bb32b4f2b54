/**
 * The cross-machine scheduler: sub-problems on a BullMQ queue in Redis, processed by `pvq worker URL` on any
 * number of machines, results collected by the coordinator (runJobsQueue) into the caller's store.
 *
 * - Job id = job key: adding a job that is already queued, running or finished is a no-op, so re-running the
 *   coordinator never duplicates work, and a result that finished while the coordinator was away is
 *   picked up from Redis instead of being recomputed.
 * - At-least-once delivery: a worker holds a lock on its job and renews it (its jobs run on worker threads,
 *   so the lock renewal never waits for a solver); a worker killed mid-job stops renewing, the lock expires
 *   after `lockDurationMs`, another worker's stalled-job check puts the job back on the queue and it runs
 *   again there. A job can therefore run twice; its result is the same (the key fixes it), and the
 *   coordinator counts a key once (first result wins; the store keeps one row per key).
 * - The coordinator learns results from QueueEvents 'completed' (the worker's return value is the encoded
 *   result) and, in case an event is missed, from a periodic sweep of the job states; it removes a job from
 *   Redis once its result is in the store.
 * - A job whose solver throws is not retried (the same input fails the same way): the run fails with the
 *   worker's message. Jobs still queued then stay in Redis and keep being processed; re-running the
 *   coordinator collects their results instead of recomputing them.
 */
import { Job as BullJob, Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { PvqInputError } from '../../src/core/errors.js';
import type { Job, JobResult } from './jobs.js';
import { JobPool, defaultWorkers, checkWorkers } from './pool.js';
import { decodeResult, encodeResult } from './store.js';

export const DEFAULT_QUEUE = 'pvq';
/** Connecting to Redis gives up after this (ms): an unreachable URL fails fast. */
const CONNECT_TIMEOUT_MS = 3000;

/** ioredis options from redis://[user:password@]host:port[/db] (rediss:// for TLS). */
export function redisOptions(url: string, field = 'queue URL'): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PvqInputError(field, `expected redis://HOST:PORT, got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new PvqInputError(field, `expected redis://HOST:PORT, got ${JSON.stringify(url)}`);
  if (!u.hostname) throw new PvqInputError(field, `no host in ${JSON.stringify(url)}`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbPath = u.pathname.replace(/^\//, '');
  const db = dbPath === '' ? undefined : Number(dbPath);
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new PvqInputError(field, `bad database number in ${JSON.stringify(url)}`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function connection(url: string): ConnectionOptions {
  // BullMQ needs maxRetriesPerRequest null on its blocking connections.
  return { ...redisOptions(url), maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS };
}

/** Connect once, PING, disconnect: fails within a few seconds with one clear line when Redis is unreachable. */
export async function checkRedis(url: string, field = 'queue URL'): Promise<void> {
  const r = new Redis({ ...redisOptions(url, field), lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let cause: Error | undefined; // the socket error (e.g. ECONNREFUSED), clearer than ioredis' "Connection is closed."
  r.on('error', (e: Error) => (cause ??= e));
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new PvqInputError(field, `cannot reach Redis at ${url} (${(cause ?? (e instanceof Error ? e : new Error(String(e)))).message})`);
  } finally {
    r.disconnect();
  }
}

export interface QueueRunOptions {
  url: string;
  queueName?: string;
  /** Called once per key as results arrive (in this process). */
  onResult: (r: JobResult) => void;
  /** Sweep job states this often to catch missed events (ms, default 15000). */
  sweepMs?: number;
}

/** Coordinator: queue the jobs, wait until every key has a result, remove finished jobs from Redis. */
export async function runJobsQueue(jobs: readonly Job[], opts: QueueRunOptions): Promise<void> {
  if (jobs.length === 0) return;
  await checkRedis(opts.url);
  const name = opts.queueName ?? DEFAULT_QUEUE;
  const conn = connection(opts.url);
  const pending = new Map(jobs.map((j) => [j.key, j] as const));
  const finished: string[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = (): void => wake?.();
  const events = new QueueEvents(name, { connection: conn });
  const queue = new Queue(name, { connection: conn });
  const errors: Error[] = [];
  events.on('error', (e) => errors.push(e));
  queue.on('error', (e) => errors.push(e));
  const finish = (key: string, returnvalue: unknown): void => {
    if (!pending.has(key) || typeof returnvalue !== 'string') return;
    const r = decodeResult(returnvalue);
    if (r.key !== key) {
      failure = new Error(`queue ${name}: job ${key} returned the result of ${r.key}`);
      signal();
      return;
    }
    pending.delete(key);
    try {
      opts.onResult(r); // writes the store: a failure there (disk full, ...) ends the run
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
      signal();
      return;
    }
    finished.push(key);
    if (pending.size === 0) signal();
  };
  events.on('completed', ({ jobId, returnvalue }) => finish(jobId, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => {
    if (!pending.has(jobId)) return;
    failure = new Error(`queue ${name}: job ${jobId} failed on a worker: ${failedReason}`);
    signal();
  });
  const removeFinished = async (): Promise<void> => {
    const keys = finished.splice(0, finished.length);
    for (let i = 0; i < keys.length; i += 500) await Promise.all(keys.slice(i, i + 500).map((k) => queue.remove(k).catch(() => 0)));
  };
  /** Look at every pending job's state: take finished results, re-add missing jobs, retry stale failures. */
  const sweep = async (retryFailed: boolean): Promise<void> => {
    const keys = [...pending.keys()];
    for (let i = 0; i < keys.length && !failure; i += 500) {
      await Promise.all(
        keys.slice(i, i + 500).map(async (key) => {
          const j = await BullJob.fromId(queue, key);
          if (!j) {
            const job = pending.get(key);
            if (job) await queue.add('job', job, { jobId: key, attempts: 1, removeOnComplete: false, removeOnFail: false });
            return;
          }
          const state = await j.getState();
          if (state === 'completed') finish(key, j.returnvalue);
          else if (state === 'failed') {
            if (retryFailed) await j.retry('failed');
            else if (pending.has(key)) failure = new Error(`queue ${name}: job ${key} failed on a worker: ${j.failedReason}`);
          }
        }),
      );
    }
  };
  try {
    await events.waitUntilReady();
    await queue.waitUntilReady();
    const list = [...pending.values()];
    for (let i = 0; i < list.length; i += 1000) {
      await queue.addBulk(list.slice(i, i + 1000).map((job) => ({ name: 'job', data: job, opts: { jobId: job.key, attempts: 1, removeOnComplete: false, removeOnFail: false } })));
    }
    // Results already in Redis (an earlier coordinator's run) and failures left from it.
    await sweep(true);
    const sweepMs = opts.sweepMs ?? 15_000;
    while (pending.size > 0 && !failure) {
      await new Promise<void>((res) => {
        const t = setTimeout(res, sweepMs);
        wake = () => {
          clearTimeout(t);
          res();
        };
      });
      wake = undefined;
      await removeFinished();
      if (pending.size > 0 && !failure) await sweep(false);
    }
    if (failure) throw failure;
    await removeFinished();
  } finally {
    await events.close().catch(() => {});
    await queue.close().catch(() => {});
  }
}

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** Jobs run at once on this machine = worker threads (default: all cores). */
  concurrency?: number;
  /** A job's lock lasts this long without renewal (ms, default 30000); a killed worker's job is retried after it. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers (ms, default 30000). */
  stalledIntervalMs?: number;
  /** One line per job started / finished. */
  log?: (line: string) => void;
}

export interface QueueWorkerHandle {
  /** Stop taking jobs, let running ones finish, end the threads. */
  close(): Promise<void>;
  /** Jobs this worker finished. */
  readonly processed: () => number;
}

/** A queue worker (what `pvq worker` runs): takes jobs from the queue and runs them on a thread pool. */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  await checkRedis(opts.url, 'URL');
  const concurrency = checkWorkers(opts.concurrency ?? defaultWorkers(), 'concurrency');
  const pool = new JobPool({ workers: concurrency });
  let processed = 0;
  const worker = new Worker(
    opts.queueName ?? DEFAULT_QUEUE,
    async (bj) => {
      const job = bj.data as Job;
      opts.log?.(`started ${job.key}`);
      const t0 = Date.now();
      const r = await pool.run(job);
      processed++;
      opts.log?.(`finished ${job.key} in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      return encodeResult(r);
    },
    {
      connection: connection(opts.url),
      concurrency,
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: 3,
      autorun: true,
    },
  );
  worker.on('error', (e) => opts.log?.(`error: ${e.message}`));
  await worker.waitUntilReady();
  return {
    processed: () => processed,
    async close() {
      await worker.close();
      await pool.close();
    },
  };
}
