/**
 * Scale of the schedulers behind runJobs (study/run): wall time of many synthetic layer sub-problems run
 * (a) in this thread (workers 1), (b) on the worker-thread pool with 2 threads, (c) through the BullMQ
 * queue on a local redis-server with 2 `pvq worker` processes (1 thread each, started and idle before the
 * clock starts). Speed-up = (a)/(b); queue overhead = (c)/(b) - 1; throughput per worker = jobs/(c)/2.
 * The pool's time includes starting its threads (measured alone as a 2-job run); the queue workers are
 * long-running services, warmed up by 2 other jobs before the clock starts.
 *
 * Usage: npx tsx benchmarks/run-scale.ts [--jobs 200] [--n 32] [--bits 4] [--time-limit 1] [--rho 0.5] [--runs 1] [--quick]
 * (--quick: 24 jobs, n = 16, time limit 0.2 s). The queue part needs redis-server on the PATH.
 */
import { execSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { syntheticLayer } from '../problems/synthetic.js';
import { makeJob, type Job, type JobResult } from '../study/run/jobs.js';
import { runJobs } from '../study/run/schedule.js';
import { REPO, exited, redisServerPath, spawnTs, startRedis, waitFor } from '../study/run/test-support.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    n: { type: 'string', default: '32' },
    bits: { type: 'string', default: '4' },
    'time-limit': { type: 'string', default: '1' },
    runs: { type: 'string', default: '1' },
    rho: { type: 'string', default: '0.5' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
const count = quick ? 24 : Number(values.jobs);
const n = quick ? 16 : Number(values.n);
const bits = Number(values.bits);
const timeLimitMs = (quick ? 0.2 : Number(values['time-limit'])) * 1000;
const runs = Number(values.runs);
const rho = Number(values.rho);

const jobs: Job[] = [];
for (let layer = 0; jobs.length < count; layer++) {
  for (const [channel, p] of syntheticLayer({ n, bits, outChannels: 8, seed: 100 + layer, layer: `L${layer}`, rho }).entries()) {
    if (jobs.length < count) jobs.push(makeJob(p, { timeLimitMs, pruneBox: true, seed: jobs.length, baselines: true }, { model: 'bench', layer, channel, bits }));
  }
}

// Warm-up jobs (other keys): load the solvers in the queue workers' threads, and time a pool's start.
const warm = syntheticLayer({ n: 8, bits, outChannels: 2, seed: 9999, layer: 'warm' }).map((p, channel) => makeJob(p, { timeLimitMs, pruneBox: true, seed: channel, baselines: true }, { model: 'warm', channel, bits }));

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
async function timed(f: () => Promise<JobResult[]>): Promise<{ s: number; res: JobResult[] }> {
  const t0 = performance.now();
  const res = await f();
  return { s: (performance.now() - t0) / 1000, res };
}
const proven = (rs: JobResult[]): string => {
  const q = rs.filter((r) => r.comparison.quant.exact).length;
  const p = rs.filter((r) => r.comparison.prune.exact).length;
  return `quantization ${q}/${rs.length}, pruning ${p}/${rs.length} proven optimal`;
};

const load = (): string => execSync('uptime').toString().trim();
console.log(`load before: ${load()}`);
console.log(`${count} sub-problems, n = ${n}, ${bits} bits, rho = ${rho}, time limit ${timeLimitMs / 1000} s per method, ${runs} run(s) each\n`);
const seq: number[] = [];
const pool: number[] = [];
const queue: number[] = [];
const poolStart: number[] = [];
let lastRes: JobResult[] = [];
for (let r = 0; r < runs; r++) {
  const a = await timed(() => runJobs(jobs, { workers: 1 }));
  seq.push(a.s);
  lastRes = a.res;
  const b = await timed(() => runJobs(jobs, { workers: 2 }));
  pool.push(b.s);
  poolStart.push((await timed(() => runJobs(warm, { workers: 2 }))).s);
}
const redisBin = redisServerPath();
if (redisBin) {
  const redis = await startRedis(redisBin);
  const workers = [0, 1].map(() => spawnTs([resolve(REPO, 'app/cli/main.ts'), 'worker', redis.url, '--queue', 'bench', '--concurrency', '1']));
  try {
    await waitFor(() => workers.every((w) => w.output().includes('waiting for jobs')), 'the queue workers');
    await runJobs(warm, { queueUrl: redis.url, queueName: 'bench' });
    for (let r = 0; r < runs; r++) {
      const c = await timed(async () => {
        const res = await runJobs(jobs, { queueUrl: redis.url, queueName: 'bench' });
        return res;
      });
      queue.push(c.s);
    }
  } finally {
    for (const w of workers) {
      w.kill('SIGTERM');
      await exited(w);
    }
    await redis.stop();
  }
} else console.log('redis-server not installed: queue mode not measured');

const ms = median(seq);
const mp = median(pool);
console.log('| scheduler | wall s (median) | sub-problems/s | speed-up vs 1 thread |\n|---|---|---|---|');
console.log(`| in this thread (workers 1) | ${ms.toFixed(1)} | ${(count / ms).toFixed(2)} | 1.00 |`);
console.log(`| pool, 2 threads | ${mp.toFixed(1)} | ${(count / mp).toFixed(2)} | ${(ms / mp).toFixed(2)} |`);
if (queue.length) {
  const mq = median(queue);
  console.log(`| queue, 2 pvq workers x 1 thread | ${mq.toFixed(1)} | ${(count / mq).toFixed(2)} (${(count / mq / 2).toFixed(2)} per worker) | ${(ms / mq).toFixed(2)} |`);
  const st = median(poolStart);
  console.log(`\nqueue overhead vs the pool: ${((mq / mp - 1) * 100).toFixed(1)} % (vs the pool without its thread start of ~${st.toFixed(1)} s: ${((mq / (mp - st) - 1) * 100).toFixed(1)} %)`);
}
console.log(`results (in-thread run): ${proven(lastRes)}`);
console.log(`load after: ${load()}`);
