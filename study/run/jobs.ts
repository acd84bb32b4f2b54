/**
 * Jobs: one sub-problem (one channel or chunk of a layer, at one bit width) compared by both methods.
 * A job is plain data (JSON-serialisable) so that a worker thread, a process or a machine behind a queue can
 * run it; its result is the compare module's ChannelComparison for that one problem. Workers are stateless
 * and never decide aggregate verdicts: the coordinator aggregates what comes back.
 *
 * The key is a stable hash of everything the result depends on (model hash, layer, channel, chunk, bits,
 * methods, options): the same key always means the same result, so stores and queues can be idempotent.
 */
import { createHash } from 'node:crypto';
import type { ChannelComparison } from '../compare/compare.js';
import { compareProblems } from '../compare/compare.js';
import { layerProblemToJSON } from '../../src/io/layer-problem.js';
import { parseProblemSet } from '../../src/io/problem-file.js';
import type { LayerProblem } from '../../src/core/types.js';
import { getSolver } from '../../solvers/index.js';

/** Options that change a job's result (all of them go into its key). */
export interface JobOptions {
  /** Per-method, per-sub-problem time limit of the exact solver (ms). */
  timeLimitMs: number;
  /** Use the problem's pruneBox. */
  pruneBox: boolean;
  /** Seed of the randomized heuristics (per sub-problem: derive it from the key parts, not from the worker). */
  seed: number;
  /** Run the heuristic baselines. */
  baselines: boolean;
}

export interface Job {
  /** Stable identity: jobKey(parts). */
  key: string;
  /** The layer problem in the layer-problem file format (version 1), as layerProblemToJSON gives it. */
  problem: Record<string, unknown>;
  options: JobOptions;
}

export interface JobResult {
  key: string;
  /** The comparison of this one sub-problem, as plain JSON (Float64Array solutions become number arrays). */
  comparison: ChannelComparison;
}

/** Canonical JSON (object keys sorted) so that equal parts always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return `[${Array.from(value as ArrayLike<unknown>, canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** sha256 of the canonical JSON of the key parts (hex). */
export function jobKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** Make a job from a problem; `parts` identify it (model hash, layer, channel, chunk, bits, ...). */
export function makeJob(problem: LayerProblem, options: JobOptions, parts: Record<string, unknown>): Job {
  return { key: jobKey({ ...parts, options, methods: ['quantization', 'pruning'] }), problem: layerProblemToJSON(problem), options };
}

/** Plain JSON of a result (typed arrays to arrays, non-finite numbers kept as JSON null by JSON.stringify). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v === Infinity ? 'Infinity' : v)), (_k, v) => (v === 'Infinity' ? Infinity : v)) as T;
}

/** Run one job in this thread. Deterministic: the same job gives the same result (up to timing statistics and limits hit). */
export async function runJob(job: Job): Promise<JobResult> {
  const set = parseProblemSet(job.problem, 'job');
  const res = await compareProblems(set.problems, set.name, {
    timeLimitMs: job.options.timeLimitMs,
    pruneBox: job.options.pruneBox,
    seed: job.options.seed,
    baselines: job.options.baselines,
    resolve: getSolver,
  });
  return { key: job.key, comparison: plain(res.channels[0]) };
}

/** How to run many jobs: in this thread (workers 1, no store), a thread pool, a resumable store, a queue. */
export interface RunOptions {
  /** Worker threads on this machine (default: all cores). */
  workers?: number;
  /** Embedded store file: results are written as they finish and jobs whose key is stored are skipped. */
  storePath?: string;
  /** redis://HOST:PORT: put the jobs on a BullMQ queue instead of a local pool; `pvq worker` processes them. */
  queueUrl?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Reference scheduler: every job in order, in this thread. The pool and queue schedulers must give the same results. */
export async function runJobsSequential(jobs: readonly Job[], opts: Pick<RunOptions, 'onProgress'> = {}): Promise<JobResult[]> {
  const out: JobResult[] = [];
  for (const j of jobs) {
    out.push(await runJob(j));
    opts.onProgress?.(out.length, jobs.length);
  }
  return out;
}
