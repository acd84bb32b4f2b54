/**
 * Helpers shared by the benchmark scripts (not a benchmark: run.ts skips files starting with '_'): command-line
 * options, the median, number formats for the markdown tables, and the machine-load line.
 */
import { execSync } from 'node:child_process';

/** The command line of a benchmark: flags, `--name value` options and comma-separated number lists. */
export function cliArgs(argv: readonly string[] = process.argv.slice(2)) {
  const has = (flag: string): boolean => argv.includes(flag);
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (name: string, dflt: number[]): number[] => {
    const v = value(name);
    return v ? v.split(',').map(Number) : dflt;
  };
  return { has, value, list, quick: has('--quick') };
}

export function median(a: readonly number[]): number {
  if (a.length === 0) return NaN;
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Milliseconds with 2, 1 or 0 decimals by size ('-' for NaN). */
export const fmtMs = (v: number): string => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
/** Counts as 1234, 1.2k, 3.4M ('-' for NaN). */
export const fmtN = (v: number): string => (Number.isNaN(v) ? '-' : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : `${Math.round(v)}`);
/** A ratio as a percentage with one decimal ('-' for NaN). */
export const fmtPct = (v: number): string => (Number.isNaN(v) ? '-' : `${(100 * v).toFixed(1)}%`);

/** Print the machine load (uptime) under a table, when available. */
export function printLoad(): void {
  try {
    console.log(`\nload: ${execSync('uptime').toString().trim()}`);
  } catch {
    /* uptime not available */
  }
}
