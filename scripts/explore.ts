/**
 * Exploratory property run (NOT part of `npm test`): fresh random seeds, many small random problems through every
 * registered solver of each family (study/testing/explore.ts), under small time, node and iteration limits.
 *
 * Case i of a family is drawn from seed (family seed + i), so any case replays from its seed alone. Cases run in
 * child processes (one per core by default); a watchdog kills a child whose current solver has used more than
 * `--hard-ms` of CPU time (default 10 x the time limit + 2 s; 10 s with `--time-limit-ms 0`, i.e. node and
 * iteration limits only; a fresh worker's first case gets 20 s more for loading) and records "limit not honoured"
 * with the solver and seed. CPU time (Linux /proc; wall time elsewhere) keeps machine load from tripping it.
 * Per family it prints cases, violations by kind (lower bound above a feasible value, optimal with a gap, verdict
 * without a proof, other invariants, throws), limits not honoured (watchdog kills) and time-limit overruns (a
 * solver whose CPU time passed T + 10 % + 0.2 s: reported, not a failure), and for each failing case a
 * ready-to-paste vitest regression test.
 *
 *   npm run test:explore -- --cases 10000 [--families quantization,pruning] [--seed S] [--workers 2]
 *        [--time-limit-ms 100] [--node-limit 2000] [--iteration-limit 200] [--hard-ms M] [--minutes M]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ExploreLimits, Violation } from '../study/testing/explore.js';

type ToWorker = { family: string; seed: number; limits: ExploreLimits };
type FromWorker =
  | { t: 'ready' }
  | { t: 'solver'; name: string }
  | { t: 'case'; family: string; seed: number; violations: Violation[]; overruns: { solver: string; ms: number }[] };

const argv = process.argv.slice(2);

if (argv[0] === '--worker') {
  const { runExploreCase } = await import('../study/testing/explore.js');
  const send = (m: FromWorker) => new Promise<void>((res) => process.send!(m, undefined, {}, () => res()));
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: ToWorker) => {
    const overruns: { solver: string; ms: number }[] = [];
    const T = m.limits.timeLimitMs;
    let cpu0 = process.cpuUsage();
    let violations: Violation[];
    try {
      violations = await runExploreCase(m.family, m.seed, m.limits, {
        beforeSolver: (name) => {
          cpu0 = process.cpuUsage();
          return send({ t: 'solver', name }); // flushed before the solver starts: a hang names it
        },
        afterSolver: (name) => {
          // CPU time, not wall time: on a loaded machine the wall clock says little about the solver
          const u = process.cpuUsage(cpu0);
          const ms = (u.user + u.system) / 1000;
          if (T !== undefined && ms > T * 1.1 + 200) overruns.push({ solver: name, ms: Math.round(ms) });
        },
      });
    } catch (e) {
      violations = [{ kind: 'threw', solver: '(case)', message: (e as Error).stack ?? String(e) }];
    }
    await send({ t: 'case', family: m.family, seed: m.seed, violations, overruns });
  });
  await send({ t: 'ready' });
} else {
  await main();
}

async function main(): Promise<void> {
  const arg = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (k: string, d: number): number => {
    const v = arg(k);
    if (v === undefined) return d;
    const x = Number(v);
    if (!Number.isFinite(x) || x < 0) {
      console.error(`explore: ${k} must be a number >= 0, got '${v}'`);
      process.exit(2);
    }
    return x;
  };
  const { exploreFamilies } = await import('../study/testing/explore.js');
  const known = Object.keys(exploreFamilies());
  const families = (arg('--families') ?? known.join(',')).split(',').filter(Boolean);
  for (const f of families)
    if (!known.includes(f)) {
      console.error(`explore: unknown family '${f}' (known: ${known.join(', ')})`);
      process.exit(2);
    }
  const CASES = num('--cases', 10_000);
  // --time-limit-ms 0: no time limit (only the node and iteration limits stop the solvers; the watchdog then checks those)
  const T = num('--time-limit-ms', 100);
  const limits: ExploreLimits = { ...(T > 0 ? { timeLimitMs: T } : {}), nodeLimit: num('--node-limit', 2000), iterationLimit: num('--iteration-limit', 200) };
  const HARD = num('--hard-ms', T > 0 ? 10 * T + 2000 : 10_000);
  // a fresh worker loads the solver modules (and a MILP back end) during its first case: that case gets more time
  const COLD = 20_000;
  const WORKERS = Math.max(1, Math.floor(num('--workers', availableParallelism())));
  const MINUTES = num('--minutes', Infinity);
  const seed0 = arg('--seed') !== undefined ? num('--seed', 0) : (Math.random() * 2 ** 31) >>> 0;

  const script = fileURLToPath(import.meta.url);
  const live = new Set<ChildProcess>();
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  const cpuMs = (pid: number | undefined): number | null => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ = 100)
    } catch {
      return null;
    }
  };
  const spawnWorker = (): ChildProcess => {
    const c = fork(script, ['--worker'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(c);
    c.on('exit', () => live.delete(c));
    return c;
  };

  console.log(
    `[explore] families ${families.join(', ')}; ${CASES} cases each; seed ${seed0}; limits ${JSON.stringify(limits)}; watchdog ${HARD} ms per solver; ${WORKERS} workers`,
  );
  const t0 = Date.now();
  const summary: string[] = [];
  let failing = 0;
  for (const [fi, family] of families.entries()) {
    const famSeed = (seed0 + fi * 1_000_003) >>> 0;
    const r = await runFamily(family, famSeed);
    const v = r.byKind;
    const line =
      `[explore] ${family}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s (${((r.cases * 1000) / r.ms).toFixed(1)}/s), seeds ${famSeed}..${(famSeed + r.drawn - 1) >>> 0}; ` +
      `violations: lower bound above a feasible value ${v.bound}, optimal with a gap ${v.gap}, verdict without a proof ${v.proof}, other invariants ${v.result}, threw ${v.threw}; ` +
      `limit not honoured ${r.hung}; time-limit overruns ${r.overruns} (worst ${r.worst.ms} ms${r.worst.solver ? ` ${r.worst.solver}` : ''})`;
    console.log(line);
    summary.push(line);
    if (r.failedSeeds.length) failing++;
  }
  console.log('\n' + summary.join('\n'));
  console.log(`[explore] ${failing} failing families, ${((Date.now() - t0) / 1000).toFixed(1)} s total`);
  process.exitCode = failing ? 1 : 0;

  async function runFamily(family: string, famSeed: number) {
    const byKind: Record<string, number> = { bound: 0, gap: 0, proof: 0, result: 0, threw: 0 };
    let cases = 0;
    let hung = 0;
    let overruns = 0;
    let worst = { solver: '', ms: 0, seed: 0 };
    const top: { solver: string; ms: number; seed: number }[] = [];
    const failedSeeds: number[] = [];
    const tf = Date.now();
    const stopAt = tf + (MINUTES * 60_000) / families.length;
    let next = 0;
    let lastLog = tf;
    const report = (seed: number, what: string, vs: { kind: string; solver: string; message: string }[]) => {
      failedSeeds.push(seed);
      if (failedSeeds.length > 20) return; // counts stay exact; only the first 20 are printed in full
      console.log(`\n[explore] FAIL ${family} seed ${seed}: ${what}`);
      for (const x of vs.slice(0, 10)) console.log(`  [${x.kind}] ${x.solver}: ${x.message.split('\n').join('\n    ')}`);
      const lim = JSON.stringify({ nodeLimit: limits.nodeLimit, iterationLimit: limits.iterationLimit });
      console.log(
        `  regression test (deterministic limits; add the time limit only if it is needed to reproduce):\n` +
          `  it('explore ${family} seed ${seed}', async () => { expect(await runExploreCase('${family}', ${seed}, ${lim})).toEqual([]); }); // import { runExploreCase } from '../../study/testing/explore.js'`,
      );
    };
    const one = (): Promise<void> =>
      new Promise((resolveLane) => {
        let child = spawnWorker();
        let current: { seed: number; solver: string } | null = null;
        let timer: NodeJS.Timeout | undefined;
        let cold = true;
        // the watchdog counts the worker's CPU time (Linux /proc; wall time elsewhere), so machine load cannot trip it
        const arm = () => {
          clearTimeout(timer);
          const cpu0 = cpuMs(child.pid);
          const w0 = Date.now();
          const limit = HARD + (cold ? COLD : 0);
          const check = () => {
            if (!current) return;
            const c = cpuMs(child.pid);
            const used = c !== null && cpu0 !== null ? c - cpu0 : Date.now() - w0;
            if (used < limit && Date.now() - w0 < 20 * limit) {
              timer = setTimeout(check, 250);
              return;
            }
            hung++;
            cases++;
            report(current.seed, `limit not honoured: ${current.solver} still running after ${Math.round(used)} ms of CPU (${Date.now() - w0} ms wall; killed)`, [{ kind: 'limit', solver: current.solver, message: 'killed by the watchdog' }]);
            current = null;
            live.delete(child);
            child.removeAllListeners();
            child.kill('SIGKILL');
            child = spawnWorker();
            cold = true;
            wire();
          };
          timer = setTimeout(check, 250);
        };
        const dispatch = () => {
          if (next >= CASES || Date.now() > stopAt) {
            clearTimeout(timer);
            live.delete(child);
            child.removeAllListeners();
            child.kill();
            resolveLane();
            return;
          }
          const seed = (famSeed + next++) >>> 0;
          current = { seed, solver: '(drawing the case)' };
          arm();
          child.send({ family, seed, limits } satisfies ToWorker);
        };
        const wire = () => {
          child.on('message', (m: FromWorker) => {
            if (m.t === 'ready') dispatch();
            else if (m.t === 'solver' && current) {
              current.solver = m.name;
              arm();
            } else if (m.t === 'case') {
              clearTimeout(timer);
              cold = false;
              current = null;
              cases++;
              for (const o of m.overruns) {
                overruns++;
                const x = { ...o, seed: m.seed };
                if (o.ms > worst.ms) worst = x;
                top.push(x);
                top.sort((a, b) => b.ms - a.ms);
                top.length = Math.min(top.length, 5);
              }
              if (m.violations.length) {
                for (const x of m.violations) byKind[x.kind] = (byKind[x.kind] ?? 0) + 1;
                report(m.seed, `${m.violations.length} violation(s)`, m.violations);
              }
              if (Date.now() - lastLog > 30_000) {
                lastLog = Date.now();
                console.log(`[explore] ${family}: ${cases}/${CASES} cases, ${((Date.now() - tf) / 1000).toFixed(0)} s, ${failedSeeds.length} failing`);
              }
              dispatch();
            }
          });
          child.on('exit', (code, sig) => {
            if (current && sig !== 'SIGKILL') {
              cases++;
              byKind.threw++;
              report(current.seed, `worker exited (code ${code}, signal ${sig}) during ${current.solver}`, [{ kind: 'threw', solver: current.solver, message: 'worker died' }]);
              current = null;
              clearTimeout(timer);
              child = spawnWorker();
              cold = true;
              wire();
            }
          });
        };
        wire();
      });
    await Promise.all(Array.from({ length: WORKERS }, one));
    if (top.length) console.log(`[explore] ${family}: largest time-limit overruns: ${top.map((o) => `${o.solver} ${o.ms} ms (seed ${o.seed})`).join(', ')}`);
    return { cases, drawn: next, hung, overruns, worst, byKind, failedSeeds, ms: Date.now() - tf };
  }
}
