import { levelProblemOf } from '../src/formats/levels.js';
/**
 * Re-checking reported results: what `pvq verify` runs. Nothing reported is taken on trust:
 * - the solution is feasible and its error, recomputed, equals `upperBound`;
 * - `lowerBound` is proven by what the result carries: 0 (trivial), a certificate re-checked from scratch by the
 *   verifier registered for its type (solvers/certificates.ts), or a floor recomputed from the problem; within a
 *   relative 1e-12 of what these prove;
 * - a larger bound from a solver that searches (quant-exact, prune-exact, quant-bound, prune-bound, the OA
 *   solvers) is `unverified` unless a re-run of the exact search of its class (`rerunLowerBound`) proves it;
 *   any other larger bound fails;
 * - status `optimal` needs a verified lower bound that meets `upperBound` within the stated gap tolerance.
 */
import { errorOf, isPruneFeasible, isQuantFeasible, pruningProblemOf, quantErrorOf, quantizationProblemOf } from '../src/core/objective.js';
import { gapClosed } from '../src/core/result.js';
import type { Solver } from '../src/core/solver.js';
import type { AnyProblemClass, Certificate, LayerProblem, ProblemClass, SolveResult } from '../src/core/types.js';
import { isJointFeasible, isStructuredFeasible, jointProblemOf, structuredProblemOf } from '../src/core/objective.js';
import { DEFAULT_REL_GAP_TOL } from '../src/core/types.js';
import { getCertificateType, isSearchSolver, listCertificateTypes, listFloors, type CertificateCheck } from './certificates.js';
import { listSolvers } from './index.js';

export type { CertificateCheck } from './certificates.js';

/** Certificate types with a verifier, by problem class (derived from the families' registrations). */
export const VERIFIABLE_CERTIFICATES: Readonly<Record<string, AnyProblemClass>> = Object.freeze(
  Object.fromEntries(listCertificateTypes().filter((c) => c.verify !== null).map((c) => [c.type, c.problemClass])),
);

/** Every status a result may carry. */
export const STATUSES = ['optimal', 'time_limit', 'node_limit', 'iteration_limit', 'bound_only', 'feasible', 'numerical_failure'] as const;

/** Relative slack between a reported bound and the bound its proof gives (JSON round trips are exact). */
const BOUND_REL_SLACK = 1e-12;

function problemClassOf(problem: LayerProblem, cls: ProblemClass, useBox: boolean) {
  return cls === 'quantization' ? quantizationProblemOf(problem) : pruningProblemOf(problem, { useBox });
}

/**
 * Re-check a certificate against a problem, independently of the solver that produced it, with the verifier its
 * family registered. `useBox` selects the pruning problem with or without the file's pruneBox (as the solver was run).
 * A search record (e.g. 'outer-approximation') is valid but proves 0: its bound needs a re-run.
 */
export function verifyCertificate(problem: LayerProblem, certificate: Certificate, opts: { useBox?: boolean; problemClass?: AnyProblemClass } = {}): CertificateCheck & { searchRecord?: boolean } {
  const classes: AnyProblemClass[] = opts.problemClass ? [opts.problemClass] : ['quantization', 'pruning', 'structured', 'joint'];
  for (const cls of classes) {
    const entry = getCertificateType(String(certificate.type), cls);
    if (!entry) continue;
    if (entry.verify === null) return { valid: true, bound: 0, searchRecord: true, reason: `a '${entry.type}' certificate records a search; it proves 0 on its own` };
    try {
      if (entry.problemClass === 'quantization') return entry.verify(quantizationProblemOf(problem), certificate);
      if (entry.problemClass === 'structured') return entry.verify(structuredProblemOf(problem, { useBox: opts.useBox ?? true }), certificate);
      if (entry.problemClass === 'joint') return entry.verify(jointProblemOf(problem), certificate);
      return entry.verify(pruningProblemOf(problem, { useBox: opts.useBox ?? true }), certificate);
    } catch (e) {
      return { valid: false, bound: 0, reason: (e as Error).message };
    }
  }
  return { valid: false, bound: 0, reason: `no verifier for certificate type '${String(certificate.type)}'` };
}

/** What an audit concluded: every claim proven, some search bound not re-proven, or a claim that is false/unproven. */
export type AuditStatus = 'verified' | 'unverified' | 'failed';

