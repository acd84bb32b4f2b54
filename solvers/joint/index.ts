import type { JointSolver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import { jointBoundSolver, jointExactSolver, jointPruneQuantSolver, jointQuantPruneSolver, verifyJointCertificate } from './joint.js';

export { jointBoundSolver, jointExactSolver, jointPruneQuantSolver, jointQuantPruneSolver, verifyJointCertificate, jointCertificate, jointBranchAndBound, pruneThenQuantize, quantizeThenPrune, gridValues, validateJointProblem } from './joint.js';
export type { JointCertificate } from './joint.js';

/** Joint sparse + quantized solvers (registered in solvers/index.ts). */
export const jointSolvers: JointSolver[] = [jointPruneQuantSolver, jointQuantPruneSolver, jointExactSolver, jointBoundSolver];

/** How this family's lower bounds are proven (collected by solvers/certificates.ts). */
export const jointProofs: FamilyProofs = {
  certificates: [{ type: 'joint-max', problemClass: 'joint', description: 'max of a quantization (sdp-box-dual) and a pruning (perspective-fw / nm-groups) certificate on the same objective', verify: verifyJointCertificate }],
  searchSolvers: ['joint-exact'],
};
