import cliProgress from 'cli-progress';
import type { ProgressInfo } from '../../src/core/types.js';

/**
 * A progress bar on stderr that appears only once a run has taken more than `delayMs` (default 1 s),
 * so quick runs print nothing extra. stdout stays clean for --json.
 */
export class DelayedProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly start = performance.now();
  constructor(
    private readonly label: string,
    private readonly enabled = true,
    private readonly delayMs = 1000,
  ) {}

  update(done: number, total: number, detail = ''): void {
    if (!this.enabled) return;
    if (this.bar === null) {
      if (performance.now() - this.start < this.delayMs || done >= total) return;
      this.bar = new cliProgress.SingleBar(
        { format: `${this.label} [{bar}] {value}/{total} {detail}`, stream: process.stderr, noTTYOutput: true, hideCursor: false, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, done, { detail });
      return;
    }
    this.bar.update(done, { detail });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** What a solver reports through `SolveOptions.onProgress`. */
export type SolverProgressInfo = ProgressInfo;

/**
 * Progress lines on stderr for one long solve (`pvq solve`): nothing during the first `delayMs` (default
 * 2 s), then at most one line every `everyMs` (default 1 s) with the bounds reached so far. Solvers call
 * `report` through `SolveOptions.onProgress`; stdout stays clean for --json.
 */
export class SolveProgress {
  private readonly start = performance.now();
  private last = -Infinity;
  private printed = false;
  constructor(
    private readonly label: string,
    private readonly enabled = true,
    private readonly delayMs = 2000,
    private readonly everyMs = 1000,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  report(info: SolverProgressInfo): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.start < this.delayMs || now - this.last < this.everyMs) return;
    this.last = now;
    this.printed = true;
    const g = (x: number): string => (Number.isFinite(x) ? x.toPrecision(6) : String(x));
    const gap = Number.isFinite(info.upperBound) && info.upperBound > 0 ? ` gap ${(100 * (1 - Math.max(0, info.lowerBound) / info.upperBound)).toFixed(2)}%` : '';
    const work = [info.nodes > 0 ? `${info.nodes} nodes` : '', info.iterations > 0 ? `${info.iterations} iterations` : ''].filter(Boolean).join(', ');
    this.write(`${this.label}: ${info.solver} ${((now - this.start) / 1000).toFixed(1)} s  lower ${g(info.lowerBound)}  upper ${g(info.upperBound)}${gap}${work ? `  (${work})` : ''}`);
  }

  /** Whether any line was printed. */
  get shown(): boolean {
    return this.printed;
  }
}
