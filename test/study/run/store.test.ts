import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PvqInputError } from '../../../src/core/errors.js';
import { runJobsSequential, type JobResult } from '../../../study/run/jobs.js';
import { runJobs } from '../../../study/run/schedule.js';
import { ResultStore, decodeResult, encodeResult } from '../../../study/run/store.js';
import { REPO, allExact, exited, resultView, smallJobs, spawnTs, waitFor } from '../../../study/run/test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-store-'));
const identity = { model: 'synthetic', options: 'test' };
const children: ReturnType<typeof spawnTs>[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('result store (SQLite)', () => {
  const jobs = smallJobs(6);

  it('round-trips a result, non-finite numbers included', () => {
    const r = { key: 'k', comparison: { x: Infinity, y: -Infinity, z: NaN, s: 'a' } } as unknown as JobResult;
    expect(decodeResult(encodeResult(r))).toEqual(r);
    const s = ResultStore.open(join(dir, 'rt.sqlite'), { identity });
    s.put(r);
    s.put({ ...r, comparison: { other: 1 } } as unknown as JobResult); // a second result for a key is ignored
    expect(s.get('k')).toEqual(r);
    expect(s.has('k')).toBe(true);
    expect(s.has('nope')).toBe(false);
    expect(s.count()).toBe(1);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
  });

  it('refuses a store of another run in one line, unless allowed', () => {
    const p = join(dir, 'ident.sqlite');
    ResultStore.open(p, { identity }).close();
    let err: unknown;
    try {
      ResultStore.open(p, { identity: { ...identity, model: 'other-model-hash-123456' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PvqInputError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toContain(p);
    expect(msg).toMatch(/written by another run \(model synthetic != other-model-/);
    const s = ResultStore.open(p, { identity: { ...identity, model: 'other' }, allowOtherRun: true });
    expect(s.identity()).toEqual({ ...identity, model: 'other' });
    s.close();
  });

  it('refuses a file that is not a store', () => {
    const p = join(dir, 'junk.sqlite');
    writeFileSync(p, 'this is not a database, just text that is long enough to look like a header........');
    expect(() => ResultStore.open(p, { identity })).toThrow(/not a pvq result store/);
  });

  it('runJobs skips what the store holds and writes what it runs', async () => {
    const p = join(dir, 'skip.sqlite');
    const first = await runJobs(jobs.slice(0, 4), { workers: 1, storePath: p, storeIdentity: identity });
    const ran: string[] = [];
    const progress: number[] = [];
    const all = await runJobs(jobs, { workers: 2, storePath: p, storeIdentity: identity, onResult: (r) => ran.push(r.key), onProgress: (d) => progress.push(d) });
    expect(ran.sort()).toEqual(jobs.slice(4).map((j) => j.key).sort());
    expect(progress).toEqual([4, 5, 6]);
    expect(all.slice(0, 4)).toEqual(first);
    const seq = await runJobsSequential(jobs);
    expect(all.map(resultView)).toEqual(seq.map(resultView));
    await expect(runJobs(jobs, { workers: 1, storePath: p, storeIdentity: { ...identity, options: 'x' } })).rejects.toThrow(PvqInputError);
  });

  it('kill -9 mid-run loses only the jobs in flight, never corrupts the store, and resuming gives the uninterrupted results', async () => {
    const many = smallJobs(40, 20, 3, 11);
    const jobsFile = join(dir, 'jobs.json');
    writeFileSync(jobsFile, JSON.stringify(many));
    const storePath = join(dir, 'kill.sqlite');
    const child = spawnTs([resolve(REPO, 'test/study/run/store-child.ts'), jobsFile, storePath, '2']);
    children.push(child);
    // Poll the store (a second reader: WAL lets it read while the child writes) until some results are in.
    let atKill = 0;
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`child exited early: ${child.output()}`);
      if (!existsSync(storePath)) return false;
      try {
        const s = ResultStore.open(storePath, { readonly: true });
        atKill = s.count();
        s.close();
      } catch {
        return false;
      }
      return atKill >= 3;
    }, 'the child to store 3 results');
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    const after = ResultStore.open(storePath, { readonly: true });
    expect(after.integrityCheck()).toBe('ok');
    const survived = after.count();
    after.close();
    expect(survived).toBeGreaterThanOrEqual(atKill);
    expect(survived).toBeLessThan(many.length); // it really was killed mid-run
    // Resume: only the missing jobs run.
    const ran: string[] = [];
    const resumed = await runJobs(many, { workers: 2, storePath, storeIdentity: identity, onResult: (r) => ran.push(r.key) });
    expect(ran).toHaveLength(many.length - survived);
    const s = ResultStore.open(storePath, { identity });
    expect(s.count()).toBe(many.length);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
    const reference = await runJobsSequential(many);
    expect(allExact(reference)).toBe(true);
    expect(resumed.map(resultView)).toEqual(reference.map(resultView));
  });
});
