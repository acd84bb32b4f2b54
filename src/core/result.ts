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

/** What a solver hands to `makeResult`: the result without `relGap` (computed), stats with `timeMs` required. */
export type ResultInput = Omit<SolveResult, 'relGap' | 'stats'> & { stats: Partial<SolveStats> & { timeMs: number } };

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

/** A monotone clock in milliseconds (default `performance.now`). */
export type Clock = () => number;

let defaultClock: Clock = () => performance.now();

/**
 * Replace the clock every `Deadline` created from now on reads (tests: a fake clock that advances per read,
 * for deterministic time limits). Returns the previous clock so that the caller can restore it.
 */
export function setDeadlineClock(clock: Clock | null): Clock {
  const prev = defaultClock;
  defaultClock = clock ?? (() => performance.now());
  return prev;
}

/**
 * The one wall-clock deadline of a solve (every solver uses it, no raw `t0 + ms` arithmetic): created from
 * `SolveOptions.timeLimitMs` (undefined or non-finite = no limit), checked with `expired()` every few hundred
 * nodes / every iteration, and split into phase budgets with `sub(fraction)` (a child deadline that ends no
 * later than its parent).
 */
export class Deadline {
  readonly start: number;
  /** Absolute end on the clock (Infinity: no limit). */
  readonly end: number;
  private readonly clock: Clock;
  constructor(timeLimitMs?: number, opts: { clock?: Clock; start?: number } = {}) {
    this.clock = opts.clock ?? defaultClock;
    this.start = opts.start ?? this.clock();
    const limit = timeLimitMs !== undefined && Number.isFinite(timeLimitMs) ? Math.max(0, timeLimitMs) : Infinity;
    this.end = this.start + limit;
  }
  /** A deadline without a limit. */
  static none(): Deadline {
    return new Deadline(undefined);
  }
  /** The current clock value (ms). */
  now(): number {
    return this.clock();
  }
  /** The limit in ms (Infinity: none). */
  get limitMs(): number {
    return this.end - this.start;
  }
  get limited(): boolean {
    return this.end !== Infinity;
  }
  elapsed(): number {
    return this.clock() - this.start;
  }
  /** Milliseconds left (Infinity without a limit, 0 once expired). */
  remaining(): number {
    if (this.end === Infinity) return Infinity;
    return Math.max(0, this.end - this.clock());
  }
  expired(): boolean {
    return this.end !== Infinity && this.clock() >= this.end;
  }
  /**
   * A phase budget: a child deadline (same clock) ending at now + fraction * remaining(), and at the latest
   * at this deadline's end. `capMs` also caps the child's length (useful without a parent limit).
   */
  sub(fraction: number, capMs = Infinity): Deadline {
    const now = this.clock();
    const rem = this.end === Infinity ? Infinity : Math.max(0, this.end - now);
    let len = rem === Infinity ? Infinity : Math.max(0, Math.min(1, fraction)) * rem;
    if (capMs < len) len = Math.max(0, capMs);
    return new Deadline(len, { clock: this.clock, start: now });
  }
}
export function optionNumber(options: SolveOptions, key: string, fallback: number): number {
  const v = options.extra?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
