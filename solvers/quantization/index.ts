import type { QuantizationSolver } from '../../src/core/solver.js';
import { rtnSolver } from './rtn.js';
import { sdpBoxSolver, sdpSolver } from './sdp.js';

export { rtnSolver, rtnPoint } from './rtn.js';
export { sdpSolver, sdpBoxSolver, solveSdpDual, verifySdpCertificate } from './sdp.js';
export type { SdpCertificate, VerifyResult, DualSolution, DualSolveOptions } from './sdp.js';
export { boxOneOpt, reduce, reducedValue, checkQuantProblem } from './common.js';

/** Quantization solvers shipped with pvq (registered in solvers/index.ts). */
export const quantizationSolvers: QuantizationSolver[] = [rtnSolver, sdpSolver, sdpBoxSolver];
