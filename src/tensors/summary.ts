/** Aggregates of per-tensor rows (the paper's pruning-win rate by kurtosis bucket and bit width, PAPER.md C6). */
import type { TensorBitsStats } from './stats.js';

/** The paper's excess-kurtosis buckets. */
export const KURTOSIS_BUCKETS: readonly { label: string; lo: number; hi: number }[] = [
  { label: '<=0', lo: -Infinity, hi: 0 },
  { label: '0-1', lo: 0, hi: 1 },
  { label: '1-3', lo: 1, hi: 3 },
  { label: '3-5', lo: 3, hi: 5 },
  { label: '5-10', lo: 5, hi: 10 },
  { label: '10-20', lo: 10, hi: 20 },
  { label: '20-50', lo: 20, hi: 50 },
  { label: '50-100', lo: 50, hi: 100 },
  { label: '>100', lo: 100, hi: Infinity },
];

export interface WinRateCell {
  bucket: string;
  /** Position of the bucket (for ordering). */
  order: number;
  bits: number;
  tensors: number;
  pruneWins: number;
  rate: number;
}

/** Fraction of tensors where pruning beats quantization, per kurtosis bucket and bit width (finite rows only). */
export function winRateByKurtosis(rows: readonly TensorBitsStats[]): WinRateCell[] {
  const cells = new Map<string, WinRateCell>();
  for (const r of rows) {
    if (!Number.isFinite(r.sample_kurtosis) || !Number.isFinite(r.quant_sqnr) || !Number.isFinite(r.pruning_sqnr)) continue;
    const order = KURTOSIS_BUCKETS.findIndex((b) => r.sample_kurtosis > b.lo && r.sample_kurtosis <= b.hi);
    const bucket = KURTOSIS_BUCKETS[order].label;
    const key = `${order}/${r.bits}`;
    const c = cells.get(key) ?? { bucket, order, bits: r.bits, tensors: 0, pruneWins: 0, rate: 0 };
    c.tensors++;
    if (r.pruning_sqnr > r.quant_sqnr) c.pruneWins++;
    c.rate = c.pruneWins / c.tensors;
    cells.set(key, c);
  }
  return [...cells.values()].sort((a, b) => a.order - b.order || a.bits - b.bits);
}