export interface ResultAudit {
  problem: string;
  /** True only when everything the result claims is verified. */
  ok: boolean;
  status: AuditStatus;
  /** The largest lower bound this audit proved (<= the reported one). */
  verifiedLowerBound: number;
  /** Recomputed error of the solution (null without a feasible solution). */
  recomputedUpperBound: number | null;
  checks: string[];
  /** Claims that rest on a search this audit did not re-run (exit 4 in the CLI). */
  unverified: string[];
  failures: string[];
}

/** The fields of a result `auditResult` reads (as printed by `pvq solve --json`). */
export interface ReportedResult {
  solver?: string;
  problemClass: AnyProblemClass;
  lowerBound: number;
  upperBound: number | null;
  solution: ArrayLike<number> | null;
  status?: string;
  stats?: { relGapTol?: number; [k: string]: unknown };
  certificate?: Certificate;
}

export interface AuditOptions {
  /** The pruning results were computed with the file's pruneBox (default true). */
  useBox?: boolean;
  /** Relative tolerance on the recomputed upper bound (default 1e-9). */
  relTol?: number;
}

/** Absolute slack in error units: rounding level of the error's terms (1e-12 * max(r, (sum_i sqrt(G_ii)|w_i|)^2)). */
export function absSlack(problem: LayerProblem): number {
  const { n, G, w, r } = problem.objective;
  let sc = 0;
  for (let i = 0; i < n; i++) sc += Math.sqrt(Math.max(0, G[i * n + i])) * Math.abs(w[i]);
  return 1e-12 * Math.max(r, sc * sc, Number.MIN_VALUE);
}

/**
 * Audit a reported result against its problem without re-running anything (see the file header).
 * Search bounds end `unverified`; `rerunAudit` can then try to re-prove them.
 */
export function auditResult(problem: LayerProblem, result: ReportedResult, opts: AuditOptions = {}): ResultAudit {
  const tol = opts.relTol ?? 1e-9;
  const useBox = opts.useBox ?? true;
  const cls = result.problemClass;
  const checks: string[] = [];
  const failures: string[] = [];
  const unverified: string[] = [];
  const abs = absSlack(problem);
  let recomputed: number | null = null;
  if (result.solution !== null && result.solution !== undefined) {
    const sol = Array.from(result.solution);
    if (cls === 'quantization') {
      const qp = quantizationProblemOf(problem);
      if (!isQuantFeasible(qp, sol)) failures.push('solution is not an integer vector inside [zmin, zmax]');
      else recomputed = quantErrorOf(qp, sol);
    } else if (cls === 'structured') {
      const sp = structuredProblemOf(problem, { useBox });
      if (!isStructuredFeasible(sp, sol)) failures.push('solution does not fit the structured pattern or leaves the box');
      else recomputed = errorOf(sp.objective, sol);
    } else if (cls === 'joint') {
      const jp = jointProblemOf(problem);
      if (!isJointFeasible(jp, sol)) failures.push('solution is not an integer vector in [zmin, zmax] fitting the sparsity');
      else recomputed = quantErrorOf(jp, sol);
    } else {
      const pp = pruningProblemOf(problem, { useBox });
      if (!isPruneFeasible(pp, sol)) failures.push(`solution has more than k = ${pp.k} nonzeros or leaves the box`);
      else recomputed = errorOf(pp.objective, sol);
    }
    if (recomputed !== null) {
      if (result.upperBound === null || Math.abs(recomputed - result.upperBound) > tol * Math.abs(recomputed) + abs) failures.push(`upperBound ${result.upperBound} differs from the recomputed error ${recomputed}`);
      else checks.push(`solution feasible, error ${recomputed} recomputed`);
    }
  } else if (result.upperBound !== null && result.upperBound !== undefined && Number.isFinite(result.upperBound)) {
    failures.push(`upperBound ${result.upperBound} is reported without a solution`);
  }
  if (result.status !== undefined && !(STATUSES as readonly string[]).includes(result.status)) failures.push(`unknown status '${result.status}'`);

  const claimed = result.lowerBound;
  if (!(Number.isFinite(claimed) && claimed >= 0)) failures.push(`lowerBound ${claimed} is not a nonnegative number`);
  if (recomputed !== null && claimed > recomputed * (1 + tol) + abs) failures.push(`lowerBound ${claimed} exceeds upperBound ${recomputed} (the error of its own solution)`);

  // what the carried proofs give
  let proven = 0;
  let provenBy = 'the trivial bound 0';
  if (result.certificate) {
    const c = verifyCertificate(problem, result.certificate, { useBox, problemClass: cls });
    if (!c.valid) failures.push(`certificate ${String(result.certificate.type)} rejected: ${c.reason ?? 'invalid'}`);
    else if (c.searchRecord) checks.push(`certificate ${String(result.certificate.type)} is a search record (proves 0 on its own)`);
    else {
      checks.push(`certificate ${String(result.certificate.type)} proves error >= ${c.bound}`);
      if (c.bound > proven) {
        proven = c.bound;
        provenBy = `its ${String(result.certificate.type)} certificate`;
      }
    }
  }
  const covers = (b: number): boolean => claimed <= b + BOUND_REL_SLACK * b;
  if (Number.isFinite(claimed) && claimed > 0 && !covers(proven) && (cls === 'quantization' || cls === 'pruning')) {
    const p = problemClassOf(problem, cls, useBox);
    for (const f of listFloors(cls)) {
      const b = (f.bound as (q: typeof p) => number)(p);
      if (b > proven) {
        proven = b;
        provenBy = `the ${f.name} (recomputed)`;
      }
    }
  }
  let verifiedLowerBound = 0;
  if (!(claimed > 0)) checks.push('lowerBound 0 (trivial)');
  else if (covers(proven)) {
    verifiedLowerBound = Math.min(claimed, proven);
    checks.push(`lowerBound ${claimed} proven by ${provenBy}`);
  } else {
    verifiedLowerBound = proven;
    if (result.solver !== undefined && isSearchSolver(result.solver))
      unverified.push(`lowerBound ${claimed} rests on the search of ${result.solver} (${provenBy} proves ${proven}); re-prove it with --rerun`);
    else failures.push(`lowerBound ${claimed} exceeds what ${provenBy} proves (${proven})${result.solver ? `, and ${result.solver} does no search` : ''}`);
  }
  checkOptimal(result, recomputed, abs, { verifiedLowerBound, lowerVerified: unverified.length === 0 }, checks, unverified, failures);
  return finish(problem.name, verifiedLowerBound, recomputed, checks, unverified, failures);
}

