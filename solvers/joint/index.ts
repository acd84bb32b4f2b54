import type { JointLevelSolver, JointSolver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import { jointBoundSolver, jointExactSolver, jointPruneQuantSolver, jointQuantPruneSolver, verifyJointCertificate } from './joint.js';
import { jointLevelsBoundSolver, jointLevelsExactSolver, jointLevelsPruneQuantSolver, jointLevelsQuantPruneSolver, verifyJointLevelsCertificate } from './levels.js';

export { jointBoundSolver, jointExactSolver, jointPruneQuantSolver, jointQuantPruneSolver, verifyJointCertificate, jointCertificate, jointBranchAndBound, pruneThenQuantize, quantizeThenPrune, gridValues, validateJointProblem, validateSparsity, intJointKind } from './joint.js';
export type { JointCertificate, JointTreeReport } from './joint.js';
export {
  jointLevelsBoundSolver,
  jointLevelsExactSolver,
  jointLevelsPruneQuantSolver,
  jointLevelsQuantPruneSolver,
  verifyJointLevelsCertificate,
  jointLevelsCertificate,
  jointLevelsBranchAndBound,
  pruneThenQuantizeLevels,
  quantizeThenPruneLevels,
  jointLevelValues,
  isJointLevelFeasible,
  jointLevelProblemOf,
  validateJointLevelProblem,
  levelJointKind,
} from './levels.js';
export type { JointLevelsCertificate } from './levels.js';
export type { JointKind, JointMaxCertificate } from './family.js';
export { searchJoint } from './search.js';
export type { JointCore, JointSearchOptions } from './search.js';

/** Joint sparse + quantized solvers on the integer grid (registered in solvers/index.ts). */
export const jointSolvers: JointSolver[] = [jointPruneQuantSolver, jointQuantPruneSolver, jointExactSolver, jointBoundSolver];

/** Joint sparse + level-set quantized solvers (FP4, NF4, FP8, user levels; registered in solvers/index.ts). */
export const jointLevelSolvers: JointLevelSolver[] = [jointLevelsPruneQuantSolver, jointLevelsQuantPruneSolver, jointLevelsExactSolver, jointLevelsBoundSolver];

/** How this family's lower bounds are proven (collected by solvers/certificates.ts). */
export const jointProofs: FamilyProofs = {
  certificates: [
    { type: 'joint-max', problemClass: 'joint', description: 'max of a quantization (sdp-box-dual) and a pruning (perspective-fw / nm-groups) certificate on the same objective', verify: verifyJointCertificate },
    { type: 'joint-levels-max', problemClass: 'joint-levels', description: 'max of a level-set quantization (levels-sdp-dual over the levels and 0) and a pruning (perspective-fw / nm-groups) certificate', verify: verifyJointLevelsCertificate },
  ],
  searchSolvers: ['joint-exact', 'joint-levels-exact'],
};
