/**
 * im2col for Conv2d (groups = 1) and Gram-matrix accumulation without materialising the whole matrix.
 *
 * Input X: [N, C, H, W] (row-major). Columns of the im2col matrix for input channels [c0, c1) are in
 * (channel, kh, kw) order, like `torch.nn.functional.unfold`; rows are (image, out-row, out-col).
 */
import { PvqInputError } from '../src/core/errors.js';

export interface Conv2dGeometry {
  kh: number;
  kw: number;
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

export type Pair = number | readonly [number, number];

export function pair(x: Pair | undefined, fallback: number, field: string, min: number): [number, number] {
  const p: [number, number] = x === undefined ? [fallback, fallback] : typeof x === 'number' ? [x, x] : [x[0], x[1]];
  for (const v of p) if (!Number.isInteger(v) || v < min) throw new PvqInputError(field, `expected integer(s) >= ${min}, got ${JSON.stringify(x)}`);
  return p;
}

/** Output spatial size (PyTorch's formula). */
export function convOutSize(H: number, W: number, g: Conv2dGeometry): [number, number] {
  const ho = Math.floor((H + 2 * g.padding[0] - g.dilation[0] * (g.kh - 1) - 1) / g.stride[0]) + 1;
  const wo = Math.floor((W + 2 * g.padding[1] - g.dilation[1] * (g.kw - 1) - 1) / g.stride[1]) + 1;
  return [Math.max(0, ho), Math.max(0, wo)];
}

export interface ConvInput {
  data: ArrayLike<number>;
  N: number;
  C: number;
  H: number;
  W: number;
}

/**
 * Fill `out` (rows x ncols, row-major) with im2col rows [row0, row0 + rows) for channels [c0, c1).
 * Row index = (img * Ho + oh) * Wo + ow. Out-of-bounds (padding) entries are 0.
 */
export function im2colRows(
  x: ConvInput,
  c0: number,
  c1: number,
  g: Conv2dGeometry,
  row0: number,
  rows: number,
  out: Float64Array,
): void {
  const [Ho, Wo] = convOutSize(x.H, x.W, g);
  const { kh, kw } = g;
  const ncols = (c1 - c0) * kh * kw;
  const { H, W, C, data } = x;
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  for (let r = 0; r < rows; r++) {
    const row = row0 + r;
    const ow = row % Wo;
    const t = (row - ow) / Wo;
    const oh = t % Ho;
    const img = (t - oh) / Ho;
    const base = r * ncols;
    let col = 0;
    for (let c = c0; c < c1; c++) {
      const chanOff = (img * C + c) * H * W;
      for (let i = 0; i < kh; i++) {
        const y = oh * sh - ph + i * dh;
        const inY = y >= 0 && y < H;
        const rowOff = chanOff + y * W;
        for (let j = 0; j < kw; j++) {
          const xx = ow * sw - pw + j * dw;
          out[base + col] = inY && xx >= 0 && xx < W ? data[rowOff + xx] : 0;
          col++;
        }
      }
    }
  }
}

/** The whole im2col matrix (for tests and small inputs): [N*Ho*Wo, (c1-c0)*kh*kw]. */
export function im2col(x: ConvInput, c0: number, c1: number, g: Conv2dGeometry): { rows: number; cols: number; data: Float64Array } {
  const [Ho, Wo] = convOutSize(x.H, x.W, g);
  const rows = x.N * Ho * Wo;
  const cols = (c1 - c0) * g.kh * g.kw;
  const data = new Float64Array(rows * cols);
  im2colRows(x, c0, c1, g, 0, rows, data);
  return { rows, cols, data };
}

/** Accumulate the upper triangle of A^T A for a block A (rows x n) into G (n x n). Skips zero entries. */
export function accumulateGramUpper(G: Float64Array, A: Float64Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    for (let i = 0; i < n; i++) {
      const ai = A[off + i];
      if (ai === 0) continue;
      const gi = i * n;
      for (let j = i; j < n; j++) G[gi + j] += ai * A[off + j];
    }
  }
}

/** Copy the upper triangle into the lower one: G becomes exactly symmetric. */
export function mirrorUpper(G: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) G[j * n + i] = G[i * n + j];
  return G;
}

/** Rows per block when accumulating a Gram matrix from generated rows. */
export const GRAM_BLOCK_ROWS = 256;

/** G = A^T A (float64, exactly symmetric) for the im2col matrix of channels [c0, c1), in row blocks. */
export function convGram(x: ConvInput, c0: number, c1: number, g: Conv2dGeometry): { G: Float64Array; n: number; rows: number } {
  const [Ho, Wo] = convOutSize(x.H, x.W, g);
  const rows = x.N * Ho * Wo;
  const n = (c1 - c0) * g.kh * g.kw;
  const G = new Float64Array(n * n);
  const block = new Float64Array(GRAM_BLOCK_ROWS * n);
  for (let r0 = 0; r0 < rows; r0 += GRAM_BLOCK_ROWS) {
    const nr = Math.min(GRAM_BLOCK_ROWS, rows - r0);
    im2colRows(x, c0, c1, g, r0, nr, block);
    accumulateGramUpper(G, block, nr, n);
  }
  return { G: mirrorUpper(G, n), n, rows };
}

/** G = A^T A for the columns [f, l) of a row-major matrix X (rows x cols), in row blocks. */
export function columnsGram(X: ArrayLike<number>, rows: number, cols: number, f: number, l: number): Float64Array {
  const n = l - f;
  const G = new Float64Array(n * n);
  const block = new Float64Array(GRAM_BLOCK_ROWS * n);
  for (let r0 = 0; r0 < rows; r0 += GRAM_BLOCK_ROWS) {
    const nr = Math.min(GRAM_BLOCK_ROWS, rows - r0);
    for (let r = 0; r < nr; r++) {
      const src = (r0 + r) * cols + f;
      const dst = r * n;
      for (let j = 0; j < n; j++) block[dst + j] = X[src + j];
    }
    accumulateGramUpper(G, block, nr, n);
  }
  return mirrorUpper(G, n);
}