function checkOptimal(
  result: ReportedResult,
  recomputed: number | null,
  abs: number,
  lb: { verifiedLowerBound: number; lowerVerified: boolean },
  checks: string[],
  unverified: string[],
  failures: string[],
): void {
  if (result.status !== 'optimal') return;
  const statedTol = typeof result.stats?.relGapTol === 'number' ? result.stats.relGapTol : DEFAULT_REL_GAP_TOL;
  if (recomputed === null) {
    failures.push('status optimal without a feasible solution');
    return;
  }
  if (gapClosed(lb.verifiedLowerBound, recomputed, statedTol + 1e-12, abs)) checks.push(`status optimal: the proven bound meets the error within ${statedTol}`);
  else if (!lb.lowerVerified) unverified.push('status optimal rests on the unverified lower bound');
  else failures.push(`status optimal, but the proven lower bound ${lb.verifiedLowerBound} leaves a gap to ${recomputed} above the stated tolerance ${statedTol}`);
}

function finish(problem: string, verifiedLowerBound: number, recomputed: number | null, checks: string[], unverified: string[], failures: string[]): ResultAudit {
  const status: AuditStatus = failures.length > 0 ? 'failed' : unverified.length > 0 ? 'unverified' : 'verified';
  return { problem, ok: status === 'verified', status, verifiedLowerBound, recomputedUpperBound: recomputed, checks, unverified, failures };
}

/** A fresh exact-search run: its lower bound is proven by this process, not read from a file. */
export interface Rerun {
  solver: string;
  lowerBound: number;
  upperBound: number;
  status: string;
  relGapTol: number;
  timeMs: number;
}

/** The exact solver that re-proves search bounds of a class: the first registered exact solver that searches. */
export function rerunSolverFor(cls: AnyProblemClass): Solver | undefined {
  return listSolvers().find((s) => s.problemClass === cls && s.role === 'exact' && isSearchSolver(s.name));
}

