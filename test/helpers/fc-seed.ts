/**
 * Fixed, printed seeds for fast-check property tests (deterministic CI). Every `fc.assert` in `npm test` takes its
 * parameters from `fcParams`: the seed comes from the environment variable PVQ_FC_SEED (default FC_DEFAULT_SEED),
 * and a failure message names the seed and path so the run can be replayed exactly. `npm run test:explore`
 * (scripts/explore.mjs) draws fresh seeds instead.
 */
import type { Parameters } from 'fast-check';

export const FC_DEFAULT_SEED = 20261205;

export function fcSeed(): number {
  const s = process.env.PVQ_FC_SEED;
  if (s === undefined || s === '') return FC_DEFAULT_SEED;
  const v = Number(s);
  if (!Number.isInteger(v)) throw new Error(`PVQ_FC_SEED must be an integer, got '${s}'`);
  return v;
}

/** fast-check parameters with the fixed seed; `numRuns` etc. as given. Failures print the seed (fast-check's report). */
export function fcParams<T>(extra: Parameters<T> = {}): Parameters<T> {
  const seed = extra.seed ?? fcSeed();
  return {
    ...extra,
    seed,
    reporter: (out) => {
      if (out.failed) {
        throw new Error(`property failed with seed ${out.seed} (PVQ_FC_SEED=${out.seed}), path "${out.counterexamplePath}":\n${out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance)}\ncounterexample: ${JSON.stringify(out.counterexample)?.slice(0, 2000)}`);
      }
    },
  };
}
