/**
 * Joint sparse + quantized weights on the integer grid: minimise error(scale * z) over integer z in [zmin, zmax]
 * whose support fits the sparsity (at most k nonzeros, or N:M). The family's machinery (pipelines, exact search,
 * max certificate, solvers) is written once over a `JointKind` (family.ts, search.ts); this file is the integer
 * kind. (`levels.ts` is the level-set kind: FP4, NF4, user levels.)
 *
 * - `joint-exact`: Schnorr-Euchner enumeration (OBS-saliency order, LDL^T of s^2 G) over the grid values of each
 *   coordinate with a count of nonzeros per group: a group at its cap only allows 0. Node value = partial sum of
 *   the level costs (a lower bound for every completion) plus a sparsity look-ahead; leaves evaluated exactly.
 *   Stopped: the certified bound of `joint-bound` (max of the quantization and the pruning bound) is reported
 *   with an honest status.
 * - `joint-bound`: max(quantization SDP-box bound, pruning perspective / nm-groups bound): the joint feasible set
 *   is a subset of both problems' feasible sets. Certificate `joint-max` carries both sub-certificates;
 *   `verifyJointCertificate` re-checks each with its family's verifier on the derived problem.
 * - `joint-prune-quant`: prune (OBS, or magnitude) then quantize the refitted kept weights (GPTQ, or RTN);
 * - `joint-quant-prune`: RTN, then drop the smallest |z| until the sparsity fits.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, isJointFeasible } from '../../src/core/objective.js';
import { Deadline } from '../../src/core/result.js';
import type { JointSolver } from '../../src/core/solver.js';
import type { Certificate, JointProblem, JointSparsity, QuantizationProblem, SolveResult } from '../../src/core/types.js';
import { gptqPoint } from '../quantization/heuristics.js';
import { sdpBoxSolver, verifySdpCertificate } from '../quantization/sdp.js';
import { exactSearchWith, jointSolversOf, maxCertificateWith, pruneThenQuantizeWith, quantizeThenPruneWith, verifyMaxCertificate, type JointKind, type JointMaxCertificate } from './family.js';
import { searchJoint, type JointSearchOptions, type JointTreeReport } from './search.js';

export type { JointTreeReport } from './search.js';

export function validateJointProblem(p: JointProblem): void {
  checkObjective(p?.objective, 'objective.');
  if (!(typeof p.scale === 'number' && p.scale > 0 && Number.isFinite(p.scale))) throw new PvqInputError('scale', `must be a finite number > 0, got ${String(p.scale)}`);
  if (!Number.isInteger(p.zmin) || p.zmin > 0) throw new PvqInputError('zmin', `expected an integer <= 0, got ${String(p.zmin)}`);
  if (!Number.isInteger(p.zmax) || p.zmax < 0) throw new PvqInputError('zmax', `expected an integer >= 0, got ${String(p.zmax)}`);
  validateSparsity(p.sparsity);
}

/** Validate a joint sparsity (at most k nonzeros, or N:M); throws PvqInputError naming the field. */
export function validateSparsity(s: JointSparsity): void {
  if (!s || (s.kind !== 'k' && s.kind !== 'nm')) throw new PvqInputError('sparsity', "expected {kind: 'k', k} or {kind: 'nm', n, m}");
  if (s.kind === 'k' && !(Number.isInteger(s.k) && s.k >= 0)) throw new PvqInputError('sparsity.k', `expected an integer >= 0, got ${String(s.k)}`);
  if (s.kind === 'nm' && !(Number.isInteger(s.m) && s.m >= 1 && Number.isInteger(s.n) && s.n >= 0 && s.n <= s.m)) throw new PvqInputError('sparsity', `expected integers 0 <= N <= M, M >= 1`);
}

/** The allowed values (in grid units) of a coordinate: zmin..zmax, sorted. */
export function gridValues(p: JointProblem): Float64Array {
  const out = new Float64Array(p.zmax - p.zmin + 1);
  for (let i = 0; i < out.length; i++) out[i] = p.zmin + i;
  return out;
}

const quantPart = (p: JointProblem): QuantizationProblem => ({ name: p.name, objective: p.objective, scale: p.scale, zmin: p.zmin, zmax: p.zmax });

/** The integer kind: values zmin..zmax, RTN / GPTQ on the grid, the `sdp-box` quantization bound. */
export const intJointKind: JointKind<JointProblem> = {
  problemClass: 'joint',
  prefix: 'joint',
  certType: 'joint-max',
  grid: 'grid values',
  validate: validateJointProblem,
  values: gridValues,
  isFeasible: isJointFeasible,
  nearest: (p, x) => Math.min(p.zmax, Math.max(p.zmin, Math.round(x / p.scale))),
  gptq: (p, sub) => gptqPoint({ name: p.name, objective: sub, scale: p.scale, zmin: p.zmin, zmax: p.zmax }),
  quantCertificate: (p, timeLimitMs) => (sdpBoxSolver.solve(quantPart(p), { timeLimitMs }) as SolveResult).certificate ?? null,
  verifyQuant: (p, cert) => verifySdpCertificate(quantPart(p), cert),
};

/** Prune then quantize: refit on the support, then quantize the refitted weights (GPTQ on G_SS, or RTN). */
export const pruneThenQuantize = (p: JointProblem, prune: 'obs' | 'magnitude' = 'obs', quant: 'gptq' | 'rtn' = 'gptq'): Float64Array => pruneThenQuantizeWith(intJointKind, p, prune, quant);

/** Quantize then prune: RTN, then in each group drop the smallest |z| (ties: smaller |w|) beyond its cap. */
export const quantizeThenPrune = (p: JointProblem): Float64Array => quantizeThenPruneWith(intJointKind, p);

export interface JointCertificate extends JointMaxCertificate {
  readonly type: 'joint-max';
}

/** Re-check a `joint-max` certificate: each part with its own family's verifier on the derived problem. */
export function verifyJointCertificate(p: JointProblem, cert: Certificate): { valid: boolean; bound: number; reason?: string } {
  return verifyMaxCertificate(intJointKind, p, cert);
}

/** The certified bound max(quantization, pruning) with its certificate (parts re-checked before use). */
export function jointCertificate(p: JointProblem, opts: { timeLimitMs?: number } = {}): JointCertificate {
  return maxCertificateWith(intJointKind, p, opts) as JointCertificate;
}

/**
 * Exact search (search.ts) from the pipelines' points. With `values` (sorted, strictly increasing, containing 0;
 * in grid units) instead of zmin..zmax, any value set: the incumbent is then the zero vector.
 */
export function jointBranchAndBound(p: JointProblem, opts: JointSearchOptions & { incumbent?: Float64Array; values?: Float64Array } = {}): JointTreeReport {
  if (opts.values === undefined) return exactSearchWith(intJointKind, p, opts);
  const deadline = new Deadline(opts.timeLimitMs);
  return searchJoint({ objective: p.objective, scale: p.scale, values: opts.values, sparsity: p.sparsity }, [new Float64Array(p.objective.n)], { ...opts, deadline });
}

const solvers = jointSolversOf<JointProblem, JointSolver>(intJointKind);
export const jointExactSolver = solvers.exact;
export const jointBoundSolver = solvers.bound;
export const jointPruneQuantSolver = solvers.pruneQuant;
export const jointQuantPruneSolver = solvers.quantPrune;
