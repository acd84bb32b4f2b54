import type { StructuredSolver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import { nmBoundSolver, verifyNmCertificate } from './bound.js';
import { nmExactSolver } from './exact.js';
import { nmMagnitudeSolver, nmObsSolver } from './heuristics.js';

export { nmBoundSolver, nmCertificate, nmGroupsValue, verifyNmCertificate } from './bound.js';
export type { NmCertificate } from './bound.js';
export { nmExactSolver, nmBranchAndBound } from './exact.js';
export { nmMagnitudeSolver, nmObsSolver, magnitudeStructuredSupport, obsStructuredSupport } from './heuristics.js';
export { structuredRefit, relaxedPruningProblem, validateStructuredProblem } from './common.js';

/** Structured (N:M, block) pruning solvers (registered in solvers/index.ts). */
export const structuredSolvers: StructuredSolver[] = [nmMagnitudeSolver, nmObsSolver, nmExactSolver, nmBoundSolver];

/** How this family's lower bounds are proven (collected by solvers/certificates.ts). */
export const structuredProofs: FamilyProofs = {
  certificates: [
    { type: 'nm-groups', problemClass: 'structured', description: 'group-combination floor of a structured pattern (nm-bound), re-computed by refits', verify: verifyNmCertificate },
    { type: 'nm-bnb', problemClass: 'structured', description: 'record of the nm-exact branch-and-bound: proves 0 on its own', verify: null },
  ],
  searchSolvers: ['nm-exact', 'nm-bound'],
};
