import type { AnyProblemClass, Certificate, SolveOptions, SolveResult, SolveStats, SolveStatus } from './types.js';
import { DEFAULT_REL_GAP_TOL } from './types.js';

/** Relative gap (ub - lb) / ub for nonnegative errors: 0 when both are 0, Infinity without a feasible point. */
export function relativeGap(lowerBound: number, upperBound: number): number {
  if (!Number.isFinite(upperBound)) return Infinity;
  const lb = Math.max(0, lowerBound);
  if (upperBound <= lb) return 0;
  if (upperBound <= 0) return 0;
  return (upperBound - lb) / upperBound;
}

/** Is the gap closed within tolerance? Absolute slack `absTol` covers the case ub ~ 0. */
export function gapClosed(lowerBound: number, upperBound: number, relTol = DEFAULT_REL_GAP_TOL, absTol = 0): boolean {
  if (!Number.isFinite(upperBound)) return false;
  return upperBound - lowerBound <= Math.max(relTol * Math.abs(upperBound), absTol);
}

/** Round a computed lower bound down by a relative and absolute slack, and clamp at 0 (errors are >= 0). */
export function safeLowerBound(value: number, relSlack = 0, absSlack = 0): number {
  if (Number.isNaN(value)) return 0;
  const v = value - Math.abs(value) * relSlack - absSlack;
  return v > 0 ? v : 0;
}

export interface ResultInput {
  solver: string;
  problem: string;
  problemClass: AnyProblemClass;
  lowerBound: number;
  upperBound: number;
  solution: Float64Array | null;
  status: SolveStatus;
  stats: Partial<SolveStats> & { timeMs: number };
  certificate?: Certificate;
  message?: string;
}

/** Assemble a SolveResult, normalising the bound and computing relGap. */
export function makeResult(r: ResultInput): SolveResult {
  const lowerBound = Math.max(0, Number.isNaN(r.lowerBound) ? 0 : r.lowerBound);
  const upperBound = r.solution === null ? Infinity : r.upperBound;
  const stats: SolveStats = { nodes: 0, iterations: 0, ...r.stats } as SolveStats;
  const out: SolveResult = {
    solver: r.solver,
    problem: r.problem,
    problemClass: r.problemClass,
    lowerBound,
    upperBound,
    solution: r.solution,
    status: r.status,
    relGap: relativeGap(lowerBound, upperBound),
    stats,
  };
  if (r.certificate !== undefined) out.certificate = r.certificate;
  if (r.message !== undefined) out.message = r.message;
  return out;
}

/** Wall-clock deadline helper for solvers; check `expired()` every few hundred nodes. */
export class Deadline {
  readonly start: number;
  private readonly limit: number;
  constructor(timeLimitMs?: number) {
    this.start = performance.now();
    this.limit = timeLimitMs !== undefined && Number.isFinite(timeLimitMs) ? timeLimitMs : Infinity;
  }
  elapsed(): number {
    return performance.now() - this.start;
  }
  expired(): boolean {
    return this.limit !== Infinity && performance.now() - this.start >= this.limit;
  }
}

export function optionNumber(options: SolveOptions, key: string, fallback: number): number {
  const v = options.extra?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
