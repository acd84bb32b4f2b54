/**
 * Joint sparse + level-set quantized weights (class 'joint-levels', docs/structured.md): minimise
 * error(scale * x) over x with every x_i in `levels` or 0 (FP4 E2M1, NF4, FP8, INT-b, user levels) whose support
 * fits the sparsity (at most k nonzeros, or N:M). The level-set kind of the joint family (family.ts): the
 * same exact search over the values `levels ∪ {0}`, the pipelines with nearest-level / GPTQ-over-levels rounding,
 * and the certified bound max(levels SDP bound over levels ∪ {0}, pruning bound), certificate `joint-levels-max`
 * (verified by `verifyLevelsCertificate` and the pruning verifiers).
 */
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, patternGroups } from '../../src/core/objective.js';
import type { JointLevelSolver } from '../../src/core/solver.js';
import type { Certificate, JointLevelProblem, JointSparsity, LayerProblem, LevelQuantizationProblem } from '../../src/core/types.js';
import { checkLevels, intLevels, isLevel, nearestLevelIndex } from '../../src/formats/levels.js';
import { gptqLevelsPoint } from '../levels/heuristics.js';
import { solveLevelsSdp, verifyLevelsCertificate } from '../levels/sdp.js';
import { exactSearchWith, jointSolversOf, maxCertificateWith, pruneThenQuantizeWith, quantizeThenPruneWith, verifyMaxCertificate, type JointKind, type JointMaxCertificate } from './family.js';
import type { JointSearchOptions, JointTreeReport } from './search.js';
import { validateSparsity } from './joint.js';

/** Validate a joint level problem (throws PvqInputError naming the field). */
export function validateJointLevelProblem(p: JointLevelProblem): void {
  checkObjective(p?.objective, 'objective.');
  if (!(typeof p.scale === 'number' && p.scale > 0 && Number.isFinite(p.scale))) throw new PvqInputError('scale', `must be a finite number > 0, got ${String(p.scale)}`);
  if (!(p.levels instanceof Float64Array)) throw new PvqInputError('levels', 'expected a Float64Array of sorted levels');
  checkLevels(p.levels);
  validateSparsity(p.sparsity);
}

/** The allowed values of a coordinate: the levels with 0 added (a pruned weight), sorted. */
export function jointLevelValues(p: JointLevelProblem): Float64Array {
  if (isLevel(p.levels, 0)) return p.levels;
  return Float64Array.from([...p.levels, 0]).sort();
}

/** True when every x_i is a level or 0 and the support fits the sparsity. */
export function isJointLevelFeasible(p: JointLevelProblem, x: ArrayLike<number>): boolean {
  const n = p.objective.n;
  if (x.length !== n) return false;
  for (let i = 0; i < n; i++) if (x[i] !== 0 && !isLevel(p.levels, x[i])) return false;
  for (const g of patternGroups(p.sparsity, n)) {
    let nnz = 0;
    for (let i = g.start; i < g.end; i++) if (x[i] !== 0) nnz++;
    if (nnz > g.cap) return false;
  }
  return true;
}

/**
 * The joint level problem of a layer problem: its levels (`levels` / `format` in the file, else the integer grid
 * zmin..zmax) with its `nm` pattern (else at most `k` nonzeros).
 */
export function jointLevelProblemOf(l: LayerProblem, opts: { sparsity?: JointSparsity; levels?: Float64Array } = {}): JointLevelProblem {
  const sparsity: JointSparsity = opts.sparsity ?? (l.nm ? { kind: 'nm', n: l.nm[0], m: l.nm[1] } : { kind: 'k', k: l.k });
  return { name: l.name, objective: l.objective, scale: l.scale, levels: opts.levels ?? l.levels ?? intLevels(l.zmin, l.zmax), sparsity };
}

/** The quantization relaxation: the levels problem over levels ∪ {0} (no sparsity). */
export const levelPart = (p: JointLevelProblem): LevelQuantizationProblem => ({ name: p.name, objective: p.objective, scale: p.scale, levels: jointLevelValues(p) });

/** The level-set kind: values levels ∪ {0}, nearest level / GPTQ over levels, the `levels-sdp` bound. */
export const levelJointKind: JointKind<JointLevelProblem> = {
  problemClass: 'joint-levels',
  prefix: 'joint-levels',
  certType: 'joint-levels-max',
  grid: 'levels (and 0)',
  validate: validateJointLevelProblem,
  values: jointLevelValues,
  isFeasible: isJointLevelFeasible,
  nearest: (p, x) => {
    const v = jointLevelValues(p);
    return v[nearestLevelIndex(v, x / p.scale)];
  },
  gptq: (p, sub) => gptqLevelsPoint({ name: p.name, objective: sub, scale: p.scale, levels: jointLevelValues(p) }),
  quantCertificate: (p, timeLimitMs) => solveLevelsSdp(levelPart(p), { timeLimitMs }).certificate,
  verifyQuant: (p, cert) => verifyLevelsCertificate(levelPart(p), cert),
};

export const pruneThenQuantizeLevels = (p: JointLevelProblem, prune: 'obs' | 'magnitude' = 'obs', quant: 'gptq' | 'rtn' = 'gptq'): Float64Array => pruneThenQuantizeWith(levelJointKind, p, prune, quant);
export const quantizeThenPruneLevels = (p: JointLevelProblem): Float64Array => quantizeThenPruneWith(levelJointKind, p);

export interface JointLevelsCertificate extends JointMaxCertificate {
  readonly type: 'joint-levels-max';
}

/** Re-check a `joint-levels-max` certificate: the `levels-sdp-dual` part and the pruning part with their own verifiers. */
export function verifyJointLevelsCertificate(p: JointLevelProblem, cert: Certificate): { valid: boolean; bound: number; reason?: string } {
  return verifyMaxCertificate(levelJointKind, p, cert);
}

/** The certified bound max(levels SDP, pruning) with its certificate. */
export function jointLevelsCertificate(p: JointLevelProblem, opts: { timeLimitMs?: number } = {}): JointLevelsCertificate {
  return maxCertificateWith(levelJointKind, p, opts) as JointLevelsCertificate;
}

/** Exact search over levels ∪ {0} from the pipelines' points. */
export function jointLevelsBranchAndBound(p: JointLevelProblem, opts: JointSearchOptions & { incumbent?: Float64Array } = {}): JointTreeReport {
  return exactSearchWith(levelJointKind, p, opts);
}

const solvers = jointSolversOf<JointLevelProblem, JointLevelSolver>(levelJointKind);
export const jointLevelsExactSolver = solvers.exact;
export const jointLevelsBoundSolver = solvers.bound;
export const jointLevelsPruneQuantSolver = solvers.pruneQuant;
export const jointLevelsQuantPruneSolver = solvers.quantPrune;
