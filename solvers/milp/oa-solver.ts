/**
 * What the two OA solvers (quant-oa, prune-oa) share around the driver of `oa.ts`: running it with the safe-bound
 * verifier and the resolved options, assembling the one SolveResult, and the quadratic-form kernel their cuts use.
 */
import type { Deadline } from '../../src/core/result.js';
import { makeResult, safeLowerBound } from '../../src/core/result.js';
import type { ProblemClass, SolveOptions, SolveResult } from '../../src/core/types.js';
import type { MilpBackend } from './model.js';
import type { OaCandidate, OaOutcome, OaSpec } from './oa.js';
import { loadVerifier, oaOptionsFrom, runOa } from './oa.js';

/** How a finished OA run becomes a SolveResult. */
export interface OaReport {
  solver: string;
  problemName: string;
  problemClass: ProblemClass;
  backend: string;
  t0: number;
  nSide: number;
  /** True error of a returned solution (recomputed: the upper bound). */
  errorOfSolution: (sol: Float64Array) => number;
  /** The diagonal split (its smallest entry goes into the certificate). */
  d: Float64Array;
  extraMessage?: string;
}

/** Run the OA driver on `spec` with the solver's options, the safe-bound verifier of `backend` and the solve's deadline. */
export async function runOaSolver(
  solver: string,
  spec: OaSpec,
  options: SolveOptions,
  backend: MilpBackend,
  r: number,
  n: number,
  deadline: Deadline,
): Promise<OaOutcome> {
  return runOa(spec, { ...oaOptionsFrom(solver, options, backend, r, n, await loadVerifier(backend)), deadline });
}

/** Assemble the SolveResult of an OA run. */
export function finishOa(rep: OaReport, out: OaOutcome): SolveResult {
  const solution = out.solution;
  const upperBound = solution ? rep.errorOfSolution(solution) : Infinity;
  const lowerBound = out.status === 'infeasible' ? Infinity : safeLowerBound(Math.min(out.lowerBound, upperBound), 4 * 2 ** -53);
  const status = out.status === 'infeasible' ? 'bound_only' : out.status;
  const msgs: string[] = [];
  if (out.message) msgs.push(out.message);
  if (rep.nSide > 0) msgs.push(`bounds are for the variant with ${rep.nSide} side constraint(s)`);
  if (rep.extraMessage) msgs.push(rep.extraMessage);
  let dmin = Infinity;
  for (let i = 0; i < rep.d.length; i++) dmin = Math.min(dmin, rep.d[i]);
  return makeResult({
    solver: rep.solver,
    problem: rep.problemName,
    problemClass: rep.problemClass,
    lowerBound,
    upperBound,
    solution,
    status,
    stats: {
      timeMs: performance.now() - rep.t0,
      nodes: out.verifyNodes ?? 0,
      iterations: out.iterations,
      lpRounds: out.lpRounds,
      cuts: out.cuts,
      masterTimeMs: out.masterTimeMs,
      relGapTol: out.relGapTol,
    },
    certificate: {
      type: 'outer-approximation',
      backend: rep.backend,
      history: out.history.map((h) => ({ ...h })),
      splitMinDiagonal: dmin,
    },
    message: msgs.length ? msgs.join('; ') : undefined,
  });
}

/**
 * e^T H e for a dense symmetric H (n x n): writes H e into `He` and returns the value and the magnitude
 * sum_i |e_i (H e)_i| (for the rounding bounds of the cuts built from it).
 */
export function quadForm(H: Float64Array, n: number, e: ArrayLike<number>, He: Float64Array): { value: number; magnitude: number } {
  let value = 0;
  let magnitude = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += H[i * n + j] * e[j];
    He[i] = s;
    value += e[i] * s;
    magnitude += Math.abs(e[i] * s);
  }
  return { value, magnitude };
}

/**
 * The result when a time limit stops the solver before the OA driver runs (an O(n^3) setup step predicted not to
 * fit, or the limit already spent): the best of the start candidates as the upper bound, the trivial valid lower
 * bound 0 (every error is >= 0), status `time_limit`.
 */
export function timeLimitResult(rep: OaReport, candidates: OaCandidate[], why: string, relGapTol: number): SolveResult {
  let best: OaCandidate | null = null;
  for (const c of candidates) if (c.solution && (!best || c.value < best.value)) best = c;
  const out: OaOutcome = {
    lowerBound: 0,
    upperBound: best ? best.value : Infinity,
    solution: best ? best.solution : null,
    status: 'time_limit',
    iterations: 0,
    lpRounds: 0,
    cuts: 0,
    masterTimeMs: 0,
    history: [],
    message: `time limit: ${why}; only the trivial lower bound 0 is reported`,
    relGapTol,
    verifyNodes: 0,
  };
  return finishOa(rep, out);
}
