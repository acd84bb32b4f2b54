import cliProgress from 'cli-progress';

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