/** Re-run the exact search of a class on a problem under a time limit (warm-started from `incumbent` if feasible). */
export async function rerunLowerBound(problem: LayerProblem, cls: AnyProblemClass, opts: { useBox?: boolean; timeLimitMs: number; incumbent?: ArrayLike<number> | null }): Promise<Rerun | null> {
  const solver = rerunSolverFor(cls);
  if (!solver) return null;
  const t0 = performance.now();
  const incumbent = opts.incumbent ? Float64Array.from(opts.incumbent) : undefined;
  let r: SolveResult;
  if (solver.problemClass === 'quantization') r = await solver.solve(quantizationProblemOf(problem), { timeLimitMs: opts.timeLimitMs, incumbent });
  else if (solver.problemClass === 'structured') r = await solver.solve(structuredProblemOf(problem, { useBox: opts.useBox ?? true }), { timeLimitMs: opts.timeLimitMs, incumbent });
  else if (solver.problemClass === 'joint') r = await solver.solve(jointProblemOf(problem), { timeLimitMs: opts.timeLimitMs, incumbent });
  else if (solver.problemClass === 'levels') r = await solver.solve(levelProblemOf(problem), { timeLimitMs: opts.timeLimitMs, incumbent });
  else r = await solver.solve(pruningProblemOf(problem, { useBox: opts.useBox ?? true }), { timeLimitMs: opts.timeLimitMs, incumbent });
  return { solver: solver.name, lowerBound: r.lowerBound, upperBound: r.upperBound, status: r.status, relGapTol: r.stats.relGapTol ?? DEFAULT_REL_GAP_TOL, timeMs: performance.now() - t0 };
}

/**
 * Upgrade an `unverified` audit with a re-run: the claimed lower bound is re-proven when the re-run's bound reaches
 * it (within the stated gap tolerances when the re-run finished), and refuted when the re-run finds a feasible
 * point with a smaller error.
 */
export function applyRerun(problem: LayerProblem, result: ReportedResult, audit: ResultAudit, rerun: Rerun): ResultAudit {
  if (audit.status !== 'unverified') return audit;
  const checks = [...audit.checks];
  const failures = [...audit.failures];
  const unverified: string[] = [];
  const abs = absSlack(problem);
  const claimed = result.lowerBound;
  const statedTol = Math.max(typeof result.stats?.relGapTol === 'number' ? result.stats.relGapTol : DEFAULT_REL_GAP_TOL, rerun.relGapTol);
  const finished = rerun.status === 'optimal';
  const slack = finished ? (statedTol + 1e-12) * Math.abs(rerun.upperBound) + abs : BOUND_REL_SLACK * rerun.lowerBound;
  const how = `${rerun.solver} re-run (${rerun.status}, ${(rerun.timeMs / 1000).toFixed(2)} s): lower bound ${rerun.lowerBound}`;
  let verifiedLowerBound = audit.verifiedLowerBound;
  if (claimed <= rerun.lowerBound + slack) {
    verifiedLowerBound = Math.max(verifiedLowerBound, Math.min(claimed, rerun.lowerBound));
    checks.push(`lowerBound ${claimed} re-proven by the ${how}`);
  } else if (Number.isFinite(rerun.upperBound) && rerun.upperBound < claimed - ((statedTol + 1e-12) * claimed + abs)) {
    failures.push(`lowerBound ${claimed} is false: the ${rerun.solver} re-run found a feasible point with error ${rerun.upperBound}`);
  } else {
    verifiedLowerBound = Math.max(verifiedLowerBound, Math.min(claimed, rerun.lowerBound));
    unverified.push(`lowerBound ${claimed} not re-proven: the ${how} (give it more time with --time-limit)`);
  }
  const lowerVerified = unverified.length === 0 && failures.length === audit.failures.length;
  // status optimal: re-check against the new verified bound (with the re-run's own tolerance when it finished)
  if (result.status === 'optimal' && audit.recomputedUpperBound !== null) {
    if (lowerVerified && gapClosed(verifiedLowerBound, audit.recomputedUpperBound, statedTol + 1e-12, abs + (finished ? slack : 0)))
      checks.push('status optimal: the re-proven bound meets the error');
    else if (lowerVerified) failures.push(`status optimal, but the re-proven lower bound ${verifiedLowerBound} leaves a gap to ${audit.recomputedUpperBound}`);
    else if (failures.length === audit.failures.length) unverified.push('status optimal rests on the unverified lower bound');
  }
  return finish(audit.problem, verifiedLowerBound, audit.recomputedUpperBound, checks, unverified, failures);
}
