import type { QuantizationSolver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import { eigenFloor, quantBoundSolver } from './bound.js';
import { quantExactSolver } from './exact.js';
import { gptqSolver, sdpRoundingSolver } from './heuristics.js';
import { quantDiagBoundSolver, verifyDiagShiftCertificate } from './diag-bound.js';
import { rtnSolver } from './rtn.js';
import { sdpBoxSolver, sdpSolver, verifySdpCertificate } from './sdp.js';
import { sdpLllSolver, verifySdpLllCertificate } from './sdp-lll.js';

export { rtnSolver, rtnPoint } from './rtn.js';
export { quantDiagBoundSolver, verifyDiagShiftCertificate, quantSeparableBound } from './diag-bound.js';
export type { DiagShiftCertificate } from './diag-bound.js';
export { sdpSolver, sdpBoxSolver, solveSdpDual, verifySdpCertificate } from './sdp.js';
export type { SdpCertificate, SdpCertificateType, VerifyResult, DualSolution, DualSolveOptions } from './sdp.js';
export { sdpLllSolver, solveSdpLll, verifySdpLllCertificate } from './sdp-lll.js';
export type { SdpLllCertificate, SdpLllSolution } from './sdp-lll.js';
export { quantExactSolver, solveExact, seSearch, boxExpansionPoint } from './exact.js';
export { quantBoundSolver, eigenFloor } from './bound.js';
export { gptqSolver, sdpRoundingSolver, gptqPoint, sdpRounding, polishOneOpt, bestHeuristicPoint } from './heuristics.js';
export { boxOneOpt, reduce, reducedValue, checkQuantProblem, expand, restrict } from './common.js';
export type { Reduced } from './common.js';
export { factorInOrder, vblastOrder, boxAwareOrder, babaiPoint } from './lattice.js';
export type { OrderedFactor } from './lattice.js';

/** Quantization solvers shipped with pvq (registered in solvers/index.ts). */
export const quantizationSolvers: QuantizationSolver[] = [rtnSolver, gptqSolver, sdpRoundingSolver, sdpSolver, sdpBoxSolver, sdpLllSolver, quantExactSolver, quantBoundSolver, quantDiagBoundSolver];

/** How this family's lower bounds are proven (collected by solvers/certificates.ts). */
export const quantizationProofs: FamilyProofs = {
  certificates: [
    { type: 'sdp-dual', problemClass: 'quantization', description: 'dual multipliers of the SDP relaxation (sdp)', verify: verifySdpCertificate },
    { type: 'sdp-box-dual', problemClass: 'quantization', description: 'dual multipliers of the box-tightened SDP relaxation (sdp-box, quant-bound, quant-exact root)', verify: verifySdpCertificate },
    { type: 'sdp-lll-dual', problemClass: 'quantization', description: 'dual multipliers of the SDP relaxation with integrality and interval cuts on integer linear forms (z and the LLL-reduced u = U^-1 z; sdp-lll)', verify: verifySdpLllCertificate },
    { type: 'diag-shift', problemClass: 'quantization', description: 'diagonal d >= 0 with G - diag(d) PSD (quant-diag-bound): one certified Cholesky, then sum_i d_i dist(w_i, grid)^2', verify: verifyDiagShiftCertificate },
  ],
  floors: [{ name: 'eigen-floor', problemClass: 'quantization', bound: eigenFloor }],
  searchSolvers: ['quant-exact', 'quant-bound'],
};
