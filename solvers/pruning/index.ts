import type { PruningSolver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import { verifyPerspectiveCertificate as verifyPerspective } from './perspective.js';
import { pruneBoundSolver } from './bound.js';
import { pruneExactSolver } from './exact.js';
import { pruneDiagBoundSolver, verifyPruneDiagShiftCertificate } from './diag-bound.js';
import { greedyForwardSolver, magnitudeRefitSolver, magnitudeSolver, obsSolver, swapSolver } from './heuristics.js';

export { boxLeastSquares, boxLSKKT, boxLSValue } from '../../src/linalg/boxls.js';
export type { BoxLSOptions, BoxLSResult } from '../../src/linalg/boxls.js';
export { refitBox, refitFree, refitSemicontinuous, semicontinuousLS, supportValue, boxExcludesZero, magnitudeSupport, validatePruningProblem } from './common.js';
export type { SemicontinuousResult } from './common.js';
export { sdpDiag } from './diag.js';
export { keptSideSearch, sampleFactor } from './singular.js';
export { greedyForwardSupport, obsSupport, swapSearch, bestHeuristicSupport } from './heuristics.js';
export { pruneBranchAndBound } from './exact.js';
export { pruneDiagBoundSolver, verifyPruneDiagShiftCertificate, pruneSeparableBound } from './diag-bound.js';
export type { PruneDiagShiftCertificate } from './diag-bound.js';
export { perspectiveBound, rootPerspectiveBound, verifyPerspectiveCertificate } from './perspective.js';
export type { PerspectiveCertificate, VerifyResult } from './perspective.js';
export { pruneBoundSolver, pruneExactSolver, magnitudeSolver, magnitudeRefitSolver, greedyForwardSolver, obsSolver, swapSolver };

/** Pruning solvers shipped with pvq (registered in solvers/index.ts). */
export const pruningSolvers: PruningSolver[] = [
  magnitudeSolver,
  magnitudeRefitSolver,
  greedyForwardSolver,
  obsSolver,
  swapSolver,
  pruneExactSolver,
  pruneBoundSolver,
  pruneDiagBoundSolver,
];

/** How this family's lower bounds are proven (collected by solvers/certificates.ts). */
export const pruningProofs: FamilyProofs = {
  certificates: [
    {
      type: 'perspective-fw',
      problemClass: 'pruning',
      description: 'perspective relaxation dual (d, y) found by Frank-Wolfe (prune-bound, prune-exact when stopped)',
      verify: (p, c) => {
        const r = verifyPerspective(p, c);
        return { valid: r.ok, bound: r.bound, ...(r.reason ? { reason: r.reason } : {}) };
      },
    },
    {
      type: 'diag-shift',
      problemClass: 'pruning',
      description: 'diagonal d >= 0 with G - diag(d) PSD (prune-diag-bound): one certified Cholesky, then the separable k-sparse minimum of sum_i d_i (w_i - v_i)^2',
      verify: verifyPruneDiagShiftCertificate,
    },
    { type: 'bnb', problemClass: 'pruning', description: 'record of a (time-limited) branch-and-bound: proves 0 on its own', verify: null },
  ],
  searchSolvers: ['prune-exact', 'prune-bound'],
};
