import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import type { FamilyProofs } from '../proofs.js';
import { levelsExactSolver } from './exact.js';
import { levelsGptqSolver, levelsRoundingSolver, levelsRtnSolver } from './heuristics.js';
import { levelsSdpSolver, verifyLevelsCertificate } from './sdp.js';

export { levelsExactSolver, solveLevelsExact, levelSearch } from './exact.js';
export type { LevelSearchResult } from './exact.js';
export { levelsSdpSolver, solveLevelsSdp, verifyLevelsCertificate } from './sdp.js';
export type { LevelsCertificate, LevelsVerifyResult, LevelsDualSolution } from './sdp.js';
export { levelsRtnSolver, levelsGptqSolver, levelsRoundingSolver, nearestLevelPoint, gptqLevelsPoint, babaiLevels, levelRounding, cheapLevelCandidates } from './heuristics.js';
export { checkLevelProblem, reduceLevels, levelOneOpt, levelErrorOf, isLevelFeasible, expandLevels, nearestLevels } from './common.js';

/** Level-set quantization solvers shipped with pvq (registered in solvers/index.ts). */
export const levelSolvers: LevelQuantizationSolver[] = [levelsRtnSolver, levelsGptqSolver, levelsRoundingSolver, levelsSdpSolver, levelsExactSolver];

/** How this family's lower bounds are proven (collected by solvers/certificates.ts). */
export const levelsProofs: FamilyProofs = {
  certificates: [
    { type: 'levels-sdp-dual', problemClass: 'levels', description: 'dual of the level-set SDP relaxation (adjacent-level and outer-box cuts), re-checked by an LDL^T of the dual slack', verify: verifyLevelsCertificate },
  ],
  // levels-exact's bound rests on its branch-and-bound (or, for an integer grid, on quant-exact's search)
  searchSolvers: ['levels-exact'],
};
