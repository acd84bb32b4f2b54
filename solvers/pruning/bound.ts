/**
 * `prune-bound`: certified lower bounds for pruning problems too large to solve exactly.
 *
 *  1. root perspective relaxation PR(d) (diagonal d from a few candidates: scalar lambda_min, diagonal
 *     scaling, coordinate ascent, SDP trace, then conditional-gradient ascent of PR in d), solved by
 *     Frank-Wolfe; its dual bound comes with a certificate
 *     (d, y) that `verifyPerspectiveCertificate` re-checks from scratch;
 *  2. a time-limited branch-and-bound whose open-node minimum is also a valid bound.
 * The reported lower bound is the larger of the two (status `optimal` if the tree happened to close).
 */
import { Deadline } from '../../src/core/result.js';
import type { PruningSolver } from '../../src/core/solver.js';
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import type { PruningProblem, SolveOptions } from '../../src/core/types.js';
import { pruneResult, validatePruningProblem } from './common.js';
import { pruneBranchAndBound } from './exact.js';
import { PERSPECTIVE_ASCENT, rootPerspectiveBound } from './perspective.js';

const PRUNE_BOUND_OPTIONS = defineOptions({
  bnbTimeMs: { type: 'number', min: 0, help: 'time budget of the branch-and-bound part in ms (default: min(1000, the time left))' },
  bnbNodeLimit: { type: 'integer', min: 0, help: 'node limit of the branch-and-bound part (default: nodeLimit, else unlimited)' },
});

export const pruneBoundSolver: PruningSolver = {
  name: 'prune-bound',
  problemClass: 'pruning',
  role: 'bound',
  description:
    'Certified lower bound: perspective relaxation (Frank-Wolfe, verifiable dual certificate) and a time-limited branch-and-bound (open-node minimum)',
  options: PRUNE_BOUND_OPTIONS,
  capabilities: ['timeLimit', 'nodeLimit', 'iterationLimit', 'relGapTol', 'incumbent'],
  solve(problem: PruningProblem, options: SolveOptions = {}) {
    validatePruningProblem(problem);
    const deadline = new Deadline(options.timeLimitMs);
    const start = deadline;
    // the perspective relaxation may use 70 % of the limit, the branch-and-bound gets the rest
    const pr = rootPerspectiveBound(problem, { iterations: options.iterationLimit ?? 100, deadline: deadline.sub(0.7), ascent: PERSPECTIVE_ASCENT });
    const extra = resolveExtras(PRUNE_BOUND_OPTIONS, options.extra, 'prune-bound');
    const remaining = deadline.remaining();
    const bnbTime = extra.bnbTimeMs ?? Math.min(1000, remaining);
    const bnb = pruneBranchAndBound(problem, {
      deadline: deadline.sub(1, bnbTime),
      nodeLimit: extra.bnbNodeLimit ?? options.nodeLimit,
      relGapTol: options.relGapTol,
      incumbent: options.incumbent,
      onProgress: options.onProgress
        ? (_lb, ub, nodes) =>
            options.onProgress!({ solver: 'prune-bound', lowerBound: pr.bound, upperBound: ub, nodes, iterations: pr.iterations, timeMs: deadline.elapsed() })
        : undefined,
    });
    const closed = bnb.status === 'optimal';
    const lowerBound = Math.max(pr.bound, bnb.lowerBound);
    const certificate = pr.certificate
      ? { ...pr.certificate, bnbLowerBound: bnb.lowerBound, bnbStatus: bnb.status }
      : { type: 'bnb', bnbLowerBound: bnb.lowerBound, bnbStatus: bnb.status };
    return pruneResult({
      solver: 'prune-bound',
      problem,
      v: bnb.v,
      lowerBound,
      status: closed ? 'optimal' : 'bound_only',
      start,
      nodes: bnb.nodes,
      iterations: pr.iterations,
      extraStats: { perspectiveBound: pr.bound, bnbBound: bnb.lowerBound },
      certificate,
      message: closed
        ? 'branch-and-bound closed the gap'
        : `lower bound = max(perspective ${pr.bound.toPrecision(6)}, open-node minimum ${bnb.lowerBound.toPrecision(6)} after ${bnb.status})`,
    });
  },
};
