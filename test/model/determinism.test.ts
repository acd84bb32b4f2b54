import { describe, expect, it } from 'vitest';
import { collectModelStudy, planModelStudy, subproblemSeed, type ModelStudyOptions } from '../../study/model/pipeline.js';
import { runJobsSequential, type JobResult } from '../../study/run/jobs.js';
import { CLS_MODEL } from './cls.js';

const opts: ModelStudyOptions = {
  modelPath: CLS_MODEL,
  input: { kind: 'demo', n: 16, seed: 4 },
  layers: 'Conv\\.(2|4)$',
  bits: [3],
  optDim: 32,
  im2col: 'layer',
  timeLimitMs: 5000,
  channelsPerLayer: 3,
  seed: 1,
  baselines: true,
  pruneBox: true,
};

/** A result without run-time statistics (time, nodes visited under a clock): what must not depend on the scheduler. */
function essence(r: JobResult): unknown {
  const m = (x: JobResult['comparison']['quant']) => ({ lb: x.lowerBound, ub: x.upperBound, exact: x.exact, sol: x.results.map((s) => [s.solver, s.status, s.solution, s.lowerBound, s.upperBound]) });
  return { key: r.key, q: m(r.comparison.quant), p: m(r.comparison.prune), winner: r.comparison.winner, baselines: r.comparison.baselines };
}

describe('model study: stable keys and per-sub-problem seeds', () => {
  it('planning twice gives the same jobs (keys, seeds, problems); keys differ across bit widths and im2col modes', async () => {
    const a = await planModelStudy(opts);
    const b = await planModelStudy(opts);
    expect(a.jobs.length).toBe(2 * 3); // depthwise Conv.2 (n = 9) and Conv.4 (n = 2), 3 channels each
    expect(b.jobs).toEqual(a.jobs);
    expect(new Set(a.jobs.map((j) => j.options.seed)).size).toBe(a.jobs.length);
    const c = await planModelStudy({ ...opts, bits: [4] });
    const d = await planModelStudy({ ...opts, im2col: 'paper' });
    const keys = new Set(a.jobs.map((j) => j.key));
    for (const j of [...c.jobs, ...d.jobs]) expect(keys.has(j.key)).toBe(false);
    expect(subproblemSeed({ layer: 'a', bits: 3 }, 1)).toBe(subproblemSeed({ bits: 3, layer: 'a' }, 1));
    // --budget: the per-sub-problem limit becomes min(time limit, budget / sub-problems), and it is in the keys
    const e = await planModelStudy({ ...opts, budgetMs: 600 });
    expect(e.timeLimitMs).toBe(100);
    expect(e.jobs.every((j) => j.options.timeLimitMs === 100 && !keys.has(j.key))).toBe(true);
  });

  it("--paper-im2col: layers whose kernel does not fit the unpadded input are skipped with the reason, the rest are built", async () => {
    const p = await planModelStudy({ ...opts, layers: 'Conv\\.(10|18)$', im2col: 'paper', channelsPerLayer: 1 });
    expect(p.meta.layers.map((l) => l.name)).toEqual(['p2o.Conv.10']);
    expect(p.meta.model.skipped).toEqual([{ name: 'p2o.Conv.18', op: 'Conv', reason: "the paper's im2col (no padding) does not fit a 5x5 kernel into a 3x96 input" }]);
    expect(p.jobs).toHaveLength(1);
    expect((p.jobs[0].problem.meta as Record<string, unknown>).stride).toEqual([1, 1]);
    await expect(planModelStudy({ ...opts, layers: 'Conv\\.18$', im2col: 'paper' })).rejects.toThrow(/^--paper-im2col: no selected layer can be built/);
  });

  it('the same jobs run in reverse order give the same per-key results (what 1 vs N workers relies on)', async () => {
    const plan = await planModelStudy(opts);
    const fwd = await runJobsSequential(plan.jobs);
    const rev = (await runJobsSequential([...plan.jobs].reverse())).reverse();
    expect(rev.map(essence)).toEqual(fwd.map(essence));
    const r = collectModelStudy(plan, fwd);
    expect(r.perLayer.map((l) => [l.layer, l.subproblems])).toEqual([['p2o.Conv.2', 3], ['p2o.Conv.4', 3]]);
    // these small problems are solved exactly well within the limit: the verdicts are proofs
    for (const s of r.subproblems) expect(s.comparison.quant.exact && s.comparison.prune.exact).toBe(true);
  });
});
