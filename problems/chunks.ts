/**
 * Chunking of input channels into sub-problems (the paper's `--opt-dim`), with numpy's `array_split` rule.
 */
import { PvqInputError } from '../src/core/errors.js';

/** One chunk of input channels: `[first, last)` of `count` chunks. */
export interface ChunkRange {
  index: number;
  count: number;
  first: number;
  last: number;
}

/**
 * `np.array_split(range(length), parts)` as half-open ranges: `length % parts` leading parts of size
 * `floor(length/parts) + 1`, the rest of size `floor(length/parts)`. Parts may be empty when
 * `parts > length` (as in numpy).
 */
export function arraySplit(length: number, parts: number): ChunkRange[] {
  if (!Number.isInteger(length) || length < 0) throw new PvqInputError('length', `expected an integer >= 0, got ${length}`);
  if (!Number.isInteger(parts) || parts < 1) throw new PvqInputError('parts', `expected an integer >= 1, got ${parts}`);
  const base = Math.floor(length / parts);
  const extra = length % parts;
  const out: ChunkRange[] = [];
  let first = 0;
  for (let i = 0; i < parts; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push({ index: i, count: parts, first, last: first + size });
    first += size;
  }
  return out;
}

/**
 * The paper's chunking of `inChannels` input channels, each contributing `perChannel` (= kh*kw) columns:
 * `ceil(inChannels*perChannel/optDim)` chunks by `arraySplit` over the channels. With no `optDim`
 * (undefined, null, <= 0 or >= inChannels*perChannel) there is one chunk: the full row.
 * The number of chunks is capped at `inChannels` so that no chunk is empty (numpy would produce empty
 * chunks there, which the paper's code cannot solve either).
 */
export function inputChunks(inChannels: number, perChannel: number, optDim?: number | null): ChunkRange[] {
  if (optDim === undefined || optDim === null || optDim <= 0) return arraySplit(inChannels, 1);
  if (!Number.isFinite(optDim)) throw new PvqInputError('optDim', `expected a positive number, got ${optDim}`);
  const parts = Math.min(inChannels, Math.max(1, Math.ceil((inChannels * perChannel) / optDim)));
  return arraySplit(inChannels, parts);
}
