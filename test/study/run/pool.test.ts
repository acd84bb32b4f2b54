import { describe, expect, it } from 'vitest';
import { runJobsSequential } from '../../../study/run/jobs.js';
import { JobPool, runJobsPool, workerEntry } from '../../../study/run/pool.js';
import { runJobs } from '../../../study/run/schedule.js';
import { allExact, resultView, smallJobs } from '../../../study/run/test-support.js';

describe('worker-thread pool', () => {
  const jobs = smallJobs(10);

  it('finds its worker entry next to itself (the .ts source and tsx here; .js in dist/)', () => {
    const e = workerEntry();
    expect(e.filename).toMatch(/study[/\\]run[/\\]pool-worker\.ts$/);
    expect(e.execArgv).toEqual(['--import', 'tsx']);
  });

  it('gives the same results with 1 and 2 threads as in this thread, in the order of the jobs', async () => {
    const seq = await runJobsSequential(jobs);
    expect(allExact(seq)).toBe(true);
    const one = await runJobsPool(jobs, { workers: 1 });
    const finished: string[] = [];
    const two = await runJobsPool(jobs, { workers: 2, onResult: (r) => finished.push(r.key) });
    expect(one.map(resultView)).toEqual(seq.map(resultView));
    expect(two.map(resultView)).toEqual(seq.map(resultView));
    expect(two.map((r) => r.key)).toEqual(jobs.map((j) => j.key));
    expect([...finished].sort()).toEqual(jobs.map((j) => j.key).sort());
  });

  it('runJobs: duplicates run once, results in job order, any worker count', async () => {
    const dup = [jobs[3], jobs[0], jobs[3], jobs[1]];
    const seen: string[] = [];
    const res = await runJobs(dup, { workers: 2, onResult: (r) => seen.push(r.key) });
    expect(res.map((r) => r.key)).toEqual(dup.map((j) => j.key));
    expect(seen).toHaveLength(3);
    const seq = await runJobs(dup, { workers: 1 });
    expect(res.map(resultView)).toEqual(seq.map(resultView));
  });

  it('a job that throws rejects the run with its message', async () => {
    const bad = { ...jobs[0], key: 'bad', problem: { ...jobs[0].problem, n: -1 } };
    const pool = new JobPool({ workers: 1 });
    try {
      await expect(pool.run(bad)).rejects.toThrow(/n: must be >= 1, got -1/);
    } finally {
      await pool.close();
    }
    await expect(runJobs([jobs[1], bad], { workers: 2 })).rejects.toThrow(/n: must be >= 1/);
  });

  it('rejects a bad worker count', async () => {
    await expect(runJobs(jobs, { workers: 0 })).rejects.toThrow(/workers: expected a positive integer/);
  });
});
