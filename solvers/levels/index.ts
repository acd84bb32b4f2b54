import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import { levelsExactSolver } from './exact.js';
import { levelsGptqSolver, levelsRoundingSolver, levelsRtnSolver } from './heuristics.js';
import { levelsSdpSolver } from './sdp.js';

export { levelsExactSolver, solveLevelsExact, levelSearch } from './exact.js';
export type { LevelSearchResult } from './exact.js';
export { levelsSdpSolver, solveLevelsSdp, verifyLevelsCertificate } from './sdp.js';
export type { LevelsCertificate, LevelsVerifyResult, LevelsDualSolution } from './sdp.js';
export { levelsRtnSolver, levelsGptqSolver, levelsRoundingSolver, nearestLevelPoint, gptqLevelsPoint, babaiLevels, levelRounding, cheapLevelCandidates } from './heuristics.js';
export { checkLevelProblem, reduceLevels, levelOneOpt, levelErrorOf, isLevelFeasible, expandLevels, nearestLevels } from './common.js';

/** Level-set quantization solvers shipped with pvq (registered in solvers/index.ts). */
export const levelSolvers: LevelQuantizationSolver[] = [levelsRtnSolver, levelsGptqSolver, levelsRoundingSolver, levelsSdpSolver, levelsExactSolver];
