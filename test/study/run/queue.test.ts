import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PvqInputError } from '../../../src/core/errors.js';
import { runJobsSequential, type JobResult } from '../../../study/run/jobs.js';
import { checkRedis, redisOptions, startQueueWorker } from '../../../study/run/queue.js';
import { runJobs } from '../../../study/run/schedule.js';
import { ResultStore } from '../../../study/run/store.js';
import { runCli } from '../../helpers/cli.js';
import { CLI, allExact, exited, freePort, redisServerPath, resultView, smallJobs, spawnTs, startRedis, waitFor, type RedisServer } from '../../../study/run/test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-queue-'));

describe('queue: bad input', () => {
  it('parses redis URLs and refuses others in one line', () => {
    expect(redisOptions('redis://10.0.0.2:6380/3')).toEqual({ host: '10.0.0.2', port: 6380, db: 3 });
    expect(redisOptions('redis://:secret@host')).toEqual({ host: 'host', port: 6379, password: 'secret' });
    expect(() => redisOptions('http://host:1')).toThrow(/expected redis:\/\/HOST:PORT/);
    expect(() => redisOptions('not a url')).toThrow(PvqInputError);
  });

  it('an unreachable Redis fails with one clear line and writes no store', async () => {
    const port = await freePort();
    const storePath = join(dir, 'never.sqlite');
    await expect(runJobs(smallJobs(2), { queueUrl: `redis://127.0.0.1:${port}`, storePath })).rejects.toThrow(new RegExp(`cannot reach Redis at redis://127.0.0.1:${port}`));
    expect(existsSync(storePath)).toBe(false);
    const r = await runCli(['worker', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pvq: error: URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)$/);
    const bad = await runCli(['worker', 'redis://127.0.0.1:6379', '--concurrency', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--concurrency: expected a positive integer/);
  });
});

const redisBin = redisServerPath();
if (!redisBin) console.warn('test/study/run/queue.test.ts: redis-server is not installed (apt-get install redis-server): skipping the tests against a real Redis');

describe.skipIf(!redisBin)('queue against a real redis-server', () => {
  let redis: RedisServer;
  const children: ReturnType<typeof spawnTs>[] = [];
  beforeAll(async () => {
    redis = await startRedis(redisBin as string);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await redis?.stop();
  });

  it('reaches the server', async () => {
    await expect(checkRedis(redis.url)).resolves.toBeUndefined();
  });

  it('an in-process queue worker gives the sequential results; re-running collects nothing twice', async () => {
    const jobs = smallJobs(8);
    const worker = await startQueueWorker({ url: redis.url, queueName: 'inproc', concurrency: 2 });
    try {
      const storePath = join(dir, 'inproc.sqlite');
      const seen: string[] = [];
      const res = await runJobs(jobs, { queueUrl: redis.url, queueName: 'inproc', storePath, onResult: (r) => seen.push(r.key) });
      expect(seen.sort()).toEqual(jobs.map((j) => j.key).sort());
      const seq = await runJobsSequential(jobs);
      expect(allExact(seq)).toBe(true);
      expect(res.map(resultView)).toEqual(seq.map(resultView));
      const again: string[] = [];
      const res2 = await runJobs(jobs, { queueUrl: redis.url, queueName: 'inproc', storePath, onResult: (r) => again.push(r.key) });
      expect(again).toEqual([]);
      expect(res2).toEqual(res);
      expect(worker.processed()).toBe(jobs.length);
      // A job whose solver throws fails the run with the worker's message (not retried, nothing stored for it).
      const bad = { ...jobs[0], key: 'bad-job', problem: { ...jobs[0].problem, k: -1 } };
      await expect(runJobs([bad], { queueUrl: redis.url, queueName: 'inproc', storePath })).rejects.toThrow(/job bad-job failed on a worker: .*k/);
      const s = ResultStore.open(storePath, { readonly: true });
      expect(s.has('bad-job')).toBe(false);
      s.close();
    } finally {
      await worker.close();
    }
  });

  it('2 `pvq worker` processes, one killed (SIGKILL) mid-job: its job is retried on the other, nothing lost or counted twice', async () => {
    const jobs = smallJobs(16, 16, 3, 5);
    const queueName = 'killtest';
    const start = (): ReturnType<typeof spawnTs> => {
      const c = spawnTs([CLI, 'worker', redis.url, '--queue', queueName, '--concurrency', '1', '--lock-duration', '1500', '--stalled-interval', '500', '--verbose']);
      children.push(c);
      return c;
    };
    const a = start();
    const b = start();
    await waitFor(() => a.output().includes('waiting for jobs') && b.output().includes('waiting for jobs'), 'both workers to start');
    const storePath = join(dir, 'kill.sqlite');
    const collected: JobResult[] = [];
    const run = runJobs(jobs, { queueUrl: redis.url, queueName, storePath, onResult: (r) => collected.push(r) });
    // Kill A as soon as it has started a job (its thread is still loading or solving it).
    let killedKey = '';
    await waitFor(() => {
      const m = /started ([0-9a-f]{64})/.exec(a.output());
      if (m) killedKey = m[1];
      return m !== null;
    }, 'worker A to start a job', 120_000, 5);
    a.kill('SIGKILL');
    await exited(a);
    const res = await run;
    expect(a.output()).not.toContain(`finished ${killedKey}`); // A died with the job in flight
    expect(b.output()).toContain(`finished ${killedKey}`); // ... and B ran it after the lock expired
    expect(collected.map((r) => r.key).sort()).toEqual(jobs.map((j) => j.key).sort()); // each key exactly once
    const s = ResultStore.open(storePath, { readonly: true });
    expect(s.count()).toBe(jobs.length);
    s.close();
    const seq = await runJobsSequential(jobs);
    expect(allExact(seq)).toBe(true);
    expect(res.map(resultView)).toEqual(seq.map(resultView));
    b.kill('SIGTERM');
    await exited(b);
    expect(b.output()).toMatch(/stopping after the running jobs/);
  });
});
