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
 * Fill `out` with im2col rows [row0, row0 + rows) for channels [c0, c1): entry (r, col) goes to
 * out[r * rowStride + col * colStride] (row-major by default; pass rowStride 1, colStride = block rows for
 * column-major). Row index = (img * Ho + oh) * Wo + ow. Out-of-bounds (padding) entries are 0.
 */
export function im2colRows(
  x: ConvInput,
  c0: number,
  c1: number,
  g: Conv2dGeometry,
  row0: number,
  rows: number,
  out: Float64Array,
  rowStride = (c1 - c0) * g.kh * g.kw,
  colStride = 1,
): void {
  const [Ho, Wo] = convOutSize(x.H, x.W, g);
  const { kh, kw } = g;
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
    let pos = r * rowStride;
    for (let c = c0; c < c1; c++) {
      const chanOff = (img * C + c) * H * W;
      for (let i = 0; i < kh; i++) {
        const y = oh * sh - ph + i * dh;
        const inY = y >= 0 && y < H;
        const rowOff = chanOff + y * W;
        for (let j = 0; j < kw; j++) {
          const xx = ow * sw - pw + j * dw;
          out[pos] = inY && xx >= 0 && xx < W ? data[rowOff + xx] : 0;
          pos += colStride;
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

/**
 * Accumulate the upper triangle of A^T A for a block stored column-major: column i of the block is
 * At[i*ld .. i*ld + rows). Dot products of contiguous columns (faster in JS than rank-one row updates).
 */
export function accumulateGramUpperT(G: Float64Array, At: Float64Array, rows: number, n: number, ld: number): void {
  for (let i = 0; i < n; i++) {
    const oi = i * ld;
    const gi = i * n;
    let j = i;
    // two columns at a time: reuse the loads of column i
    for (; j + 1 < n; j += 2) {
      const oj = j * ld;
      const ok = oj + ld;
      let s0 = 0;
      let s1 = 0;
      for (let r = 0; r < rows; r++) {
        const a = At[oi + r];
        s0 += a * At[oj + r];
        s1 += a * At[ok + r];
      }
      G[gi + j] += s0;
      G[gi + j + 1] += s1;
    }
    if (j < n) {
      const oj = j * ld;
      let s0 = 0;
      for (let r = 0; r < rows; r++) s0 += At[oi + r] * At[oj + r];
      G[gi + j] += s0;
    }
  }
}

/** Copy the upper triangle into the lower one: G becomes exactly symmetric. */
export function mirrorUpper(G: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) G[j * n + i] = G[i * n + j];
  return G;
}

/** Rows per block when accumulating a Gram matrix from generated rows. */
export const GRAM_BLOCK_ROWS = 512;

/** G = A^T A (float64, exactly symmetric) for the im2col matrix of channels [c0, c1), in row blocks. */
export function convGram(x: ConvInput, c0: number, c1: number, g: Conv2dGeometry): { G: Float64Array; n: number; rows: number } {
  const [Ho, Wo] = convOutSize(x.H, x.W, g);
  const rows = x.N * Ho * Wo;
  const n = (c1 - c0) * g.kh * g.kw;
  const G = new Float64Array(n * n);
  const B = GRAM_BLOCK_ROWS;
  const block = new Float64Array(B * n);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const nr = Math.min(B, rows - r0);
    im2colRows(x, c0, c1, g, r0, nr, block, 1, B);
    accumulateGramUpperT(G, block, nr, n, B);
  }
  return { G: mirrorUpper(G, n), n, rows };
}

/** G = A^T A for the columns [f, l) of a row-major matrix X (rows x cols), in row blocks. */
export function columnsGram(X: ArrayLike<number>, rows: number, cols: number, f: number, l: number): Float64Array {
  const n = l - f;
  const G = new Float64Array(n * n);
  const B = GRAM_BLOCK_ROWS;
  const block = new Float64Array(B * n);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const nr = Math.min(B, rows - r0);
    for (let r = 0; r < nr; r++) {
      const src = (r0 + r) * cols + f;
      for (let j = 0; j < n; j++) block[j * B + r] = X[src + j];
    }
    accumulateGramUpperT(G, block, nr, n, B);
  }
  return mirrorUpper(G, n);
}
